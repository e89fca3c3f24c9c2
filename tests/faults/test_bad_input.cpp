// SPDX-License-Identifier: GPL-2.0-or-later
// Hostile input through the built helper: a clear error or correct handling, never a crash,
// a hang or a partial write. (The parser's own unit tests check positions and wording.)
#include "machine.h"

#include <cstdio>
#include <doctest/doctest.h>
#include <string>

using namespace mlx4::test;

namespace {

const char* const kCardA = "0000:05:00.0";
const char* const kCardB = "0000:06:00.0";

// Two cards at (ib, ib), so that any configuration asking eth would write to both.
void twoCards(Machine& m) {
    m.bed.addCard(CardSpec(kCardA));
    m.bed.addCard(CardSpec(kCardB));
}

std::string nested(size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

// n distinct addresses, 0000:00:00.0 upwards.
std::string manyCards(int n, const std::string& type) {
    std::string text = "{\"cards\": {\n";
    for (int i = 0; i < n; ++i) {
        char address[16];
        std::snprintf(address, sizeof address, "%04x:%02x:%02x.%x", 0, (i >> 8) & 0xff,
                      (i >> 3) & 0x1f, i & 7);
        text += std::string(i ? ",\n" : "") + "  \"" + address + "\": \"" + type + "\"";
    }
    return text + "\n}}\n";
}

struct Refused {
    std::string name;
    std::string text;
    std::string message; // after "config.json"
};

} // namespace

TEST_CASE("bad configuration files: exit 2, a clear message, nothing written to any card") {
    const std::string eth = R"({"default": "eth"})";
    for (const Refused& c : {
             Refused{"deeply nested JSON", nested(100000),
                     ":1:17: nested more than 16 levels deep; a configuration needs at most 4"},
             Refused{"deep nesting inside a valid start",
                     R"({"cards": {"05:00.0": )" + nested(5000) + "}}",
                     ":1:37: nested more than 16 levels deep"},
             Refused{"a file over 1 MiB", eth + std::string(1024 * 1024, ' '),
                     ": is larger than 1 MiB; a configuration needs a few hundred bytes per "
                     "card"},
             Refused{"a NUL byte", std::string("{\"default\": \"eth\"}\0{}", 21),
                     ":1:19: the file contains a NUL byte; it is not a text file"},
             Refused{"a NUL byte inside a string", std::string("{\"default\": \"e\0th\"}", 19),
                     ":1:15: the file contains a NUL byte"},
             Refused{"invalid UTF-8", "{\"default\": \"eth\"} // caf\xe9\n",
                     ":1:26: the file is not valid UTF-8 (byte 0xe9); save it as UTF-8"},
             Refused{"UTF-16 with its BOM", std::string("\xff\xfe{\0}\0", 6),
                     ":1:1: the file is not valid UTF-8 (byte 0xff)"},
             Refused{"a number as the port type", R"({"cards": {"05:00.0": 1}})",
                     ":1:23: expected a port type (\"eth\"), a list ([\"eth\", \"ib\"]) or "
                     "{\"ports\": ...}, not a number"},
             Refused{"numbers in a port list", R"({"default": [1, 2]})",
                     ":1:14: a port type must be a string (\"ib\", \"eth\", \"auto\" or \"keep\"), "
                     "not a number"},
             Refused{"a number as cards", R"({"cards": 5})",
                     ":1:11: \"cards\" must be an object keyed by PCI address, guid:, "
                     "serial: or part:, not a number"},
             Refused{"a number as the document", "42",
                     ":1:1: the configuration must be a JSON object"},
             Refused{"a 4 KiB address as a key",
                     "{\"cards\": {\"" + std::string(4096, '0') + "\": \"eth\"}}",
                     ":1:12: malformed PCI address \"" + std::string(60, '0') + "...\""},
             Refused{"an empty file", "", ":1:1: the file is empty; write {} to configure nothing"},
             // Found by fuzz_json: the dropped value of a duplicate key held an object that was
             // still being read when a duplicate inside it was dropped (use after free).
             Refused{"a duplicate key inside the value of a duplicate key",
                     R"({"default": "eth", "default": {"ports": {"a": 1, "a": 1, "b": 2}}})",
                     ":1:20: duplicate key \"default\" (first on line 1)"},
         }) {
        CAPTURE(c.name);
        Machine m;
        twoCards(m);
        m.config(c.text);
        RunResult r = m.run({"apply", "--all"});
        CAPTURE(r.err.substr(0, 1000));
        CHECK(r.status == 2);
        CHECK(contains(r.err, "error: " + m.configDir + "/config.json" + c.message));
        CHECK(contains(r.err, "no card was changed"));
        CHECK(r.err.size() < 2000); // the input is not echoed back whole
        CHECK(m.writes().empty());
    }
}

TEST_CASE("a BOM and CRLF line ends are handled like any file") {
    Machine m;
    twoCards(m);
    m.config("\xEF\xBB\xBF{\r\n  \"cards\": {\r\n    \"05:00.0\": \"eth\",\r\n"
             "    \"06:00.0\": \"ethh\"\r\n  }\r\n}\r\n");
    RunResult r = m.run({"apply", "--all"});
    CHECK(r.status == 2);
    // The position counts neither the BOM nor the carriage returns as columns.
    CHECK(contains(r.err, m.configDir + "/config.json:4:16: unknown port type \"ethh\""));
    m.config("\xEF\xBB\xBF{\r\n  \"cards\": {\r\n    \"05:00.0\": \"eth\",\r\n"
             "    \"06:00.0\": \"eth\"\r\n  }\r\n}\r\n");
    r = m.run({"apply", "--all"});
    CHECK(r.status == 0);
    CHECK(m.bed.readPort(kCardA, 2) == "eth\n");
    CHECK(m.bed.readPort(kCardB, 2) == "eth\n");
}

TEST_CASE("10 000 cards in the configuration are checked and applied") {
    Machine m;
    twoCards(m);
    std::string text = manyCards(10000, "eth");
    REQUIRE(text.size() < 1024 * 1024);
    m.config(text);
    RunResult r = m.run({"check"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "  0000:27:01.7  eth")); // the last of 10 000 entries
    CHECK(contains(r.out, "  0000:05:00.0  eth")); // card A, entry 1280
    r = m.run({"apply", "--all"});
    CHECK(r.status == 0);
    CHECK(m.bed.readPort(kCardA, 1) == "eth\n");
    CHECK(m.bed.readPort(kCardB, 1) == "eth\n");
    CHECK(m.writes().size() == 4); // two ports of each present card, nothing else
}

TEST_CASE("a 4 KiB address argument is a usage error for every command, not echoed whole") {
    Machine m;
    twoCards(m);
    m.config(R"({"default": "eth"})");
    for (const std::string& address :
         {std::string(4096, 'f'), "0000:05:00." + std::string(4085, '0'),
          std::string(2048, ':') + std::string(2048, '.')}) {
        for (const char* command : {"apply", "status"}) {
            CAPTURE(command);
            RunResult r = m.run({command, address});
            CHECK(r.status == 2);
            CHECK(contains(r.err, "...\" is not a PCI address; write DDDD:BB:DD.F or BB:DD.F"));
            CHECK(r.err.size() < 400);
        }
    }
    CHECK(m.writes().empty());
}
