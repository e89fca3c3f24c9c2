// SPDX-License-Identifier: GPL-2.0-or-later
// What the host's network looks like beyond sysfs: default routes, addresses, the SSH session
// this runs in, processes using a card's verbs devices. A seam (pure): the system in the
// product (system/host_network_system.h), a plain description in tests, so that nothing tested
// reads the machine's own network; and the parsers of the /proc text the system reads.
#pragma once

#include "card_interfaces.h"

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

class HostNetwork {
public:
    virtual ~HostNetwork() = default;

    // The interfaces the default routes (IPv4 and IPv6, main table) leave through.
    virtual std::vector<std::string> defaultRouteInterfaces() = 0;
    // Every address of every interface.
    virtual std::vector<InterfaceAddress> addresses() = 0;
    // The local (server) address of the SSH session this runs in, from SSH_CONNECTION; empty
    // when not run over SSH.
    virtual std::string sshLocalAddress() = 0;
    // The processes that hold one of `devices` open. `complete` is false when some processes
    // could not be looked at (not root).
    virtual std::vector<DeviceUser> processesHolding(const std::vector<std::string>& devices,
                                                     bool& complete) = 0;
};

// What the impact list and the guard need to know of the host for one card.
struct HostFacts {
    std::vector<std::string> defaultRouteInterfaces;
    std::vector<InterfaceAddress> addresses;
    std::string sshLocalAddress;        // empty: not over SSH
    std::vector<DeviceUser> verbsUsers; // of the card's verbs devices
    bool verbsUsersComplete = true;     // false: some processes could not be looked at
};

HostFacts gatherHostFacts(HostNetwork& host, const CardInterfaces& card);

// The parsers behind SystemHostNetwork, for tests.
// Interfaces of the default routes in /proc/net/route (destination and mask 0, route up).
std::vector<std::string> parseIpv4DefaultRoutes(std::string_view procNetRoute);
// Interfaces of the default routes in /proc/net/ipv6_route (::/0, not a reject route, not lo).
std::vector<std::string> parseIpv6DefaultRoutes(std::string_view procNetIpv6Route);
// The server address of an SSH_CONNECTION value ("client port server port"); empty if the
// value is not of that form.
std::string sshServerAddress(std::string_view sshConnection);

} // namespace mlx4
