// SPDX-License-Identifier: GPL-2.0-or-later
// What an edit of set.json does to the cards present.
#include "set_effect.h"

#include "set_file.h"

#include <variant>

namespace mlx4 {

namespace {

// Calls `visit` with every entry of `config` until it returns true; returns that entry.
template <typename Visit> const ConfigEntry* findEntry(const CardEntries& config, Visit visit) {
    if (config.defaultEntry && visit(*config.defaultEntry))
        return &*config.defaultEntry;
    for (const auto& [address, entry] : config.cards)
        if (visit(entry))
            return &entry;
    for (const auto& [guid, entry] : config.guids)
        if (visit(entry))
            return &entry;
    for (const auto& [serial, entry] : config.serials)
        if (visit(entry))
            return &entry;
    for (const auto& [pattern, entry] : config.parts)
        if (visit(entry))
            return &entry;
    return nullptr;
}

// A configuration holding `entry` of `config` alone, to ask whether that entry names a card.
Config onlyEntry(const Config& config, const ConfigEntry* entry) {
    Config only;
    if (config.defaultEntry && &*config.defaultEntry == entry)
        only.defaultEntry = *entry;
    auto copy = [entry](const auto& from, auto& to) {
        for (const auto& [key, candidate] : from)
            if (&candidate == entry)
                to.emplace(key, candidate);
    };
    copy(config.cards, only.cards);
    copy(config.guids, only.guids);
    copy(config.serials, only.serials);
    copy(config.parts, only.parts);
    return only;
}

bool involves(const ConfigMatch& match, const ConfigEntry* entry) {
    return entry && (match.entry == entry || match.conflict == entry);
}

} // namespace

EntryRank entryRank(const ConfigEntry& entry) {
    const std::string& key = entry.key;
    if (key == "default")
        return EntryRank::Default;
    if (key.rfind("part:", 0) == 0)
        return EntryRank::Model;
    if (key.rfind("guid:", 0) == 0 || key.rfind("serial:", 0) == 0)
        return EntryRank::Unit;
    return EntryRank::Slot;
}

std::string rankName(EntryRank rank) {
    switch (rank) {
    case EntryRank::Unit:
        return "a unit entry (guid:, serial:)";
    case EntryRank::Slot:
        return "a slot entry (a PCI address)";
    case EntryRank::Model:
        return "a model entry (part:)";
    case EntryRank::Default:
        break;
    }
    return "default";
}

const ConfigEntry* setFileEntry(const Config& config, const std::string& setFile,
                                std::string_view key) {
    return findEntry(config, [&](const ConfigEntry& entry) {
        return entry.file == setFile && sameKey(entry.key, key);
    });
}

SetEffect setEffect(const Config& before, const Config& after, const std::string& setFile,
                    std::string_view key, const CardIdentity& identity) {
    SetEffect effect;
    effect.before = before.match(identity);
    effect.after = after.match(identity);
    const ConfigEntry* was = setFileEntry(before, setFile, key);
    const ConfigEntry* now = setFileEntry(after, setFile, key);
    // After a set, the entry as set; after an unset, the entry as it was.
    const Config& editedIn = now ? after : before;
    const ConfigEntry* edited = now ? now : was;
    effect.editedNamesCard = edited && onlyEntry(editedIn, edited).match(identity).entry;
    effect.concerned = involves(effect.before, was) || involves(effect.after, now);
    if (effect.after.conflict)
        effect.createsConflict = !effect.before.conflict || involves(effect.after, now);
    const ConfigEntry* decider = effect.after.entry;
    if (now && effect.editedNamesCard && decider && decider != now && !effect.after.conflict &&
        entryRank(*decider) > entryRank(*now) && decider->spec != now->spec)
        effect.outrankedBy = decider;
    return effect;
}

bool editRefusesCard(const CardInfo& card, const SetEffect& effect) {
    if (effect.createsConflict)
        return true;
    return effect.concerned && std::holds_alternative<RefuseCard>(decideCard(card, effect.after)) &&
           !std::holds_alternative<RefuseCard>(decideCard(card, effect.before));
}

} // namespace mlx4
