// SPDX-License-Identifier: GPL-2.0-or-later
// The edit set and unset make to set.json, made and checked whole before anything is written:
// the configuration with and without it, and every card present as it leaves them.
#pragma once

#include "card_decision.h"
#include "card_info.h"
#include "config.h"
#include "identity.h"
#include "set_effect.h"
#include "set_file.h"
#include "verbs.h"

#include <string>
#include <variant>
#include <vector>

namespace mlx4 {

// What set or unset was asked.
struct SetRequest {
    SetEntry entry; // for unset, the KEY only
    bool unset = false;
};

// The edit of set.json, made and checked whole before anything is written.
struct Edit {
    std::string setPath;
    std::string oldText, newText;
    Config before, after; // the configuration without and with the edit
};

// One card present, as the edit leaves it.
struct CardAfterEdit {
    CardInfo card;
    CardIdentity identity;
    SetEffect effect;
    CardDecision decision; // by the configuration after the edit
};

// Reads the configuration and makes the edit `request` asks for, checked exactly as the loader
// will check it. Instead, an exit status when there is nothing to do or it cannot be done (said).
std::variant<Edit, int> makeEdit(const Options& options, const SetRequest& request,
                                 const std::string& setPath);

// Every card present: which entry decides it after the edit. Instead, an exit status when the
// cards cannot be listed or the edit would leave one refused (said). `command` is the command
// as typed, for the messages.
std::variant<std::vector<CardAfterEdit>, int>
cardsAfterEdit(const Edit& edit, const SetRequest& request, const std::string& command);

} // namespace mlx4
