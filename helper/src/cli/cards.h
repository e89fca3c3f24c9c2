// SPDX-License-Identifier: GPL-2.0-or-later
// What every verb does first: load the configuration, find the cards, read what of their
// identity the configuration or the verb needs, and the models the verbs render (output.h).
#pragma once

#include "card_state.h"
#include "config.h"
#include "configured_card.h"
#include "context.h"
#include "host_network.h"
#include "plan.h"
#include "port_link.h"
#include "state_notes.h"
#include "verbs.h"
#include "verdicts.h"

#include <string>
#include <vector>

namespace mlx4 {

// Configuration errors printed before the rest are only counted.
constexpr size_t kMaxErrorsShown = 30;

// Loads the configuration of --config-dir, logging its errors; false if there were any.
bool loadConfig(const Options& options, Config& config);

// Logs configuration errors (the first few dozen, then their number), and last their count
// with `notDone`, what was therefore not done ("no card was changed").
void logConfigErrors(const std::vector<ConfigError>& errors, const std::string& notDone);

// The cards named on the command line, or all mlx4 cards. False if one could not be found;
// `missing` gets the address of each one without a device, with the message logged for it.
struct MissingCard {
    PciAddress address;
    std::string problem;
};
bool collectCards(const Options& options, std::vector<CardInfo>& cards,
                  std::vector<MissingCard>* missing = nullptr);

// What of the card's identity is known: read now (and recorded by root for runs that cannot
// read it), or, where this run may not read it, taken from the record of a root run.
CardIdentity readIdentity(const CardInfo& card, IdentityNeeds needs, const std::string& runDir);

// The card as the configuration sees it, reading what `needs` says of its identity (a caller
// that read it already passes it as `known`). When part of it is unknown, the other mlx4 cards'
// identities are read too: an entry that names one of them cannot name this one.
ConfiguredCard readConfiguredCard(const CardInfo& card, const Config& config,
                                  const std::string& runDir, IdentityNeeds needs = {},
                                  const CardIdentity* known = nullptr);

// Once per command, not per card: identity is for root only, which a user may not expect.
void noteIdentityNeedsRoot(const std::vector<ConfiguredCard>& cards);

// What a restart of the card would take down, read just before it is planned to happen.
struct RestartImpact {
    CardInterfaces before;
    HostFacts host;
    std::vector<std::string> lines; // restartImpact()
    std::string guardVerdict;       // for the dry run: guardVerdict()
};
RestartImpact readRestartImpact(const CardInfo& card, const CardPlan& plan);

// apply's model: what became of one card, logged as it happens and printed by apply --json.
struct CardReport {
    std::string address;
    std::string model; // empty if there is no such device
    CardResult result = CardResult::Unchanged;
    int restarts = 0;
    std::string message; // the line logged for the card
    std::vector<PortState> before, after;
};

// "guid:0002:c903:000c:c89a (FILE:LINE)": an entry as the identity table and JSON show it.
std::string entryText(const ConfigEntry& entry);

// PortRow::configured of a card that two entries of one rank name with different types.
inline const std::string kConflict = "conflict";

// status's model, one per port and one per card.
struct PortRow {
    PortReading reading;
    std::string configured;    // empty if not configured
    bool inSync = false;       // portInSync()
    std::optional<bool> match; // as configured; nullopt: nothing to compare (not configured,
                               // keep, unreadable, or the card's state compares no ports)
    PortLink link;             // what the port is as an interface
};

struct CardRow {
    ConfiguredCard card;
    std::vector<PortRow> ports;
    CardStatus status = CardStatus::Left;
    std::string refused; // the kernel refused its target earlier: what to do
    CardState state = CardState::NotConfigured;
    std::string stateNote; // why the card is in its state, where no other note says it
};

// --- the card state (card_state.h) from what the system shows of a card ---

// The driver the card is bound to, or the one its driver_override hands it to.
Binding bindingOf(const CardInfo& card);
// The facts the state of `card` is decided from; `reading` nullptr: its ports were not read.
CardFacts cardFacts(const ConfiguredCard& card, const CardReading* reading,
                    const RunContext& context, const Config& config);
// The devices status lists without addresses: every device of the mlx4 driver's table and
// every device bound to mlx4_core, whatever its driver now; with addresses, those.
bool collectStatusCards(const Options& options, std::vector<CardInfo>& cards);
// The addresses of the Mellanox devices present, whatever their driver.
std::vector<PciAddress> mellanoxAddresses();

} // namespace mlx4
