// SPDX-License-Identifier: GPL-2.0-or-later
// What the host's network looks like beyond sysfs: default routes, addresses, the SSH sessions
// into the host, the interfaces' kinds, processes using a card's verbs devices. A seam (pure):
// the system in the product (system/host_network_system.h), a plain description in tests, so
// that nothing tested reads the machine's own network.
#pragma once

#include "card_interfaces.h"
#include "ssh_sessions.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlx4 {

struct InterfaceAddress {
    std::string interface; // "vmbr0"
    std::string address;   // "192.0.2.10", "2001:db8::10", "fe80::1" (no scope)
    int prefixLength = 0;
};

struct DeviceUser {
    int pid = 0;
    std::string command; // /proc/<pid>/comm
    std::string device;  // the device it holds open: "/dev/infiniband/uverbs0"
};

// One network interface as rtnetlink lists it.
struct LinkInfo {
    int index = 0;
    std::string name;
    std::string kind; // IFLA_INFO_KIND: "bridge", "vlan", "openvswitch", ...; empty: none given
    int master = 0;   // IFLA_MASTER: the bridge, bond or OVS datapath it is a port of; 0: none
    int link = 0;     // IFLA_LINK: the device it is stacked on (a VLAN's); 0: none
};

class HostNetwork {
public:
    virtual ~HostNetwork() = default;

    // The interfaces the default routes of every routing table leave through (every nexthop
    // of a multipath route). False, with `problem`, when they cannot be told.
    virtual bool defaultRouteInterfaces(std::vector<std::string>& names, std::string& problem) = 0;
    // Every address of every interface.
    virtual std::vector<InterfaceAddress> addresses() = 0;
    // Every SSH session into this host (anyone's, not only this run's). False, with `problem`,
    // when the sockets or their owners cannot all be looked at.
    virtual bool sshSessions(std::vector<SshSession>& sessions, std::string& problem) = 0;
    // The interface the kernel sends `session`'s packets to its client through.
    virtual bool replyInterface(const SshSession& session, std::string& name,
                                std::string& problem) = 0;
    // Every interface of the network namespace, with its kind, master and lower device.
    virtual bool links(std::vector<LinkInfo>& links, std::string& problem) = 0;
    // The processes that hold one of `devices` open. `complete` is false when some processes
    // could not be looked at (not root).
    virtual std::vector<DeviceUser> processesHolding(const std::vector<std::string>& devices,
                                                     bool& complete) = 0;
};

// An SSH session and the interface its replies leave through.
struct RoutedSshSession {
    SshSession session;
    std::string replyInterface; // empty: the kernel could not tell
};

// An Open vSwitch datapath (`ovs-system`) that one of the card's netdevs is a port of, and
// what it carries: its bridges' internal ports and whatever rests on them. Its bridges are not
// stacked on the card in sysfs, so the guard treats everything the datapath carries as resting
// on the card.
struct OvsDatapath {
    std::string name;
    std::vector<std::string> carries;
};

// What the impact list and the guard need to know of the host for one card.
struct HostFacts {
    std::vector<std::string> defaultRouteInterfaces;
    std::vector<InterfaceAddress> addresses;
    std::vector<RoutedSshSession> sshSessions;
    std::vector<OvsDatapath> ovsDatapaths; // those over the card
    // What could not be looked at, one line each: the guard cannot vouch for the network then.
    std::vector<std::string> unseen;
    std::vector<DeviceUser> verbsUsers; // of the card's verbs devices
    bool verbsUsersComplete = true;     // false: some processes could not be looked at
};

HostFacts gatherHostFacts(HostNetwork& host, const CardInterfaces& card);

// The Open vSwitch datapaths among `links` that one of `names` is, and everything each
// carries: the interfaces whose master is the datapath (its bridges' internal ports and its
// other ports) and, transitively, those whose master or lower device is one of them.
std::vector<OvsDatapath> ovsDatapathsAmong(const std::vector<LinkInfo>& links,
                                           const std::vector<std::string>& names);

// The local (server) address and port, and the client's, of an SSH_CONNECTION value ("client
// port server port"); nullopt if the value is not of that form.
std::optional<SshSession> sshConnectionSession(std::string_view sshConnection);

} // namespace mlx4
