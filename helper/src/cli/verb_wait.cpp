// SPDX-License-Identifier: GPL-2.0-or-later
// wait: until no card is drift or pending and each in-sync card's Ethernet interfaces are
// processed by udev (verdicts.h, waitVerdict), or the timeout passes. Writes nothing.
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

// wait's verdict for `device`, a device waitIgnores() does not ignore (verdicts.h).
// `identities` keeps what was read of each card across the polls: a card's identity does not
// change while it sits in its slot, and reading VPD is slow.
WaitVerdict cardWaitVerdict(const CardInfo& device, const Config& config, const RunContext& context,
                            std::map<PciAddress, CardIdentity>& identities) {
    auto known = identities.find(device.address);
    if (known == identities.end()) {
        CardIdentity identity;
        identity.address = device.address;
        if (IdentityNeeds needs = config.identityNeeds(); needs.any())
            identity = readIdentity(device, needs, context.runDir);
        known = identities.emplace(device.address, identity).first;
    }
    ConfiguredCard card = readConfiguredCard(device, config, context.runDir, {}, &known->second);
    std::optional<CardReading> reading;
    if (isMlx4Card(device) && device.portCount > 0) {
        SysfsCardPorts ports(card.card);
        reading = readCard(ports);
    }
    const CardReading* read = reading ? &*reading : nullptr;
    CardState state = cardState(cardFacts(card, read, context, config));
    std::vector<EthernetPortReadiness> ethernet;
    if (state == CardState::InSync && reading)
        ethernet = ethernetReadiness(device, *reading);
    return waitVerdict(card, state, read, ethernet);
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
            WaitVerdict verdict = cardWaitVerdict(device, config, context, identities);
            if (const WaitPending* waiting = std::get_if<WaitPending>(&verdict))
                pending.push_back(waiting->why);
            else if (const WaitGivenUp* givenUp = std::get_if<WaitGivenUp>(&verdict))
                warnings.push_back(givenUp->warning);
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
