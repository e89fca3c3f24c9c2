// SPDX-License-Identifier: GPL-2.0-or-later
// The card states through the built helper: status in words and as "state", its exit status
// (the worst state: 1 over 3 over 0), entries that match no card, the module option, the
// width of the tables, what the dry run says (nothing configured, speed, mixed types).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "card_bytes.h"
#include "machine.h"
#include "test_text.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlx4::test;

namespace {

constexpr uint64_t kGuidA = 0x0002c903000cc89aULL;
constexpr uint64_t kGuidB = 0x0002c903000a1b2cULL;

// An MHQH19B-XTR with its Device Serial Number and VPD (as root reads them), ports ib.
CardSpec realCard(const std::string& address, uint64_t guid = kGuidA,
                  const std::string& serial = "MT1037X01146") {
    CardSpec card(address);
    card.config = configSpace({0x15b3, 0x673c, guid, 4096});
    VpdSpec vpd;
    vpd.serial = serial;
    vpd.part = "MHQH19B-XTR";
    card.vpd = vpdImage(vpd);
    return card;
}

nlohmann::json cardsOf(const RunResult& r) {
    return nlohmann::json::parse(r.out)["cards"];
}

std::string stateOf(Machine& m, const std::string& address) {
    for (const auto& card : cardsOf(m.run({"status", "--json"})))
        if (card["address"] == address)
            return card["state"];
    return "(not listed)";
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

} // namespace

TEST_CASE("status names each card's state, in words and as \"state\"") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));      // in sync
    m.bed.addCard(CardSpec(kCx2b, {"ib", "ib"}));        // not configured
    m.bed.addCard(CardSpec(kCx3, {"ib", "ib"}, 0x1003)); // drift
    m.config(R"({"cards": {"05:00.0": "eth", "07:00.0": "eth"}})");
    RunResult r = m.run({"status", "--json"});
    CHECK(r.status == 3);
    auto cards = cardsOf(r);
    REQUIRE(cards.size() == 3);
    CHECK(cards[0]["state"] == "in_sync");
    CHECK(cards[1]["state"] == "not_configured");
    CHECK(cards[2]["state"] == "drift");
    RunResult text = m.run({"status"});
    CHECK(text.status == 3);
    CHECK(contains(text.out, "0000:05:00.0  1     eth      eth         in sync"));
    CHECK(contains(text.out, "0000:06:00.0  1     ib       -           not configured"));
    CHECK(contains(text.out, "0000:07:00.0  1     ib       eth         drift"));
}

TEST_CASE("a card passed through to a VM is listed as other_driver, exit 0") {
    Machine m;
    CardSpec vfio(kCx2a, {});
    vfio.driver = "vfio-pci";
    m.bed.addCard(vfio);
    SUBCASE("bound to vfio-pci") {}
    SUBCASE("not bound yet, but driver_override names vfio-pci") {
        CardSpec unbound(kCx2b, {});
        unbound.driver = "";
        m.bed.addCard(unbound);
        writeFile(m.bed.filePath(kCx2b, "driver_override"), "vfio-pci\n");
        CHECK(stateOf(m, kCx2b) == "other_driver");
    }
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"status"});
    CHECK(r.status == 0);
    CHECK_FALSE(contains(r.out, "no mlx4 card found"));
    CHECK(contains(r.out, "0000:05:00.0  -     -        -           other driver"));
    CHECK(contains(r.out, "note: 0000:05:00.0 is bound to \"vfio-pci\""));
    CHECK(stateOf(m, kCx2a) == "other_driver");
}

TEST_CASE("pending: configured but no driver yet, or the udev rule's run holds the lock") {
    Machine m;
    m.config(R"({"default": "eth"})");
    SUBCASE("no driver") {
        CardSpec unbound(kCx2a, {});
        unbound.driver = "";
        m.bed.addCard(unbound);
        CHECK(m.run({"status"}).status == 3);
        CHECK(stateOf(m, kCx2a) == "pending");
    }
    SUBCASE("not configured and no driver: nothing is pending") {
        CardSpec unbound(kCx2a, {});
        unbound.driver = "";
        m.bed.addCard(unbound);
        m.config(R"({"cards": {}})");
        CHECK(m.run({"status"}).status == 0);
        CHECK(stateOf(m, kCx2a) == "not_configured");
    }
    SUBCASE("the lock held") {
        m.bed.addCard(CardSpec(kCx2a, {"ib", "ib"}));
        mkdir(m.runDir.c_str(), 0700);
        std::string lockPath = m.runDir + "/" + kCx2a + ".lock";
        int fd = open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        REQUIRE(flock(fd, LOCK_EX) == 0);
        CHECK(m.run({"status"}).status == 3);
        CHECK(stateOf(m, kCx2a) == "pending");
        close(fd);
        CHECK(stateOf(m, kCx2a) == "drift");
    }
}

TEST_CASE("status exits with the worst state: 1 over 3 over 0") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "ib"})); // drift
    m.bed.addCard(CardSpec(kCx2b, {"ib"}));       // failed: two ports asked of one
    m.config(R"({"cards": {"05:00.0": "eth", "06:00.0": ["eth", "eth"]}})");
    CHECK(m.run({"status"}).status == 1);
    CHECK(m.run({"status", kCx2a}).status == 3);
    CHECK(m.run({"status", kCx2b}).status == 1);
    CHECK(stateOf(m, kCx2b) == "failed");
}

TEST_CASE("an address entry whose slot is empty: status exit 3, check, the dry run and apply "
          "--all say it with file and line") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
    m.config("{\"cards\": {\"05:00.0\": \"eth\",\n\"0000:82:00.0\": \"ib\",\n"
             "\"serial:MT9999X99999\": \"ib\"}}");
    const std::string said = m.configDir + "/config.json:2: 0000:82:00.0 matches no card present";
    RunResult status = m.run({"status"});
    CHECK(status.status == 3);
    CHECK(contains(status.out, "note: " + said));
    RunResult json = m.run({"status", "--json"});
    CHECK(json.status == 3);
    auto unmatched = nlohmann::json::parse(json.out)["unmatched_entries"];
    REQUIRE(unmatched.size() == 1);
    CHECK(unmatched[0]["key"] == "0000:82:00.0");
    CHECK(unmatched[0]["line"] == 2);
    // Only the card's own address asked: the empty slot is not its business.
    CHECK(m.run({"status", kCx2a}).status == 0);
    RunResult check = m.run({"check"});
    CHECK(contains(check.out, "entries that match no card present:\n  0000:82:00.0  (" +
                                  m.configDir + "/config.json:2)\n"));
    // A unit entry that matches nothing: check only (a fleet-wide file names other hosts).
    CHECK(contains(check.out, "  serial:MT9999X99999  (" + m.configDir + "/config.json:3)\n"));
    CHECK_FALSE(contains(status.out, "MT9999X99999"));
    RunResult dry = m.run({"apply", "--dry-run", "--all"});
    CHECK(contains(dry.err, "warning: " + said));
    RunResult boot = m.run({"apply", "--all"});
    CHECK(boot.status == 0);
    CHECK(contains(boot.err, "warning: " + said));
}

TEST_CASE("status notes the module option port_type_array") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "eth"}));
    m.bed.loadModule("mlx4_core");
    const std::string option = m.bed.rootDir() + "/sys/module/mlx4_core/parameters/port_type_array";
    writeFile(option, "0,0\n");
    CHECK_FALSE(contains(m.run({"status"}).out, "port_type_array"));
    writeFile(option, "1,2\n");
    RunResult r = m.run({"status"});
    CHECK(contains(r.out, "note: mlx4_core was loaded with port_type_array=1,2"));
    CHECK(contains(r.out, "does not check it against DPDP"));
    CHECK(nlohmann::json::parse(m.run({"status", "--json"}).out)["port_type_array"] == "1,2");
}

TEST_CASE("a dry run with nothing configured says so at the normal level") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    m.config(R"({"cards": {}})");
    RunResult r = m.run({"apply", "--dry-run", "--all"});
    CHECK(r.status == 0);
    CHECK(contains(r.err, "no card is configured in " + m.configDir + "; nothing to do"));
    // udev's runs and the boot unit's stay quiet about it.
    CHECK_FALSE(contains(m.run({"apply", "--all"}).err, "no card is configured"));
}

TEST_CASE("status with a broken configuration lists the cards after the errors, exit 2") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    m.config(R"({"cards": {"05:00.0": "bogus"}})");
    RunResult r = m.run({"status"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "unknown port type \"bogus\""));
    CHECK(contains(r.out, "0000:05:00.0  1     ib       -           not configured"));
}

TEST_CASE("status fits 100 columns, the identity table too") {
    Machine m;
    m.bed.addCard(realCard(kCx2a));
    m.bed.addCard(realCard(kCx2b, kGuidB, "MT1111X00001"));
    m.bed.loadModule("mlx4_en");
    m.config("{\"cards\": {\"guid:0002c903000cc89a\": \"eth\",\n\"06:00.0\": [\"ib\", \"eth\"]}}",
             "config.d/50-a-rather-long-name-for-a-drop-in-file.json");
    RunResult r = m.run({"status"});
    for (const std::string& line : lines(r.out)) {
        if (line.rfind("note: ", 0) == 0)
            continue; // notes are sentences, wrapped by the terminal
        CAPTURE(line);
        CHECK(line.size() <= 100);
    }
    CHECK(contains(r.out, "guid 50-a-ra...e.json:1"));
    CHECK(contains(r.out, "slot 50-a-ra...e.json:2"));
}

TEST_CASE("Ethernet's speed: the dry run of ib -> eth and status say it") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "ib"}));
    m.config(R"({"cards": {"05:00.0": "eth"}})");
    RunResult dry = m.run({"apply", "--dry-run", kCx2a});
    CHECK(contains(dry.out, "  in Ethernet mode this card runs at 10 Gb/s\n"));
    RunResult status = m.run({"status"});
    CHECK(contains(status.out, "note: 0000:05:00.0: this card's Ethernet runs at 10 Gb/s"));
    auto card = cardsOf(m.run({"status", "--json"}))[0];
    CHECK(card["ethernet_speed"] == "10 Gb/s");
    // Not for a switch to InfiniBand.
    m.config(R"({"cards": {"05:00.0": "ib"}})");
    m.bed.setPort(kCx2a, 1, "eth");
    m.bed.setPort(kCx2a, 2, "eth");
    CHECK_FALSE(contains(m.run({"apply", "--dry-run", kCx2a}).out, "in Ethernet mode"));
}

TEST_CASE("the dry run of a mixed target warns that it needs DPDP firmware") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "ib"}));
    m.config(R"({"cards": {"05:00.0": ["ib", "eth"]}})");
    RunResult r = m.run({"apply", "--dry-run", kCx2a});
    CHECK(contains(r.out, "  warning: [ib, eth] mixes InfiniBand and Ethernet on one card: the "
                          "driver accepts that only from firmware with DPDP"));
    m.config(R"({"cards": {"05:00.0": "eth"}})");
    CHECK_FALSE(contains(m.run({"apply", "--dry-run", kCx2a}).out, "DPDP"));
}

TEST_CASE("refused and conflict are states too, exit 1") {
    Machine m;
    m.bed.addCard(realCard(kCx2a));
    SUBCASE("the kernel refused the target at this probe") {
        m.bed.addCard(CardSpec(kCx2b));
        CardSpec card(kCx3, {"ib", "ib"});
        card.kernel = "no-dpdp";
        m.bed.addCard(card);
        m.config(R"({"cards": {"07:00.0": ["ib", "eth"]}})");
        CHECK(m.run({"apply", kCx3}).status == 1);
        CHECK(m.run({"status"}).status == 1);
        CHECK(stateOf(m, kCx3) == "refused");
    }
    SUBCASE("two entries of one rank disagree") {
        m.config(R"({"cards": {"guid:0002c903000cc89a": "eth", "serial:MT1037X01146": "ib"}})");
        CHECK(m.run({"status"}).status == 1);
        CHECK(stateOf(m, kCx2a) == "conflict");
    }
}

TEST_CASE("wait holds an in-sync card until its Ethernet interface is processed by udev") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "ib"}));
    m.config(R"({"cards": {"05:00.0": ["eth", "ib"]}})");
    SUBCASE("without mlx4_en no interface will come: not waited for") {
        CHECK(m.run({"wait", "--timeout", "5"}).status == 0);
    }
    SUBCASE("mlx4_en loaded, no interface yet") {
        m.bed.loadModule("mlx4_en");
        RunResult r = m.run({"wait", "--timeout", "1"});
        CHECK(r.status == 1);
        CHECK(contains(r.err, "port 1: its network interface is not registered yet"));
    }
    SUBCASE("the interface is there, but udev's database does not have it") {
        // The testbed's netdev has no udev record: as before udev processed (renamed) it.
        m.bed.loadModule("mlx4_en");
        NetdevSpec eth0;
        eth0.name = "eth0";
        m.bed.addNetdev(kCx2a, eth0);
        RunResult r = m.run({"wait", "--timeout", "1"});
        CHECK(r.status == 1);
        CHECK(contains(r.err, "port 1: its network interface is not processed by udev yet"));
    }
}
