// SPDX-License-Identifier: GPL-2.0-or-later
// The switch of one card, as apply makes it: under the card's lock, after the memory of
// earlier refusals and the guard of the host's network, with signals deferred while it writes.
// set asks the same guard before it writes its file.
#pragma once

#include "card_decision.h"
#include "card_info.h"
#include "card_lock.h"
#include "cards.h"
#include "configured_card.h"
#include "context.h"
#include "deferred_signals.h"
#include "plan.h"
#include "switching.h"
#include "verbs.h"
#include "verdicts.h"

#include <memory>
#include <optional>
#include <string>

namespace mlx4 {

// What one apply run works with, the same for every card.
struct ApplyRun {
    const Options& options;
    const RunContext& context;
    RetryRule retry; // what this run does with a target the kernel refused earlier
};

// What the verdicts need to know of a card and of this run, before the switch.
OutcomeFacts outcomeFacts(const ConfiguredCard& card, const ApplyRun& run);

// A failure: logged, and the report says so.
bool failCard(CardReport& report, const std::string& message);

// What a switch holds until its outcome is logged: the card's lock and, while it writes, the
// deferral of signals, which ends last.
struct SwitchHold {
    std::optional<DeferredSignals> deferred;
    std::unique_ptr<CardLock> lock;
};

// The switch of a card whose plan needs writes, under the card's lock (kept in `hold`). Returns
// the outcome, or nothing with `report` filled when the card was not tried (refused earlier,
// the lock, the guard).
std::optional<ApplyResult> switchUnderLock(const ConfiguredCard& card, const ApplyRun& run,
                                           const CardReading& reading, CardPlan& plan,
                                           SwitchHold& hold, CardReport& report);

// The guard of apply, asked before anything is written: would switching this card cut a
// default route or an SSH session? The refusal, or empty.
std::string restartGuardRefusal(const CardInfo& card, const CardDecision& decision,
                                const Options& options, const RunContext& context);

} // namespace mlx4
