// SPDX-License-Identifier: GPL-2.0-or-later
// Configuration validation and merging: every error names its file, line and column.
#include "config.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;

namespace {

// The entry that configures the card at `address` when nothing else of it is known: its own
// entry, else default.
const mlx4::ConfigEntry* entryFor(const mlx4::Config& config, const mlx4::PciAddress& address) {
    mlx4::CardIdentity identity;
    identity.address = address;
    return config.match(identity).entry;
}

ConfigFile parsed(const std::string& text, const std::string& path = "config.json") {
    std::vector<ConfigError> errors;
    ConfigFile file = parseConfigText(text, path, errors);
    for (const ConfigError& error : errors)
        FAIL_CHECK("unexpected error: " << error.str());
    return file;
}

// The one error a text produces, as FILE:LINE:COLUMN: message.
std::string onlyError(const std::string& text) {
    std::vector<ConfigError> errors;
    parseConfigText(text, "c.json", errors);
    REQUIRE(errors.size() == 1);
    return errors[0].str();
}

PciAddress at(const char* text) {
    return *parsePciAddress(text);
}

} // namespace

TEST_CASE("the three forms of a card entry, and default") {
    ConfigFile file = parsed(R"({
  "default": "eth",
  "cards": {
    "0000:03:00.0": ["eth", "ib"],
    "04:00.0": "ib",
    "0000:05:00.0": { "ports": ["auto", "keep"] },
    "0000:06:00.0": { "ports": "auto" }
  }
})");
    REQUIRE(file.defaultEntry);
    CHECK(file.defaultEntry->spec.str() == "eth");
    CHECK(file.defaultEntry->spec.allPorts);
    CHECK(file.cards.at(at("03:00.0")).spec.str() == "eth,ib");
    CHECK_FALSE(file.cards.at(at("03:00.0")).spec.allPorts);
    CHECK(file.cards.at(at("0000:04:00.0")).spec.str() == "ib");
    CHECK(file.cards.at(at("05:00.0")).spec.str() == "auto,keep");
    CHECK(file.cards.at(at("06:00.0")).spec.allPorts);
    CHECK(file.cards.at(at("05:00.0")).pos.line == 6);
}

TEST_CASE("an empty object or empty cards configure nothing") {
    CHECK(parsed("{}").cards.empty());
    CHECK_FALSE(parsed("{\"cards\": {}}").defaultEntry.has_value());
}

TEST_CASE("unknown keys are named, with the closest valid word") {
    CHECK(onlyError("{\n  \"defualt\": \"eth\"\n}") ==
          "c.json:2:3: unknown key \"defualt\": the top level has only \"default\" and \"cards\"; "
          "did you mean \"default\"?");
    CHECK(onlyError("{\"cards\": {\"05:00.0\": {\"port\": \"eth\"}}}") ==
          "c.json:1:24: unknown key \"port\" in a card entry: the only key is \"ports\"; did you "
          "mean \"ports\"?");
    CHECK(onlyError("{\"colour\": 1}") ==
          "c.json:1:2: unknown key \"colour\": the top level has only \"default\" and \"cards\"");
}

TEST_CASE("unknown port types are named, with the closest valid word") {
    CHECK(onlyError("{\"default\": \"etth\"}") ==
          "c.json:1:13: unknown port type \"etth\": use \"ib\", \"eth\", \"auto\" or \"keep\"; did "
          "you mean \"eth\"?");
    CHECK(onlyError("{\"default\": [\"ib\", \"Ethernet\"]}").find("did you mean \"eth\"?") !=
          std::string::npos);
    CHECK(onlyError("{\"default\": \"IB\"}").find("did you mean \"ib\"?") != std::string::npos);
    CHECK(onlyError("{\"default\": \"infiniband\"}").find("did you mean \"ib\"?") !=
          std::string::npos);
    CHECK(onlyError("{\"default\": \"x\"}").find("did you mean") == std::string::npos);
}

TEST_CASE("the protocols' long names are suggested for port types only, never for keys") {
    for (const char* name : {"ethernet", "Ethernet", "en", "RoCE"})
        CHECK(onlyError(std::string("{\"default\": \"") + name + "\"}")
                  .find("; did you mean \"eth\"?") != std::string::npos);
    for (const char* name : {"infiniband", "IPoIB"})
        CHECK(onlyError(std::string("{\"default\": \"") + name + "\"}")
                  .find("; did you mean \"ib\"?") != std::string::npos);
    // As keys they are plain unknown keys.
    CHECK(onlyError("{\"ethernet\": 1}") == "c.json:1:2: unknown key \"ethernet\": the top level "
                                            "has only \"default\" and \"cards\"");
    CHECK(onlyError("{\"cards\": {\"05:00.0\": {\"infiniband\": \"ib\"}}}").find("did you mean") ==
          std::string::npos);
    CHECK(onlyError("{\"cards\": {\"roce:1\": \"eth\"}}").find("did you mean") ==
          std::string::npos);
}

TEST_CASE("wrong value types say what was expected and what was found") {
    CHECK(onlyError("{\"default\": 2}") ==
          "c.json:1:13: expected a port type (\"eth\"), a list ([\"eth\", \"ib\"]) or {\"ports\": "
          "...}, not a number");
    CHECK(onlyError("{\"cards\": [\"05:00.0\"]}") ==
          "c.json:1:11: \"cards\" must be an object keyed by PCI address, guid:, serial: or "
          "part:, not an array");
    CHECK(onlyError("{\"default\": [\"eth\", 1]}") ==
          "c.json:1:21: a port type must be a string (\"ib\", \"eth\", \"auto\" or \"keep\"), not "
          "a number");
    CHECK(onlyError("{\"cards\": {\"05:00.0\": true}}").find("c.json:1:23: ") == 0);
    CHECK(onlyError("{\"cards\": {\"05:00.0\": {\"ports\": {\"ports\": \"eth\"}}}}")
              .find("c.json:1:33: expected a port type (\"eth\") or a list ([\"eth\", \"ib\"]), "
                    "not an object") == 0);
    CHECK(onlyError("[\"eth\"]") == "c.json:1:1: the configuration must be a JSON object such as "
                                    "{\"cards\": {\"0000:05:00.0\": \"eth\"}}, not an array");
}

TEST_CASE("malformed addresses are named, with the likely meaning") {
    CHECK(onlyError("{\"cards\": {\n \"5:00.0\": \"eth\"}}") ==
          "c.json:2:2: malformed PCI address \"5:00.0\": write DDDD:BB:DD.F or BB:DD.F in hex, as "
          "lspci -D shows it; did you mean \"0000:05:00.0\"?");
    CHECK(onlyError("{\"cards\": {\"mlx4_0\": \"eth\"}}").find("did you mean") ==
          std::string::npos);
}

TEST_CASE("the same card twice in one file is an error, in either spelling") {
    CHECK(onlyError("{\"cards\": {\n\"04:00.0\": \"ib\",\n\"0000:04:00.0\": \"eth\"}}") ==
          "c.json:3:1: \"0000:04:00.0\" is the same card as the entry on line 2; keep one of them");
    CHECK(onlyError("{\"cards\": {\n\"04:00.0\": \"ib\",\n\"04:00.0\": \"eth\"}}") ==
          "c.json:3:1: duplicate key \"04:00.0\" (first on line 2)");
}

TEST_CASE("port lists: too long for any mlx4 card, or empty") {
    CHECK(onlyError("{\"default\": [\"eth\", \"eth\", \"eth\"]}") ==
          "c.json:1:28: lists 3 ports; mlx4 cards have at most 2");
    CHECK(onlyError("{\"default\": []}").find("c.json:1:13: an empty port list") == 0);
    CHECK(onlyError("{\"cards\": {\"05:00.0\": {}}}") ==
          "c.json:1:23: a card entry written as an object needs \"ports\"");
}

TEST_CASE("syntax errors carry the file name and position") {
    CHECK(
        onlyError("{\"cards\": {\"05:00.0\": \"eth\",}}").find("c.json:1:29: JSON syntax error") ==
        0);
}

TEST_CASE("every error of a file is reported, not just the first") {
    std::vector<ConfigError> errors;
    parseConfigText(
        "{\"default\": \"x\", \"cards\": {\"y\": \"eth\", \"05:00.0\": \"z\"}, \"w\": 1}", "c.json",
        errors);
    CHECK(errors.size() == 4);
}

TEST_CASE("a later file replaces default and whole card entries") {
    ConfigFile base = parsed(R"({"default": "eth", "cards": {"05:00.0": ["ib", "eth"],
                                 "06:00.0": "ib"}})",
                             "config.json");
    ConfigFile dropIn = parsed(R"({"cards": {"0000:05:00.0": ["auto"]}})", "config.d/10-a.json");
    ConfigFile last = parsed(R"({"default": "keep"})", "config.d/20-b.json");
    Config config = mergeConfigFiles({base, dropIn, last});
    CHECK(config.files ==
          std::vector<std::string>{"config.json", "config.d/10-a.json", "config.d/20-b.json"});
    CHECK(config.defaultEntry->spec.str() == "keep");
    CHECK(config.defaultEntry->file == "config.d/20-b.json");
    // The whole entry is replaced: port 2 is no longer "eth" but kept.
    CHECK(entryFor(config, at("05:00.0"))->spec.str() == "auto");
    CHECK(entryFor(config, at("05:00.0"))->file == "config.d/10-a.json");
    CHECK(entryFor(config, at("06:00.0"))->spec.str() == "ib");
    CHECK(entryFor(config, at("07:00.0"))->spec.str() == "keep");
}

TEST_CASE("without default, cards not named are left alone") {
    Config config = mergeConfigFiles({parsed(R"({"cards": {"05:00.0": "eth"}})")});
    CHECK(entryFor(config, at("05:00.0")) != nullptr);
    CHECK(entryFor(config, at("06:00.0")) == nullptr);
}

TEST_CASE("an entry becomes one want per port of the actual card") {
    std::string problem;
    PortSpec all{{PortWant::Eth}, true};
    CHECK(*wantsForCard(all, 2, problem) == std::vector<PortWant>{PortWant::Eth, PortWant::Eth});
    CHECK(*wantsForCard(all, 1, problem) == std::vector<PortWant>{PortWant::Eth});
    PortSpec first{{PortWant::Ib}, false};
    CHECK(*wantsForCard(first, 2, problem) == std::vector<PortWant>{PortWant::Ib, PortWant::Keep});
    PortSpec two{{PortWant::Ib, PortWant::Eth}, false};
    CHECK_FALSE(wantsForCard(two, 1, problem).has_value());
    CHECK(problem == "the configuration lists 2 ports but the card has 1");
}
