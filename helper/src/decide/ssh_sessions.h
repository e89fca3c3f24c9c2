// SPDX-License-Identifier: GPL-2.0-or-later
// Which TCP connections are SSH sessions, from the kernel's socket tables (pure: the text of
// /proc/net/tcp and tcp6 and the socket inodes sshd holds come in, host_network reads them).
// Neither the environment (sudo and su reset it) nor the session processes' names (OpenSSH 10
// runs sessions as sshd-session; tmux and screen never lead back to sshd) are needed.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mlx4 {

// TCP states as /proc/net/tcp prints them (include/net/tcp_states.h).
constexpr int kTcpEstablished = 0x01;
constexpr int kTcpListen = 0x0A;

// One line of /proc/net/tcp or /proc/net/tcp6.
struct TcpSocket {
    std::string localAddress; // "192.0.2.10", "2001:db8::10"; an IPv4-mapped IPv6 address
    int localPort = 0;        // is given as IPv4 ("::ffff:192.0.2.10" -> "192.0.2.10")
    std::string remoteAddress;
    int remotePort = 0;
    int state = 0;
    unsigned long inode = 0;
};

// One SSH session, seen from this host: the server side's address and port, the client's.
struct SshSession {
    std::string localAddress;
    int localPort = 0;
    std::string clientAddress;
    int clientPort = 0;
    // The process listening on the port could not be looked at: maybe sshd, maybe not.
    bool serverUnseen = false;
};

// The sockets of a /proc/net/tcp or /proc/net/tcp6 text (the header and lines that are not of
// the kernel's format are skipped). The addresses are read as the kernel prints them: the
// 32-bit words of the address in this machine's byte order.
std::vector<TcpSocket> parseProcNetTcp(std::string_view text);

// The established connections on a port that sshd listens on: a port is sshd's when a
// listening socket on it is one of `sshdInodes` (the sockets sshd processes hold), or when an
// sshd process holds a connection on it (`sshd -i` under socket activation, where the
// listening socket is systemd's). Every such connection counts, whoever's it is.
std::vector<SshSession> findSshSessions(const std::vector<TcpSocket>& sockets,
                                        const std::set<unsigned long>& sshdInodes);

// The ports of the listening sockets no process we could look at holds (`heldInodes`): when
// some processes cannot be looked at, they may be sshd's.
std::set<int> unattributedListeningPorts(const std::vector<TcpSocket>& sockets,
                                         const std::set<unsigned long>& heldInodes);

// The established connections on one of `ports`, as sessions.
std::vector<SshSession> connectionsOn(const std::vector<TcpSocket>& sockets,
                                      const std::set<int>& ports);

// The inode of a socket from the target of a /proc/<pid>/fd link ("socket:[12345]"); 0 if it
// is not a socket.
unsigned long socketInode(std::string_view linkTarget);

// Whether a process whose /proc/<pid>/exe link reads `exeTarget` is an OpenSSH server: sshd,
// or sshd-session (OpenSSH 9.8 and later); " (deleted)" after an upgrade does not matter.
bool isSshServer(std::string_view exeTarget);

} // namespace mlx4
