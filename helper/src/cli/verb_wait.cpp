// SPDX-License-Identifier: GPL-2.0-or-later
// wait: until every configured VPI card is settled (verdicts.h, waitVerdict) or the timeout
// passes. Writes nothing.
#include "cards.h"
#include "cli.h"
#include "log.h"
#include "refusal_memory.h"
#include "switching.h"
#include "sysfs.h"

#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace mlx4 {

namespace {

// `identities` keeps what was read of each card across the polls: a card's identity does not
// change while it sits in its slot, and reading VPD is slow.
WaitVerdict verdictFor(const CardInfo& device, const Config& config, const RunContext& context,
                       std::map<PciAddress, CardIdentity>& identities) {
    if (std::optional<WaitSettled> ignored = waitIgnores(device, isModuleLoaded("mlx4_core")))
        return *ignored;
    auto known = identities.find(device.address);
    if (known == identities.end()) {
        CardIdentity identity;
        identity.address = device.address;
        if (IdentityNeeds needs = config.identityNeeds(); needs.any())
            identity = readIdentity(device, needs, context.runDir);
        known = identities.emplace(device.address, identity).first;
    }
    // An entry that may name the card while its identity is unknown counts as matching: the
    // card is then refused (a warning), not "not configured".
    ConfigMatch match = config.match(known->second, {});
    bool matched = match.entry != nullptr || match.hidden != nullptr;
    ConfiguredCard card = readConfiguredCard(device, config, context.runDir, {}, &known->second);
    std::optional<CardPlan> plan;
    if (matched && !device.driver.empty() && card.wants()) {
        SysfsCardPorts ports(device);
        plan = makePlan(readCard(ports), *card.wants());
    }
    return waitVerdict(card, matched, plan ? &*plan : nullptr, [&] {
        return earlierRefusal(context.runDir, device.address, *plan, *card.wants()).has_value();
    });
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
            WaitVerdict verdict = verdictFor(device, config, context, identities);
            const WaitSettled* settled = std::get_if<WaitSettled>(&verdict);
            if (settled && !settled->note.empty() && told.insert(device.address).second)
                logInfo(settled->note);
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
