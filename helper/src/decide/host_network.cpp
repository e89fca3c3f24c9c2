// SPDX-License-Identifier: GPL-2.0-or-later
// What the host's network looks like beyond sysfs.
#include "host_network.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace mlx4 {

namespace {

constexpr unsigned long kRouteUp = 0x0001;     // RTF_UP
constexpr unsigned long kRouteReject = 0x0200; // RTF_REJECT: "unreachable" and the like

void addOnce(std::vector<std::string>& names, const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(name);
}

bool allZeros(const std::string& hex) {
    return !hex.empty() && hex.find_first_not_of('0') == std::string::npos;
}

unsigned long hexValue(const std::string& text) {
    return std::strtoul(text.c_str(), nullptr, 16);
}

} // namespace

std::vector<std::string> parseIpv4DefaultRoutes(std::string_view procNetRoute) {
    std::vector<std::string> names;
    std::istringstream lines{std::string(procNetRoute)};
    std::string line;
    std::getline(lines, line); // the header
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string device, destination, gateway, flags, refcnt, use, metric, mask;
        if (!(fields >> device >> destination >> gateway >> flags >> refcnt >> use >> metric >>
              mask))
            continue;
        unsigned long bits = hexValue(flags);
        if (allZeros(destination) && allZeros(mask) && (bits & kRouteUp) && !(bits & kRouteReject))
            addOnce(names, device);
    }
    return names;
}

std::vector<std::string> parseIpv6DefaultRoutes(std::string_view procNetIpv6Route) {
    std::vector<std::string> names;
    std::istringstream lines{std::string(procNetIpv6Route)};
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string destination, prefix, source, sourcePrefix, nextHop, metric, refcnt, use, flags,
            device;
        if (!(fields >> destination >> prefix >> source >> sourcePrefix >> nextHop >> metric >>
              refcnt >> use >> flags >> device))
            continue;
        unsigned long bits = hexValue(flags);
        // The kernel keeps an unreachable ::/0 on lo in every table; it carries nothing.
        if (allZeros(destination) && allZeros(prefix) && (bits & kRouteUp) &&
            !(bits & kRouteReject) && device != "lo")
            addOnce(names, device);
    }
    return names;
}

std::string sshServerAddress(std::string_view sshConnection) {
    std::istringstream fields{std::string(sshConnection)};
    std::string client, clientPort, server, serverPort, extra;
    if (!(fields >> client >> clientPort >> server >> serverPort) || (fields >> extra))
        return {};
    // sshd prints a link-local address with its scope ("fe80::1%eth0").
    return server.substr(0, server.find('%'));
}

HostFacts gatherHostFacts(HostNetwork& host, const CardInterfaces& card) {
    HostFacts facts;
    facts.defaultRouteInterfaces = host.defaultRouteInterfaces();
    facts.addresses = host.addresses();
    facts.sshLocalAddress = host.sshLocalAddress();
    facts.verbsUsers = host.processesHolding(card.verbsDevices, facts.verbsUsersComplete);
    return facts;
}

} // namespace mlx4
