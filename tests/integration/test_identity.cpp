// SPDX-License-Identifier: GPL-2.0-or-later
// Cards known by their identity (guid:, serial:, part:) on umockdev testbeds whose `config` and
// `vpd` attributes have the byte layout of real cards: cards that move, swap, conflict, have
// broken VPD, unprogrammed serials, or are read by a user who sees 64 bytes of config space.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "card_bytes.h"
#include "machine.h"
#include "testbed.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using mlx4::test::CardSpec;
using mlx4::test::ConfigSpaceSpec;
using mlx4::test::contains;
using mlx4::test::Machine;
using mlx4::test::RunResult;
using mlx4::test::Testbed;
using mlx4::test::VpdSpec;

namespace {

constexpr uint64_t kGuidA = 0x0002c903000cc89aULL;
constexpr uint64_t kGuidB = 0x0002c903000a1b2cULL;

// An MHQH19B-XTR with its Device Serial Number and VPD, both ports ib, at `address`.
CardSpec realCard(const std::string& address, uint64_t guid = kGuidA,
                  const std::string& serial = "MT1037X01146",
                  const std::string& part = "MHQH19B-XTR") {
    CardSpec card(address);
    card.config = mlx4::test::configSpace({0x15b3, 0x673c, guid, 4096});
    VpdSpec vpd;
    vpd.serial = serial;
    vpd.part = part;
    card.vpd = mlx4::test::vpdImage(vpd);
    return card;
}

size_t count(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

// status --json of cards that are read, whether in sync (exit 0) or not (exit 3).
nlohmann::json statusJson(Machine& m) {
    RunResult r = m.run({"status", "--json"});
    REQUIRE_MESSAGE((r.status == 0 || r.status == 3), r.err);
    return nlohmann::json::parse(r.out);
}

} // namespace

TEST_CASE("a card configured by guid: keeps its configuration at a new address") {
    const char* config = R"({"cards": {"guid:0x0002c903000cc89a": "eth", "05:00.0": "ib"}})";
    {
        Machine m;
        m.bed.addCard(realCard("0000:05:00.0"));
        m.config(config);
        CHECK(m.run({"apply", "--all"}).status == 0);
        CHECK(m.ports("0000:05:00.0") == "eth,eth");
    }
    // The card moved to another slot (or the bus was renumbered); a different card took its
    // old address, which its address entry still names.
    Machine m;
    m.bed.addCard(realCard("0000:83:00.0"));
    m.bed.addCard(realCard("0000:05:00.0", kGuidB, "MT1111X00001"));
    m.config(config);
    RunResult r = m.run({"apply", "--all"});
    CHECK(r.status == 0);
    CHECK(m.ports("0000:83:00.0") == "eth,eth");
    CHECK(m.ports("0000:05:00.0") == "ib,ib");
    CHECK(contains(r.err, "0000:83:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): ports "
                          "[ib, ib] -> [eth, eth]: switched as configured in " +
                              m.configDir + "/config.json:1"));
}

TEST_CASE("two cards swapped between slots each keep their own types") {
    const char* config = R"({"cards": {
        "guid:0002:c903:000c:c89a": "eth",
        "serial:MT1111X00001": ["ib", "eth"]}})";
    for (bool swapped : {false, true}) {
        CAPTURE(swapped);
        Machine m;
        std::string a = swapped ? "0000:06:00.0" : "0000:05:00.0";
        std::string b = swapped ? "0000:05:00.0" : "0000:06:00.0";
        m.bed.addCard(realCard(a, kGuidA));
        m.bed.addCard(realCard(b, kGuidB, "MT1111X00001"));
        m.config(config);
        CHECK(m.run({"apply", "--all"}).status == 0);
        CHECK(m.ports(a) == "eth,eth");
        CHECK(m.ports(b) == "ib,eth");
    }
}

TEST_CASE("the rule's command, apply ADDRESS, picks up guid: and serial: entries") {
    Machine m;
    m.bed.addCard(realCard("0000:05:00.0"));
    m.bed.addCard(realCard("0000:06:00.0", kGuidB, "MT1111X00001"));
    m.config(R"({"cards": {"guid:00-02-c9-03-00-0c-c8-9a": "eth",
                           "serial:mt1111x00001": "eth"}})");
    CHECK(m.run({"--syslog", "apply", "0000:05:00.0"}).status == 0);
    CHECK(m.ports("0000:05:00.0") == "eth,eth");
    CHECK(m.ports("0000:06:00.0") == "ib,ib"); // not addressed
    CHECK(m.run({"--syslog", "apply", "06:00.0"}).status == 0);
    CHECK(m.ports("0000:06:00.0") == "eth,eth");
}

TEST_CASE("precedence on a machine: unit, then slot, then model, then default") {
    Machine m;
    m.bed.addCard(realCard("0000:05:00.0", kGuidA, "SN-A"));             // guid and address
    m.bed.addCard(realCard("0000:06:00.0", kGuidB, "SN-B"));             // address and part
    m.bed.addCard(realCard("0000:07:00.0", 0x0002c903000c0007, "SN-C")); // part only
    m.bed.addCard(realCard("0000:08:00.0", 0x0002c903000c0008, "SN-D", "MHQH29B-XTR"));
    m.config(R"({"default": ["keep", "eth"], "cards": {
        "part:MHQH19B-*": ["eth", "ib"],
        "0000:05:00.0": "ib",
        "0000:06:00.0": "eth"}})");
    m.config(R"({"cards": {"guid:0002c903000cc89a": ["eth", "eth"]}})", "config.d/50-a.json");
    CHECK(m.run({"apply", "--all"}).status == 0);
    CHECK(m.ports("0000:05:00.0") == "eth,eth");
    CHECK(m.ports("0000:06:00.0") == "eth,eth");
    CHECK(m.ports("0000:07:00.0") == "eth,ib");
    CHECK(m.ports("0000:08:00.0") == "ib,eth");
    auto doc = statusJson(m);
    CHECK(doc["cards"][0]["source"] == m.configDir + "/config.d/50-a.json:1");
    CHECK(doc["cards"][1]["source"] == m.configDir + "/config.json:4");
    CHECK(doc["cards"][2]["source"] == m.configDir + "/config.json:2");
    CHECK(doc["cards"][3]["source"] == m.configDir + "/config.json:1");
}

TEST_CASE("two entries of one rank that disagree leave that card untouched and name both") {
    Machine m;
    m.bed.addCard(realCard("0000:05:00.0"));
    m.bed.addCard(realCard("0000:06:00.0", kGuidB, "MT1111X00001"));
    m.config(R"({"cards": {"guid:0002c903000cc89a": "eth", "06:00.0": "eth"}})");
    m.config("{\"cards\": {\n\"serial:MT1037X01146\": \"ib\"}}", "config.d/50-lab.json");
    RunResult r = m.run({"apply", "--all"});
    CHECK(r.status == 1);
    CHECK(m.ports("0000:05:00.0") == "ib,ib");
    CHECK(m.ports("0000:06:00.0") == "eth,eth"); // the other card is still handled
    CHECK(contains(r.err, "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): "
                          "guid:0002:c903:000c:c89a (" +
                              m.configDir + "/config.json:1) and serial:MT1037X01146 (" +
                              m.configDir +
                              "/config.d/50-lab.json:2) both name this card, with different "
                              "port types (eth and ib); the card was not touched"));
    // Two part: globs that overlap conflict the same way.
    m.config(R"({"cards": {"part:MHQH*": "eth", "part:*-XTR": "ib"}})");
    m.config("{}", "config.d/50-lab.json");
    r = m.run({"apply", "0000:05:00.0"});
    CHECK(r.status == 1);
    CHECK(contains(r.err, "part:*-XTR (" + m.configDir + "/config.json:1) and part:MHQH* (" +
                              m.configDir + "/config.json:1) both name this card"));
    CHECK(m.ports("0000:05:00.0") == "ib,ib");
    // check says it too.
    r = m.run({"check"});
    CHECK(r.status == 1);
    CHECK(
        contains(r.out, "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)  conflict: "));
}

TEST_CASE("missing, truncated and bad-checksum VPD: none, or unknown and the card left alone") {
    Machine m;
    CardSpec missing = realCard("0000:05:00.0");
    missing.vpd.clear();
    CardSpec truncated = realCard("0000:06:00.0");
    VpdSpec cut;
    cut.readable = 30;
    truncated.vpd = mlx4::test::vpdImage(cut);
    CardSpec badChecksum = realCard("0000:07:00.0");
    VpdSpec bad;
    bad.badChecksum = true;
    badChecksum.vpd = mlx4::test::vpdImage(bad);
    for (const CardSpec& card : {missing, truncated, badChecksum})
        m.bed.addCard(card);
    m.bed.addCard(realCard("0000:08:00.0")); // the same serial, with good VPD
    m.config(R"({"cards": {"serial:MT1037X01146": "eth", "part:MHQH19B-XTR": "eth"}})");
    RunResult r = m.run({"-v", "apply", "--all"});
    // 05:00.0 has no VPD: nothing names it. 06 and 07 may be what part: names (their serial
    // cannot be MT1037X01146, which 08:00.0 has): not touched, an error.
    CHECK(r.status == 1);
    CHECK(m.ports("0000:05:00.0") == "ib,ib");
    CHECK(m.ports("0000:06:00.0") == "ib,ib");
    CHECK(m.ports("0000:07:00.0") == "ib,ib");
    CHECK(m.ports("0000:08:00.0") == "eth,eth");
    CHECK(contains(r.err, "0000:06:00.0: identity partly unknown: the VPD is cut short"));
    CHECK(contains(r.err, "0000:07:00.0: identity partly unknown: the VPD has a bad checksum"));
    CHECK(contains(r.err, "0000:07:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): identity "
                          "unknown, so the card was not touched: part:MHQH19B-XTR (" +
                              m.configDir + "/config.json:1) may name it"));
    CHECK_FALSE(contains(r.err, "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): "
                                "identity unknown"));
    RunResult status = m.run({"status", "--json"});
    CHECK(status.status == 1);
    auto doc = nlohmann::json::parse(status.out);
    for (int i = 0; i < 3; ++i) {
        CAPTURE(i);
        CHECK(doc["cards"][i]["serial"].is_null());
        CHECK(doc["cards"][i]["part"].is_null());
        CHECK(doc["cards"][i]["guid"] == "0002:c903:000c:c89a"); // config space is fine
        CHECK(doc["cards"][i]["source"].is_null());
    }
    CHECK_FALSE(doc["cards"][0].contains("identity_unknown"));
    CHECK(contains(doc["cards"][2]["identity_unknown"], "the VPD has a bad checksum"));
    CHECK(contains(doc["cards"][2]["note"], "identity unknown, so the card was not touched"));
    CHECK(doc["cards"][3]["serial"] == "MT1037X01146");
}

TEST_CASE("a Device Serial Number of 0 or all-ones is no identity, but the node GUID still is") {
    Machine m;
    m.bed.addCard(realCard("0000:05:00.0", 0));
    m.bed.addCard(realCard("0000:06:00.0", ~uint64_t{0}));
    CardSpec withIb = realCard("0000:07:00.0", 0);
    withIb.ibDevice = "mlx4_0"; // node_guid 0002:c903:000c:c89a
    m.bed.addCard(withIb);
    m.config(R"({"default": "keep", "cards": {"guid:0002c903000cc89a": "eth"}})");
    CHECK(m.run({"apply", "--all"}).status == 0);
    CHECK(m.ports("0000:05:00.0") == "ib,ib");
    CHECK(m.ports("0000:06:00.0") == "ib,ib");
    CHECK(m.ports("0000:07:00.0") == "eth,eth");
    auto doc = statusJson(m);
    CHECK(doc["cards"][0]["guid"].is_null());
    CHECK(doc["cards"][1]["guid"].is_null());
    CHECK(doc["cards"][2]["guid"] == "0002:c903:000c:c89a");
    CHECK(doc["cards"][2]["node_guid"] == "0002:c903:000c:c89a");
}

TEST_CASE("status --json shows every identity field and the entry that configures the card") {
    Machine m;
    CardSpec card = realCard("0000:05:00.0", kGuidB);
    card.ibDevice = "ibp5s0"; // renamed by rdma-core: found through the card, not by name
    card.nodeGuid = "0002:c903:000c:c89a";
    m.bed.addCard(card);
    m.config("{\n\"cards\": {\"serial:MT1037X01146\": \"eth\"}}");
    auto doc = statusJson(m);
    const auto& c = doc["cards"][0];
    CHECK(c["guid"] == "0002:c903:000a:1b2c");
    CHECK(c["node_guid"] == "0002:c903:000c:c89a");
    CHECK(c["serial"] == "MT1037X01146");
    CHECK(c["part"] == "MHQH19B-XTR");
    CHECK(c["product"] == "KESTREL QDR");
    CHECK(c["psid"] == "MT_0D80110009");
    CHECK(c["firmware"] == "2.9.1000");
    CHECK(c["source"] == m.configDir + "/config.json:2");
    // The text form shows both GUIDs when they differ.
    RunResult r = m.run({"status"});
    CHECK(contains(r.out, "note: 0000:05:00.0: node_guid 0002:c903:000c:c89a differs from the "
                          "Device Serial Number 0002:c903:000a:1b2c"));
    CHECK(contains(r.out, "serial config.json:2"));
}

TEST_CASE("without root and without a record, a card a guid: entry may name is unknown, exit 1") {
    Machine m;
    for (const char* address : {"0000:05:00.0", "0000:06:00.0"}) {
        CardSpec card(address);
        card.config = mlx4::test::configSpace({0x15b3, 0x673c, kGuidA, 64});
        m.bed.addCard(card);
    }
    m.config(R"({"cards": {"guid:0002c903000cc89a": "ib", "05:00.0": "eth"}})");
    RunResult r = m.run({"status"});
    // Not 3 (drift against the address entry): the guid: entry may name either card.
    CHECK(r.status == 1);
    CHECK(count(r.err, "readable only by root") == 1);
    CHECK(contains(r.out, "note: 0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): "
                          "identity unknown, so the card was not touched: "
                          "guid:0002:c903:000c:c89a (" +
                              m.configDir +
                              "/config.json:1) may name it and outranks 0000:05:00.0"));
    CHECK(contains(r.out, "it is readable only by root, and no root run has recorded it"));
    RunResult json = m.run({"status", "--json"});
    CHECK(json.status == 1);
    auto doc = nlohmann::json::parse(json.out);
    CHECK(doc["cards"][0]["state"] == "unknown_identity");
    CHECK(doc["cards"][0]["guid"].is_null());
    CHECK(contains(doc["cards"][0]["identity_unknown"], "readable only by root"));
    CHECK(doc["cards"][0]["in_sync"] == false);
}

TEST_CASE("check lists which entry matches which card present") {
    Machine m;
    m.bed.addCard(realCard("0000:05:00.0"));
    m.bed.addCard(realCard("0000:06:00.0", kGuidB, "MT1111X00001"));
    m.config(R"({"cards": {"guid:0002c903000cc89a": "eth"}})");
    RunResult r = m.run({"check"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "  guid:0002:c903:000c:c89a  eth         (" + m.configDir +
                              "/config.json:1)\n"));
    CHECK(contains(r.out, "cards present:\n  0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, "
                          "MHQH19B/MHQH29B)  guid:0002:c903:000c:c89a  eth  (" +
                              m.configDir + "/config.json:1)\n"));
    CHECK(contains(r.out, "  0000:06:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)  no "
                          "entry: left as it is\n"));
}

TEST_CASE("an Ethernet-only card asked ib by its address is failed, never written") {
    Machine m;
    // ConnectX-3 EN: it shares the PCI ID with the VPI cards, so its part number tells (read by
    // the dry run and status).
    CardSpec card = realCard("0000:05:00.0", kGuidA, "MT1234X00001", "MCX312A-XCBT");
    card.device = 0x1003;
    card.ports = {"eth", "eth"};
    m.bed.addCard(card);
    m.config("{\"cards\": {\n\"0000:05:00.0\": \"ib\"}}");
    const std::string failed = "0000:05:00.0 is an Ethernet-only card (MCX312A-XCBT, ConnectX-3 "
                               "EN): its ports cannot run ib, which 0000:05:00.0 (" +
                               m.configDir + "/config.json:2) asks; configure eth for it";
    RunResult r = m.run({"apply", "--dry-run", "--all"});
    CHECK(r.status == 1);
    CHECK(contains(r.err, failed + "; nothing was written"));
    r = m.run({"status"});
    CHECK(r.status == 1);
    CHECK(contains(r.out, "0000:05:00.0  1     eth      ib          failed"));
    CHECK(contains(r.out, "note: " + failed));
    CHECK(m.ports("0000:05:00.0") == "eth,eth");
}

TEST_CASE("an Ethernet-only PCI ID is never written by apply --all") {
    Machine m;
    CardSpec en("0000:06:00.0", {"eth", "eth"}, 0x6750); // ConnectX-2 EN, the 10 GbE card
    m.bed.addCard(en);
    SUBCASE("a default asking ib is ignored for it, with a note") {
        m.config(R"({"default": "ib"})");
        RunResult r = m.run({"apply", "--all"});
        CHECK(r.status == 0);
        CHECK(contains(r.err, "0000:06:00.0 is an Ethernet-only card (MT26448 ConnectX EN): "
                              "nothing to set; default ("));
        RunResult status = m.run({"status", "--json"});
        CHECK(status.status == 0);
        CHECK(nlohmann::json::parse(status.out)["cards"][0]["state"] == "ethernet_only");
    }
    SUBCASE("its address asking ib is an error for that card") {
        m.config(R"({"cards": {"06:00.0": "ib"}})");
        RunResult r = m.run({"apply", "--all"});
        CHECK(r.status == 1);
        CHECK(contains(r.err, "its ports cannot run ib"));
        RunResult status = m.run({"status", "--json"});
        CHECK(status.status == 1);
        CHECK(nlohmann::json::parse(status.out)["cards"][0]["state"] == "failed");
    }
    SUBCASE("asking eth: nothing to set either") {
        m.config(R"({"cards": {"06:00.0": "eth"}})");
        CHECK(m.run({"apply", "--all"}).status == 0);
    }
    CHECK(m.writesTo("0000:06:00.0").empty());
}

TEST_CASE("--quiet keeps warnings and errors and drops the other messages") {
    // An address entry whose slot is empty: a warning. A card switched: a notice. An
    // Ethernet-only card a part: entry asks ib of: ignored for it, said at the info level. A
    // one-port card asked for two: an error.
    auto run = [](std::vector<std::string> options) {
        Machine m;
        CardSpec card = realCard("0000:05:00.0", kGuidA, "MT1234X00001", "MCX312A-XCBT");
        card.device = 0x1003;
        card.ports = {"eth", "eth"};
        m.bed.addCard(card);
        CardSpec onePort = realCard("0000:06:00.0", kGuidB, "MT1111X00001");
        onePort.ports = {"ib"};
        m.bed.addCard(onePort);
        m.bed.addCard(CardSpec("0000:07:00.0", {"ib", "ib"}));
        // By part number: only then does apply read the card's VPD.
        m.config(R"({"cards": {"part:MCX312A-*": "ib", "0000:06:00.0": ["eth", "eth"],
                     "0000:07:00.0": "eth", "0000:0b:00.0": "eth"}})");
        options.insert(options.end(), {"apply", "--all"});
        RunResult r = m.run(options);
        CHECK(m.ports("0000:05:00.0") == "eth,eth"); // never written
        return r;
    };
    const std::string warning = "matches no card present";
    const std::string error = "mlx4-porttype: error: 0000:06:00.0 (MT26428 ConnectX-2 VPI QDR, "
                              "MHQH19B/MHQH29B): ";
    const std::string notice = "switched as configured";
    const std::string info = "0000:05:00.0 is an Ethernet-only card (MCX312A-XCBT, ConnectX-3 "
                             "EN): nothing to set; part:MCX312A-* (";
    RunResult normal = run({});
    CAPTURE(normal.err);
    CHECK(normal.status == 1);
    CHECK(contains(normal.err, "mlx4-porttype: warning: "));
    CHECK(contains(normal.err, warning));
    CHECK(contains(normal.err, error));
    CHECK(contains(normal.err, notice));
    CHECK(contains(normal.err, info));
    for (const char* quiet : {"-q", "--quiet"}) {
        RunResult r = run({quiet});
        CAPTURE(r.err);
        CHECK(r.status == 1);
        CHECK(contains(r.err, warning));
        CHECK(contains(r.err, error));
        CHECK_FALSE(contains(r.err, notice));
        CHECK_FALSE(contains(r.err, info));
    }
}

namespace {

// Config space whose extended capability list is broken in the ways the kernel's walk meets.
std::string brokenConfig(const std::string& how) {
    std::string config = mlx4::test::configSpace({});
    if (how == "all ones")
        for (size_t i = 0x100; i < config.size(); ++i)
            config[i] = '\xff';
    if (how == "loop") { // AER's next pointer: itself
        config[0x102] = 0x01;
        config[0x103] = 0x10;
    }
    if (how == "serial all ones")
        config = mlx4::test::configSpace({0x15b3, 0x673c, ~uint64_t{0}, 4096});
    return config;
}

std::string applyResult(Machine& m, const std::string& address, const std::string& faults = "") {
    RunResult r = m.run({"apply", "--json", address}, faults);
    auto doc = nlohmann::json::parse(r.out);
    return std::to_string(r.status) + " " + doc["cards"][0]["result"].get<std::string>();
}

} // namespace

TEST_CASE("a card whose GUID cannot be read is left alone, not handed to default") {
    Machine m;
    CardSpec card = realCard("0000:05:00.0");
    std::string faults;
    SUBCASE("the DSN capability reads all ones") {
        card.config = brokenConfig("all ones");
    }
    SUBCASE("the Device Serial Number reads all ones") {
        card.config = brokenConfig("serial all ones");
    }
    SUBCASE("the capability list loops") {
        card.config = brokenConfig("loop");
    }
    SUBCASE("config space cannot be read") {
        faults = "open|*/config|EIO";
    }
    m.bed.addCard(card);
    m.config(R"({"default": "eth", "cards": {"guid:0002c903000cc89a": "ib"}})");
    RunResult r = m.run({"apply", "0000:05:00.0"}, faults);
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(m.ports("0000:05:00.0") == "ib,ib");
    // At the normal level, for the journal.
    CHECK(contains(r.err, "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): identity "
                          "unknown, so the card was not touched: guid:0002:c903:000c:c89a (" +
                              m.configDir + "/config.json:1) may name it and outranks default"));
    CHECK(applyResult(m, "0000:05:00.0", faults) == "1 failed");
    CHECK(m.run({"apply", "--all"}, faults).status == 1);
    CHECK(m.ports("0000:05:00.0") == "ib,ib");
    RunResult status = m.run({"status"}, faults);
    CHECK(status.status == 1);
    CHECK(contains(status.out, "identity unknown, so the card was not touched"));
}

TEST_CASE("a guid: entry that names a known card elsewhere does not freeze the others") {
    Machine m;
    CardSpec known = realCard("0000:05:00.0");
    known.ports = {"eth", "eth"};
    CardSpec broken = realCard("0000:06:00.0", kGuidB);
    broken.config = brokenConfig("all ones");
    m.bed.addCard(known);
    m.bed.addCard(broken);
    m.config(R"({"default": "eth", "cards": {"guid:0002c903000cc89a": "ib"}})");
    RunResult r = m.run({"apply", "0000:06:00.0"});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(m.ports("0000:06:00.0") == "eth,eth");
    CHECK(m.run({"apply", "--all"}).status == 0);
    CHECK(m.ports("0000:05:00.0") == "ib,ib");
    // A second guid: entry that names no card present freezes the broken card again.
    m.config(R"({"default": "eth", "cards": {"guid:0002c903000cc89a": "ib",
                 "guid:0002c903000a1b2c": "ib"}})");
    r = m.run({"apply", "0000:06:00.0"});
    CHECK(r.status == 1);
    CHECK(contains(r.err, "guid:0002:c903:000a:1b2c"));
    CHECK(m.ports("0000:06:00.0") == "eth,eth");
}

TEST_CASE("a card whose GUID comes from node_guid is unknown until its InfiniBand device exists") {
    Machine m;
    CardSpec card = realCard("0000:05:00.0", 0); // no Device Serial Number programmed
    m.bed.addCard(card);
    m.config(R"({"default": "eth", "cards": {"guid:0002c903000cc89a": "ib"}})");
    RunResult r = m.run({"apply", "0000:05:00.0"});
    CHECK(r.status == 1);
    CHECK(contains(r.err, "no InfiniBand device yet, whose node_guid would be its GUID"));
    CHECK(m.ports("0000:05:00.0") == "ib,ib"); // not flipped to default's eth
    Machine withIb;
    card.ibDevice = "mlx4_0"; // node_guid 0002:c903:000c:c89a
    card.ports = {"eth", "eth"};
    withIb.bed.addCard(card);
    withIb.config(R"({"default": "eth", "cards": {"guid:0002c903000cc89a": "ib"}})");
    CHECK(withIb.run({"apply", "0000:05:00.0"}).status == 0);
    CHECK(withIb.ports("0000:05:00.0") == "ib,ib");
}

TEST_CASE("VPD is read as the kernel does: a bad byte in V0, no end tag, a large read-write area") {
    Machine m;
    VpdSpec vpd;
    SUBCASE("a byte that is not text in V0") {
        vpd.vendor0Bytes = std::string("PCIeGen2\x01\xfe"
                                       "8",
                                       11); // as long as "PCIeGen2 x8"
    }
    SUBCASE("no end tag, the rest of the VPD garbage") {
        vpd.endTag = false;
        vpd.readable = 300;
    }
    SUBCASE("4 KB of read-write resource, as on a ConnectX-3") {
        vpd.readWrite = 3900;
        vpd.readable = 4047;
    }
    CardSpec card = realCard("0000:05:00.0");
    card.vpd = mlx4::test::vpdImage(vpd);
    if (!vpd.endTag)
        for (size_t i = card.vpd.size() - 200; i < card.vpd.size(); ++i)
            card.vpd[i] = '\x5a';
    m.bed.addCard(card);
    m.config(R"({"default": "ib", "cards": {"part:MHQH19B-*": "eth"}})");
    RunResult r = m.run({"-v", "apply", "0000:05:00.0"});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(m.ports("0000:05:00.0") == "eth,eth");
    // Up to the end of the read-only resource only.
    CHECK(contains(r.err, "0000:05:00.0: read 71 bytes of the VPD"));
    auto doc = statusJson(m);
    CHECK(doc["cards"][0]["serial"] == "MT1037X01146");
}

TEST_CASE("root runs record a card's identity, and status without root uses it") {
    Machine m;
    CardSpec card = realCard("0000:05:00.0");
    m.bed.addCard(card);
    m.config(R"({"cards": {"guid:0002c903000cc89a": "ib", "serial:MT1037X01146": "ib",
                 "05:00.0": "eth"}})");
    // A user sees 64 bytes of config space and may not open the VPD.
    auto asUser = [&m]() {
        std::string config = mlx4::test::configSpace({0x15b3, 0x673c, kGuidA, 64});
        std::ofstream(m.bed.filePath("0000:05:00.0", "config"), std::ios::trunc) << config;
    };
    const char* const kNoVpd = "open|*/vpd|EACCES";
    // The udev event of a root run reads (and records) what the configuration matches on.
    m.extraEnvironment = {"ACTION=bind", "DEVPATH=/devices/pci0000:00/0000:05:00.0",
                          "SUBSYSTEM=pci"};
    REQUIRE(m.run({"apply", "0000:05:00.0"}).status == 0);
    m.extraEnvironment.clear();
    std::string record = m.runDir + "/identity/0000:05:00.0";
    struct stat st;
    REQUIRE(stat(record.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
    asUser();
    RunResult r = m.run({"status", "--json"}, kNoVpd);
    CAPTURE(r.err);
    CHECK(r.status == 0); // in sync as the guid: entry says
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["cards"][0]["guid"] == "0002:c903:000c:c89a");
    CHECK(doc["cards"][0]["serial"] == "MT1037X01146");
    CHECK(doc["cards"][0]["source"] == m.configDir + "/config.json:1");

    SUBCASE("a record root does not own is not trusted") {
        REQUIRE(chown(record.c_str(), 65534, 65534) == 0);
    }
    SUBCASE("a record others can write is not trusted") {
        REQUIRE(chmod(record.c_str(), 0666) == 0);
    }
    SUBCASE("a record of an earlier probe is not used") {
        m.bed.unbindDriver("0000:05:00.0");
        m.bed.bindDriver("0000:05:00.0", {"ib", "ib"});
    }
    r = m.run({"status"}, kNoVpd);
    CHECK(r.status == 1); // never 0 or 3
    CHECK(contains(r.out, "identity unknown, so the card was not touched"));
}

TEST_CASE("a card in a same-rank conflict shows the conflict, not one side's types") {
    Machine m;
    m.bed.addCard(realCard("0000:05:00.0"));
    m.config(R"({"cards": {"guid:0002c903000cc89a": "eth", "serial:MT1037X01146": "ib"}})");
    RunResult r = m.run({"status"});
    CHECK(r.status == 1);
    CHECK(contains(r.out, "conflict: guid:0002:c903:000c:c89a (" + m.configDir +
                              "/config.json:1), serial:MT1037X01146 (" + m.configDir +
                              "/config.json:1)"));
    CAPTURE(r.out);
    CHECK(contains(r.out, "ib       conflict    conflict"));
    CHECK_FALSE(contains(r.out, "ib       eth"));
    RunResult json = m.run({"status", "--json"});
    auto card = nlohmann::json::parse(json.out)["cards"][0];
    CHECK(card["ports"][0]["configured"].is_null());
    CHECK(card["source"].is_null());
    CHECK(card["conflict"].size() == 2);
}
