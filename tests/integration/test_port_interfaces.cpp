// SPDX-License-Identifier: GPL-2.0-or-later
// The built helper and the card's interfaces: what status shows per port, what the dry run and
// the switch's log say a restart takes down, the guard, and the notices after a restart.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "machine.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

using namespace mlx4::test;

namespace {

const std::string kLabel = "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";

NetdevSpec netdev(const std::string& name, int devPort) {
    NetdevSpec spec;
    spec.name = name;
    spec.devPort = devPort;
    spec.devId = "0x0";
    return spec;
}

} // namespace

TEST_CASE("status shows each port's interface, link and speed, in text and JSON") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "ib"}));
    m.bed.loadModule("mlx4_en");
    m.bed.loadModule("mlx4_ib");
    m.bed.addNetdev(kCx2a, netdev("enp5s0", 0));
    IbPortSpec ibPort;
    ibPort.port = 2;
    m.bed.addIbPort(kCx2a, "ibp5s0", ibPort); // renamed by rdma-core: never assumed mlx4_0
    m.config(R"({"cards": {"05:00.0": ["eth", "ib"]}})");

    RunResult text = m.run({"status"});
    CHECK(text.status == 0);
    CHECK(contains(text.out, "INTERFACE  LINK"));
    CHECK(contains(text.out, "1     eth      eth         in sync  enp5s0     up 10 Gb/s"));
    CHECK(contains(text.out, "2     ib       ib          in sync  ibp5s0/2   active 40 Gb/s"));
    CHECK_FALSE(contains(text.out, "not loaded"));

    RunResult json = m.run({"status", "--json"});
    CHECK(json.status == 0);
    auto ports = nlohmann::json::parse(json.out)["cards"][0]["ports"];
    CHECK(ports[0]["netdev"] == "enp5s0");
    CHECK(ports[0]["ib_device"].is_null());
    CHECK(ports[0]["link"] == "up");
    CHECK(ports[0]["speed_mbps"] == 10000);
    CHECK(ports[1]["netdev"].is_null());
    CHECK(ports[1]["ib_device"] == "ibp5s0");
    CHECK(ports[1]["link"] == "up");
    CHECK(ports[1]["speed_mbps"] == 40000);
    CHECK_FALSE(ports[0].contains("note"));
}

TEST_CASE("a port on Ethernet without mlx4_en says which module to load, once for the card") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
    RunResult r = m.run({"status"});
    CHECK(contains(r.out, "note: 0000:05:00.0 ports 1 and 2: mlx4_en is not loaded: modprobe "
                          "mlx4_en"));
    auto ports = nlohmann::json::parse(m.run({"status", "--json"}).out)["cards"][0]["ports"];
    CHECK(ports[1]["note"] == "mlx4_en is not loaded: modprobe mlx4_en");
    CHECK(ports[1]["netdev"].is_null());
    CHECK(ports[1]["link"].is_null());
}

TEST_CASE("the dry run and the switch's log name every interface the restart takes down") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
    m.bed.loadModule("mlx4_en");
    NetdevSpec first = netdev("enp5s0", 0);
    first.master = "vmbr0";
    m.bed.addNetdev(kCx2a, first);
    NetdevSpec second = netdev("enp5s0d1", 1);
    second.vlans = {"enp5s0d1.100"};
    m.bed.addNetdev(kCx2a, second);
    m.config(R"({"cards": {"05:00.0": ["ib", "keep"]}})"); // port 2 does not change

    RunResult dry = m.run({"apply", "--dry-run", kCx2a});
    CHECK(dry.status == 3);
    CHECK(contains(dry.out, "  a restart takes down, until the card is back:\n"
                            "    enp5s0 (port 1): no addresses; port of bridge vmbr0"));
    CHECK(contains(dry.out, "    enp5s0d1 (port 2, its type does not change): no addresses; "
                            "deleted with it: enp5s0d1.100"));
    CHECK(m.ports(kCx2a) == "eth,eth");

    RunResult applied = m.run({"apply", kCx2a});
    CHECK(applied.status == 0);
    CHECK(m.ports(kCx2a) == "ib,eth");
    CHECK(contains(applied.err, kLabel + ": before the restart: enp5s0 (port 1): no addresses; "
                                         "port of bridge vmbr0"));
    CHECK(contains(applied.err, kLabel + ": before the restart: enp5s0d1 (port 2, its type "
                                         "does not change)"));
}

TEST_CASE("an apply that would cut the SSH session needs --force, at a terminal or not") {
    const auto [interfaceFound, addressFound] = anIpv4Interface();
    // Plain copies: a C++17 lambda cannot capture a structured binding.
    const std::string interface = interfaceFound, address = addressFound;
    auto machine = [&](Machine& m) {
        m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
        m.bed.loadModule("mlx4_en");
        m.bed.addNetdev(kCx2a, netdev(interface, 0));
        m.config(R"({"cards": {"05:00.0": "ib"}})");
        m.extraEnvironment.push_back("SSH_CONNECTION=192.0.2.99 50000 " + address + " 22");
    };

    SUBCASE("at a terminal: refused, nothing written") {
        Machine m;
        machine(m);
        m.atTerminal = true;
        RunResult r = m.run({"apply", kCx2a});
        CHECK(r.status == 1);
        CHECK(contains(r.err, kLabel +
                                  ": not switching: an SSH session from 192.0.2.99 port "
                                  "50000 comes in on " +
                                  address + " of " + interface));
        CHECK(contains(r.err, "add --force to switch anyway"));
        CHECK(m.ports(kCx2a) == "eth,eth");
        CHECK(m.writesTo(kCx2a).empty());
    }
    SUBCASE("at a terminal with --force: switched") {
        Machine m;
        machine(m);
        m.atTerminal = true;
        RunResult r = m.run({"apply", "--force", kCx2a});
        CHECK(r.status == 0);
        CHECK(m.ports(kCx2a) == "ib,ib");
        CHECK(contains(r.err, kLabel + ": before the restart: " + interface + " (port 1)"));
    }
    SUBCASE("from a script (stdin not a terminal): refused as well, exit 1") {
        Machine m;
        machine(m);
        RunResult r = m.run({"apply", kCx2a});
        CHECK(r.status == 1);
        CHECK(contains(r.err, kLabel +
                                  ": not switching: an SSH session from 192.0.2.99 port "
                                  "50000 comes in on " +
                                  address + " of " + interface));
        CHECK(m.ports(kCx2a) == "eth,eth");
    }
    SUBCASE("from a udev event, even with a terminal: never asked") {
        Machine m;
        machine(m);
        m.atTerminal = true;
        m.extraEnvironment.insert(
            m.extraEnvironment.end(),
            {"ACTION=bind", "DEVPATH=" + Testbed::sysPath(kCx2a).substr(4), "SUBSYSTEM=pci"});
        CHECK(m.run({"apply", kCx2a}).status == 0);
        CHECK(m.ports(kCx2a) == "ib,ib");
    }
    SUBCASE("the dry run at a terminal shows the plan and the guard's verdict") {
        Machine m;
        machine(m);
        m.atTerminal = true;
        RunResult r = m.run({"apply", "--dry-run", kCx2a});
        INFO(r.out << r.err);
        CHECK(r.status == 3);
        CHECK(contains(r.out, "    " + interface + " (port 1)"));
        CHECK(contains(r.out, "  the guard: refuses without --force: an SSH session from "
                              "192.0.2.99 port 50000 comes in on " +
                                  address));
    }
}

TEST_CASE("after a restart, a port back under mlx4_en's eth%d name is matched by its port") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
    m.bed.loadModule("mlx4_en");
    NetdevSpec first = netdev("enp5s0", 0);
    first.master = "vmbr0";
    m.bed.addNetdev(kCx2a, first);
    m.config(R"({"cards": {"05:00.0": ["eth", "ib"]}})"); // port 2 restarts the card
    // While the first port write blocks (the card restarting), mlx4_en registers port 1's
    // netdev anew as eth2; udev renames it only once this run lets the card's events through.
    StartedProgram run = m.start({"apply", "--force", kCx2a}, "write|*/mlx4_port*|sleep=2000|0|1");
    std::string err;
    for (int wait = 0; wait < 400 && !contains(err, "before the restart"); ++wait) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        char buffer[4096];
        ssize_t got = pread(run.errFd, buffer, sizeof buffer, 0);
        err.assign(buffer, got > 0 ? static_cast<size_t>(got) : 0);
    }
    REQUIRE(contains(err, "before the restart"));
    m.bed.removeNetdev(kCx2a, "enp5s0");
    m.bed.addNetdev(kCx2a, netdev("eth2", 0));
    RunResult r = finish(run);
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(m.ports(kCx2a) == "eth,ib");
    CHECK(contains(r.err, kLabel + ": enp5s0 (port 1) was a port of vmbr0 and came back as eth2, "
                                   "which udev has not named yet: once it has, check that it is "
                                   "in place again; ifupdown does not do it: run `ifreload -a` "
                                   "or `ifup vmbr0`"));
    CHECK_FALSE(contains(r.err, "take it out"));
}
