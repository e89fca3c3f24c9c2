// SPDX-License-Identifier: GPL-2.0-or-later
// Which TCP connections are SSH sessions, from the kernel's socket tables.
#include "ssh_sessions.h"

#include <arpa/inet.h>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <sstream>

namespace mlx4 {

namespace {

bool hexNumber(const std::string& text, unsigned long& value) {
    if (text.empty() || text.size() > 16 ||
        text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        return false;
    value = std::strtoul(text.c_str(), nullptr, 16);
    return true;
}

// "0100630A:08AE" (IPv4) or 32 hex digits and a port (IPv6): the kernel prints each 32-bit word
// of the address as a number, so the words are in this machine's byte order.
bool parseEndpoint(const std::string& text, std::string& address, int& port) {
    size_t colon = text.find(':');
    if (colon == std::string::npos)
        return false;
    std::string hex = text.substr(0, colon);
    unsigned long portValue = 0;
    if (!hexNumber(text.substr(colon + 1), portValue) || portValue > 0xffff)
        return false;
    if (hex.size() != 8 && hex.size() != 32)
        return false;
    unsigned char bytes[16];
    for (size_t word = 0; word < hex.size() / 8; ++word) {
        unsigned long value = 0;
        if (!hexNumber(hex.substr(word * 8, 8), value))
            return false;
        uint32_t raw = static_cast<uint32_t>(value);
        std::memcpy(bytes + word * 4, &raw, 4);
    }
    char shown[INET6_ADDRSTRLEN] = "";
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (hex.size() == 8)
        inet_ntop(AF_INET, bytes, shown, sizeof shown);
    else if (std::memcmp(bytes, kMapped, sizeof kMapped) == 0)
        inet_ntop(AF_INET, bytes + 12, shown, sizeof shown);
    else
        inet_ntop(AF_INET6, bytes, shown, sizeof shown);
    address = shown;
    port = static_cast<int>(portValue);
    return !address.empty();
}

} // namespace

std::vector<TcpSocket> parseProcNetTcp(std::string_view text) {
    std::vector<TcpSocket> sockets;
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        // "  1: 0100630A:915C 0100630A:08AE 01 00000000:00000000 02:000AFC08 00000000  0  0 24358
        // ..."
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
        if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
              timeout >> inode) ||
            slot.empty() || slot.back() != ':')
            continue;
        TcpSocket socket;
        unsigned long stateValue = 0;
        if (!parseEndpoint(local, socket.localAddress, socket.localPort) ||
            !parseEndpoint(remote, socket.remoteAddress, socket.remotePort) ||
            !hexNumber(state, stateValue) ||
            inode.find_first_not_of("0123456789") != std::string::npos)
            continue;
        socket.state = static_cast<int>(stateValue);
        socket.inode = std::strtoul(inode.c_str(), nullptr, 10);
        sockets.push_back(socket);
    }
    return sockets;
}

std::vector<SshSession> findSshSessions(const std::vector<TcpSocket>& sockets,
                                        const std::set<unsigned long>& sshdInodes) {
    std::set<int> sshdPorts;
    for (const TcpSocket& socket : sockets)
        if (socket.inode != 0 && sshdInodes.count(socket.inode) &&
            (socket.state == kTcpListen || socket.state == kTcpEstablished))
            sshdPorts.insert(socket.localPort);
    return connectionsOn(sockets, sshdPorts);
}

std::vector<SshSession> connectionsOn(const std::vector<TcpSocket>& sockets,
                                      const std::set<int>& ports) {
    std::vector<SshSession> sessions;
    for (const TcpSocket& socket : sockets)
        if (socket.state == kTcpEstablished && ports.count(socket.localPort))
            sessions.push_back(
                {socket.localAddress, socket.localPort, socket.remoteAddress, socket.remotePort});
    return sessions;
}

std::set<int> unattributedListeningPorts(const std::vector<TcpSocket>& sockets,
                                         const std::set<unsigned long>& heldInodes) {
    std::set<int> ports;
    for (const TcpSocket& socket : sockets)
        if (socket.state == kTcpListen && !heldInodes.count(socket.inode))
            ports.insert(socket.localPort);
    return ports;
}

unsigned long socketInode(std::string_view linkTarget) {
    constexpr std::string_view kPrefix = "socket:[";
    if (linkTarget.substr(0, kPrefix.size()) != kPrefix || linkTarget.back() != ']')
        return 0;
    std::string digits(linkTarget.substr(kPrefix.size(), linkTarget.size() - kPrefix.size() - 1));
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
        return 0;
    return std::strtoul(digits.c_str(), nullptr, 10);
}

bool isSshServer(std::string_view exeTarget) {
    constexpr std::string_view kDeleted = " (deleted)";
    if (exeTarget.size() > kDeleted.size() &&
        exeTarget.substr(exeTarget.size() - kDeleted.size()) == kDeleted)
        exeTarget.remove_suffix(kDeleted.size());
    size_t slash = exeTarget.rfind('/');
    std::string_view name =
        slash == std::string_view::npos ? exeTarget : exeTarget.substr(slash + 1);
    return name == "sshd" || name == "sshd-session";
}

} // namespace mlx4
