// SPDX-License-Identifier: GPL-2.0-or-later
// Entries that match no card present.
#include "unmatched_entries.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;

namespace {

Config parsedConfig(const std::string& text) {
    std::vector<ConfigError> errors;
    ConfigFile file = parseConfigText(text, "/etc/mlx4-porttype/config.json", errors);
    REQUIRE(errors.empty());
    return mergeConfigFiles({file});
}

const char kConfig[] = R"({
  "cards": {
    "0000:05:00.0": "eth",
    "0000:82:00.0": "ib",
    "guid:0002:c903:000c:c89a": "ib",
    "serial:MT1037X01146": "eth",
    "part:MCX354A-*": "eth"
  }
})";

} // namespace

TEST_CASE("an address entry naming an empty slot is unmatched, with its file and line") {
    Config config = parsedConfig(kConfig);
    auto unmatched = unmatchedAddressEntries(config, {*parsePciAddress("0000:05:00.0")});
    REQUIRE(unmatched.size() == 1);
    CHECK(unmatched[0]->key == "0000:82:00.0");
    std::string message = unmatchedAddressMessage(*unmatched[0]);
    CHECK(message.rfind("/etc/mlx4-porttype/config.json:4: 0000:82:00.0 matches no card", 0) == 0);
    CHECK(unmatchedAddressEntries(
              config, {*parsePciAddress("0000:05:00.0"), *parsePciAddress("0000:82:00.0")})
              .empty());
}

TEST_CASE("unit and model entries match any card whose identity they name") {
    Config config = parsedConfig(kConfig);
    CHECK(unmatchedUnitAndModelEntries(config, {}).size() == 3);
    CardIdentity card;
    card.address = *parsePciAddress("0000:05:00.0");
    card.serialNumber = 0x0002c903000cc89aULL;
    card.vpd.serial = "mt1037x01146";
    auto unmatched = unmatchedUnitAndModelEntries(config, {card});
    REQUIRE(unmatched.size() == 1);
    CHECK(unmatched[0]->key.rfind("part:", 0) == 0);
    CardIdentity connectX3;
    connectX3.vpd.part = "MCX354A-FCBT";
    CHECK(unmatchedUnitAndModelEntries(config, {card, connectX3}).empty());
}
