// SPDX-License-Identifier: GPL-2.0-or-later
// The host beyond sysfs: default routes from /proc/net, SSH_CONNECTION, processes holding a
// device. The parsers get the kernel's formats; the process scan runs on this very process.
#include "host_network_system.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

using namespace mlx4;

TEST_CASE("the IPv4 default route's interface, not other routes, not reject routes") {
    const char* table =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "vmbr0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        "vmbr0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        "eno1\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n"
        "eno2\t00000000\t0102000A\t0002\t0\t0\t0\t00000000\t0\t0\t0\n";
    CHECK(parseIpv4DefaultRoutes(table) == std::vector<std::string>{"vmbr0"});
    CHECK(parseIpv4DefaultRoutes("").empty());
}

TEST_CASE("the IPv6 default route's interface, not lo's unreachable one") {
    const char* table =
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "fe800000000000000000000000000001 00000400 00000001 00000000 00000003   enp5s0\n"
        "20010db8000000000000000000000000 40 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 00000100 00000001 00000000 00000001   enp5s0\n"
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";
    CHECK(parseIpv6DefaultRoutes(table) == std::vector<std::string>{"enp5s0"});
}

TEST_CASE("the SSH session's local address comes from SSH_CONNECTION's third field") {
    CHECK(sshServerAddress("198.51.100.2 51234 192.0.2.10 22") == "192.0.2.10");
    CHECK(sshServerAddress("fe80::2%vmbr0 51234 fe80::1%vmbr0 22") == "fe80::1");
    CHECK(sshServerAddress("198.51.100.2 51234") == "");
    CHECK(sshServerAddress("a b c d e") == "");
    setenv("SSH_CONNECTION", "2001:db8::2 40000 2001:db8::1 22", 1);
    CHECK(SystemHostNetwork().sshLocalAddress() == "2001:db8::1");
    unsetenv("SSH_CONNECTION");
    CHECK(SystemHostNetwork().sshLocalAddress() == "");
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
