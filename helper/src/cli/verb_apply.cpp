// SPDX-License-Identifier: GPL-2.0-or-later
// apply: set (or, with --dry-run, plan) the port types of the given cards or of all. What each
// outcome means and says is verdicts.h's (applyVerdict); this file reads, locks, switches and
// reports.
#include "card_switch.h"
#include "cards.h"
#include "cli.h"
#include "deferred_signals.h"
#include "device_table.h"
#include "impact.h"
#include "interfaces.h"
#include "json_output.h"
#include "kernel_log.h"
#include "log.h"
#include "refusal_memory.h"
#include "switching.h"
#include "sysfs.h"
#include "text_output.h"
#include "unmatched_entries.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <unistd.h>

namespace mlx4 {

namespace {

// A card that has nothing to switch, whatever its ports read: a problem found while reading
// it, an Ethernet-only card, a card the configuration leaves alone. Said, with `report`
// filled; nothing if the card is to be planned. The value: false if the card failed.
std::optional<bool> notToSwitch(const ConfiguredCard& card, const ApplyRun& run,
                                CardReport& report) {
    if (const std::string* problem = card.problem())
        return failCard(report, *problem);
    std::string skipped;
    // An Ethernet-only card has nothing to set: never written. Asking ib of it by its address
    // or as a unit is an error about this very card; a default or a model merely covers it.
    if (isMlx4Card(card.card) && !ethernetOnlyName(card).empty()) {
        EntryKind kind = entryKind(card.entry());
        if (entryAsksIb(card.entry()) && (kind == EntryKind::Address || kind == EntryKind::Unit))
            return failCard(report, stateNote(card, CardState::Failed) + "; nothing was written");
        skipped = stateNote(card, CardState::EthernetOnly);
    } else if (const std::string* reason = card.leftBecause()) {
        skipped = cardLabel(card.card) + ": " + *reason;
    } else {
        return std::nullopt;
    }
    report.result = CardResult::Skipped;
    report.message = skipped;
    if (!run.options.dryRun)
        logInfo(report.message);
    else if (!run.options.json)
        std::printf("%s\n", report.message.c_str());
    return true;
}

// What the kernel refused: remembered for the udev events to come, with the driver's own line
// from the kernel log when it can be read. Fills the facts the verdict tells.
void noteKernelRefusal(const ConfiguredCard& card, const ApplyRun& run, const ApplyResult& result,
                       OutcomeFacts& facts, std::string& problem) {
    Refusal refusal{RefusalKey{*card.wants()}, result.before, result.target, result.restarts,
                    result.reason};
    facts.remembered = rememberRefusal(run.context.runDir, card.card.address, refusal, problem);
    // The driver's own line says which case it was; only root reads the kernel log.
    if (auto messages = readKernelMessages()) {
        facts.kernelLogRead = true;
        facts.kernelLine = lastKernelRefusal(*messages, card.card.address.str());
    }
}

// The verdict as the run shows it: a dry run prints the plan (with what a restart would take
// down) of a card it would change or finds in sync; everything else is logged.
void showVerdict(const ConfiguredCard& card, const ApplyRun& run, const CardPlan& plan,
                 const ApplyResult& result, const ApplyVerdict& verdict) {
    const Options& options = run.options;
    const bool planShown = options.dryRun && !options.json;
    if (planShown && result.outcome == ApplyOutcome::InSync) {
        printPlan(card, plan, nullptr);
    } else if (planShown && result.outcome == ApplyOutcome::Planned) {
        std::optional<RestartImpact> shown;
        if (plan.mayRestart()) {
            shown = readRestartImpact(card.card, plan);
            shown->guardVerdict =
                guardVerdict(shown->before, shown->host,
                             !options.useSyslog && run.context.udevAction.empty(), options.force);
        }
        printPlan(card, plan, shown ? &*shown : nullptr);
    } else if (!(options.dryRun && (result.outcome == ApplyOutcome::InSync ||
                                    result.outcome == ApplyOutcome::Planned))) {
        logMessage(verdict.level, verdict.message);
        for (const std::string& line : verdict.details)
            logNotice(line);
    }
}

// Applies (or plans) one card, logs what happened and fills `report`. Returns false if the
// card could not be set or read.
bool applyOne(const ConfiguredCard& card, const ApplyRun& run, CardReport& report) {
    report.address = card.card.address.str();
    report.model = modelName(card.card.device);
    if (std::optional<bool> done = notToSwitch(card, run, report))
        return *done;
    SysfsCardPorts ports(card.card);
    // Most events find the card as configured: that needs no lock.
    CardReading reading = readCard(ports);
    CardPlan plan = makePlan(reading, *card.wants());
    ApplyResult result = planOutcome(plan);
    SwitchHold hold; // released when the outcome is logged
    if (!run.options.dryRun && result.outcome == ApplyOutcome::Planned) {
        std::optional<ApplyResult> done = switchUnderLock(card, run, reading, plan, hold, report);
        if (!done)
            return false;
        result = *done;
    }
    report.before = result.before;
    report.after = result.after;
    report.restarts = result.restarts;
    OutcomeFacts facts = outcomeFacts(card, run);
    std::string problem;
    if (result.outcome == ApplyOutcome::Refused && result.kernelRefused)
        noteKernelRefusal(card, run, result, facts, problem);
    if (result.outcome == ApplyOutcome::Switched)
        forgetRefusal(run.context.runDir, card.card.address);
    ApplyVerdict verdict = applyVerdict(result, plan, facts);
    report.result = verdict.result;
    report.message = verdict.message;
    for (const std::string& line : verdict.details)
        report.message += "\n" + line;
    showVerdict(card, run, plan, result, verdict);
    if (result.outcome == ApplyOutcome::Refused && result.kernelRefused && !facts.remembered)
        logWarning(facts.label + ": " + problem + "; udev events will try this target again");
    return verdict.result != CardResult::Failed;
}

} // namespace

int runApply(const Options& options, const RunContext& context) {
    Config config;
    if (!loadConfig(options, config))
        return kExitUsage;
    return applyConfig(options, context, config);
}

int applyConfig(const Options& options, const RunContext& context, const Config& config) {
    std::vector<CardReport> reports;
    bool ok = true;
    if (options.all && !config.defaultEntry && !config.namesCards()) {
        std::string message = "no card is configured in " + options.configDir + "; nothing to do";
        // An admin trying a dry run wants to hear it; udev's run at every event does not.
        if (options.dryRun)
            logNotice(message);
        else
            logDebug(message);
    } else {
        std::vector<CardInfo> cards;
        std::vector<MissingCard> missing;
        ok = collectCards(options, cards, &missing);
        for (const MissingCard& card : missing)
            reports.push_back(
                {card.address.str(), {}, CardResult::Failed, 0, card.problem, {}, {}});
        if (options.all && cards.empty())
            logInfo("no mlx4 card found; nothing to do");
        // Address entries whose slot is empty: said by the dry run and the boot unit's run,
        // not at every udev event (those name one card).
        if (options.all && context.udevAction.empty())
            for (const ConfigEntry* entry : unmatchedAddressEntries(config, mellanoxAddresses()))
                logWarning(unmatchedAddressMessage(*entry));
        ApplyRun run{options, context,
                     retryRule({context.udevAction, context.syntheticEvent,
                                isatty(STDIN_FILENO) == 1, options.retry})};
        // The rule's path reads only what the configuration matches on; a dry run shows it all.
        IdentityNeeds needs = config.identityNeeds();
        needs.all = options.dryRun;
        for (const CardInfo& card : cards) {
            // Virtual functions have read-only port files; their physical function's are the
            // ones.
            if (options.all && deviceKind(card.device) == DeviceKind::virtualFunction) {
                logDebug(cardLabel(card) + ": a virtual function; its port type is the physical "
                                           "function's; skipped");
                continue;
            }
            reports.emplace_back();
            ok &= applyOne(readConfiguredCard(card, config, run.context.runDir, needs), run,
                           reports.back());
        }
    }
    if (options.json)
        printApplyJson(reports, options.dryRun);
    if (!ok)
        return kExitCardFailed;
    bool wouldWrite = std::any_of(reports.begin(), reports.end(), [](const CardReport& report) {
        return report.result == CardResult::Changed;
    });
    return options.dryRun && wouldWrite ? kExitDrift : kExitOk;
}

} // namespace mlx4
