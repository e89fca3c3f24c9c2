// SPDX-License-Identifier: GPL-2.0-or-later
// Cards named by guid:, serial: and part:, their errors, precedence and conflicts.
#include "config.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;

namespace {

constexpr uint64_t kGuid = 0x0002c903000cc89aULL;

Config config(const std::string& text, const std::string& path = "config.json") {
    std::vector<ConfigError> errors;
    ConfigFile file = parseConfigText(text, path, errors);
    for (const ConfigError& error : errors)
        FAIL_CHECK("unexpected error: " << error.str());
    return mergeConfigFiles({file});
}

std::vector<std::string> errorsOf(const std::string& text) {
    std::vector<ConfigError> errors;
    parseConfigText(text, "c.json", errors);
    std::vector<std::string> texts;
    for (const ConfigError& error : errors)
        texts.push_back(error.str());
    return texts;
}

// The card at 0000:05:00.0 whose Device Serial Number is kGuid: an MHQH19B-XTR.
CardIdentity card() {
    CardIdentity identity;
    identity.address = *parsePciAddress("0000:05:00.0");
    identity.serialNumber = kGuid;
    identity.vpd.serial = "MT1037X01146";
    identity.vpd.part = "MHQH19B-XTR";
    return identity;
}

std::string matched(const Config& c, const CardIdentity& identity) {
    ConfigMatch match = c.match(identity);
    REQUIRE_FALSE(match.conflict);
    return match.entry ? match.entry->key + "=" + match.entry->spec.str() : "none";
}

} // namespace

TEST_CASE("guid:, serial: and part: keys, each spelled plainly for messages") {
    Config c = config(R"({"cards": {
        "guid:0x0002C903000CC89A": "eth",
        "serial:mt1037x01146": "ib",
        "part:MHQH29B-*": ["eth", "keep"]
    }})");
    REQUIRE(c.guids.count(kGuid));
    CHECK(c.guids.at(kGuid).key == "guid:0002:c903:000c:c89a");
    CHECK(c.guids.at(kGuid).pos.line == 2);
    CHECK(c.serials.at("MT1037X01146").key == "serial:mt1037x01146");
    CHECK(c.parts.at("MHQH29B-*").spec.str() == "eth,keep");
    CHECK(c.namesCards());
    CHECK(c.identityNeeds().guid);
    CHECK(c.identityNeeds().vpd);
}

TEST_CASE("an address-only configuration needs nothing read beyond the port files") {
    Config c = config(R"({"default": "eth", "cards": {"05:00.0": "ib"}})");
    CHECK_FALSE(c.identityNeeds().any());
    CHECK(config(R"({"cards": {"guid:0002c903000cc89a": "ib"}})").identityNeeds().guid);
    CHECK_FALSE(config(R"({"cards": {"guid:0002c903000cc89a": "ib"}})").identityNeeds().vpd);
    CHECK(config(R"({"cards": {"part:MCX3*": "ib"}})").identityNeeds().vpd);
}

TEST_CASE("malformed keys are errors with file, line and column") {
    CHECK(errorsOf("{\"cards\": {\n  \"guid:0002:c903:000c\": \"eth\"}}") ==
          std::vector<std::string>{
              "c.json:2:3: malformed GUID \"guid:0002:c903:000c\": write guid: and 16 hex digits, "
              "as 0002:c903:000c:c89a, 0x0002c903000cc89a, 00-02-c9-03-00-0c-c8-9a or "
              "0002c903000cc89a"});
    CHECK(errorsOf("{\"cards\": {\"guid:0000000000000000\": \"eth\"}}")
              .at(0)
              .find("never programmed") != std::string::npos);
    CHECK(errorsOf("{\"cards\": {\"serial:\": \"eth\"}}") ==
          std::vector<std::string>{"c.json:1:12: malformed card key \"serial:\": write serial: "
                                   "and the serial number, as status shows it "
                                   "(serial:MT1037X01146)"});
    CHECK(errorsOf("{\"cards\": {\"part:MHQH 29B\": \"eth\"}}")
              .at(0)
              .find("malformed card key \"part:MHQH 29B\"") != std::string::npos);
    CHECK(errorsOf("{\"cards\": {\"serail:MT1\": \"eth\"}}") ==
          std::vector<std::string>{
              "c.json:1:12: unknown kind of card key \"serail:MT1\": name a card by its PCI "
              "address, guid:, serial: or part:; did you mean \"serial\"?"});
    // An address is still an address, with its own message.
    CHECK(errorsOf("{\"cards\": {\"5:00.0\": \"eth\"}}").at(0).find("malformed PCI address") !=
          std::string::npos);
}

TEST_CASE("two spellings of one GUID, or one serial in two cases, are duplicates") {
    CHECK(errorsOf("{\"cards\": {\"guid:0002:c903:000c:c89a\": \"eth\",\n"
                   "\"guid:00-02-C9-03-00-0C-C8-9A\": \"ib\"}}") ==
          std::vector<std::string>{"c.json:2:1: \"guid:00-02-C9-03-00-0C-C8-9A\" is the same "
                                   "card as the entry on line 1; keep one of them"});
    CHECK(errorsOf("{\"cards\": {\"serial:MT1\": \"eth\",\n\"serial:mt1\": \"eth\"}}").size() == 1);
    CHECK(errorsOf("{\"cards\": {\"part:MHQH*\": \"eth\",\n\"part:mhqh*\": \"eth\"}}").size() == 1);
}

TEST_CASE("precedence: a unit beats a slot, which beats a model, which beats default") {
    std::string all = R"({"default": "keep", "cards": {
        "part:MHQH19B-*": "auto",
        "0000:05:00.0": "ib",
        "guid:0002c903000cc89a": "eth"}})";
    CHECK(matched(config(all), card()) == "guid:0002:c903:000c:c89a=eth");
    CardIdentity other = card();
    other.serialNumber = 0x1234;
    other.vpd.serial = "OTHER";
    CHECK(matched(config(all), other) == "0000:05:00.0=ib");
    other.address = *parsePciAddress("06:00.0");
    CHECK(matched(config(all), other) == "part:MHQH19B-*=auto");
    other.vpd.part = "MCX354A-FCBT";
    CHECK(matched(config(all), other) == "default=keep");
    // serial: is a unit like guid:, and beats the slot too.
    CHECK(matched(config(R"({"cards": {"0000:05:00.0": "ib", "serial:MT1037X01146": "eth"}})"),
                  card()) == "serial:MT1037X01146=eth");
    // Unknown identity (no root, no VPD): only the slot and default can match.
    CardIdentity unknown;
    unknown.address = card().address;
    CHECK(matched(config(all), unknown) == "0000:05:00.0=ib");
}

TEST_CASE("a guid: key matches the node GUID of the InfiniBand device too") {
    CardIdentity identity = card();
    identity.serialNumber.reset();
    identity.nodeGuid = kGuid;
    CHECK(matched(config(R"({"cards": {"guid:0002:c903:000c:c89a": "eth"}})"), identity) ==
          "guid:0002:c903:000c:c89a=eth");
}

TEST_CASE("same-rank entries that disagree conflict, entries that agree do not") {
    Config units = config(R"({"cards": {
        "guid:0002c903000cc89a": "eth",
        "serial:MT1037X01146": "ib"}})");
    ConfigMatch match = units.match(card());
    REQUIRE(match.entry);
    REQUIRE(match.conflict);
    CHECK(match.entry->where() == "config.json:2");
    CHECK(match.conflict->where() == "config.json:3");

    Config models = config(R"({"cards": {"part:MHQH*": "eth", "part:*-XTR": "ib"}})");
    CHECK(models.match(card()).conflict);
    // A conflict at a lower rank does not matter when a higher rank decides.
    Config decided = config(R"({"cards": {"part:MHQH*": "eth", "part:*-XTR": "ib",
                                          "05:00.0": "auto"}})");
    CHECK(matched(decided, card()) == "0000:05:00.0=auto");
    CHECK(matched(config(R"({"cards": {"guid:0002c903000cc89a": "eth",
                                       "serial:MT1037X01146": "eth"}})"),
                  card()) == "guid:0002:c903:000c:c89a=eth");
}

TEST_CASE("later files replace entries with the same key, whatever its spelling") {
    std::vector<ConfigError> errors;
    ConfigFile fleet =
        parseConfigText(R"({"cards": {"guid:0002:c903:000c:c89a": "eth"}})", "config.json", errors);
    ConfigFile dropIn = parseConfigText(R"({"cards": {"guid:0x0002c903000cc89a": "ib"}})",
                                        "config.d/50-lab.json", errors);
    REQUIRE(errors.empty());
    Config c = mergeConfigFiles({fleet, dropIn});
    CHECK(matched(c, card()) == "guid:0002:c903:000c:c89a=ib");
    CHECK(c.guids.at(kGuid).file == "config.d/50-lab.json");
}

TEST_CASE("an entry that could name a card of unknown identity and outranks its match hides it") {
    Config c = config(R"({"default": "eth", "cards": {"guid:0002c903000cc89a": "ib"}})");
    CardIdentity unknown = card();
    unknown.serialNumber.reset();
    unknown.guidUnknown = "config space reads all ones";
    ConfigMatch match = c.match(unknown, {});
    REQUIRE(match.hidden);
    CHECK(match.hidden->key == "guid:0002:c903:000c:c89a");
    CHECK(match.hiddenWhy == "config space reads all ones");
    CHECK(match.entry->key == "default");

    // The same entry names another card whose GUID is known: it cannot be this one.
    CardIdentity other = card();
    other.address = *parsePciAddress("0000:06:00.0");
    CHECK_FALSE(c.match(unknown, {other}).hidden);
    // ... but not when that card's GUID is unknown too.
    other.serialNumber.reset();
    other.guidUnknown = "no InfiniBand device yet";
    CHECK(c.match(unknown, {other}).hidden);
    // The card itself among the others changes nothing.
    CHECK(c.match(unknown, {unknown}).hidden);
}

TEST_CASE("an entry that could name a card does not hide it from an entry of higher rank") {
    // The card's slot (rank 2) beats part: (rank 1): an unknown part number changes nothing.
    Config c = config(R"({"cards": {"0000:05:00.0": "eth", "part:MHQH19B-*": "ib"}})");
    CardIdentity unknown = card();
    unknown.vpd = {};
    unknown.partUnknown = unknown.serialUnknown = "the VPD has a bad checksum";
    ConfigMatch match = c.match(unknown, {});
    CHECK_FALSE(match.hidden);
    CHECK(match.entry->key == "0000:05:00.0");

    // part: beats default: hidden.
    c = config(R"({"default": "eth", "cards": {"part:MHQH19B-*": "ib"}})");
    match = c.match(unknown, {});
    REQUIRE(match.hidden);
    CHECK(match.hidden->key == "part:MHQH19B-*");

    // serial: beats the slot; a serial known on another card cannot be this card's.
    c = config(R"({"cards": {"0000:05:00.0": "eth", "serial:MT1037X01146": "ib"}})");
    CHECK(c.match(unknown, {}).hidden);
    CardIdentity other = card();
    other.address = *parsePciAddress("0000:06:00.0");
    CHECK_FALSE(c.match(unknown, {other}).hidden);
    // Kinds the card's identity is known for hide nothing.
    CHECK_FALSE(c.match(card(), {}).hidden);
}

TEST_CASE("an entry of the same rank that could name the card hides it only if it asks otherwise") {
    CardIdentity unknownSerial = card();
    unknownSerial.vpd.serial.clear();
    unknownSerial.serialUnknown = "the VPD keyword SN is not printable text";
    Config same = config(R"({"cards": {"guid:0002c903000cc89a": "eth", "serial:MT9": "eth"}})");
    CHECK_FALSE(same.match(unknownSerial, {}).hidden);
    Config other = config(R"({"cards": {"guid:0002c903000cc89a": "eth", "serial:MT9": "ib"}})");
    CHECK(other.match(unknownSerial, {}).hidden);
}
