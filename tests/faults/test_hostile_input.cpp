// SPDX-License-Identifier: GPL-2.0-or-later
// Hostile and odd input, round two: what an adversarial review of the built helper broke. Each
// case runs the helper on a umockdev testbed, with the fault shim where the testbed cannot do
// it.
#include "machine.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlx4::test;

namespace {

const char* const kCardA = "0000:05:00.0";
const char* const kCardB = "0000:06:00.0";
const char* const kLabelA = "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

bool validUtf8(const std::string& text) {
    try {
        (void)nlohmann::json(text).dump();
        return true;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

// Runs `shellRedirect` (e.g. "> /dev/full", ">&-") around the helper's own command line.
RunResult runRedirected(Machine& m, const std::string& shellRedirect,
                        std::vector<std::string> args) {
    std::vector<std::string> argv{
        "/bin/sh",      "-c",       "exec \"$0\" \"$@\" " + shellRedirect, MLX4_PORTTYPE_BINARY,
        "--config-dir", m.configDir};
    argv.insert(argv.end(), args.begin(), args.end());
    return runWithPreload(argv, {"MLX4_PORTTYPE_RUN_DIR=" + m.runDir});
}

} // namespace

TEST_CASE("item 1: a card in a PCI domain wider than four digits (Intel VMD) is its own card") {
    Machine m;
    const std::string vmdA = "10000:01:00.0", vmdB = "10001:01:00.0";
    m.bed.addCard(CardSpec(vmdA));
    m.bed.addCard(CardSpec(vmdB));
    m.bed.addCard(CardSpec("0000:00:00.0"));
    m.config(R"({"cards": {"10000:01:00.0": "eth"}})");

    RunResult r = m.run({"check"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "  10000:01:00.0  eth"));

    // The rule's own command line for such a card.
    r = m.run({"apply", vmdA});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(m.bed.readPort(vmdA, 1) == "eth\n");
    CHECK(m.bed.readPort(vmdA, 2) == "eth\n");
    CHECK(m.writesTo(vmdA).size() == 2);
    CHECK(access((m.runDir + "/10000:01:00.0.lock").c_str(), F_OK) == 0);

    // Neither the other VMD card nor 0000:00:00.0 takes that entry, or shares a label.
    m.clearWrites();
    r = m.run({"apply", "--all"});
    CHECK(r.status == 0);
    CHECK(m.writes().empty());
    CHECK(m.bed.readPort(vmdB, 1) == "ib\n");
    r = m.run({"status"});
    CHECK(contains(r.out, "10000:01:00.0  1     eth      eth         in sync"));
    CHECK(contains(r.out, "10001:01:00.0  1     ib       -           not configured"));
    CHECK(contains(r.out, "0000:00:00.0   1     ib       -           not configured"));
}

TEST_CASE("item 1: a device whose name is not a PCI address is skipped, not 0000:00:00.0") {
    Machine m;
    m.bed.addCard(CardSpec("odd-name"));
    m.bed.addCard(CardSpec(kCardA));
    m.config(R"({"cards": {"0000:00:00.0": "eth", "05:00.0": "eth"}})");
    RunResult r = m.run({"-v", "apply", "--all"});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.err, "skipping PCI device \"odd-name\": its name is not a PCI address"));
    CHECK(m.writesTo("odd-name").empty());
    CHECK(m.writesTo(kCardA).size() == 2);
    r = m.run({"status"});
    CHECK_FALSE(contains(r.out, "\n0000:00:00.0 "));
    // Its entry matches no card, and says so.
    CHECK(contains(r.out, "note: " + m.configDir + "/config.json:1: 0000:00:00.0 matches no card"));
}

TEST_CASE("item 2: status --json with bytes that are not UTF-8 stays valid JSON, no abort") {
    Machine m;
    m.bed.addCard(CardSpec(kCardA, {"ib"}));
    m.config("{}");
    // A configuration directory whose name has a Latin-1 byte; the card's note quotes it.
    std::string latin1 = m.dir + "/caf\xe9";
    mkdir(latin1.c_str(), 0755);
    writeFile(latin1 + "/config.json", R"({"cards": {"05:00.0": ["eth", "ib"]}})");
    RunResult r = m.run({"status", "--json", "--config-dir", latin1});
    CAPTURE(r.err);
    CHECK(r.status == 1); // the card's entry is refused; not 134 (SIGABRT)
    nlohmann::json document = nlohmann::json::parse(r.out, nullptr, false);
    REQUIRE_FALSE(document.is_discarded());
    std::string note = document["cards"][0]["note"];
    CHECK(contains(note, "caf\xef\xbf\xbd/config.json:1")); // U+FFFD for the byte
}

TEST_CASE("item 3: a port file that is a symlink is not followed, and one not on sysfs not used") {
    SUBCASE("a symlink") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA));
        m.config(R"({"default": "eth"})");
        // Looks like a port file, so that following the link would write to it.
        std::string victim = m.dir + "/victim";
        writeFile(victim, "ib\n");
        std::string port1 = m.bed.filePath(kCardA, "mlx4_port1");
        REQUIRE(unlink(port1.c_str()) == 0);
        REQUIRE(symlink(victim.c_str(), port1.c_str()) == 0);
        RunResult r = m.run({"apply", "--all"});
        CAPTURE(r.err);
        CHECK(r.status == 1);
        CHECK(contains(r.err, std::string(kLabelA) + ": cannot read port 1: Too many levels of "
                                                     "symbolic links (ELOOP)"));
        CHECK(readFile(victim) == "ib\n");
        CHECK(m.writes().empty());
    }
    SUBCASE("a file that is not on sysfs") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA));
        m.bed.addCard(CardSpec(kCardB));
        m.config(R"({"default": "eth"})");
        RunResult r = m.run({"apply", "--all"},
                            "fstatfs|" + Machine::sysFile(kCardA, "mlx4_port*") + "|notsysfs");
        CAPTURE(r.err);
        CHECK(r.status == 1);
        CHECK(contains(r.err, std::string(kLabelA) + ": cannot read port 1: Invalid cross-device "
                                                     "link (EXDEV) (its mlx4_port1 is not the "
                                                     "driver's sysfs file; refusing to use it)"));
        CHECK(m.writesTo(kCardA).empty());
        CHECK(m.bed.readPort(kCardA, 1) == "ib\n"); // not truncated either
        CHECK(m.bed.readPort(kCardB, 1) == "eth\n");
    }
}

TEST_CASE("item 4: values in messages are escaped, whole UTF-8 and bounded") {
    SUBCASE("a duplicate key with escape sequences, a forged line and 500 KB") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA));
        std::string key = "x\\u001b[31m\\nmlx4-porttype: error: forged" + std::string(500000, 'A');
        m.config("{\"" + key + "\": 1, \"" + key + "\": 1}");
        RunResult r = m.run({"apply", "--all"});
        CHECK(r.status == 2);
        CHECK(contains(r.err, "duplicate key \"x\\e[31m\\nmlx4-porttype: error: forged"));
        CHECK_FALSE(contains(r.err, "\x1b"));
        CHECK(r.err.size() < 1000);
        for (const std::string& line : lines(r.err))
            CHECK(line.rfind("mlx4-porttype: error: forged", 0) != 0);
    }
    SUBCASE("DEL, C1 controls and a cut in the middle of a character") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA));
        std::string value = "\\u007f\\u0085";
        for (int i = 0; i < 40; ++i)
            value += "\xc3\xa9"; // é: the 60-byte cut falls inside one
        m.config("{\"default\": \"" + value + "\"}");
        RunResult r = m.run({"apply", "--all"});
        CHECK(r.status == 2);
        CHECK(contains(r.err, "unknown port type \"\\x7f\\u0085\xc3\xa9"));
        CHECK_FALSE(contains(r.err, "\x7f"));
        CHECK_FALSE(contains(r.err, "\xc2\x85"));
        CHECK(validUtf8(r.err));
    }
    SUBCASE("an argument with a terminal escape") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA));
        RunResult r = m.run({"apply", "\x1b]0;pwned\x07"});
        CHECK(r.status == 2);
        CHECK(contains(r.err, "\"\\e]0;pwned\\x07\" is not a PCI address"));
        CHECK_FALSE(contains(r.err, "\x1b"));
        CHECK_FALSE(contains(r.err, "\x07"));
    }
}

TEST_CASE("item 5: a dangling config.json symlink is an error, as in config.d") {
    Machine m;
    m.bed.addCard(CardSpec(kCardA));
    m.config("{}", "config.d/empty.json");
    unlink((m.configDir + "/config.json").c_str());
    REQUIRE(symlink((m.dir + "/missing.json").c_str(), (m.configDir + "/config.json").c_str()) ==
            0);
    for (std::string command : {"apply", "check"}) {
        CAPTURE(command);
        RunResult r = command == "apply" ? m.run({"apply", "--all"}) : m.run({"check"});
        CHECK(r.status == 2);
        CHECK(contains(r.err, m.configDir + "/config.json: cannot open: No such file or "
                                            "directory (a symbolic link to a missing file)"));
    }
    CHECK(m.writes().empty());
}

TEST_CASE("item 6: a lock directory anyone could use is refused, and nothing is written") {
    struct Case {
        std::string name;
        std::string message;
    };
    for (const Case& c : {
             Case{"world-writable", "writable by group or others, so anyone could hold a "
                                    "card's lock"},
             Case{"owned by another user", "owned by uid 65534, but only root may own it"},
             Case{"a symbolic link", "is a symbolic link; remove it"},
         }) {
        CAPTURE(c.name);
        Machine m;
        m.bed.addCard(CardSpec(kCardA));
        m.config(R"({"default": "eth"})");
        if (c.name == "a symbolic link") {
            std::string real = m.dir + "/real-run";
            mkdir(real.c_str(), 0755);
            REQUIRE(symlink(real.c_str(), m.runDir.c_str()) == 0);
        } else {
            REQUIRE(mkdir(m.runDir.c_str(), 0755) == 0);
            if (c.name == "world-writable")
                REQUIRE(chmod(m.runDir.c_str(), 01777) == 0);
            else
                REQUIRE(chown(m.runDir.c_str(), 65534, 65534) == 0);
        }
        RunResult r = m.run({"apply", "--all"});
        CAPTURE(r.err);
        CHECK(r.status == 1);
        CHECK(contains(r.err, std::string(kLabelA) + ": "));
        CHECK(contains(r.err, "lock directory " + m.runDir));
        CHECK(contains(r.err, c.message));
        CHECK(contains(r.err, "; nothing was written"));
        CHECK(m.writes().empty());
    }
}

TEST_CASE("item 7: a held lock is waited for a bounded time, and its holder is named") {
    Machine m;
    m.bed.addCard(CardSpec(kCardA));
    m.bed.addCard(CardSpec(kCardB));
    m.config(R"({"default": "eth"})");
    REQUIRE(mkdir(m.runDir.c_str(), 0755) == 0);
    std::string lockA = m.runDir + "/0000:05:00.0.lock";
    int fd = open(lockA.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(flock(fd, LOCK_EX) == 0); // this test process holds card A's lock
    m.extraEnvironment = {"MLX4_PORTTYPE_LOCK_WAIT=1"};
    RunResult r = m.run({"apply", "--all"});
    close(fd);
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, std::string(kLabelA) + ": gave up after 1 s: pid " +
                              std::to_string(getpid()) + " (fault_tests) holds the card's lock " +
                              lockA));
    CHECK(contains(r.err, "ps -o pid,etime,args -p " + std::to_string(getpid())));
    CHECK(m.writesTo(kCardA).empty());
    CHECK(m.bed.readPort(kCardB, 1) == "eth\n"); // the other card is not held up
}

TEST_CASE("item 8: a signal between the port writes is acted on after the card is finished") {
    for (std::string signal : {"SIGTERM", "SIGINT", "SIGHUP"}) {
        CAPTURE(signal);
        Machine m;
        m.bed.addCard(CardSpec(kCardA));
        m.config(R"({"default": "eth"})");
        // The signal arrives right after the write to port 1, before the one to port 2.
        RunResult r = m.run({"apply", "--all"}, "write|" + Machine::sysFile(kCardA, "mlx4_port1") +
                                                    "|signal=" + signal);
        CAPTURE(r.err);
        int number = signal == "SIGTERM" ? SIGTERM : signal == "SIGINT" ? SIGINT : SIGHUP;
        CHECK(r.status == 128 + number); // still ended by the signal, as its sender expects
        CHECK(m.bed.readPort(kCardA, 1) == "eth\n");
        CHECK(m.bed.readPort(kCardA, 2) == "eth\n");
        CHECK(contains(r.err, "ports [ib, ib] -> [eth, eth]: switched as configured"));
        CHECK(contains(r.err, std::string(kLabelA) + ": received " + signal +
                                  " while switching the card; finished with it first (see "
                                  "above), now stopping"));
    }
}

TEST_CASE("item 9: output that cannot be written is an error") {
    Machine m;
    m.bed.addCard(CardSpec(kCardA));
    m.config(R"({"default": "eth"})");
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"status", "--json"}, {"status"}, {"check"}, {"apply", "--dry-run", "--all"}}) {
        CAPTURE(args.front());
        RunResult r = runRedirected(m, "> /dev/full", args);
        CHECK(r.status == 1);
        CHECK(contains(r.err, "error: cannot write the output: No space left on device"));
        r = runRedirected(m, ">&-", args);
        CHECK(r.status == 1);
        CHECK(contains(r.err, "error: cannot write the output: Bad file descriptor"));
    }
    CHECK(m.writes().empty());
}

TEST_CASE("item 10: a file with thousands of errors prints a few dozen, then a count") {
    Machine m;
    m.bed.addCard(CardSpec(kCardA));
    std::string text = "{\"cards\": {\n";
    for (int i = 0; i < 1000; ++i) {
        char address[16];
        std::snprintf(address, sizeof address, "%02x:%02x.%x", i >> 8, (i >> 3) & 0x1f, i & 7);
        text += std::string(i ? ",\n" : "") + "\"" + address + "\": \"bogus\"";
    }
    m.config(text + "\n}}\n");
    RunResult r = m.run({"apply", "--all"});
    CHECK(r.status == 2);
    std::vector<std::string> errLines = lines(r.err);
    CHECK(errLines.size() == 32);
    CHECK(contains(r.err, m.configDir + "/config.json:31:12: unknown port type \"bogus\""));
    CHECK_FALSE(contains(r.err, m.configDir + "/config.json:32:12:"));
    CHECK(contains(r.err, "... and 970 more configuration errors not shown"));
    CHECK(contains(r.err, "1000 configuration errors; no card was changed"));
}

TEST_CASE("item 11: status shows refused cards, missing ports and unreadable ports truthfully") {
    SUBCASE("an entry with more ports than the card has") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA, {"ib"}));
        m.config(R"({"cards": {"05:00.0": ["eth", "ib"]}})");
        RunResult r = m.run({"status"});
        CHECK(r.status == 1);
        CHECK(contains(r.out, "0000:05:00.0  1     ib       eth         failed"));
        r = m.run({"status", "--json"});
        nlohmann::json card = nlohmann::json::parse(r.out)["cards"][0];
        CHECK(card["in_sync"] == false);
        CHECK(card["ports"][0]["configured"] == "eth");
    }
    SUBCASE("three port files, and ports 1 and 3 without 2") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA, {"eth", "eth", "eth"}));
        m.bed.addCard(CardSpec(kCardB, {"eth", "eth", "eth"}));
        unlink(m.bed.filePath(kCardB, "mlx4_port2").c_str());
        m.config(R"({"default": "eth"})");
        RunResult r = m.run({"status", "--json"});
        CHECK(r.status == 1);
        nlohmann::json cards = nlohmann::json::parse(r.out)["cards"];
        REQUIRE(cards[0]["ports"].size() == 3);
        for (const auto& port : cards[0]["ports"])
            CHECK(port["configured"] == "eth");
        CHECK(cards[0]["in_sync"] == false);
        REQUIRE(cards[1]["ports"].size() == 2);
        CHECK(cards[1]["ports"][0]["port"] == 1);
        CHECK(cards[1]["ports"][1]["port"] == 3); // no phantom port 2
        r = m.run({"status"});
        CHECK_FALSE(contains(r.out, "in sync"));
        CHECK_FALSE(contains(r.out, "unreadable"));
    }
    SUBCASE("garbage and a failing read show the text and the errno") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA));
        m.bed.addCard(CardSpec(kCardB));
        m.config("{}");
        RunResult r = m.run({"status"}, "read|" + Machine::sysFile(kCardA, "mlx4_port1") +
                                            "|text=garbage\\n;read|" +
                                            Machine::sysFile(kCardB, "mlx4_port2") + "|EIO");
        CHECK(r.status == 1);
        CHECK(contains(r.out, "note: " + std::string(kLabelA) +
                                  ": port 1 reads \"garbage\", which is not ib, eth, auto (ib) "
                                  "or auto (eth)"));
        CHECK(contains(r.out, ": cannot read port 2: Input/output error (EIO)"));
    }
}

TEST_CASE("item 13: exact vendor, odd port names, and messages without library internals") {
    SUBCASE("vendor 0x15b3junk is not Mellanox") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA));
        writeFile(m.bed.filePath(kCardA, "vendor"), "0x15b3junk\n");
        m.config(R"({"default": "eth"})");
        RunResult r = m.run({"apply", kCardA});
        CHECK(r.status == 1);
        CHECK(contains(r.err, "0000:05:00.0 is not a Mellanox card (vendor \"0x15b3junk\")"));
        CHECK(m.writes().empty());
    }
    SUBCASE("a card whose only port file is mlx4_port001 is not called read-only") {
        Machine m;
        m.bed.addCard(CardSpec(kCardA, {}));
        writeFile(m.bed.filePath(kCardA, "mlx4_port001"), "ib\n");
        m.config(R"({"default": "eth"})");
        RunResult r = m.run({"apply", "--all"});
        CHECK(r.status == 1);
        CHECK(contains(r.err, "has port files \"mlx4_port001\", but the mlx4 driver makes "
                              "mlx4_port1 and at most mlx4_port2"));
        CHECK_FALSE(contains(r.err, "read-only"));
        r = m.run({"status"});
        CHECK_FALSE(contains(r.out, "read-only"));
        CHECK(m.writes().empty());
    }
    SUBCASE("a number too large for a double") {
        Machine m;
        m.config(R"({"default": 1e999})");
        RunResult r = m.run({"check"});
        CHECK(r.status == 2);
        CHECK(contains(r.err, "config.json:1:13: JSON syntax error: number overflow parsing "
                              "'1e999'"));
        CHECK_FALSE(contains(r.err, "json.exception"));
    }
    SUBCASE("an object where only a type or a list may be") {
        Machine m;
        m.config(R"({"default": {"ports": {"ports": "eth"}}})");
        RunResult r = m.run({"check"});
        CHECK(r.status == 2);
        CHECK(contains(r.err, "expected a port type (\"eth\") or a list ([\"eth\", \"ib\"]), not "
                              "an object"));
    }
}

TEST_CASE("round three: the PSID and firmware of the status table are escaped like every value") {
    Machine m;
    CardSpec spec(kCardA, {"ib", "ib"});
    spec.ibDevice = "mlx4_0";
    m.bed.addCard(spec);
    m.config(R"({"cards": {"05:00.0": "ib"}})");
    // What a card (or a tampered sysfs) can put into board_id and fw_ver.
    writeFile(m.bed.filePath(kCardA, "infiniband/mlx4_0/board_id"), "MT_\x1b[2J0D80\n");
    writeFile(m.bed.filePath(kCardA, "infiniband/mlx4_0/fw_ver"), "2.9.1000\x07\x9b\n");
    RunResult r = m.run({"status"});
    CAPTURE(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find_first_of("\x1b\x07") == std::string::npos);
    CHECK(contains(r.out, "2.9.1000\\x07\\x9b"));
    // The PSID is in status --json only (the table stays within 100 columns): JSON escapes it.
    RunResult json = m.run({"status", "--json"});
    CHECK(json.out.find_first_of("\x1b\x07") == std::string::npos);
    CHECK(nlohmann::json::parse(json.out)["cards"][0]["psid"] == "MT_\x1b[2J0D80");
}
