// SPDX-License-Identifier: GPL-2.0-or-later
// apply: set (or, with --dry-run, plan) the port types of the given cards or of all. What each
// outcome means and says is verdicts.h's (applyVerdict); this file reads, locks, switches and
// reports.
#include "card_lock.h"
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

// What one apply run works with, the same for every card.
struct ApplyRun {
    const Options& options;
    const RunContext& context;
    RetryRule retry; // what this run does with a target the kernel refused earlier
};

OutcomeFacts outcomeFacts(const ConfiguredCard& card, const ApplyRun& run) {
    return {cardLabel(card.card),
            card.card.address.str(),
            card.entry() ? card.entry()->where() : std::string(),
            run.options.dryRun,
            false,
            false,
            std::nullopt};
}

// The ports that run Ethernet in `states` (port 1 first).
std::vector<int> ethernetPorts(const std::vector<PortState>& states) {
    std::vector<int> ports;
    for (size_t i = 0; i < states.size(); ++i)
        if (states[i].active == PortType::Eth)
            ports.push_back(static_cast<int>(i) + 1);
    return ports;
}

// A failure: logged, and the report says so.
bool fail(CardReport& report, const std::string& message) {
    logError(message);
    report.result = CardResult::Failed;
    report.message = message;
    return false;
}

// Whether the card's target was refused earlier and this run leaves it alone: then says so and
// fills `report`.
bool skipRefusedEarlier(const ConfiguredCard& card, const ApplyRun& run, const CardPlan& plan,
                        CardReport& report) {
    if (run.retry != RetryRule::SkipIfRefusedEarlier)
        return false;
    auto earlier = earlierRefusal(run.context.runDir, card.card.address, plan, *card.wants());
    if (!earlier)
        return false;
    fail(report, refusedEarlierMessage(planOutcome(plan), outcomeFacts(card, run), earlier->reason,
                                       run.context.udevAction));
    report.result = CardResult::Refused;
    return true;
}

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
                                           SwitchHold& hold, CardReport& report) {
    const std::string label = cardLabel(card.card);
    const RunContext& context = run.context;
    ApplyResult result = planOutcome(plan);
    if (std::string warning = ethernetOnlyWarning(card); !warning.empty())
        logWarning(label + ": " + warning);
    // A new probe of the card ends what was remembered of it; a target the kernel refused
    // under the card's configured types is left alone unless this run retries it.
    if (run.retry == RetryRule::ForgetAndTry)
        forgetRefusal(context.runDir, card.card.address);
    if (skipRefusedEarlier(card, run, plan, report))
        return std::nullopt;
    std::string problem;
    hold.lock = CardLock::acquire(context.runDir, card.card.address, getuid(),
                                  context.lockWaitSeconds, problem);
    if (!hold.lock) {
        fail(report, label + ": " + problem + "; nothing was written");
        return std::nullopt;
    }
    // Another run may have switched the card between the reading and the lock: read it
    // again, and plan anew only if it changed.
    SysfsCardPorts ports(card.card);
    if (CardReading now = readCard(ports); !(now == reading)) {
        plan = makePlan(now, *card.wants());
        result = planOutcome(plan);
    }
    // A run that waited for the lock: the one before may just have had this refused.
    if (skipRefusedEarlier(card, run, plan, report))
        return std::nullopt;
    // What a restart would take down (the guard looks at it and a switch logs it): read under
    // the lock, once the plan is final, and never on the path of a card that is in sync or
    // refused earlier.
    std::optional<RestartImpact> impact;
    if (result.outcome == ApplyOutcome::Planned && plan.mayRestart())
        impact = readRestartImpact(card.card, plan);
    // A run is stopped before cutting the host's network, at a terminal or not; udev events
    // and the boot unit are never asked.
    if (impact &&
        guardApplies(run.options.useSyslog, !context.udevAction.empty(), run.options.force)) {
        if (std::string refusal = restartRefusal(label, impact->before, impact->host);
            !refusal.empty()) {
            fail(report, refusal);
            return std::nullopt;
        }
    }
    if (result.outcome != ApplyOutcome::Planned)
        return result;
    if (impact)
        for (const std::string& line : impact->lines)
            logNotice(label + ": before the restart: " + line);
    // Between the first write and the last read-back (or the restore) the card must not be
    // left behind: a signal then is acted on once the outcome is logged and the lock released.
    hold.deferred.emplace(label);
    result = switchCard(ports, plan);
    // What ifupdown leaves undone once the card is back.
    if (impact && result.restarts > 0)
        for (const std::string& notice : afterRestartNotices(
                 impact->before, readCardInterfaces(card.card), ethernetPorts(result.after)))
            logWarning(label + ": " + notice);
    return result;
}

// Applies (or plans) one card, logs what happened and fills `report`. Returns false if the
// card could not be set or read.
bool applyOne(const ConfiguredCard& card, const ApplyRun& run, CardReport& report) {
    const bool dryRun = run.options.dryRun, json = run.options.json;
    report.address = card.card.address.str();
    report.model = modelName(card.card.device);
    if (const std::string* problem = card.problem())
        return fail(report, *problem);
    // An Ethernet-only card has nothing to set: never written. Asking ib of it by its address
    // or as a unit is an error about this very card; a default or a model merely covers it.
    if (isMlx4Card(card.card) && !ethernetOnlyName(card).empty()) {
        EntryKind kind = entryKind(card.entry());
        if (entryAsksIb(card.entry()) && (kind == EntryKind::Address || kind == EntryKind::Unit))
            return fail(report, stateNote(card, CardState::Failed) + "; nothing was written");
        report.result = CardResult::Skipped;
        report.message = stateNote(card, CardState::EthernetOnly);
        if (!dryRun)
            logInfo(report.message);
        else if (!json)
            std::printf("%s\n", report.message.c_str());
        return true;
    }
    if (const std::string* reason = card.leftBecause()) {
        report.result = CardResult::Skipped;
        report.message = cardLabel(card.card) + ": " + *reason;
        if (!dryRun)
            logInfo(report.message);
        else if (!json)
            std::printf("%s\n", report.message.c_str());
        return true;
    }
    SysfsCardPorts ports(card.card);
    // Most events find the card as configured: that needs no lock.
    CardReading reading = readCard(ports);
    CardPlan plan = makePlan(reading, *card.wants());
    ApplyResult result = planOutcome(plan);
    SwitchHold hold; // released when the outcome is logged
    if (!dryRun && result.outcome == ApplyOutcome::Planned) {
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
    if (result.outcome == ApplyOutcome::Refused && result.kernelRefused) {
        Refusal refusal{RefusalKey{*card.wants()}, result.before, result.target, result.restarts,
                        result.reason};
        facts.remembered = rememberRefusal(run.context.runDir, card.card.address, refusal, problem);
        // The driver's own line says which case it was; only root reads the kernel log.
        if (auto messages = readKernelMessages()) {
            facts.kernelLogRead = true;
            facts.kernelLine = lastKernelRefusal(*messages, card.card.address.str());
        }
    }
    if (result.outcome == ApplyOutcome::Switched)
        forgetRefusal(run.context.runDir, card.card.address);
    ApplyVerdict verdict = applyVerdict(result, plan, facts);
    report.result = verdict.result;
    report.message = verdict.message;
    for (const std::string& line : verdict.details)
        report.message += "\n" + line;
    if (dryRun && !json && result.outcome == ApplyOutcome::InSync) {
        printPlan(card, plan, nullptr);
    } else if (dryRun && !json && result.outcome == ApplyOutcome::Planned) {
        // The dry run shows what a restart would take down.
        std::optional<RestartImpact> shown;
        if (plan.mayRestart()) {
            shown = readRestartImpact(card.card, plan);
            shown->guardVerdict = guardVerdict(
                shown->before, shown->host,
                !run.options.useSyslog && run.context.udevAction.empty(), run.options.force);
        }
        printPlan(card, plan, shown ? &*shown : nullptr);
    } else if (!(dryRun && (result.outcome == ApplyOutcome::InSync ||
                            result.outcome == ApplyOutcome::Planned))) {
        logMessage(verdict.level, verdict.message);
        for (const std::string& line : verdict.details)
            logNotice(line);
    }
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
