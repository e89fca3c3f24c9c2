// SPDX-License-Identifier: GPL-2.0-or-later
// What an edit of set.json does to a card: the entry that decides it, an entry of higher rank
// that still does, a conflict the edit creates, and which cards are planned.
#include "set_effect.h"

#include "bound_card.h"
#include "set_file.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;

namespace {

const std::string kAdmin = "/etc/mlx4-porttype/config.json";
const std::string kSet = "/etc/mlx4-porttype/set.json";

// The admin's config.json and set.json, built as the loader builds them.
Config build(const std::string& admin, const std::string& setJson) {
    std::vector<ConfigSource> sources{{kAdmin, admin}};
    if (!setJson.empty())
        sources.push_back({kSet, setJson});
    std::vector<ConfigError> errors;
    Config config = buildConfig(sources, errors);
    for (const ConfigError& error : errors)
        FAIL_CHECK("unexpected error: " << error.str());
    return config;
}

std::string withSet(const std::string& setJson, const std::string& key,
                    std::vector<std::string> types) {
    std::string problem;
    auto text = withEntrySet(setJson, {key, std::move(types)}, problem);
    REQUIRE_MESSAGE(text, problem);
    return *text;
}

// A card at 0000:05:00.0, an MHQH29B with a serial number.
CardIdentity card(const char* address = "0000:05:00.0") {
    CardIdentity identity;
    identity.address = *parsePciAddress(address);
    identity.vpd.serial = "MT1037X01146";
    identity.vpd.part = "MHQH29B-XTR";
    return identity;
}

} // namespace

TEST_CASE("set default on a machine without entries decides every card") {
    Config before = build("{}", "");
    Config after = build("{}", withSet("", "default", {"eth"}));
    SetEffect effect = setEffect(before, after, kSet, "default", card());
    CHECK(effect.concerned);
    CHECK(effect.editedNamesCard);
    REQUIRE(effect.after.entry);
    CHECK(effect.after.entry->where() == kSet + ":2");
    CHECK_FALSE(effect.outrankedBy);
    CHECK_FALSE(effect.createsConflict);
    CHECK_FALSE(effect.before.entry);
}

TEST_CASE("set default does not beat the admin's slot entry, and says which entry decides") {
    const std::string admin = "{\n  \"cards\": {\n    \"05:00.0\": \"ib\"\n  }\n}\n";
    Config before = build(admin, "");
    Config after = build(admin, withSet("", "default", {"eth"}));
    SetEffect slotCard = setEffect(before, after, kSet, "default", card());
    CHECK_FALSE(slotCard.concerned);
    CHECK(slotCard.editedNamesCard);
    REQUIRE(slotCard.outrankedBy);
    CHECK(slotCard.outrankedBy->where() == kAdmin + ":3");
    CHECK(rankName(entryRank(*slotCard.outrankedBy)) == "a slot entry (a PCI address)");
    // Another card has no entry of its own: default decides it.
    SetEffect other = setEffect(before, after, kSet, "default", card("0000:06:00.0"));
    CHECK(other.concerned);
    CHECK_FALSE(other.outrankedBy);
    // An entry of higher rank asking the same is no news.
    Config same = build(admin, withSet("", "default", {"ib"}));
    CHECK_FALSE(setEffect(before, same, kSet, "default", card()).outrankedBy);
}

TEST_CASE("a set.json entry replaces the admin's entry of the same key: later file, same key") {
    const std::string admin = R"({"cards": {"05:00.0": "ib"}})";
    Config before = build(admin, "");
    Config after = build(admin, withSet("", "0000:05:00.0", {"eth"}));
    SetEffect effect = setEffect(before, after, kSet, "0000:05:00.0", card());
    CHECK(effect.concerned);
    CHECK(effect.after.entry->file == kSet);
    CHECK_FALSE(effect.outrankedBy);
}

TEST_CASE("a same-rank conflict the edit creates for a card is found, an old one is not blamed") {
    const std::string admin = R"({"cards": {"serial:MT1037X01146": "ib"}})";
    Config before = build(admin, "");
    Config after = build(admin, withSet("", "guid:0002c903000cc89a", {"eth"}));
    CardIdentity unit = card();
    unit.serialNumber = 0x0002c903000cc89aULL;
    SetEffect created = setEffect(before, after, kSet, "guid:0002c903000cc89a", unit);
    CHECK(created.createsConflict);
    CHECK(created.concerned);
    // The same types at the same rank agree: no conflict.
    Config agreeing = build(admin, withSet("", "guid:0002c903000cc89a", {"ib"}));
    CHECK_FALSE(setEffect(before, agreeing, kSet, "guid:0002c903000cc89a", unit).createsConflict);
    // A conflict among the admin's entries that the edit does not touch is not the edit's.
    const std::string conflicting =
        R"({"cards": {"serial:MT1037X01146": "ib", "guid:0002c903000cc89a": "eth"}})";
    Config old = build(conflicting, "");
    Config plusDefault = build(conflicting, withSet("", "default", {"eth"}));
    SetEffect untouched = setEffect(old, plusDefault, kSet, "default", unit);
    CHECK_FALSE(untouched.createsConflict);
    CHECK_FALSE(untouched.concerned);
}

TEST_CASE("unset: the cards the removed entry decided are planned, by what decides them now") {
    const std::string admin = R"({"default": "ib"})";
    const std::string setJson = withSet("", "part:MHQH29B-*", {"eth"});
    Config before = build(admin, setJson);
    bool found = false;
    std::string problem;
    Config after = build(admin, *withEntryRemoved(setJson, "part:mhqh29b-*", found, problem));
    REQUIRE(found);
    SetEffect effect = setEffect(before, after, kSet, "part:mhqh29b-*", card());
    CHECK(effect.concerned);
    CHECK(effect.editedNamesCard);
    REQUIRE(effect.after.entry);
    CHECK(effect.after.entry->key == "default");
    CHECK(effect.after.entry->file == kAdmin);
    // A card the part: entry never named is not concerned.
    CardIdentity other = card("0000:06:00.0");
    other.vpd.part = "MCX354A-FCBT";
    CHECK_FALSE(setEffect(before, after, kSet, "part:mhqh29b-*", other).concerned);
}

TEST_CASE("an edit that leaves a card refused is not written, one that finds it refused is") {
    CardInfo twoPorts = mlx4::test::boundCard();
    CardInfo onePort = twoPorts;
    onePort.portCount = 1;
    onePort.ports = {1};

    // A conflict the edit creates.
    const std::string admin = R"({"cards": {"serial:MT1037X01146": "ib"}})";
    CardIdentity unit = card();
    unit.serialNumber = 0x0002c903000cc89aULL;
    Config before = build(admin, "");
    Config conflicting = build(admin, withSet("", "guid:0002c903000cc89a", {"eth"}));
    CHECK(editRefusesCard(twoPorts,
                          setEffect(before, conflicting, kSet, "guid:0002c903000cc89a", unit)));
    // Two types for a one-port card: refused by the entry the edit makes.
    Config empty = build("{}", "");
    Config twoTypes = build("{}", withSet("", "0000:05:00.0", {"eth", "ib"}));
    SetEffect longer = setEffect(empty, twoTypes, kSet, "0000:05:00.0", card());
    CHECK(editRefusesCard(onePort, longer));
    CHECK_FALSE(editRefusesCard(twoPorts, longer));
    // Refused already before the edit (the admin's own entry is too long; the edit is of
    // another card): not this edit's doing.
    Config adminLonger = build(R"({"cards": {"0000:05:00.0": ["eth", "ib"]}})", "");
    Config plusOther = build(R"({"cards": {"0000:05:00.0": ["eth", "ib"]}})",
                             withSet("", "0000:06:00.0", {"eth"}));
    CHECK_FALSE(
        editRefusesCard(onePort, setEffect(adminLonger, plusOther, kSet, "0000:06:00.0", card())));
}
