// SPDX-License-Identifier: GPL-2.0-or-later
// set.json edited by `set` and `unset`: one entry added, replaced or removed, the rest kept, and
// the arguments checked in the loader's words.
#include "set_file.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;

namespace {

std::string set(const std::string& text, const std::string& key, std::vector<std::string> types) {
    std::string problem;
    auto result = withEntrySet(text, {key, std::move(types)}, problem);
    REQUIRE_MESSAGE(result, problem);
    return *result;
}

std::string unset(const std::string& text, const std::string& key, bool& found) {
    std::string problem;
    auto result = withEntryRemoved(text, key, found, problem);
    REQUIRE_MESSAGE(result, problem);
    return *result;
}

// The text parses as the loader parses it, without errors.
ConfigFile loaded(const std::string& text) {
    std::vector<ConfigError> errors;
    ConfigFile file = parseConfigText(text, "set.json", errors);
    for (const ConfigError& error : errors)
        FAIL_CHECK("unexpected error: " << error.str());
    return file;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines)
        text += line + "\n";
    return text;
}

} // namespace

TEST_CASE("set into no file writes a document of one entry, one entry a line") {
    CHECK(set("", "default", {"eth"}) == "{\n  \"default\": \"eth\"\n}\n");
    CHECK(set("", "05:00.0", {"eth", "ib"}) ==
          "{\n  \"cards\": {\n    \"0000:05:00.0\": [\"eth\", \"ib\"]\n  }\n}\n");
    ConfigFile file = loaded(set("", "guid:0x0002c903000cc89a", {"ib"}));
    CHECK(file.guids.at(0x0002c903000cc89aULL).key == "guid:0002:c903:000c:c89a");
}

TEST_CASE("set replaces an entry where it stands, whatever its spelling, and keeps the rest") {
    const std::string before = R"({
  "cards": {
    "05:00.0": "ib",
    "part:MHQH29B-*": ["eth", "keep"]
  },
  "default": "auto"
})";
    std::string after = set(before, "0000:05:00.0", {"eth"});
    CHECK(after ==
          "{\n  \"cards\": {\n    \"0000:05:00.0\": \"eth\",\n"
          "    \"part:MHQH29B-*\": [\"eth\", \"keep\"]\n  },\n  \"default\": \"auto\"\n}\n");
    ConfigFile file = loaded(after);
    CHECK(file.cards.size() == 1);
    CHECK(file.parts.at("MHQH29B-*").spec.str() == "eth,keep");
    CHECK(file.defaultEntry->spec.str() == "auto");
    // serial: and part: in another case are the same entry, as the loader sees it.
    ConfigFile part = loaded(set(before, "part:mhqh29b-*", {"ib"}));
    CHECK(part.parts.size() == 1);
    CHECK(part.parts.at("MHQH29B-*").spec.str() == "ib");
}

TEST_CASE("set adds a new entry last, and default first") {
    std::string one = set("", "serial:MT1037X01146", {"eth"});
    std::string two = set(one, "10:00.0", {"ib"});
    CHECK(two.find("serial:MT1037X01146") < two.find("0000:10:00.0"));
    std::string three = set(two, "default", {"eth"});
    CHECK(three.rfind("{\n  \"default\": \"eth\",\n  \"cards\"", 0) == 0);
    ConfigFile file = loaded(three);
    CHECK(file.serials.size() == 1);
    CHECK(file.cards.size() == 1);
    CHECK(file.defaultEntry);
}

TEST_CASE("unset removes the entry, says whether it was there, and keeps the rest") {
    const std::string before = set(set("", "default", {"eth"}), "05:00.0", {"ib"});
    bool found = false;
    std::string without = unset(before, "0000:05:00.0", found);
    CHECK(found);
    CHECK(without == "{\n  \"default\": \"eth\"\n}\n");
    std::string empty = unset(without, "default", found);
    CHECK(found);
    CHECK(empty == "{}\n");
    CHECK(loaded(empty).defaultEntry == std::nullopt);
    CHECK(unset(before, "06:00.0", found) == before);
    CHECK_FALSE(found);
}

TEST_CASE("a set.json that is not an object of the format's shape is not edited") {
    std::string problem;
    CHECK_FALSE(withEntrySet("[1]", {"default", {"eth"}}, problem));
    CHECK(problem == "is not a JSON object");
    CHECK_FALSE(withEntrySet("{\"cards\": 3}", {"05:00.0", {"eth"}}, problem));
    CHECK(problem == "has \"cards\" that is not an object");
    CHECK_FALSE(withEntrySet("{\"default\": ", {"default", {"eth"}}, problem));
    CHECK(problem.rfind("1:", 0) == 0);
}

TEST_CASE("keys compare as the loader compares them") {
    CHECK(sameKey("05:00.0", "0000:05:00.0"));
    CHECK(sameKey("guid:0002c903000cc89a", "guid:00-02-c9-03-00-0c-c8-9a"));
    CHECK(sameKey("serial:mt1037x01146", "serial:MT1037X01146"));
    CHECK_FALSE(sameKey("serial:MT1", "part:MT1"));
    CHECK_FALSE(sameKey("05:00.0", "05:00.1"));
    CHECK(setFileKey("5:0.0") == "5:0.0"); // malformed: the check says so
    CHECK(setFileKey("05:00.0") == "0000:05:00.0");
    CHECK(setFileKey("part:mhqh*") == "part:mhqh*");
}

TEST_CASE("the arguments are checked with the loader's messages and its did-you-mean") {
    CHECK(checkSetArguments({"default", {"eth"}}).empty());
    CHECK(checkSetArguments({"05:00.0", {"eth", "ib"}}).empty());
    CHECK(checkSetArguments({"part:MHQH29B-*", {}}).empty()); // unset: KEY alone

    auto types = checkSetArguments({"default", {"ethernet"}});
    REQUIRE(types.size() == 1);
    CHECK(types[0] == "unknown port type \"ethernet\": use \"ib\", \"eth\", \"auto\" or \"keep\"; "
                      "did you mean \"eth\"?");
    auto kind = checkSetArguments({"guld:0002c903000cc89a", {"eth"}});
    REQUIRE(kind.size() == 1);
    CHECK(kind[0].find("did you mean \"guid\"?") != std::string::npos);
    auto nearDefault = checkSetArguments({"defualt", {"eth"}});
    REQUIRE(nearDefault.size() == 1);
    CHECK(nearDefault[0] == "unknown KEY \"defualt\": KEY is default, a PCI address, guid:, "
                            "serial: or part:; did you mean \"default\"?");
    auto address = checkSetArguments({"0:5:0.0", {"eth"}});
    REQUIRE(address.size() == 1);
    CHECK(address[0].find("did you mean \"0000:05:00.0\"?") != std::string::npos);
    CHECK(checkSetArguments({"default", {"eth", "ib", "ib"}}).size() == 1);
    CHECK(checkSetArguments({"defualt", {"ethernet"}}).size() == 2);
    auto bytes = checkSetArguments({"default", {"e\xfft"}});
    REQUIRE(bytes.size() == 1);
    CHECK(bytes[0] == "\"e\\xfft\" is not UTF-8 text");
}

TEST_CASE("the dry run's change is the lines that differ") {
    std::string before = set("", "default", {"ib"});
    CHECK(joined(changedLines(before, set(before, "default", {"eth"}))) ==
          "-  \"default\": \"ib\"\n+  \"default\": \"eth\"\n");
    std::string withCard = set(before, "05:00.0", {"eth"});
    CHECK(joined(changedLines(before, withCard)) ==
          "-  \"default\": \"ib\"\n+  \"default\": \"ib\",\n+  \"cards\": {\n"
          "+    \"0000:05:00.0\": \"eth\"\n+  }\n");
    CHECK(changedLines(before, before).empty());
    CHECK(joined(changedLines("", before)) == "+{\n+  \"default\": \"ib\"\n+}\n");
}
