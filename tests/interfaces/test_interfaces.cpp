// SPDX-License-Identifier: GPL-2.0-or-later
// A card's interfaces as device access reads them from sysfs (umockdev testbeds), and what
// status and the impact list make of them.
#include "described_host.h"
#include "impact.h"
#include "interfaces.h"
#include "json_output.h"
#include "port_link.h"
#include "sysfs.h"
#include "testbed.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace mlx4;
using mlx4::test::CardSpec;
using mlx4::test::IbPortSpec;
using mlx4::test::NetdevSpec;
using mlx4::test::Testbed;

namespace {

const std::string kAddress = "0000:05:00.0";

CardInterfaces readCard(const std::string& address = kAddress) {
    std::string problem;
    std::optional<CardInfo> card = findPciDevice(*parsePciAddress(address), problem);
    REQUIRE_MESSAGE(card, problem);
    return readCardInterfaces(*card);
}

NetdevSpec netdev(const std::string& name, int devPort) {
    NetdevSpec spec;
    spec.name = name;
    spec.devPort = devPort;
    return spec;
}

} // namespace

TEST_CASE("an Ethernet card's netdevs are found by dev_port, with link, speed and address") {
    Testbed bed;
    bed.addCard(CardSpec(kAddress, {"eth", "eth"}));
    bed.loadModule("mlx4_en");
    // Listed in the other order than the ports, so the match cannot be by position.
    NetdevSpec second = netdev("enp5s0d1", 1);
    second.operstate = "down";
    second.speed = "-1"; // what the kernel prints for a link that is down
    second.address = "00:02:c9:0c:c8:9b";
    bed.addNetdev(kAddress, second);
    bed.addNetdev(kAddress, netdev("zz-port1", 0));

    CardInterfaces card = readCard();
    CHECK(card.mlx4EnLoaded);
    CHECK_FALSE(card.mlx4IbLoaded);
    REQUIRE(card.netdevs.size() == 2);
    REQUIRE(card.ethernetOf(1));
    CHECK(card.ethernetOf(1)->name == "zz-port1");
    CHECK(card.ethernetOf(1)->speedMbps == 10000);
    CHECK(card.ethernetOf(1)->operstate == "up");
    REQUIRE(card.ethernetOf(2));
    CHECK(card.ethernetOf(2)->name == "enp5s0d1");
    CHECK_FALSE(card.ethernetOf(2)->speedMbps);
    CHECK(card.ethernetOf(2)->macAddress == "00:02:c9:0c:c8:9b");

    PortLink first = portLink(card, 1, PortType::Eth);
    CHECK(interfaceColumn(first) + "  " + linkColumn(first) == "zz-port1  up 10 Gb/s");
    CHECK(portLinkJson(portLink(card, 2, PortType::Eth)).dump() ==
          R"({"netdev":"enp5s0d1","ib_device":null,"link":"down","speed_mbps":null})");
}

TEST_CASE("on a kernel without dev_port, dev_id tells the ports apart") {
    Testbed bed;
    bed.addCard(CardSpec(kAddress, {"eth", "eth"}));
    bed.loadModule("mlx4_en");
    NetdevSpec first = netdev("eth2", 0), second = netdev("eth3", 0);
    first.devPort = second.devPort = std::nullopt;
    first.devId = "0x0";
    second.devId = "0x1";
    bed.addNetdev(kAddress, first);
    bed.addNetdev(kAddress, second);
    CardInterfaces card = readCard();
    REQUIRE(card.ethernetOf(2));
    CHECK(card.ethernetOf(2)->name == "eth3");
    CHECK(card.ethernetOf(1)->name == "eth2");
}

TEST_CASE("with a dev_port file, dev_id (0 on both ports since 3.15) does not count") {
    Testbed bed;
    bed.addCard(CardSpec(kAddress, {"eth", "eth"}));
    NetdevSpec second = netdev("enp5s0d1", 1);
    second.devId = "0x0";
    bed.addNetdev(kAddress, second);
    CardInterfaces card = readCard();
    CHECK_FALSE(card.ethernetOf(1));
    REQUIRE(card.ethernetOf(2));
}

TEST_CASE("a speed that cannot be read is unknown, not zero") {
    Testbed bed;
    bed.addCard(CardSpec(kAddress, {"eth", "eth"}));
    bed.loadModule("mlx4_en");
    NetdevSpec spec = netdev("enp5s0", 0);
    spec.speed = std::nullopt; // the read fails, as the kernel's does for an interface not running
    bed.addNetdev(kAddress, spec);
    CardInterfaces card = readCard();
    REQUIRE(card.ethernetOf(1));
    CHECK_FALSE(card.ethernetOf(1)->speedMbps);
    PortLink link = portLink(card, 1, PortType::Eth);
    CHECK(linkColumn(link) == "up");
    CHECK(portLinkJson(link)["speed_mbps"].is_null());
}

TEST_CASE("an Ethernet port without mlx4_en loaded says so") {
    Testbed bed;
    bed.addCard(CardSpec(kAddress, {"eth", "ib"}));
    bed.loadModule("mlx4_ib"); // under the testbed's /sys/module, not the machine's
    CardInterfaces card = readCard();
    CHECK_FALSE(card.mlx4EnLoaded);
    CHECK(card.mlx4IbLoaded);
    CHECK(portLink(card, 1, PortType::Eth).note == "mlx4_en is not loaded: modprobe mlx4_en");
}

TEST_CASE("an InfiniBand port is found under the card's IB device, whatever its name") {
    Testbed bed;
    CardSpec spec(kAddress, {"ib", "ib"});
    spec.ibDevice = "ibp5s0"; // rdma-core's rename of mlx4_0
    bed.addCard(spec);
    bed.loadModule("mlx4_ib");
    bed.addIbPort(kAddress, "ibp5s0", IbPortSpec{1, "1: DOWN", "3: Disabled", "10 Gb/sec (4X)"});
    bed.addIbPort(kAddress, "ibp5s0", IbPortSpec{2});
    // A second card with the name mlx4_0 must not be taken for this one's device.
    CardSpec other("0000:06:00.0", {"ib", "ib"});
    other.ibDevice = "mlx4_0";
    bed.addCard(other);
    bed.addIbPort("0000:06:00.0", "mlx4_0", IbPortSpec{2, "1: DOWN"});

    CardInterfaces card = readCard();
    CHECK(card.ibDevice == "ibp5s0");
    REQUIRE(card.ibPortOf(2));
    CHECK(card.ibPortOf(2)->linkLayer == "InfiniBand");
    PortLink active = portLink(card, 2, PortType::Ib);
    CHECK(interfaceColumn(active) + "  " + linkColumn(active) == "ibp5s0/2  active 40 Gb/s");
    CHECK(portLinkJson(active).dump() ==
          R"({"netdev":null,"ib_device":"ibp5s0","link":"up","speed_mbps":40000})");
    CHECK(linkColumn(portLink(card, 1, PortType::Ib)) == "down");
    CHECK(readCard("0000:06:00.0").ibDevice == "mlx4_0");
}

TEST_CASE("an InfiniBand port without mlx4_ib loaded says so") {
    Testbed bed;
    bed.addCard(CardSpec(kAddress, {"ib", "ib"}));
    CardInterfaces card = readCard();
    CHECK(card.ibDevice.empty());
    CHECK(portLink(card, 2, PortType::Ib).note == "mlx4_ib is not loaded: modprobe mlx4_ib");
}

TEST_CASE("bridge, bond and VLANs on the card's netdevs are read, however deep") {
    Testbed bed;
    bed.addCard(CardSpec(kAddress, {"eth", "eth"}));
    NetdevSpec first = netdev("enp5s0", 0);
    first.master = "vmbr0";
    NetdevSpec second = netdev("enp5s0d1", 1);
    second.master = "bond0";
    second.masterKind = "bond";
    second.vlans = {"enp5s0d1.100"};
    bed.addNetdev(kAddress, first);
    bed.addNetdev(kAddress, second);
    // vmbr100 on bond0, and vmbr200 on the VLAN: both rest on enp5s0d1.
    bed.stackNetdev(Testbed::virtualNetdevSysPath("bond0"), "vmbr100", true, "bridge");
    bed.stackNetdev(Testbed::virtualNetdevSysPath("enp5s0d1.100"), "vmbr200", true, "bridge");

    CardInterfaces card = readCard();
    const NetInterface* port1 = card.ethernetOf(1);
    const NetInterface* port2 = card.ethernetOf(2);
    REQUIRE(port1);
    REQUIRE(port2);
    CHECK(port1->master == "vmbr0");
    CHECK(port1->masterKind == "bridge");
    CHECK(port1->uppers.empty());
    CHECK(port1->above == std::vector<std::string>{"vmbr0"});
    CHECK(port2->master == "bond0");
    CHECK(port2->masterKind == "bond");
    CHECK(port2->uppers == std::vector<std::string>{"enp5s0d1.100"});
    CHECK(port2->above == std::vector<std::string>{"bond0", "enp5s0d1.100", "vmbr100", "vmbr200"});

    // The guard sees the default route on vmbr200, two levels above port 2.
    test::DescribedHost host;
    host.defaultRoutes = {"vmbr200"};
    std::string refusal = restartRefusal("0000:05:00.0 (card)", card, gatherHostFacts(host, card));
    CHECK(refusal.find("the default route leaves through vmbr200, which rests on enp5s0d1 (port "
                       "2 of this card)") != std::string::npos);
}

TEST_CASE("the impact list of a testbed card names both ports and the IB device's users") {
    Testbed bed;
    CardSpec spec(kAddress, {"ib", "eth"});
    spec.ibDevice = "mlx4_0";
    bed.addCard(spec);
    bed.loadModule("mlx4_en");
    bed.loadModule("mlx4_ib");
    bed.addIbPort(kAddress, "mlx4_0", IbPortSpec{1});
    bed.addVerbsDevice(kAddress, "uverbs0");
    NetdevSpec ipoib = netdev("ibp5s0", 0);
    ipoib.type = 32;
    NetdevSpec eth = netdev("enp5s0d1", 1);
    eth.master = "vmbr0";
    bed.addNetdev(kAddress, ipoib);
    bed.addNetdev(kAddress, eth);

    CardInterfaces card = readCard();
    CHECK(card.verbsDevices == std::vector<std::string>{"/dev/infiniband/uverbs0"});
    CHECK_FALSE(card.ethernetOf(1)); // IPoIB is not port 1's Ethernet interface
    test::DescribedHost host;
    host.interfaceAddresses = {{"ibp5s0", "10.9.0.1", 16}, {"vmbr0", "192.0.2.10", 24}};
    host.users = {{555, "qperf", "/dev/infiniband/uverbs0"}};
    std::vector<std::string> lines = restartImpact(card, gatherHostFacts(host, card), {1});
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "enp5s0d1 (port 2, its type does not change): no addresses; port of bridge "
                      "vmbr0 (192.0.2.10/24)");
    CHECK(lines[1] == "ibp5s0 (IPoIB): 10.9.0.1/16");
    CHECK(lines[2].find("mlx4_0 (InfiniBand device): in use by process 555 qperf") == 0);
}

TEST_CASE("after a restart that lost the bridge port and the VLAN, the notices say what to run") {
    Testbed bed;
    bed.addCard(CardSpec(kAddress, {"eth", "eth"}));
    NetdevSpec spec = netdev("enp5s0", 0);
    spec.master = "vmbr0";
    spec.vlans = {"enp5s0.100"};
    bed.addNetdev(kAddress, spec);
    CardInterfaces before = readCard();
    // What the restart does: the netdev goes and comes back bare.
    bed.removeNetdev(kAddress, "enp5s0");
    bed.addNetdev(kAddress, netdev("enp5s0", 0));
    CardInterfaces after = readCard();
    CHECK(afterRestartNotices(before, after, {1}) ==
          std::vector<std::string>{"enp5s0 was a port of vmbr0; ifupdown does not re-add it: run "
                                   "`ifreload -a` or `ifup vmbr0`",
                                   "enp5s0.100 (on enp5s0) is gone; ifupdown does not re-create "
                                   "it: run `ifreload -a` or `ifup enp5s0.100`"});
}
