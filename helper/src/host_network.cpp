// SPDX-License-Identifier: GPL-2.0-or-later
// What the host's network looks like beyond sysfs.
#include "host_network.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sstream>
#include <unistd.h>

namespace mlx4 {

namespace {

constexpr unsigned long kRouteUp = 0x0001;     // RTF_UP
constexpr unsigned long kRouteReject = 0x0200; // RTF_REJECT: "unreachable" and the like

void addOnce(std::vector<std::string>& names, const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(name);
}

std::string readWhole(const std::string& path) {
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

bool allZeros(const std::string& hex) {
    return !hex.empty() && hex.find_first_not_of('0') == std::string::npos;
}

unsigned long hexValue(const std::string& text) {
    return std::strtoul(text.c_str(), nullptr, 16);
}

// The number of leading one bits of an IPv4 or IPv6 netmask.
int prefixOf(const sockaddr* mask) {
    const unsigned char* bytes = nullptr;
    size_t size = 0;
    if (mask && mask->sa_family == AF_INET) {
        bytes = reinterpret_cast<const unsigned char*>(
            &reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
        size = 4;
    } else if (mask && mask->sa_family == AF_INET6) {
        bytes = reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr.s6_addr;
        size = 16;
    }
    int bits = 0;
    for (size_t i = 0; i < size; ++i)
        for (int bit = 7; bit >= 0 && (bytes[i] >> bit & 1); --bit)
            ++bits;
    return bits;
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

std::vector<std::string> SystemHostNetwork::defaultRouteInterfaces() {
    std::vector<std::string> names = parseIpv4DefaultRoutes(readWhole("/proc/net/route"));
    for (const std::string& name : parseIpv6DefaultRoutes(readWhole("/proc/net/ipv6_route")))
        addOnce(names, name);
    return names;
}

std::vector<InterfaceAddress> SystemHostNetwork::addresses() {
    std::vector<InterfaceAddress> result;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0)
        return result;
    for (const ifaddrs* entry = list; entry; entry = entry->ifa_next) {
        if (!entry->ifa_addr || !entry->ifa_name)
            continue;
        char text[INET6_ADDRSTRLEN] = "";
        int family = entry->ifa_addr->sa_family;
        const void* raw = nullptr;
        if (family == AF_INET)
            raw = &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr;
        else if (family == AF_INET6)
            raw = &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr;
        if (!raw || !inet_ntop(family, raw, text, sizeof text))
            continue;
        result.push_back({entry->ifa_name, text, prefixOf(entry->ifa_netmask)});
    }
    freeifaddrs(list);
    return result;
}

std::string SystemHostNetwork::sshLocalAddress() {
    const char* value = std::getenv("SSH_CONNECTION");
    return value ? sshServerAddress(value) : "";
}

std::vector<DeviceUser> SystemHostNetwork::processesHolding(const std::vector<std::string>& devices,
                                                            bool& complete) {
    complete = true;
    std::vector<DeviceUser> users;
    if (devices.empty())
        return users;
    DIR* proc = opendir("/proc");
    if (!proc) {
        complete = false;
        return users;
    }
    while (struct dirent* entry = readdir(proc)) {
        std::string pid = entry->d_name;
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::string fdDir = "/proc/" + pid + "/fd";
        DIR* fds = opendir(fdDir.c_str());
        if (!fds) {
            // A process that ended meanwhile is no user; one we may not look at may be.
            if (errno == EACCES || errno == EPERM)
                complete = false;
            continue;
        }
        std::vector<std::string> held;
        while (struct dirent* fd = readdir(fds)) {
            if (fd->d_name[0] == '.')
                continue;
            char target[PATH_MAX];
            ssize_t length =
                readlink((fdDir + "/" + fd->d_name).c_str(), target, sizeof target - 1);
            if (length <= 0)
                continue;
            std::string path(target, static_cast<size_t>(length));
            if (std::find(devices.begin(), devices.end(), path) != devices.end() &&
                std::find(held.begin(), held.end(), path) == held.end())
                held.push_back(path);
        }
        closedir(fds);
        if (held.empty())
            continue;
        std::string command = readWhole("/proc/" + pid + "/comm");
        while (!command.empty() && command.back() == '\n')
            command.pop_back();
        for (const std::string& device : held)
            users.push_back({std::atoi(pid.c_str()), command, device});
    }
    closedir(proc);
    std::sort(users.begin(), users.end(),
              [](const DeviceUser& a, const DeviceUser& b) { return a.pid < b.pid; });
    return users;
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
