// SPDX-License-Identifier: GPL-2.0-or-later
#include "verdicts.h"

#include "state_notes.h"

#include "device_table.h"
#include "text.h"

#include <algorithm>

namespace mlx4 {

std::string ethernetOnlyWarning(const ConfiguredCard& card) {
    std::string family = ethernetOnlyFamily(card.identity.vpd.part);
    const std::vector<PortWant>* wants = card.wants();
    if (family.empty() || !wants ||
        std::find(wants->begin(), wants->end(), PortWant::Ib) == wants->end())
        return {};
    return card.identity.vpd.part + " is an Ethernet-only card (" + family +
           "): its ports cannot run ib, which " + card.entry()->where() +
           " asks; configure eth for it";
}

std::string_view cardResultName(CardResult result) {
    switch (result) {
    case CardResult::Unchanged:
        return "unchanged";
    case CardResult::Changed:
        return "changed";
    case CardResult::Failed:
        return "failed";
    case CardResult::Skipped:
        return "skipped";
    case CardResult::Refused:
        return "refused";
    }
    return "failed";
}

RetryRule retryRule(const RetryFacts& facts) {
    if (facts.udevAction == "bind" && !facts.synthetic)
        return RetryRule::ForgetAndTry;
    if (facts.retryOption || (facts.udevAction.empty() && facts.stdinIsTerminal))
        return RetryRule::Try;
    return RetryRule::SkipIfRefusedEarlier;
}

namespace {

ApplyVerdict failed(std::string message) {
    return {CardResult::Failed, LogLevel::Error, std::move(message), {}};
}

} // namespace

ApplyVerdict applyVerdict(const ApplyResult& result, const CardPlan& plan,
                          const OutcomeFacts& facts) {
    const std::string& label = facts.label;
    const std::string& address = facts.address;
    const std::string before = formatPortStates(result.before);
    const std::string target = formatPortTypes(result.target);
    const std::string cost = "the attempt cost " + restartsText(result.restarts);
    switch (result.outcome) {
    case ApplyOutcome::InSync:
        return {CardResult::Unchanged,
                LogLevel::Info,
                label + ": ports " + before + " are as configured; " +
                    (facts.dryRun ? "nothing to write" : "nothing written"),
                {}};
    case ApplyOutcome::Planned:
        return {CardResult::Changed,
                LogLevel::Info,
                label + ": ports " + before + " would be set to " + target + " as configured in " +
                    facts.where,
                {}};
    case ApplyOutcome::Switched:
        return {CardResult::Changed,
                LogLevel::Notice,
                label + ": ports " + before + " -> " + formatPortStates(result.after) + ": " +
                    (plan.setsAuto()
                         ? "accepted; this card senses only with DPDP and sense support (the "
                           "driver lists both when loaded with modprobe mlx4_core "
                           "debug_level=1); "
                         : "") +
                    "switched as configured in " + facts.where,
                {}};
    case ApplyOutcome::ReadFailed:
        return failed(label + ": " + result.reason + "; nothing was written");
    case ApplyOutcome::ReadOnly:
        return failed(label + ": cannot set ports to " + target + ": " + result.reason +
                      "; nothing was written");
    case ApplyOutcome::Refused:
        if (result.kernelRefused) {
            // The kernel's answer to the combination: the verdict and one action, then the
            // kernel's own line, its case, where and what it cost.
            std::vector<std::string> lines = refusalMessage(
                {address, label, result.before, result.target, facts.where, result.restarts,
                 result.reason, facts.remembered, facts.kernelLogRead, facts.kernelLine});
            ApplyVerdict verdict = failed(lines.front());
            verdict.details.assign(lines.begin() + 1, lines.end());
            return verdict;
        }
        return failed(
            label + ": cannot set ports to " + target + " (" + facts.where + "): " + result.reason +
            ". The card was left as it was: " + before + "; " + cost +
            (facts.remembered ? ". udev events and the boot unit do not try this again until the "
                                "card's configured types change or the driver binds the card "
                                "anew; run `mlx4-porttype apply --retry " +
                                    address + "` to try again"
                              : ""));
    case ApplyOutcome::LeftChanged:
        return failed(label + ": cannot set ports to " + target + " (" + facts.where + "): " +
                      result.reason + ". WARNING: the card could not be put back and is now " +
                      (result.after.empty() ? std::string("in an unknown state")
                                            : formatPortStates(result.after)) +
                      ", neither as configured nor as before " + before + "; " + cost +
                      "; check it with: mlx4-porttype status " + address);
    case ApplyOutcome::SwitchFailed:
        return failed(label + ": switching ports to " + target + " (" + facts.where +
                      ") failed: " + result.reason + ". The card now runs " +
                      formatPortStates(result.after) + " (was " + before +
                      ") and its network and InfiniBand interfaces may be gone; " + cost +
                      ". To recover, switch it again (mlx4-porttype apply " + address +
                      ", or another configuration) or re-bind its driver (echo " + address +
                      " > /sys/bus/pci/drivers/mlx4_core/unbind; echo " + address +
                      " > /sys/bus/pci/drivers/mlx4_core/bind), and look at journalctl -k");
    }
    return failed(label + ": internal error: unknown outcome");
}

std::string refusedEarlierMessage(const ApplyResult& planned, const OutcomeFacts& facts,
                                  const std::string& reason, const std::string& action) {
    return facts.label + ": refused earlier: ports " + formatPortStates(planned.before) + " -> " +
           formatPortTypes(planned.target) + " (" + facts.where + "): " + reason +
           "; not tried again " +
           (action.empty() ? std::string("by a run without a terminal")
                           : "at this " + action + " event") +
           "; run `mlx4-porttype apply --retry " + facts.address + "` to try again";
}

std::optional<WaitSettled> waitIgnores(const CardInfo& device, bool mlx4CoreLoaded) {
    using Why = WaitSettled::Why;
    if (device.vendor != kMellanoxVendor || deviceKind(device.device) != DeviceKind::vpi)
        return WaitSettled{Why::NoPortType};
    // Waiting would only hold the boot for the whole timeout: say once why it does not.
    const std::string notWaited = cardLabel(device) + ": not waited for: ";
    if (!device.driver.empty() && device.driver != "mlx4_core")
        return WaitSettled{Why::OtherDriver, notWaited + "it is bound to " + quote(device.driver) +
                                                 ", not mlx4_core"};
    if (!device.driverOverride.empty() && device.driverOverride != "mlx4_core")
        return WaitSettled{Why::OtherDriver, notWaited + "its driver_override names " +
                                                 quote(device.driverOverride) +
                                                 ", so mlx4_core will not bind it"};
    if (device.driver.empty() && device.initialized && !mlx4CoreLoaded)
        return WaitSettled{Why::NoDriverComing,
                           notWaited + "it has no driver, udev has processed it and mlx4_core "
                                       "is not loaded (is it blacklisted? modprobe mlx4_core "
                                       "loads it)"};
    return std::nullopt;
}

namespace {

// Why wait gives up on a card that is failed, conflicting or of unknown identity.
std::string givenUpWarning(const ConfiguredCard& card, CardState state,
                           const CardReading* reading) {
    const std::string label = cardLabel(card.card);
    if (const std::string* problem = card.problem())
        return *problem;
    if (std::string note = stateNote(card, state); !note.empty())
        return note;
    if (reading && !reading->problem().empty())
        return label + ": " + reading->problem();
    if (reading && card.wants()) {
        ApplyResult result = planOutcome(makePlan(*reading, *card.wants()));
        return label + ": cannot reach " + formatPortTypes(result.target) + ": " + result.reason;
    }
    return label + ": " + std::string(cardStateWords(state));
}

} // namespace

WaitVerdict waitVerdict(const ConfiguredCard& card, CardState state, const CardReading* reading,
                        const std::vector<EthernetPortReadiness>& ethernet) {
    const std::string label = cardLabel(card.card);
    // An in-sync card is done once udev has named its Ethernet interfaces, which networking
    // looks for by their final names.
    if (state == CardState::InSync)
        for (const EthernetPortReadiness& port : ethernet)
            if (!port.netdevFound || !port.netdevInitialized)
                return WaitPending{label + ": port " + std::to_string(port.port) +
                                   (port.netdevFound
                                        ? ": its network interface is not processed by udev "
                                          "yet (not renamed)"
                                        : ": its network interface is not registered yet")};
    if (settledForWait(state)) {
        switch (state) {
        case CardState::Failed:
        case CardState::Conflict:
        case CardState::UnknownIdentity:
            return WaitGivenUp{givenUpWarning(card, state, reading) + "; not waiting for it"};
        case CardState::Refused:
            return WaitGivenUp{refusedNote(card.card) + "; not waiting for it"};
        default:
            return WaitSettled{WaitSettled::Why::ByState};
        }
    }
    if (card.card.driver.empty())
        return WaitPending{label +
                           ": not bound to mlx4_core yet (is the module loaded? lsmod | grep "
                           "mlx4)"};
    if (const std::string* reason = card.leftBecause())
        return WaitPending{label + ": " + *reason};
    if (state == CardState::Pending || !reading || !card.wants())
        return WaitPending{label + ": the udev rule is switching it (it holds the card's lock)"};
    ApplyResult result = planOutcome(makePlan(*reading, *card.wants()));
    return WaitPending{label + ": ports " + formatPortStates(result.before) + ", configured " +
                       formatPortTypes(result.target) + " in " + card.entry()->where() +
                       ": not switched yet (the udev rule does it when the card appears; see "
                       "the journal: journalctl -t mlx4-porttype; or run: mlx4-porttype apply " +
                       card.card.address.str() + ")"};
}

bool inSync(CardStatus status) {
    return status == CardStatus::InSync || status == CardStatus::Left;
}

CardStatus cardStatus(const ConfiguredCard& configured, const CardReading& reading) {
    if (configured.problem())
        return CardStatus::Refused;
    for (const PortReading& port : reading.ports)
        if (!port.state)
            return CardStatus::Unreadable;
    const std::vector<PortWant>* wants = configured.wants();
    if (!wants)
        return CardStatus::Left;
    return makePlan(reading, *wants).inSync() ? CardStatus::InSync : CardStatus::Drift;
}

bool portInSync(const ConfiguredCard& configured, const PortReading& port, PortWant want) {
    // A card the helper refuses is never in sync: apply fails for it.
    return port.state && satisfies(*port.state, want) && !configured.problem();
}

} // namespace mlx4
