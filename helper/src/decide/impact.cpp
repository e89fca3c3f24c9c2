// SPDX-License-Identifier: GPL-2.0-or-later
// What a restart of a card takes down, the guard before it, and what to do afterwards.
#include "impact.h"

#include "text.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>

namespace mlx4 {

namespace {

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string text;
    for (const std::string& part : parts)
        text += (text.empty() ? "" : separator) + part;
    return text;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// An address in the 16 bytes of IPv6 (IPv4 as ::ffff:a.b.c.d), so that "192.0.2.1" and
// "::ffff:192.0.2.1" compare equal; false if it is no address.
bool toBytes(const std::string& text, in6_addr& bytes) {
    in_addr v4;
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        std::memset(&bytes, 0, sizeof bytes);
        bytes.s6_addr[10] = bytes.s6_addr[11] = 0xff;
        std::memcpy(&bytes.s6_addr[12], &v4, 4);
        return true;
    }
    return inet_pton(AF_INET6, text.c_str(), &bytes) == 1;
}

bool sameAddress(const std::string& a, const std::string& b) {
    in6_addr left, right;
    return toBytes(a, left) && toBytes(b, right) && std::memcmp(&left, &right, sizeof left) == 0;
}

bool isLinkLocal(const std::string& address) {
    in6_addr bytes;
    return address.find(':') != std::string::npos &&
           inet_pton(AF_INET6, address.c_str(), &bytes) == 1 && bytes.s6_addr[0] == 0xfe &&
           (bytes.s6_addr[1] & 0xc0) == 0x80;
}

// "192.0.2.10/24, 2001:db8::10/64": the addresses of `name` worth naming.
std::vector<std::string> addressesOf(const HostFacts& host, const std::string& name) {
    std::vector<std::string> found;
    for (const InterfaceAddress& entry : host.addresses)
        if (entry.interface == name && !isLinkLocal(entry.address))
            found.push_back(escaped(entry.address) + "/" + std::to_string(entry.prefixLength));
    return found;
}

// "vmbr0 (192.0.2.10/24)" or "vmbr0".
std::string withAddresses(const HostFacts& host, const std::string& name) {
    std::vector<std::string> addresses = addressesOf(host, name);
    return escaped(name) + (addresses.empty() ? "" : " (" + join(addresses, ", ") + ")");
}

std::string masterText(const NetInterface& netdev) {
    return (netdev.masterKind.empty() ? "" : netdev.masterKind + " ") + escaped(netdev.master);
}

std::string netdevLine(const NetInterface& netdev, const HostFacts& host,
                       const std::vector<int>& changingPorts) {
    std::string what;
    if (netdev.type == kNetTypeInfiniband)
        what = "IPoIB";
    else if (netdev.port == 0)
        what = "port unknown";
    else if (std::find(changingPorts.begin(), changingPorts.end(), netdev.port) ==
             changingPorts.end())
        what = "port " + std::to_string(netdev.port) + ", its type does not change";
    else
        what = "port " + std::to_string(netdev.port);

    std::vector<std::string> parts;
    std::vector<std::string> addresses = addressesOf(host, netdev.name);
    parts.push_back(addresses.empty() ? "no addresses" : join(addresses, ", "));
    if (!netdev.master.empty())
        parts.push_back("port of " + masterText(netdev) +
                        (addressesOf(host, netdev.master).empty()
                             ? ""
                             : " (" + join(addressesOf(host, netdev.master), ", ") + ")"));
    std::vector<std::string> uppers, further;
    for (const std::string& name : netdev.uppers)
        uppers.push_back(withAddresses(host, name));
    for (const std::string& name : netdev.above)
        if (name != netdev.master && !contains(netdev.uppers, name))
            further.push_back(withAddresses(host, name));
    if (!uppers.empty())
        parts.push_back("deleted with it: " + join(uppers, ", "));
    if (!further.empty())
        parts.push_back("resting on those: " + join(further, ", "));
    return escaped(netdev.name) + " (" + what + "): " + join(parts, "; ");
}

std::string ibDeviceLine(const CardInterfaces& card, const HostFacts& host) {
    std::string line = escaped(card.ibDevice) + " (InfiniBand device): ";
    if (card.verbsDevices.empty())
        return line + "no verbs device (ib_uverbs is not loaded), so no process uses it";
    std::vector<std::string> users;
    for (const DeviceUser& user : host.verbsUsers)
        users.push_back(std::to_string(user.pid) + " " + escaped(user.command));
    std::string kernelUsers = "kernel users (IPoIB, NFS over RDMA, iSER, SRP) are not shown";
    if (!users.empty())
        return line + "in use by process " + join(users, ", ") +
               (host.verbsUsersComplete ? "" : " and maybe others (not root: not all seen)") +
               "; " + kernelUsers;
    if (!host.verbsUsersComplete)
        return line + "cannot see which processes use it (run as root); " + kernelUsers;
    std::vector<std::string> devices;
    for (const std::string& device : card.verbsDevices)
        devices.push_back(escaped(device));
    return line + "no process has " + join(devices, ", ") + " open; " + kernelUsers;
}

std::string portText(const NetInterface& netdev) {
    return netdev.type == kNetTypeInfiniband ? "IPoIB on this card"
           : netdev.port == 0                ? "of this card"
                              : "port " + std::to_string(netdev.port) + " of this card";
}

// How `name` rests on the card: "enp5s0 (port 1 of this card)", "vmbr0, which rests on enp5s0
// (port 1 of this card)" or "vmbr0, which the Open vSwitch datapath ovs-system carries over
// enp5s0 (port 1 of this card)"; empty if it does not.
std::string carriedText(const CardInterfaces& card, const HostFacts& host,
                        const std::string& name) {
    for (const NetInterface& netdev : card.netdevs) {
        if (netdev.name == name)
            return escaped(name) + " (" + portText(netdev) + ")";
        if (contains(netdev.above, name))
            return escaped(name) + ", which rests on " + escaped(netdev.name) + " (" +
                   portText(netdev) + ")";
    }
    for (const OvsDatapath& datapath : host.ovsDatapaths) {
        if (name != datapath.name && !contains(datapath.carries, name))
            continue;
        for (const NetInterface& netdev : card.netdevs)
            if (netdev.name == datapath.name || contains(netdev.above, datapath.name))
                return escaped(name) + ", which the Open vSwitch datapath " +
                       escaped(datapath.name) + " carries over " + escaped(netdev.name) + " (" +
                       portText(netdev) + ")";
    }
    return {};
}

std::string sessionText(const SshSession& session) {
    std::string from =
        escaped(session.clientAddress) + " port " + std::to_string(session.clientPort);
    if (session.serverUnseen)
        return "a connection from " + from + " to port " + std::to_string(session.localPort) +
               ", whose server cannot be looked at and may be sshd,";
    return "an SSH session from " + from;
}

} // namespace

std::vector<std::string> restartImpact(const CardInterfaces& card, const HostFacts& host,
                                       const std::vector<int>& changingPorts) {
    std::vector<std::string> lines;
    for (const NetInterface& netdev : card.netdevs)
        lines.push_back(netdevLine(netdev, host, changingPorts));
    if (!card.ibDevice.empty())
        lines.push_back(ibDeviceLine(card, host));
    if (lines.empty())
        lines.push_back("the card has no network or InfiniBand interfaces now");
    return lines;
}

bool guardApplies(bool toSyslog, bool fromUdev, bool force) {
    return !toSyslog && !fromUdev && !force;
}

std::vector<std::string> guardReasons(const CardInterfaces& card, const HostFacts& host) {
    std::vector<std::string> reasons;
    for (const std::string& name : host.defaultRouteInterfaces)
        if (std::string through = carriedText(card, host, name); !through.empty())
            reasons.push_back("the default route leaves through " + through);
    for (const RoutedSshSession& routed : host.sshSessions) {
        const SshSession& session = routed.session;
        std::string reason;
        for (const InterfaceAddress& entry : host.addresses) {
            if (!sameAddress(entry.address, session.localAddress))
                continue;
            if (std::string through = carriedText(card, host, entry.interface); !through.empty()) {
                reason = sessionText(session) + " comes in on " + escaped(session.localAddress) +
                         " of " + through;
                break;
            }
        }
        if (reason.empty() && !routed.replyInterface.empty())
            if (std::string through = carriedText(card, host, routed.replyInterface);
                !through.empty())
                reason = sessionText(session) + " (to " + escaped(session.localAddress) +
                         ") is answered through " + through;
        if (!reason.empty())
            reasons.push_back(reason);
    }
    for (const std::string& unseen : host.unseen)
        reasons.push_back("cannot see " + escaped(unseen, 200));
    return reasons;
}

std::string guardVerdict(const CardInterfaces& card, const HostFacts& host, bool asked,
                         bool force) {
    if (!asked)
        return "not asked (a udev event or the boot unit)";
    std::vector<std::string> reasons = guardReasons(card, host);
    if (reasons.empty())
        return "lets it through: no default route or SSH session uses the card's interfaces";
    return (force ? "overridden by --force: " : "refuses without --force: ") +
           join(reasons, ", and ");
}

std::string restartRefusal(const std::string& cardLabel, const CardInterfaces& card,
                           const HostFacts& host) {
    std::vector<std::string> reasons = guardReasons(card, host);
    if (reasons.empty())
        return {};
    std::vector<std::string> names;
    for (const NetInterface& netdev : card.netdevs)
        names.push_back(escaped(netdev.name));
    return cardLabel + ": not switching: " + join(reasons, ", and ") +
           ". A switch restarts the whole card: " +
           (names.empty() ? std::string("its interfaces") : join(names, ", ")) +
           " go down, and ifupdown does not put bridge and bond ports or VLANs back, so the "
           "host may stay cut off. Switch from a console, or with `ifreload -a` at hand, and "
           "add --force to switch anyway";
}

std::vector<std::string> afterRestartNotices(const CardInterfaces& before,
                                             const CardInterfaces& after,
                                             const std::vector<int>& ethernetPortsAfter) {
    std::vector<std::string> notices;
    for (const NetInterface& old : before.netdevs) {
        if (old.master.empty() && old.uppers.empty())
            continue;
        // The same port and protocol is the same interface, whatever it is called now.
        const NetInterface* now = nullptr;
        for (const NetInterface& netdev : after.netdevs)
            if (old.port != 0 ? netdev.port == old.port && netdev.type == old.type
                              : netdev.name == old.name)
                now = &netdev;
        std::string was = escaped(old.name) + " (port " + std::to_string(old.port) + ")";
        std::string roles;
        if (!old.master.empty())
            roles = "a port of " + escaped(old.master);
        if (!old.uppers.empty()) {
            std::vector<std::string> vlans;
            for (const std::string& upper : old.uppers)
                vlans.push_back(escaped(upper));
            roles += (roles.empty() ? "" : " and ") + std::string("under ") + join(vlans, ", ");
        }
        std::string redo = old.master.empty()
                               ? "`ifreload -a`"
                               : "`ifreload -a` or `ifup " + escaped(old.master) + "`";
        bool leftEthernet =
            old.type != kNetTypeInfiniband && old.port != 0 &&
            !std::count(ethernetPortsAfter.begin(), ethernetPortsAfter.end(), old.port);
        if (!now && leftEthernet) {
            notices.push_back(was + " was " + roles +
                              " and is gone: its port no longer runs "
                              "Ethernet. Take it out of the network "
                              "configuration (" +
                              (old.master.empty() ? "its VLANs" : escaped(old.master) + "'s") +
                              ") if the port stays so");
            continue;
        }
        if (!now) {
            notices.push_back(was + " was " + roles +
                              " and is not back yet (mlx4_en has not registered it, or udev "
                              "has not named it): once it is, check that it is in place again; "
                              "ifupdown does not do it: run " +
                              redo);
            continue;
        }
        if (now->name != old.name) {
            // mlx4_en registers eth%d; udev renames it once this run lets its events through.
            notices.push_back(was + " was " + roles + " and came back as " + escaped(now->name) +
                              ", which udev has not named yet: once it has, check that it is " +
                              "in place again; ifupdown does not do it: run " + redo);
            continue;
        }
        if (!old.master.empty() && now->master.empty())
            notices.push_back(escaped(old.name) + " was a port of " + escaped(old.master) +
                              "; ifupdown does not re-add it: run " + redo);
        for (const std::string& upper : old.uppers)
            if (!contains(now->uppers, upper))
                notices.push_back(escaped(upper) + " (on " + escaped(old.name) +
                                  ") is gone; ifupdown does not re-create it: run `ifreload -a` "
                                  "or `ifup " +
                                  escaped(upper) + "`");
    }
    return notices;
}

} // namespace mlx4
