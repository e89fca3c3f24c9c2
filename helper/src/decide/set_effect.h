// SPDX-License-Identifier: GPL-2.0-or-later
// What an edit of set.json does to the cards present: which entry decides each card before and
// after, whether the edit creates a conflict, and where an entry of higher rank still decides
// (pure: works on two configurations and what was read of a card).
#pragma once

#include "card_decision.h"
#include "config.h"
#include "identity.h"

#include <string>
#include <string_view>

namespace mlx4 {

// The fixed precedence of entries, lowest first.
enum class EntryRank { Default, Model, Slot, Unit };

EntryRank entryRank(const ConfigEntry& entry);
// "a unit entry (guid:, serial:)", "a slot entry (a PCI address)", ...
std::string rankName(EntryRank rank);

// The entry for `key` that `setFile` holds in `config`, or nullptr.
const ConfigEntry* setFileEntry(const Config& config, const std::string& setFile,
                                std::string_view key);

// What setting or removing `key` in `setFile` does to one card present.
struct SetEffect {
    ConfigMatch before, after; // the entries that decide the card without and with the edit
    // The edited entry (as it is after a set, as it was before an unset) names this card,
    // whether or not it decides it.
    bool editedNamesCard = false;
    // The edited entry decided the card before or decides it now: the card is planned and
    // applied.
    bool concerned = false;
    // The edited entry names the card, but this entry of higher rank decides it and asks
    // something else: the edit changes nothing for the card.
    const ConfigEntry* outrankedBy = nullptr;
    // Two entries of one rank name the card with different types after the edit, and did not
    // before or the edited entry is one of them: the edit would leave the card untouched.
    bool createsConflict = false;
};

SetEffect setEffect(const Config& before, const Config& after, const std::string& setFile,
                    std::string_view key, const CardIdentity& identity);

// Whether the edit leaves `card` refused where it was not: a conflict it creates, or, for a card
// it concerns, a port list longer than the card. Such an edit is not written.
bool editRefusesCard(const CardInfo& card, const SetEffect& effect);

} // namespace mlx4
