// SPDX-License-Identifier: GPL-2.0-or-later
// What a restart takes down, the guard before it, and the notices after it.
#include "described_host.h"
#include "impact.h"

#include <doctest/doctest.h>

using namespace mlx4;

namespace {

const std::string kCard = "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";

NetInterface netdev(const std::string& name, int port) {
    NetInterface result;
    result.name = name;
    result.port = port;
    result.type = kNetTypeEthernet;
    result.operstate = "up";
    return result;
}

// A Proxmox host: port 1 is in bridge vmbr0, which has the host's address; port 2 carries
// VLAN 100, which is in bridge vmbr100.
CardInterfaces proxmoxCard() {
    CardInterfaces card;
    NetInterface first = netdev("enp5s0", 1);
    first.master = "vmbr0";
    first.masterKind = "bridge";
    first.above = {"vmbr0"};
    NetInterface second = netdev("enp5s0d1", 2);
    second.uppers = {"enp5s0d1.100"};
    second.above = {"enp5s0d1.100", "vmbr100"};
    card.netdevs = {first, second};
    card.ibDevice = "mlx4_0";
    card.verbsDevices = {"/dev/infiniband/uverbs0"};
    card.mlx4EnLoaded = card.mlx4IbLoaded = true;
    return card;
}

test::DescribedHost proxmoxHost() {
    test::DescribedHost host;
    host.defaultRoutes = {"vmbr0"};
    host.interfaceAddresses = {{"lo", "127.0.0.1", 8},
                               {"vmbr0", "192.0.2.10", 24},
                               {"vmbr0", "fe80::202:c9ff:fe0c:c89a", 64},
                               {"vmbr100", "10.0.100.1", 24},
                               {"eno1", "198.51.100.7", 24}};
    host.users = {{4242, "ib_write_bw", "/dev/infiniband/uverbs0"},
                  {77, "other", "/dev/infiniband/uverbs1"}};
    return host;
}

} // namespace

TEST_CASE("the impact list names every netdev of both ports, the unchanged one included") {
    test::DescribedHost host = proxmoxHost();
    CardInterfaces card = proxmoxCard();
    std::vector<std::string> lines = restartImpact(card, gatherHostFacts(host, card), {2});
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "enp5s0 (port 1, its type does not change): no addresses; port of bridge "
                      "vmbr0 (192.0.2.10/24)");
    CHECK(lines[1] == "enp5s0d1 (port 2): no addresses; deleted with it: enp5s0d1.100; resting "
                      "on those: vmbr100 (10.0.100.1/24)");
    CHECK(lines[2] == "mlx4_0 (InfiniBand device): in use by process 4242 ib_write_bw; kernel "
                      "users (IPoIB, NFS over RDMA, iSER, SRP) are not shown");
}

TEST_CASE("the impact list shows a netdev's own addresses and IPoIB, without link-local ones") {
    CardInterfaces card;
    NetInterface ipoib = netdev("ib0", 1);
    ipoib.type = kNetTypeInfiniband;
    card.netdevs = {ipoib};
    HostFacts host;
    host.addresses = {{"ib0", "10.0.0.1", 24}, {"ib0", "fe80::1", 64}, {"ib0", "2001:db8::1", 64}};
    std::vector<std::string> lines = restartImpact(card, host, {1});
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "ib0 (IPoIB): 10.0.0.1/24, 2001:db8::1/64");
}

TEST_CASE("the impact list says when verbs users cannot be seen, or there are none") {
    CardInterfaces card = proxmoxCard();
    HostFacts host;
    host.verbsUsersComplete = false;
    CHECK(restartImpact(card, host, {1}).back() ==
          "mlx4_0 (InfiniBand device): cannot see which processes use it (run as root); kernel "
          "users (IPoIB, NFS over RDMA, iSER, SRP) are not shown");
    host.verbsUsersComplete = true;
    CHECK(restartImpact(card, host, {1})
              .back()
              .find("no process has /dev/infiniband/uverbs0 "
                    "open") != std::string::npos);
    card.verbsDevices.clear();
    CHECK(restartImpact(card, host, {1}).back().find("ib_uverbs is not loaded") !=
          std::string::npos);
}

TEST_CASE("a card without interfaces gets one line saying so") {
    CHECK(restartImpact(CardInterfaces{}, HostFacts{}, {1}) ==
          std::vector<std::string>{"the card has no network or InfiniBand interfaces now"});
}

TEST_CASE("the guard refuses a restart that would cut the default route through a bridge") {
    test::DescribedHost host = proxmoxHost();
    CardInterfaces card = proxmoxCard();
    std::string refusal = restartRefusal(kCard, card, gatherHostFacts(host, card));
    CHECK(refusal == kCard + ": not switching: the default route leaves through vmbr0, which rests "
                             "on enp5s0 (port 1 of this card). A switch restarts the whole card: "
                             "enp5s0, enp5s0d1 go down, and ifupdown does not put bridge and bond "
                             "ports or VLANs back, so the host may stay cut off. Switch from a "
                             "console, or with `ifreload -a` at hand, and add --force to switch "
                             "anyway");
}

TEST_CASE("the guard refuses a restart that would cut anyone's SSH session") {
    CardInterfaces card = proxmoxCard();
    HostFacts host;
    host.defaultRouteInterfaces = {"eno1"}; // another card's
    host.addresses = {{"vmbr100", "10.0.100.1", 24}, {"eno1", "198.51.100.7", 24}};
    host.sshSessions = {{{"198.51.100.7", 22, "203.0.113.5", 40000}, "eno1"},
                        {{"10.0.100.1", 22, "10.0.100.9", 50000}, "vmbr100"}};
    std::string refusal = restartRefusal(kCard, card, host);
    CHECK(refusal.find(kCard + ": not switching: an SSH session from 10.0.100.9 port 50000 comes "
                               "in on 10.0.100.1 of vmbr100, which rests on enp5s0d1 (port 2 of "
                               "this card).") == 0);
    CHECK(refusal.find("203.0.113.5") == std::string::npos);
    CHECK(refusal.find("--force") != std::string::npos);
    CHECK(refusal.find("default route") == std::string::npos);
    // A connection to a port whose server root may not look at could be SSH: it counts.
    host.sshSessions = {{{"10.0.100.1", 2024, "10.0.100.9", 50000, true}, ""}};
    CHECK(restartRefusal(kCard, card, host)
              .find("not switching: a connection from 10.0.100.9 port 50000 to port 2024, whose "
                    "server cannot be looked at and may be sshd, comes in on 10.0.100.1 of "
                    "vmbr100") != std::string::npos);
    // An IPv4 session may come as IPv6's mapped form.
    host.sshSessions = {{{"::ffff:10.0.100.1", 22, "10.0.100.9", 50000}, ""}};
    CHECK_FALSE(restartRefusal(kCard, card, host).empty());
}

TEST_CASE("the guard refuses a session whose replies leave through the card") {
    // The address is on a dummy interface, but the kernel routes the client through vmbr0.
    CardInterfaces card = proxmoxCard();
    HostFacts host;
    host.addresses = {{"dummy0", "192.0.2.200", 32}};
    host.sshSessions = {{{"192.0.2.200", 2222, "198.51.100.20", 40000}, "vmbr0"}};
    CHECK(restartRefusal(kCard, card, host)
              .find("an SSH session from 198.51.100.20 port 40000 (to 192.0.2.200) is answered "
                    "through vmbr0, which rests on enp5s0 (port 1 of this card)") !=
          std::string::npos);
    host.sshSessions[0].replyInterface = "eno1";
    CHECK(restartRefusal(kCard, card, host).empty());
}

TEST_CASE("the guard names both reasons when both are cut, and the netdev itself") {
    CardInterfaces card;
    card.netdevs = {netdev("enp5s0", 1)};
    HostFacts host;
    host.defaultRouteInterfaces = {"enp5s0"};
    host.addresses = {{"enp5s0", "2001:db8::5", 64}};
    host.sshSessions = {{{"2001:db8:0::5", 22, "2001:db8::9", 50000}, "enp5s0"}};
    std::string refusal = restartRefusal(kCard, card, host);
    CHECK(refusal.find("the default route leaves through enp5s0 (port 1 of this card), and an "
                       "SSH session from 2001:db8::9 port 50000 comes in on 2001:db8:0::5 of "
                       "enp5s0 (port 1 of this card)") != std::string::npos);
}

TEST_CASE("the guard lets a restart through that cuts neither") {
    CardInterfaces card = proxmoxCard();
    HostFacts host;
    host.defaultRouteInterfaces = {"eno1"};
    host.addresses = {{"eno1", "198.51.100.7", 24}, {"vmbr0", "192.0.2.10", 24}};
    host.sshSessions = {{{"198.51.100.7", 22, "203.0.113.5", 40000}, "eno1"}};
    CHECK(restartRefusal(kCard, card, host).empty());
    CHECK(guardReasons(card, host).empty());
    // On no interface, and no route known: nothing known against it.
    host.sshSessions = {{{"203.0.113.9", 22, "203.0.113.5", 40000}, ""}};
    CHECK(restartRefusal(kCard, card, host).empty());
}

TEST_CASE("the guard refuses when it cannot see the routes or the sessions") {
    CardInterfaces card = proxmoxCard();
    test::DescribedHost described;
    described.routesProblem = "cannot open a route netlink socket: Permission denied (13)";
    std::string refusal = restartRefusal(kCard, card, gatherHostFacts(described, card));
    CHECK(refusal.find(kCard + ": not switching: cannot see the default routes: cannot open a "
                               "route netlink socket: Permission denied (13).") == 0);
    CHECK(refusal.find("--force") != std::string::npos);
}

TEST_CASE("an Open vSwitch datapath over the card carries the default route of its bridge") {
    // Proxmox with OVS: enp5s0's only upper is ovs-system; vmbr0 is not stacked on it in sysfs.
    CardInterfaces card;
    NetInterface port = netdev("enp5s0", 1);
    port.master = "ovs-system";
    port.above = {"ovs-system"};
    card.netdevs = {port};
    test::DescribedHost described;
    described.defaultRoutes = {"vmbr0"};
    described.linkList = {{2, "enp5s0", "", 3, 0},
                          {3, "ovs-system", "openvswitch", 0, 0},
                          {4, "vmbr0", "openvswitch", 3, 0}};
    std::string refusal = restartRefusal(kCard, card, gatherHostFacts(described, card));
    CHECK(refusal.find("the default route leaves through vmbr0, which the Open vSwitch datapath "
                       "ovs-system carries over enp5s0 (port 1 of this card)") !=
          std::string::npos);
    // Without the datapath over the card, the bridge is someone else's.
    card.netdevs[0].master.clear();
    card.netdevs[0].above.clear();
    CHECK(restartRefusal(kCard, card, gatherHostFacts(described, card)).empty());
}

TEST_CASE("every run is guarded but udev events and --syslog runs, and --force overrides") {
    CHECK(guardApplies(false, false, false));      // at a terminal, or a script, ssh, Ansible
    CHECK_FALSE(guardApplies(true, false, false)); // --syslog: the boot unit
    CHECK_FALSE(guardApplies(false, true, false)); // from udev
    CHECK_FALSE(guardApplies(false, false, true)); // --force
}

TEST_CASE("after the switch, a bridge port that came back alone gets the ifupdown notice") {
    CardInterfaces before = proxmoxCard();
    CardInterfaces after = before;
    after.netdevs[0].master.clear();
    after.netdevs[0].above.clear();
    after.netdevs[1].uppers.clear();
    after.netdevs[1].above.clear();
    std::vector<std::string> notices = afterRestartNotices(before, after, {1, 2});
    REQUIRE(notices.size() == 2);
    CHECK(notices[0] == "enp5s0 was a port of vmbr0; ifupdown does not re-add it: run `ifreload "
                        "-a` or `ifup vmbr0`");
    CHECK(notices[1] == "enp5s0d1.100 (on enp5s0d1) is gone; ifupdown does not re-create it: "
                        "run `ifreload -a` or `ifup enp5s0d1.100`");
}

TEST_CASE("after the switch, nothing is said when the manager put everything back") {
    CardInterfaces before = proxmoxCard();
    CHECK(afterRestartNotices(before, before, {1, 2}).empty());
}

TEST_CASE("after the switch, a bridge port whose port left Ethernet is named as gone") {
    CardInterfaces before = proxmoxCard();
    CardInterfaces after = before;
    after.netdevs.erase(after.netdevs.begin());
    std::vector<std::string> notices = afterRestartNotices(before, after, {2});
    REQUIRE(notices.size() == 1);
    CHECK(notices[0] == "enp5s0 (port 1) was a port of vmbr0 and is gone: its port no longer runs "
                        "Ethernet. Take it out of the network configuration (vmbr0's) if the "
                        "port stays so");
}

TEST_CASE("after the switch, a port back under mlx4_en's eth%d name is matched by its port") {
    // mlx4_en registers eth2; udev renames it to enp5s0 once this run lets its events through.
    CardInterfaces before = proxmoxCard();
    CardInterfaces after;
    after.netdevs = {netdev("eth2", 1), netdev("enp5s0d1", 2)};
    after.netdevs[1].uppers = {"enp5s0d1.100"};
    std::vector<std::string> notices = afterRestartNotices(before, after, {1, 2});
    REQUIRE(notices.size() == 1);
    CHECK(notices[0] == "enp5s0 (port 1) was a port of vmbr0 and came back as eth2, which udev has "
                        "not named yet: once it has, check that it is in place again; ifupdown "
                        "does not do it: run `ifreload -a` or `ifup vmbr0`");
    for (const std::string& notice : notices)
        CHECK(notice.find("take it out") == std::string::npos);
    // Not back yet at all, while the port still runs Ethernet: what to check, not "take it out".
    after.netdevs.erase(after.netdevs.begin());
    notices = afterRestartNotices(before, after, {1, 2});
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].find("enp5s0 (port 1) was a port of vmbr0 and is not back yet") == 0);
    CHECK(notices[0].find("`ifreload -a` or `ifup vmbr0`") != std::string::npos);
}

TEST_CASE("names from sysfs and /proc are shown escaped in every line") {
    CardInterfaces card;
    NetInterface hostile = netdev("en\x1b[2J", 1);
    hostile.master = "br\n0";
    card.netdevs = {hostile};
    card.ibDevice = "mlx4\t0";
    card.verbsDevices = {"/dev/infiniband/uverbs\r0"};
    HostFacts host;
    host.defaultRouteInterfaces = {"en\x1b[2J"};
    std::vector<std::string> lines = restartImpact(card, host, {1});
    lines.push_back(restartRefusal(kCard, card, host));
    CardInterfaces after = card;
    after.netdevs[0].master.clear();
    for (const std::string& notice : afterRestartNotices(card, after, {1}))
        lines.push_back(notice);
    REQUIRE(lines.size() == 4);
    for (const std::string& line : lines) {
        INFO(line);
        CHECK(line.find_first_of("\x1b\n\t\r") == std::string::npos);
    }
    CHECK(lines[0].find("en\\e[2J (port 1") == 0);
    CHECK(lines[1].find("no process has /dev/infiniband/uverbs\\x0d0 open") != std::string::npos);
}
