// SPDX-License-Identifier: GPL-2.0-or-later
// The built helper's set, unset and check --file on umockdev testbeds with the kernel model
// behind the cards: a type chosen without editing JSON, switched and recorded in one command,
// and everything that must stop it before set.json is written.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "card_bytes.h"
#include "machine.h"

#include <arpa/inet.h>
#include <fstream>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlx4::test;

namespace {

const std::string kLabelA = "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";
const std::string kLabelB = "0000:06:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";

std::string setFile(const Machine& m) {
    return m.configDir + "/set.json";
}

bool exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

std::string contents(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// Two ConnectX-2 cards, both ports ib.
void twoCards(Machine& m) {
    m.bed.addCard(CardSpec(kCx2a));
    m.bed.addCard(CardSpec(kCx2b));
}

// An MHQH19B-XTR with its Device Serial Number and VPD, both ports ib.
CardSpec cardWithIdentity(const std::string& address) {
    CardSpec card(address);
    card.config = configSpace({0x15b3, 0x673c, 0x0002c903000cc89aULL, 4096});
    VpdSpec vpd;
    vpd.serial = "MT1037X01146";
    vpd.part = "MHQH19B-XTR";
    card.vpd = vpdImage(vpd);
    return card;
}

} // namespace

TEST_CASE("set default eth switches every card and records it, in one command") {
    Machine m;
    twoCards(m);
    RunResult r = m.run({"set", "default", "eth"});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(m.ports(kCx2a) == "eth,eth");
    CHECK(m.ports(kCx2b) == "eth,eth");
    CHECK(contents(setFile(m)) == "{\n  \"default\": \"eth\"\n}\n");
    struct stat st;
    REQUIRE(stat(setFile(m).c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);
    CHECK(contains(r.out, kLabelA + ": decided by default (" + setFile(m) + ":2): eth"));
    CHECK(contains(r.err, kLabelA + ": ports [ib, ib] -> [eth, eth]: switched as configured in " +
                              setFile(m) + ":2"));
    // Recorded: status reads it back, in sync, and names set.json as the source.
    RunResult status = m.run({"status"});
    CHECK(status.status == 0);
    CHECK(contains(status.out, "default set.json:2"));
    // Again: nothing to write, nothing switched.
    m.clearWrites();
    CHECK(m.run({"set", "default", "eth"}).status == 0);
    CHECK(m.writesTo(kCx2a).empty());
}

TEST_CASE("set replaces its own entry, and a later set of another key keeps the first") {
    Machine m;
    twoCards(m);
    REQUIRE(m.run({"set", "--no-apply", "default", "eth"}).status == 0);
    RunResult r = m.run({"set", "06:00.0", "ib", "eth"});
    CHECK(r.status == 0);
    CHECK(contents(setFile(m)) ==
          "{\n  \"default\": \"eth\",\n  \"cards\": {\n    \"0000:06:00.0\": [\"ib\", \"eth\"]\n"
          "  }\n}\n");
    // Only the card the new entry decides is applied; the other waits for apply.
    CHECK(m.ports(kCx2b) == "ib,eth");
    CHECK(m.ports(kCx2a) == "ib,ib");
    REQUIRE(m.run({"set", "0000:06:00.0", "eth"}).status == 0);
    CHECK(contents(setFile(m)) == "{\n  \"default\": \"eth\",\n  \"cards\": {\n"
                                  "    \"0000:06:00.0\": \"eth\"\n  }\n}\n");
    CHECK(m.ports(kCx2b) == "eth,eth");
}

TEST_CASE("a typo in set is exit 2 with the loader's did-you-mean, and nothing is written") {
    Machine m;
    twoCards(m);
    RunResult type = m.run({"set", "default", "ethernet"});
    CHECK(type.status == 2);
    CHECK(contains(type.err, "unknown port type \"ethernet\": use \"ib\", \"eth\", \"auto\" or "
                             "\"keep\"; did you mean \"eth\"?"));
    CHECK(contains(type.err, "nothing was written"));
    RunResult key = m.run({"set", "defualt", "eth"});
    CHECK(key.status == 2);
    CHECK(contains(key.err, "did you mean \"default\"?"));
    RunResult kind = m.run({"set", "guld:0002c903000cc89a", "eth"});
    CHECK(kind.status == 2);
    CHECK(contains(kind.err, "did you mean \"guid\"?"));
    CHECK_FALSE(exists(setFile(m)));
    CHECK(m.writes().empty());
    CHECK(m.ports(kCx2a) == "ib,ib");
}

TEST_CASE("an error in the admin's files stops set: the whole result is checked first") {
    Machine m;
    twoCards(m);
    m.config("{\n  \"cards\": {\"05:00.0\": \"infiniband\"}\n}\n");
    RunResult r = m.run({"set", "default", "eth"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, m.configDir + "/config.json:2:24: unknown port type \"infiniband\""));
    CHECK(contains(r.err, "nothing was written"));
    CHECK_FALSE(exists(setFile(m)));
    CHECK(m.writes().empty());
}

TEST_CASE("set refuses a same-rank conflict it would create for a card present") {
    Machine m;
    m.bed.addCard(cardWithIdentity(kCx2a));
    m.config(R"({"cards": {"serial:MT1037X01146": "ib"}})");
    RunResult r = m.run({"set", "guid:0002c903000cc89a", "eth"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "both name this card, with different port types"));
    CHECK(contains(r.err, "serial:MT1037X01146 (" + m.configDir + "/config.json:1)"));
    CHECK(contains(r.err, "nothing was written"));
    CHECK_FALSE(exists(setFile(m)));
    CHECK(m.writes().empty());
    // The same types at the same rank agree: recorded.
    CHECK(m.run({"set", "guid:0002c903000cc89a", "ib"}).status == 0);
    CHECK(exists(setFile(m)));
}

TEST_CASE("set refuses an entry a card present cannot take: two types for a one-port card") {
    Machine m;
    m.bed.addCard(CardSpec(kCx3, {"ib"}, 0x1003));
    RunResult r = m.run({"set", "07:00.0", "eth", "ib"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "the configuration lists 2 ports but the card has 1"));
    CHECK(contains(r.err, "nothing was written"));
    CHECK_FALSE(exists(setFile(m)));
    CHECK(m.writes().empty());
}

TEST_CASE("set default does not beat the admin's slot entry, and says which entry decides") {
    Machine m;
    twoCards(m);
    m.config("{\n  \"cards\": {\n    \"05:00.0\": \"ib\"\n  }\n}\n");
    RunResult r = m.run({"set", "default", "eth"});
    CHECK(r.status == 0);
    CHECK(m.ports(kCx2a) == "ib,ib");
    CHECK(m.ports(kCx2b) == "eth,eth");
    const std::string admin = m.configDir + "/config.json:3";
    CHECK(contains(r.out, kLabelA + ": still decided by 0000:05:00.0 (" + admin +
                              "): ib; a slot entry (a PCI address) outranks default; to change "
                              "this card, edit " +
                              admin));
    CHECK(contains(r.out, kLabelB + ": decided by default (" + setFile(m) + ":2): eth"));
    CHECK(m.writesTo(kCx2a).empty());
}

TEST_CASE("unset removes the entry, and a card left with no entry keeps its types") {
    Machine m;
    twoCards(m);
    REQUIRE(m.run({"set", "default", "eth"}).status == 0);
    REQUIRE(m.run({"set", "05:00.0", "ib"}).status == 0);
    REQUIRE(m.ports(kCx2a) == "ib,ib");
    // 05:00.0's entry goes: default decides the card again.
    RunResult r = m.run({"unset", "0000:05:00.0"});
    CHECK(r.status == 0);
    CHECK(contents(setFile(m)) == "{\n  \"default\": \"eth\"\n}\n");
    CHECK(m.ports(kCx2a) == "eth,eth");
    CHECK(contains(r.out, kLabelA + ": decided by default (" + setFile(m) + ":2): eth"));
    // default goes: no entry is left, and the cards stay as they are.
    m.clearWrites();
    r = m.run({"unset", "default"});
    CHECK(r.status == 0);
    CHECK(contents(setFile(m)) == "{}\n");
    CHECK(contains(r.out, kLabelA + ": no entry decides it any more: it keeps its types"));
    CHECK(m.writes().empty());
    CHECK(m.ports(kCx2a) == "eth,eth");
    // A key found nowhere changes nothing.
    r = m.run({"unset", "default"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "default is not in " + setFile(m) + "; nothing to do"));
}

TEST_CASE("unset of a key only the admin's files hold is exit 2 naming the file and line") {
    Machine m;
    twoCards(m);
    m.config("{\n  \"cards\": {\n    \"05:00.0\": \"ib\"\n  }\n}\n", "config.d/50-lab.json");
    RunResult r = m.run({"unset", "0000:05:00.0"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "0000:05:00.0 is not in " + setFile(m) +
                              ", which set and unset own, "
                              "but in " +
                              m.configDir + "/config.d/50-lab.json:3: edit that file"));
    CHECK_FALSE(exists(setFile(m)));
    CHECK(m.writes().empty());
}

TEST_CASE("set --no-apply records and switches nothing") {
    Machine m;
    twoCards(m);
    RunResult r = m.run({"set", "--no-apply", "default", "eth"});
    CHECK(r.status == 0);
    CHECK(contents(setFile(m)) == "{\n  \"default\": \"eth\"\n}\n");
    CHECK(m.writes().empty());
    CHECK(m.ports(kCx2a) == "ib,ib");
    CHECK(contains(r.out, "not applied (--no-apply)"));
    CHECK(m.run({"status"}).status == 3); // recorded, not yet applied: drift
    CHECK(m.run({"apply", "--all"}).status == 0);
    CHECK(m.ports(kCx2a) == "eth,eth");
}

TEST_CASE("set --dry-run shows the change to set.json and the plan, and writes nothing") {
    Machine m;
    twoCards(m);
    REQUIRE(m.run({"set", "--no-apply", "06:00.0", "ib"}).status == 0);
    const std::string before = contents(setFile(m));
    RunResult r = m.run({"set", "--dry-run", "default", "eth"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "would change " + setFile(m) + ":\n"));
    CHECK(contains(r.out, "+  \"default\": \"eth\",\n"));
    CHECK(contains(r.out, kLabelA + ": would write; the card restarts"));
    CHECK(contains(r.out, "  port 1: ib -> eth\n"));
    CHECK(contains(r.out, "nothing was written (--dry-run)"));
    CHECK(contents(setFile(m)) == before);
    CHECK(m.writes().empty());
    // unset too.
    r = m.run({"unset", "--dry-run", "06:00.0"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "-    \"0000:06:00.0\": \"ib\"\n"));
    CHECK(contents(setFile(m)) == before);
}

TEST_CASE("a set the guard refuses writes nothing, and --force records and switches") {
    const auto [interfaceFound, addressFound] = anIpv4Interface();
    // Plain copies: a C++17 lambda cannot capture a structured binding.
    const std::string interface = interfaceFound, address = addressFound;
    auto machine = [&](Machine& m) {
        m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
        m.bed.loadModule("mlx4_en");
        NetdevSpec netdev;
        netdev.name = interface;
        netdev.devPort = 0;
        m.bed.addNetdev(kCx2a, netdev);
        m.extraEnvironment.push_back("SSH_CONNECTION=192.0.2.99 50000 " + address + " 22");
        m.atTerminal = true;
    };
    SUBCASE("refused: exit 1, no set.json, no write") {
        Machine m;
        machine(m);
        RunResult r = m.run({"set", "default", "ib"});
        CHECK(r.status == 1);
        CHECK(contains(r.err,
                       kLabelA +
                           ": not switching: an SSH session from 192.0.2.99 port 50000 comes in "
                           "on " +
                           address + " of " + interface));
        CHECK(contains(r.err, "nothing was written"));
        CHECK_FALSE(exists(setFile(m)));
        CHECK(m.writesTo(kCx2a).empty());
        CHECK(m.ports(kCx2a) == "eth,eth");
    }
    SUBCASE("--force: recorded and switched") {
        Machine m;
        machine(m);
        RunResult r = m.run({"set", "--force", "default", "ib"});
        CHECK(r.status == 0);
        CHECK(exists(setFile(m)));
        CHECK(m.ports(kCx2a) == "ib,ib");
    }
    SUBCASE("--no-apply: recorded, nothing switched, so nothing to guard") {
        Machine m;
        machine(m);
        CHECK(m.run({"set", "--no-apply", "default", "ib"}).status == 0);
        CHECK(exists(setFile(m)));
        CHECK(m.ports(kCx2a) == "eth,eth");
    }
}

TEST_CASE("a symbolic link at set.json is refused and its target left alone") {
    Machine m;
    twoCards(m);
    m.config("{}", "elsewhere.json");
    REQUIRE(symlink((m.configDir + "/elsewhere.json").c_str(), setFile(m).c_str()) == 0);
    RunResult r = m.run({"set", "default", "eth"});
    CHECK(r.status == 1);
    CHECK(contains(r.err, setFile(m) + " is a symbolic link"));
    CHECK(contents(m.configDir + "/elsewhere.json") == "{}");
    CHECK(m.writes().empty());
}

TEST_CASE("check --file checks one file on its own, wherever it is: exit 0 or 2") {
    Machine m;
    twoCards(m);
    // Ansible's validate: a temporary copy with any name, outside the configuration directory.
    const std::string bad = m.dir + "/tmpk3j2x9";
    std::ofstream(bad) << "{\n  \"default\": \"ethernet\",\n  \"cards\": {\"5:0.0\": \"eth\"}\n}\n";
    RunResult r = m.run({"check", "--file", bad});
    CHECK(r.status == 2);
    CHECK(contains(r.err, bad + ":2:14: unknown port type \"ethernet\""));
    CHECK(contains(r.err, bad + ":3:13: malformed PCI address \"5:0.0\""));
    const std::string good = m.dir + "/tmp8fe0q1";
    std::ofstream(good) << "{\"default\": \"eth\", \"cards\": {\"part:MHQH29B-*\": \"ib\"}}\n";
    chmod(good.c_str(), 0666); // its final mode is set where it is installed
    r = m.run({"check", "--file", good});
    CHECK(r.status == 0);
    CHECK(contains(r.out, good + ": valid"));
    // The configuration directory is not read: its error does not count.
    m.config("{\"defualt\": \"eth\"}");
    CHECK(m.run({"check", "--file", good}).status == 0);
    CHECK(m.run({"check", "--file", m.dir + "/missing"}).status == 2);
    CHECK(m.writes().empty());
}
