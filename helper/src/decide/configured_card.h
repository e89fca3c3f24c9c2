// SPDX-License-Identifier: GPL-2.0-or-later
// One card as the configuration sees it: what was found of it, what was read of its identity,
// the entry that matches it and the decision that follows (pure: the identity is read by the
// caller).
#pragma once

#include "card_decision.h"
#include "card_info.h"
#include "config.h"
#include "identity.h"

#include <string>
#include <vector>

namespace mlx4 {

struct ConfiguredCard {
    CardInfo card;
    CardIdentity identity; // what was read of it: only what the configuration or command needs
    ConfigMatch match;
    CardDecision decision;

    const ConfigEntry* entry() const { return match.entry; }
    // The wants when the card is to be set, else nullptr.
    const std::vector<PortWant>* wants() const;
    // The error when the card is not handled, else nullptr.
    const std::string* problem() const;
    // Why the card is left alone, when it is, else nullptr.
    const std::string* leftBecause() const;
};

// A device of the mlx4 driver's table that no driver has bound yet, and that no driver_override
// hands to another driver: mlx4_core may still bind it.
bool awaitsMlx4(const CardInfo& card);

// The card `card` whose identity reads `identity` (its address alone when nothing was read),
// matched against `config` and decided. `others`: what was read of the other cards present,
// needed only when part of the card's identity is unknown (Config::match).
ConfiguredCard configureCard(const CardInfo& card, const CardIdentity& identity,
                             const Config& config, const std::vector<CardIdentity>& others = {});

} // namespace mlx4
