// SPDX-License-Identifier: GPL-2.0-or-later
// wait: until no card is drift or pending (card_state.h, settledForWait) and each in-sync
// card's Ethernet interfaces are processed by udev, or the timeout passes. Writes nothing.
#include "cards.h"
#include "cli.h"
#include "device_table.h"
#include "interfaces.h"
#include "log.h"
#include "switching.h"
#include "sysfs.h"

#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace mlx4 {

namespace {

// The Ethernet ports of an in-sync card, and whether udev has processed their interfaces.
// Without mlx4_en loaded no interface will come, which status reports; wait does not hold the
// boot for it.
std::vector<EthernetPortReadiness> ethernetReadiness(const CardInfo& card,
                                                     const CardReading& reading) {
    std::vector<EthernetPortReadiness> ready;
    CardInterfaces interfaces = readCardInterfaces(card);
    if (!interfaces.mlx4EnLoaded)
        return ready;
    for (const PortReading& port : reading.ports) {
        if (!port.state || port.state->active != PortType::Eth)
            continue;
        EthernetPortReadiness readiness{port.port, false, false};
        if (const NetInterface* netdev = interfaces.ethernetOf(port.port)) {
            std::optional<bool> initialized = netdevInitialized(card, netdev->name);
            readiness.netdevFound = initialized.has_value();
            readiness.netdevInitialized = initialized.value_or(false);
        }
        ready.push_back(readiness);
    }
    return ready;
}

// Whether wait must go on waiting for `device`, a device waitIgnores() does not ignore, and
// why (for the log at the timeout). A card is waited for while it is drift or pending, and an
// in-sync card until udev has processed its Ethernet interfaces. `warning` says why a settled card
// is a problem. `identities` keeps what was read of each card across the polls: a card's identity
// does not change while it sits in its slot, and reading VPD is slow.
bool mustWaitFor(const CardInfo& device, const Config& config, const RunContext& context,
                 std::map<PciAddress, CardIdentity>& identities, std::string& why,
                 std::string& warning) {
    auto known = identities.find(device.address);
    if (known == identities.end()) {
        CardIdentity identity;
        identity.address = device.address;
        if (IdentityNeeds needs = config.identityNeeds(); needs.any())
            identity = readIdentity(device, needs, context.runDir);
        known = identities.emplace(device.address, identity).first;
    }
    ConfiguredCard card = readConfiguredCard(device, config, context.runDir, {}, &known->second);
    const std::string label = cardLabel(device);
    std::optional<CardReading> reading;
    if (isMlx4Card(device) && device.portCount > 0) {
        SysfsCardPorts ports(card.card);
        reading = readCard(ports);
    }
    CardState state = cardState(cardFacts(card, reading ? &*reading : nullptr, context, config));
    std::vector<EthernetPortReadiness> ethernet;
    if (state == CardState::InSync && reading)
        ethernet = ethernetReadiness(device, *reading);
    if (settledForWait(state, ethernet)) {
        switch (state) {
        case CardState::Failed:
        case CardState::Conflict:
        case CardState::UnknownIdentity:
            if (const std::string* problem = card.problem())
                warning = *problem + "; not waiting for it";
            else if (std::string note = stateNote(card, state); !note.empty())
                warning = note + "; not waiting for it";
            else if (reading && !reading->problem().empty())
                warning = label + ": " + reading->problem() + "; not waiting for it";
            else if (reading && card.wants()) {
                ApplyResult result = planOutcome(makePlan(*reading, *card.wants()));
                warning = label + ": cannot reach " + formatPortTypes(result.target) + ": " +
                          result.reason + "; not waiting for it";
            } else
                warning =
                    label + ": " + std::string(cardStateWords(state)) + "; not waiting for it";
            break;
        case CardState::Refused:
            warning = refusedNote(device) + "; not waiting for it";
            break;
        default:
            break;
        }
        return false;
    }
    if (state == CardState::InSync) {
        for (const EthernetPortReadiness& port : ethernet)
            if (!port.netdevFound || !port.netdevInitialized) {
                why = label + ": port " + std::to_string(port.port) +
                      (port.netdevFound ? ": its network interface is not processed by udev yet "
                                          "(not renamed)"
                                        : ": its network interface is not registered yet");
                break;
            }
        return true;
    }
    if (device.driver.empty()) {
        why = label + ": not bound to mlx4_core yet (is the module loaded? lsmod | grep mlx4)";
        return true;
    }
    if (const std::string* reason = card.leftBecause()) {
        why = label + ": " + *reason;
        return true;
    }
    if (state == CardState::Pending || !reading) {
        why = label + ": the udev rule is switching it (it holds the card's lock)";
        return true;
    }
    ApplyResult result = planOutcome(makePlan(*reading, *card.wants()));
    why = label + ": ports " + formatPortStates(result.before) + ", configured " +
          formatPortTypes(result.target) + " in " + card.entry()->where() +
          ": not switched yet (the udev rule does it when the card appears; see the "
          "journal: journalctl -t mlx4-porttype; or run: mlx4-porttype apply " +
          device.address.str() + ")";
    return true;
}

} // namespace

int runWait(const Options& options, const RunContext& context) {
    Config config;
    if (!loadConfig(options, config))
        return kExitUsage;
    if (!config.defaultEntry && !config.namesCards()) {
        logDebug("no card is configured in " + options.configDir + "; nothing to wait for");
        return kExitOk;
    }
    std::map<PciAddress, CardIdentity> identities;
    std::set<PciAddress> told; // the cards said not to be waited for
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::seconds(options.timeoutSeconds);
    for (;;) {
        std::string problem;
        std::vector<CardInfo> devices = findMellanoxDevices(problem);
        if (!problem.empty()) {
            logError(problem);
            return kExitCardFailed;
        }
        std::vector<std::string> pending, warnings;
        for (const CardInfo& device : devices) {
            // Not a VPI card, given to another driver, or no driver coming: said once.
            if (std::optional<WaitSettled> ignored =
                    waitIgnores(device, isModuleLoaded("mlx4_core"))) {
                if (!ignored->note.empty() && told.insert(device.address).second)
                    logInfo(ignored->note);
                continue;
            }
            std::string why, warning;
            if (mustWaitFor(device, config, context, identities, why, warning))
                pending.push_back(why);
            if (!warning.empty())
                warnings.push_back(warning);
        }
        bool timedOut = Clock::now() >= deadline;
        if (pending.empty() || timedOut) {
            for (const std::string& warning : warnings)
                logWarning(warning);
        }
        if (pending.empty()) {
            logInfo("every configured mlx4 VPI card is settled");
            return kExitOk;
        }
        if (timedOut) {
            for (const std::string& why : pending)
                logError("not ready after " + std::to_string(options.timeoutSeconds) +
                         " s: " + why);
            return kExitCardFailed;
        }
        // Port files change without a uevent (the driver creates them quietly and a switch
        // rewrites them in place), so look again shortly rather than listen.
        std::this_thread::sleep_until(
            std::min(deadline, Clock::now() + std::chrono::milliseconds(200)));
    }
}

} // namespace mlx4
