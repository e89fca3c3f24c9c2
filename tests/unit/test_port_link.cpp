// SPDX-License-Identifier: GPL-2.0-or-later
// What status shows of each port as an interface: netdev or IB device, link, speed, notes.
#include "json_output.h"
#include "port_link.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace mlx4;

namespace {

NetInterface ethernet(const std::string& name, int port, const std::string& operstate,
                      std::optional<int> speed) {
    NetInterface netdev;
    netdev.name = name;
    netdev.port = port;
    netdev.type = kNetTypeEthernet;
    netdev.operstate = operstate;
    netdev.speedMbps = speed;
    return netdev;
}

CardInterfaces loadedCard() {
    CardInterfaces card;
    card.mlx4EnLoaded = true;
    card.mlx4IbLoaded = true;
    return card;
}

} // namespace

TEST_CASE("an Ethernet port shows its netdev, found by port, with link and speed") {
    CardInterfaces card = loadedCard();
    card.netdevs = {ethernet("enp5s0", 1, "up", 10000), ethernet("enp5s0d1", 2, "down", {})};
    PortLink first = portLink(card, 1, PortType::Eth);
    CHECK(interfaceColumn(first) == "enp5s0");
    CHECK(linkColumn(first) == "up 10 Gb/s");
    CHECK(portLinkJson(first).dump() ==
          R"({"netdev":"enp5s0","ib_device":null,"link":"up","speed_mbps":10000})");
    PortLink second = portLink(card, 2, PortType::Eth);
    CHECK(interfaceColumn(second) == "enp5s0d1");
    CHECK(linkColumn(second) == "down");
    CHECK(portLinkJson(second).dump() ==
          R"({"netdev":"enp5s0d1","ib_device":null,"link":"down","speed_mbps":null})");
    CHECK(second.note.empty());
}

TEST_CASE("a speed read while the link is down is not shown") {
    CardInterfaces card = loadedCard();
    card.netdevs = {ethernet("enp5s0", 1, "down", 10000)};
    PortLink link = portLink(card, 1, PortType::Eth);
    CHECK_FALSE(link.speedMbps);
    CHECK(linkColumn(link) == "down");
}

TEST_CASE("an operstate that says nothing about the link leaves link null") {
    CardInterfaces card = loadedCard();
    card.netdevs = {ethernet("enp5s0", 1, "unknown", {})};
    PortLink link = portLink(card, 1, PortType::Eth);
    CHECK_FALSE(link.up);
    CHECK(portLinkJson(link)["link"].is_null());
    CHECK(linkColumn(link) == "unknown");
}

TEST_CASE("an IPoIB netdev is not an Ethernet port's interface") {
    CardInterfaces card = loadedCard();
    NetInterface ipoib = ethernet("ib0", 1, "up", {});
    ipoib.type = kNetTypeInfiniband;
    card.netdevs = {ipoib};
    PortLink link = portLink(card, 1, PortType::Eth);
    CHECK(link.netdev.empty());
    CHECK(interfaceColumn(link) == "-");
}

TEST_CASE("an Ethernet port without mlx4_en says what to load") {
    CardInterfaces card; // nothing loaded, no netdevs
    PortLink link = portLink(card, 1, PortType::Eth);
    CHECK(link.note == "mlx4_en is not loaded: modprobe mlx4_en");
    CHECK(interfaceColumn(link) == "-");
    CHECK(linkColumn(link) == "-");
    CHECK(portLinkJson(link).dump() ==
          R"({"netdev":null,"ib_device":null,"link":null,"speed_mbps":null})");
    card.mlx4EnLoaded = true;
    CHECK(portLink(card, 1, PortType::Eth).note.find("dev_port 0") != std::string::npos);
}

TEST_CASE("an InfiniBand port shows the card's IB device and port, its state and rate") {
    CardInterfaces card = loadedCard();
    card.ibDevice = "ibp5s0"; // renamed by rdma-core
    card.ibPorts = {{1, "1: DOWN", "2: Polling", "10 Gb/sec (4X SDR)", "InfiniBand"},
                    {2, "4: ACTIVE", "5: LinkUp", "40 Gb/sec (4X QDR)", "InfiniBand"}};
    PortLink active = portLink(card, 2, PortType::Ib);
    CHECK(interfaceColumn(active) == "ibp5s0/2");
    CHECK(linkColumn(active) == "active 40 Gb/s");
    CHECK(portLinkJson(active).dump() ==
          R"({"netdev":null,"ib_device":"ibp5s0","link":"up","speed_mbps":40000})");
    // A down port's rate is the kernel's default, not a speed.
    PortLink down = portLink(card, 1, PortType::Ib);
    CHECK(linkColumn(down) == "down");
    CHECK(portLinkJson(down).dump() ==
          R"({"netdev":null,"ib_device":"ibp5s0","link":"down","speed_mbps":null})");
}

TEST_CASE("an InfiniBand port up but waiting for a subnet manager says so") {
    CardInterfaces card = loadedCard();
    card.ibDevice = "mlx4_0";
    card.ibPorts = {{1, "2: INIT", "5: LinkUp", "40 Gb/sec (4X QDR)", "InfiniBand"}};
    PortLink link = portLink(card, 1, PortType::Ib);
    CHECK(linkColumn(link) == "init 40 Gb/s");
    CHECK(link.up == false);
    CHECK(link.note.find("subnet manager") != std::string::npos);
}

TEST_CASE("an InfiniBand port without mlx4_ib says what to load") {
    CardInterfaces card;
    card.mlx4EnLoaded = true;
    CHECK(portLink(card, 1, PortType::Ib).note == "mlx4_ib is not loaded: modprobe mlx4_ib");
    card.mlx4IbLoaded = true;
    CHECK(portLink(card, 1, PortType::Ib).note.find("no InfiniBand device") != std::string::npos);
}

TEST_CASE("an unreadable port file looks nothing up") {
    CardInterfaces card = loadedCard();
    card.netdevs = {ethernet("enp5s0", 1, "up", 10000)};
    PortLink link = portLink(card, 1, std::nullopt);
    CHECK(interfaceColumn(link) == "-");
    CHECK(link.note.empty());
}

TEST_CASE("IB rates become Mb/s, and speeds read as people write them") {
    CHECK(parseIbRate("40 Gb/sec (4X QDR)") == 40000);
    CHECK(parseIbRate("2.5 Gb/sec (1X SDR)") == 2500);
    CHECK(parseIbRate("56 Gb/sec (4X FDR)") == 56000);
    CHECK_FALSE(parseIbRate(""));
    CHECK_FALSE(parseIbRate("fast"));
    CHECK_FALSE(parseIbRate(".5 Gb/sec"));
    CHECK_FALSE(parseIbRate("4. Gb/sec"));
    CHECK_FALSE(parseIbRate("99999999 Gb/sec"));
    CHECK(formatSpeed(10000) == "10 Gb/s");
    CHECK(formatSpeed(2500) == "2.5 Gb/s");
    CHECK(formatSpeed(100) == "100 Mb/s");
    CHECK(formatSpeed(14063) == "14.063 Gb/s");
}

TEST_CASE("names from sysfs are shown escaped") {
    CardInterfaces card = loadedCard();
    card.netdevs = {ethernet("en\x1b[31m", 1, "up", 1000)};
    CHECK(interfaceColumn(portLink(card, 1, PortType::Eth)) == "en\\e[31m");
}
