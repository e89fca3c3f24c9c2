// SPDX-License-Identifier: GPL-2.0-or-later
// The host beyond sysfs: SSH sessions from /proc/net/tcp{,6}, SSH_CONNECTION, Open vSwitch
// datapaths, processes holding a device. The parsers get the kernel's formats; the process scan
// runs on this very process.
#include "host_network_system.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

using namespace mlx4;

namespace {

// What the kernel prints (net/ipv4/tcp_ipv4.c, get_tcp4_sock; tcp6: get_tcp6_sock) on a
// little-endian machine: sshd listening on 10.99.0.1:2222 (inode 100) and 0.0.0.0:22 (inode 101),
// a session to it, a web server's connection, and sshd's session on [::]:22 from an IPv4 client.
std::string tcpTable() {
    return "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
           "timeout inode\n"
           "   0: 0100630A:08AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0  "
           "      0 100 1 0000000000000000 100 0 0 10 0\n"
           "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0  "
           "      0 101 1 0000000000000000 100 0 0 10 0\n"
           "   2: 0100630A:08AE 0200630A:915C 01 00000000:00000000 02:000AFC08 00000000     0  "
           "      0 200 3 0000000000000000 21 4 12 18 -1\n"
           "   3: 0100630A:0050 0200630A:915D 01 00000000:00000000 02:000AFC08 00000000    33  "
           "      0 201 3 0000000000000000 21 4 12 18 -1\n";
}

std::string tcp6Table() {
    return "  sl  local_address                         remote_address                        st "
           "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
           "   0: 0000000000000000FFFF00000100630A:0016 0000000000000000FFFF00000300630A:C350 01 "
           "00000000:00000000 00:00000000 00000000     0        0 300 1 0000000000000000 20 4 0 "
           "10 -1\n"
           "   1: B80D0120000000000000000010000000:0016 B80D0120000000000000000020000000:C351 06 "
           "00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 0 10 "
           "-1\n";
}

} // namespace

TEST_CASE("/proc/net/tcp and tcp6 are read as the kernel prints them") {
    std::vector<TcpSocket> sockets = parseProcNetTcp(tcpTable());
    REQUIRE(sockets.size() == 4);
    CHECK(sockets[0].localAddress == "10.99.0.1");
    CHECK(sockets[0].localPort == 2222);
    CHECK(sockets[0].state == kTcpListen);
    CHECK(sockets[0].inode == 100);
    CHECK(sockets[2].remoteAddress == "10.99.0.2");
    CHECK(sockets[2].remotePort == 37212);
    CHECK(sockets[2].state == kTcpEstablished);
    std::vector<TcpSocket> six = parseProcNetTcp(tcp6Table());
    REQUIRE(six.size() == 2);
    CHECK(six[0].localAddress == "10.99.0.1"); // IPv4-mapped, given as IPv4
    CHECK(six[0].remoteAddress == "10.99.0.3");
    CHECK(six[1].localAddress == "2001:db8::10");
    CHECK(six[1].remoteAddress == "2001:db8::20");
    CHECK(parseProcNetTcp("").empty());
    CHECK(parseProcNetTcp("   0: 0100630A:08AE 00000000:0000 0A\n   1: zz:zz 0:0 01 0 0 0 0 0 1\n")
              .empty());
}

TEST_CASE("every established connection on a port sshd listens on is an SSH session") {
    std::vector<TcpSocket> sockets = parseProcNetTcp(tcpTable());
    for (const TcpSocket& socket : parseProcNetTcp(tcp6Table()))
        sockets.push_back(socket);
    // sshd holds the listening socket on 2222 only: the connection on port 80 is not SSH, and
    // neither is port 22, whose listener is not sshd's.
    std::vector<SshSession> sessions = findSshSessions(sockets, {100});
    REQUIRE(sessions.size() == 1);
    CHECK(sessions[0].localAddress == "10.99.0.1");
    CHECK(sessions[0].localPort == 2222);
    CHECK(sessions[0].clientAddress == "10.99.0.2");
    CHECK(sessions[0].clientPort == 37212);
    // sshd on 22 too: the IPv4 client on the IPv6 socket counts; a connection closing does not.
    sessions = findSshSessions(sockets, {100, 101});
    REQUIRE(sessions.size() == 2);
    CHECK(sessions[1].clientAddress == "10.99.0.3");
    CHECK(sessions[1].clientPort == 50000);
    // Socket activation: systemd holds the listener, `sshd -i` the connection it accepted.
    CHECK(findSshSessions(sockets, {200}).size() == 1);
    CHECK(findSshSessions(sockets, {}).empty());
}

TEST_CASE("a listening socket nobody visible holds is named, in case its owner is sshd") {
    std::vector<TcpSocket> sockets = parseProcNetTcp(tcpTable());
    CHECK(unattributedListeningPorts(sockets, {100, 101, 200}).empty());
    CHECK(unattributedListeningPorts(sockets, {100}) == std::set<int>{22});
    CHECK(connectionsOn(sockets, {80}).size() == 1);
    CHECK(connectionsOn(sockets, {80})[0].clientAddress == "10.99.0.2");
}

TEST_CASE("sshd's sockets are told by the fd link and the executable, not the process name") {
    CHECK(socketInode("socket:[24327]") == 24327);
    CHECK(socketInode("socket:[]") == 0);
    CHECK(socketInode("pipe:[24327]") == 0);
    CHECK(socketInode("/dev/null") == 0);
    CHECK(socketInode("") == 0);
    CHECK(isSshServer("/usr/sbin/sshd"));
    CHECK(isSshServer("/usr/lib/openssh/sshd-session"));
    CHECK(isSshServer("/usr/sbin/sshd (deleted)"));
    CHECK_FALSE(isSshServer("/usr/bin/ssh"));
    CHECK_FALSE(isSshServer("/usr/bin/tmux"));
    CHECK_FALSE(isSshServer("/usr/sbin/sshd-evil"));
}

TEST_CASE("the session in SSH_CONNECTION, when sudo or su left it") {
    std::optional<SshSession> session = sshConnectionSession("198.51.100.2 51234 192.0.2.10 22");
    REQUIRE(session);
    CHECK(session->localAddress == "192.0.2.10");
    CHECK(session->localPort == 22);
    CHECK(session->clientAddress == "198.51.100.2");
    CHECK(session->clientPort == 51234);
    CHECK(sshConnectionSession("fe80::2%vmbr0 51234 fe80::1%vmbr0 22")->localAddress == "fe80::1");
    CHECK_FALSE(sshConnectionSession("198.51.100.2 51234"));
    CHECK_FALSE(sshConnectionSession("a b c d e"));
    CHECK_FALSE(sshConnectionSession("a b c d"));
}

TEST_CASE("an Open vSwitch datapath over the card carries its bridges and what rests on them") {
    // ovs-system (3) has the card's enp5s0 (2), the bridges vmbr0 (4) and vmbr1 (5) as ports;
    // vmbr0.10 (6) is a VLAN on vmbr0; eno1 (7) is elsewhere.
    std::vector<LinkInfo> links{{1, "lo", "", 0, 0},
                                {2, "enp5s0", "", 3, 0},
                                {3, "ovs-system", "openvswitch", 0, 0},
                                {4, "vmbr0", "openvswitch", 3, 0},
                                {5, "vmbr1", "openvswitch", 3, 0},
                                {6, "vmbr0.10", "vlan", 0, 4},
                                {7, "eno1", "", 0, 0}};
    std::vector<OvsDatapath> found = ovsDatapathsAmong(links, {"enp5s0", "ovs-system"});
    REQUIRE(found.size() == 1);
    CHECK(found[0].name == "ovs-system");
    CHECK(found[0].carries == std::vector<std::string>{"enp5s0", "vmbr0", "vmbr1", "vmbr0.10"});
    // Not over the card: nothing.
    CHECK(ovsDatapathsAmong(links, {"eno1"}).empty());
    // A bridge's internal port is of kind openvswitch too, but no datapath.
    CHECK(ovsDatapathsAmong(links, {"vmbr0"}).empty());
}

TEST_CASE("the processes holding a device are found through /proc/<pid>/fd") {
    char path[] = "/tmp/mlx4-test-uverbs-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    bool complete = false;
    std::vector<DeviceUser> users = SystemHostNetwork().processesHolding({path}, complete);
    REQUIRE(users.size() == 1);
    CHECK(users[0].pid == getpid());
    CHECK(users[0].device == path);
    CHECK_FALSE(users[0].command.empty());
    close(fd);
    CHECK(SystemHostNetwork().processesHolding({path}, complete).empty());
    unlink(path);
}
