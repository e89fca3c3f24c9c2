// SPDX-License-Identifier: GPL-2.0-or-later
// The running system's network: /proc/net/route, /proc/net/ipv6_route, getifaddrs(),
// /proc/<pid>/fd and the environment.
#include "host_network_system.h"

#include "file_io.h"

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

void addOnce(std::vector<std::string>& names, const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(name);
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

// A /proc file whole (they are read as they are generated, whatever their size).
std::string readProcFile(const std::string& path) {
    std::string content;
    readFile(path, 16 * 1024 * 1024, content);
    return content;
}

} // namespace

std::vector<std::string> SystemHostNetwork::defaultRouteInterfaces() {
    std::vector<std::string> names = parseIpv4DefaultRoutes(readProcFile("/proc/net/route"));
    for (const std::string& name : parseIpv6DefaultRoutes(readProcFile("/proc/net/ipv6_route")))
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
    Directory proc = openDirectory("/proc");
    if (!proc) {
        complete = false;
        return users;
    }
    while (struct dirent* entry = readdir(proc.get())) {
        std::string pid = entry->d_name;
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::string fdDir = "/proc/" + pid + "/fd";
        Directory fds = openDirectory(fdDir);
        if (!fds) {
            // A process that ended meanwhile is no user; one we may not look at may be.
            if (errno == EACCES || errno == EPERM)
                complete = false;
            continue;
        }
        std::vector<std::string> held;
        while (struct dirent* fd = readdir(fds.get())) {
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
        if (held.empty())
            continue;
        std::string command = readProcFile("/proc/" + pid + "/comm");
        while (!command.empty() && command.back() == '\n')
            command.pop_back();
        for (const std::string& device : held)
            users.push_back({std::atoi(pid.c_str()), command, device});
    }
    std::sort(users.begin(), users.end(),
              [](const DeviceUser& a, const DeviceUser& b) { return a.pid < b.pid; });
    return users;
}

} // namespace mlx4
