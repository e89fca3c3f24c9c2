// SPDX-License-Identifier: GPL-2.0-or-later
// The running system's network: rtnetlink (route_lookup.h), getifaddrs(), /proc/net/tcp{,6},
// /proc/<pid>/fd and /proc/<pid>/exe, and the environment.
#include "host_network_system.h"

#include "file_io.h"
#include "route_lookup.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <set>
#include <sstream>
#include <unistd.h>

namespace mlx4 {

namespace {

std::string errnoText(const std::string& what, int error) {
    return what + ": " + std::strerror(error) + " (" + std::to_string(error) + ")";
}

// The target of a /proc link; empty, with errno set, if it cannot be read.
std::string linkTarget(const std::string& path) {
    char target[PATH_MAX];
    ssize_t length = readlink(path.c_str(), target, sizeof target - 1);
    if (length <= 0)
        return {};
    return std::string(target, static_cast<size_t>(length));
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

bool SystemHostNetwork::defaultRouteInterfaces(std::vector<std::string>& names,
                                               std::string& problem) {
    return mlx4::defaultRouteInterfaces(names, problem);
}

bool SystemHostNetwork::replyInterface(const SshSession& session, std::string& name,
                                       std::string& problem) {
    return routeInterface(session.clientAddress, session.clientPort, session.localAddress,
                          session.localPort, name, problem);
}

bool SystemHostNetwork::links(std::vector<LinkInfo>& links, std::string& problem) {
    return listLinks(links, problem);
}

bool SystemHostNetwork::sshSessions(std::vector<SshSession>& sessions, std::string& problem) {
    // The sockets OpenSSH's processes hold, and those every process we can look at holds.
    std::set<unsigned long> sshdInodes, heldInodes;
    bool complete = true;
    Directory proc = openDirectory("/proc");
    if (!proc) {
        problem = errnoText("cannot list /proc", errno);
        return false;
    }
    while (struct dirent* entry = readdir(proc.get())) {
        std::string pid = entry->d_name;
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::string exe = linkTarget("/proc/" + pid + "/exe");
        // A process that ended meanwhile holds nothing; one we may not look at may hold a
        // listening socket. Kernel threads have no executable and no files.
        if (exe.empty() && errno != EACCES && errno != EPERM)
            continue;
        std::string fdDir = "/proc/" + pid + "/fd";
        Directory fds = exe.empty() ? Directory(nullptr, closedir) : openDirectory(fdDir);
        if (!fds) {
            if (exe.empty() || errno == EACCES || errno == EPERM)
                complete = false;
            continue;
        }
        bool server = isSshServer(exe);
        while (struct dirent* fd = readdir(fds.get()))
            if (unsigned long inode = socketInode(linkTarget(fdDir + "/" + fd->d_name))) {
                heldInodes.insert(inode);
                if (server)
                    sshdInodes.insert(inode);
            }
    }
    std::vector<TcpSocket> sockets = parseProcNetTcp(readProcFile("/proc/net/tcp"));
    for (const TcpSocket& socket : parseProcNetTcp(readProcFile("/proc/net/tcp6")))
        sockets.push_back(socket);
    sessions = findSshSessions(sockets, sshdInodes);
    // The session this runs in, if sudo or su left its variable: it may come from another
    // SSH server.
    if (const char* variable = std::getenv("SSH_CONNECTION"))
        if (std::optional<SshSession> own = sshConnectionSession(variable))
            if (std::none_of(sessions.begin(), sessions.end(), [&](const SshSession& s) {
                    return s.clientAddress == own->clientAddress &&
                           s.clientPort == own->clientPort && s.localPort == own->localPort;
                }))
                sessions.push_back(*own);
    // A process root may not look at (hidepid, a security module, a more privileged
    // supervisor) may be the sshd of a listening socket nobody else holds: the connections
    // on its port count, marked as such. A user sees only their own processes, but cannot
    // write a port file either.
    if (!complete && geteuid() == 0)
        for (SshSession& maybe :
             connectionsOn(sockets, unattributedListeningPorts(sockets, heldInodes))) {
            maybe.serverUnseen = true;
            sessions.push_back(maybe);
        }
    return true;
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
