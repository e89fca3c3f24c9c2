// SPDX-License-Identifier: GPL-2.0-or-later
// The per-card decision: which devices are left alone, which are refused and why, and what is
// asked of the ports of the rest.
#include "bound_card.h"
#include "card_decision.h"
#include "device_table.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;
using mlx4::test::boundCard;

namespace {

ConfigEntry entry(std::vector<PortWant> wants, bool allPorts = false,
                  const std::string& key = "0000:05:00.0", int line = 3) {
    ConfigEntry made;
    made.spec.wants = std::move(wants);
    made.spec.allPorts = allPorts;
    made.file = "/etc/mlx4-porttype/config.json";
    made.pos.line = line;
    made.key = key;
    return made;
}

std::string leaveReason(const CardDecision& decision) {
    const LeaveCard* leave = std::get_if<LeaveCard>(&decision);
    REQUIRE(leave);
    return leave->reason;
}

std::string refusal(const CardDecision& decision) {
    const RefuseCard* refuse = std::get_if<RefuseCard>(&decision);
    REQUIRE(refuse);
    return refuse->problem;
}

} // namespace

TEST_CASE("a configured card gets one want per port, a single type for all of them") {
    ConfigEntry eth = entry({PortWant::Eth}, true);
    CardDecision decision = decideCard(boundCard(), {&eth, nullptr});
    const SetPorts* set = std::get_if<SetPorts>(&decision);
    REQUIRE(set);
    CHECK(set->wants == std::vector<PortWant>{PortWant::Eth, PortWant::Eth});
}

TEST_CASE("a list shorter than the card keeps the remaining ports") {
    ConfigEntry first = entry({PortWant::Ib});
    CardDecision decision = decideCard(boundCard(), {&first, nullptr});
    REQUIRE(std::holds_alternative<SetPorts>(decision));
    CHECK(std::get<SetPorts>(decision).wants ==
          std::vector<PortWant>{PortWant::Ib, PortWant::Keep});
}

TEST_CASE("a card no entry names is left as it is, and that is not an error") {
    CHECK(leaveReason(decideCard(boundCard(), {})) == "not configured; left as it is");
}

TEST_CASE("a card without a driver, or still without port files, is left for later") {
    CardInfo unbound = boundCard();
    unbound.driver.clear();
    CHECK(leaveReason(decideCard(unbound, {})).find("when mlx4_core binds it") !=
          std::string::npos);
    CardInfo starting = boundCard();
    starting.portCount = 0;
    starting.ports.clear();
    ConfigEntry eth = entry({PortWant::Eth}, true);
    CHECK(leaveReason(decideCard(starting, {&eth, nullptr})).find("no port files yet") !=
          std::string::npos);
}

TEST_CASE("another vendor or another driver is refused, whatever the configuration says") {
    ConfigEntry eth = entry({PortWant::Eth}, true);
    CardInfo other = boundCard();
    other.vendor = 0x8086;
    CHECK(refusal(decideCard(other, {&eth, nullptr})) ==
          "0000:05:00.0 is not a Mellanox card (vendor 0x8086)");
    CardInfo vfio = boundCard();
    vfio.driver = "vfio-pci";
    CHECK(refusal(decideCard(vfio, {&eth, nullptr})) ==
          "0000:05:00.0 is driven by \"vfio-pci\", not mlx4_core; only mlx4 cards have a port "
          "type to set");
    CHECK_FALSE(isMlx4Card(other));
    CHECK_FALSE(isMlx4Card(vfio));
    CHECK(isMlx4Card(boundCard()));
}

TEST_CASE("two entries of one rank with different types: refused, naming both") {
    ConfigEntry a = entry({PortWant::Eth}, true, "serial:MT1037X01146", 4);
    ConfigEntry b = entry({PortWant::Ib}, true, "guid:0002:c903:000c:c89a", 7);
    std::string problem = refusal(decideCard(boundCard(), {&a, &b}));
    CHECK(problem.find("serial:MT1037X01146 (/etc/mlx4-porttype/config.json:4) and "
                       "guid:0002:c903:000c:c89a (/etc/mlx4-porttype/config.json:7)") !=
          std::string::npos);
    CHECK(problem.find("(eth and ib)") != std::string::npos);
    CHECK(problem.find("the card was not touched") != std::string::npos);
}

TEST_CASE("port files the driver does not make: refused with what was found") {
    CardInfo odd = boundCard();
    odd.ports = {1, 3};
    odd.portProblem = "has mlx4_port1 and mlx4_port3";
    ConfigEntry eth = entry({PortWant::Eth}, true);
    CHECK(refusal(decideCard(odd, {&eth, nullptr})) ==
          cardLabel(odd) + " has mlx4_port1 and mlx4_port3");
}

TEST_CASE("a list longer than the card has ports: refused at the entry's file and line") {
    CardInfo onePort = boundCard();
    onePort.portCount = 1;
    onePort.ports = {1};
    ConfigEntry two = entry({PortWant::Eth, PortWant::Ib}, false, "0000:05:00.0", 9);
    std::string problem = refusal(decideCard(onePort, {&two, nullptr}));
    CHECK(problem.rfind(cardLabel(onePort) + ": /etc/mlx4-porttype/config.json:9: ", 0) == 0);
    CHECK(problem.find("the card was not touched") != std::string::npos);
}

TEST_CASE("what an entry asks of a port, for status, even past the card's ports") {
    PortSpec list{{PortWant::Ib, PortWant::Eth}, false};
    CHECK(configuredWant(list, 2) == PortWant::Eth);
    CHECK(configuredWant(list, 3) == PortWant::Keep);
    PortSpec all{{PortWant::Auto}, true};
    CHECK(configuredWant(all, 2) == PortWant::Auto);
}

TEST_CASE("a card an entry could name while its identity is unknown is refused, saying why") {
    ConfigEntry guid = entry({PortWant::Ib}, true, "guid:0002:c903:000c:c89a", 3);
    ConfigEntry fallback = entry({PortWant::Eth}, true, "default", 2);
    ConfigMatch match{&fallback, nullptr};
    match.hidden = &guid;
    match.hiddenWhy = "config space reads all ones at 0x100: the card did not answer";
    CardDecision decision = decideCard(boundCard(), match);
    const RefuseCard* refuse = std::get_if<RefuseCard>(&decision);
    REQUIRE(refuse);
    CHECK(refuse->unknownIdentity);
    CHECK(refuse->problem.find("identity unknown, so the card was not touched") !=
          std::string::npos);
    CHECK(refuse->problem.find("guid:0002:c903:000c:c89a (/etc/mlx4-porttype/config.json:3) may "
                               "name it and outranks default (/etc/mlx4-porttype/config.json:2)") !=
          std::string::npos);
    CHECK(refuse->problem.find("the card did not answer") != std::string::npos);
}
