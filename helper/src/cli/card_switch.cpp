// SPDX-License-Identifier: GPL-2.0-or-later
#include "card_switch.h"

#include "impact.h"
#include "interfaces.h"
#include "log.h"
#include "refusal_memory.h"
#include "sysfs.h"

#include <unistd.h>

namespace mlx4 {

namespace {

// The ports that run Ethernet in `states` (port 1 first).
std::vector<int> ethernetPorts(const std::vector<PortState>& states) {
    std::vector<int> ports;
    for (size_t i = 0; i < states.size(); ++i)
        if (states[i].active == PortType::Eth)
            ports.push_back(static_cast<int>(i) + 1);
    return ports;
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
    failCard(report, refusedEarlierMessage(planOutcome(plan), outcomeFacts(card, run),
                                           earlier->reason, run.context.udevAction));
    report.result = CardResult::Refused;
    return true;
}

} // namespace

OutcomeFacts outcomeFacts(const ConfiguredCard& card, const ApplyRun& run) {
    return {cardLabel(card.card),
            card.card.address.str(),
            card.entry() ? card.entry()->where() : std::string(),
            run.options.dryRun,
            false,
            false,
            std::nullopt};
}

// A failure: logged, and the report says so.
bool failCard(CardReport& report, const std::string& message) {
    logError(message);
    report.result = CardResult::Failed;
    report.message = message;
    return false;
}

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
        failCard(report, label + ": " + problem + "; nothing was written");
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
            failCard(report, refusal);
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

// The guard of apply, asked before anything is written: would switching this card cut a
// default route or an SSH session? The refusal, or empty.
std::string restartGuardRefusal(const CardInfo& card, const CardDecision& decision,
                                const Options& options, const RunContext& context) {
    const SetPorts* set = std::get_if<SetPorts>(&decision);
    if (!set || !guardApplies(options.useSyslog, !context.udevAction.empty(), options.force))
        return "";
    SysfsCardPorts ports(card);
    CardPlan plan = makePlan(readCard(ports), set->wants);
    if (planOutcome(plan).outcome != ApplyOutcome::Planned || !plan.mayRestart())
        return "";
    RestartImpact impact = readRestartImpact(card, plan);
    return restartRefusal(cardLabel(card), impact.before, impact.host);
}

} // namespace mlx4
