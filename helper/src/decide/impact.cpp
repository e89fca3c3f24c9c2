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

// The card's netdev that `name` is or rests on; nullptr if none.
const NetInterface* carrierOf(const CardInterfaces& card, const std::string& name) {
    for (const NetInterface& netdev : card.netdevs)
        if (netdev.name == name || contains(netdev.above, name))
            return &netdev;
    return nullptr;
}

// "enp5s0 (port 1 of this card)" or "vmbr0, which rests on enp5s0 (port 1 of this card)".
std::string throughText(const NetInterface& netdev, const std::string& name) {
    std::string port = netdev.type == kNetTypeInfiniband ? "IPoIB on this card"
                       : netdev.port == 0                ? "of this card"
                                          : "port " + std::to_string(netdev.port) + " of this card";
    if (name == netdev.name)
        return escaped(name) + " (" + port + ")";
    return escaped(name) + ", which rests on " + escaped(netdev.name) + " (" + port + ")";
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

bool guardApplies(bool stdinIsTerminal, bool toSyslog, bool fromUdev, bool force) {
    return stdinIsTerminal && !toSyslog && !fromUdev && !force;
}

std::string restartRefusal(const std::string& cardLabel, const CardInterfaces& card,
                           const HostFacts& host) {
    std::vector<std::string> reasons;
    for (const std::string& name : host.defaultRouteInterfaces)
        if (const NetInterface* netdev = carrierOf(card, name))
            reasons.push_back("the default route leaves through " + throughText(*netdev, name));
    if (!host.sshLocalAddress.empty()) {
        for (const InterfaceAddress& entry : host.addresses) {
            if (!sameAddress(entry.address, host.sshLocalAddress))
                continue;
            if (const NetInterface* netdev = carrierOf(card, entry.interface)) {
                reasons.push_back("the SSH session this runs in comes in on " +
                                  escaped(host.sshLocalAddress) + " of " +
                                  throughText(*netdev, entry.interface));
                break;
            }
        }
    }
    if (reasons.empty())
        return {};
    std::vector<std::string> names;
    for (const NetInterface& netdev : card.netdevs)
        names.push_back(escaped(netdev.name));
    return cardLabel + ": not switching: " + join(reasons, ", and ") +
           ". A switch restarts the whole card: " + join(names, ", ") +
           " go down, and ifupdown does not put bridge and bond ports or VLANs back, so you "
           "may lose this connection. Switch from a console, or with `ifreload -a` at hand, "
           "and add --force to switch anyway";
}

std::vector<std::string> afterRestartNotices(const CardInterfaces& before,
                                             const CardInterfaces& after) {
    std::vector<std::string> notices;
    for (const NetInterface& old : before.netdevs) {
        const NetInterface* now = nullptr;
        for (const NetInterface& netdev : after.netdevs)
            if (netdev.name == old.name)
                now = &netdev;
        if (!now) {
            if (!old.master.empty())
                notices.push_back(escaped(old.name) + " was a port of " + escaped(old.master) +
                                  " and did not come back (its port no longer runs Ethernet, or "
                                  "mlx4_en did not register it): take it out of " +
                                  escaped(old.master) + "'s configuration if the port stays so");
            continue;
        }
        if (!old.master.empty() && now->master.empty())
            notices.push_back(escaped(old.name) + " was a port of " + escaped(old.master) +
                              "; ifupdown does not re-add it: run `ifreload -a` or `ifup " +
                              escaped(old.master) + "`");
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
