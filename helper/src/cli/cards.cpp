// SPDX-License-Identifier: GPL-2.0-or-later
#include "cards.h"

#include "config_dir.h"
#include "host_network_system.h"
#include "identity_record.h"
#include "impact.h"
#include "interfaces.h"
#include "log.h"
#include "sysfs.h"

#include <algorithm>
#include <unistd.h>

namespace mlx4 {

bool loadConfig(const Options& options, Config& config) {
    std::vector<ConfigError> errors;
    config = loadConfigDir(options.configDir, getuid(), errors);
    if (!errors.empty())
        logConfigErrors(errors, "no card was changed");
    return errors.empty();
}

void logConfigErrors(const std::vector<ConfigError>& errors, const std::string& notDone) {
    // One bad file can hold thousands of errors, and from udev they are logged at every event
    // for every card: the first few dozen show the pattern.
    for (size_t i = 0; i < errors.size() && i < kMaxErrorsShown; ++i)
        logError(errors[i].str());
    if (errors.size() > kMaxErrorsShown)
        logError("... and " + std::to_string(errors.size() - kMaxErrorsShown) +
                 " more configuration errors not shown");
    logError(std::to_string(errors.size()) + " configuration error" +
             (errors.size() > 1 ? "s" : "") + "; " + notDone + ". Fix " +
             (errors.size() > 1 ? "them" : "it") + " and run: mlx4-porttype check");
}

bool collectCards(const Options& options, std::vector<CardInfo>& cards,
                  std::vector<MissingCard>* missing) {
    std::string problem;
    bool ok = true;
    if (options.addresses.empty()) {
        cards = findMlx4Cards(problem);
        if (!problem.empty()) {
            logError(problem);
            ok = false;
        }
        return ok;
    }
    for (const PciAddress& address : options.addresses) {
        if (std::any_of(cards.begin(), cards.end(),
                        [&](const CardInfo& c) { return c.address == address; }))
            continue;
        problem.clear();
        if (auto card = findPciDevice(address, problem)) {
            cards.push_back(*card);
        } else {
            logError(problem);
            if (missing)
                missing->push_back({address, problem});
            ok = false;
        }
    }
    return ok;
}

CardIdentity readIdentity(const CardInfo& card, IdentityNeeds needs, const std::string& runDir) {
    CardIdentity identity = readCardIdentity(card, needs);
    if (identity.needsRoot) {
        completeFromRecord(runDir, card, identity);
    } else if (geteuid() == 0) {
        std::string problem;
        if (!recordIdentity(runDir, card, identity, problem))
            logDebug(card.address.str() + ": " + problem +
                     "; status run by other users shows its identity as unknown");
    }
    if (identity.anyUnknown())
        logDebug(card.address.str() + ": identity partly unknown: " + identity.unknownReasons());
    if (!identity.problems.empty())
        logDebug(card.address.str() + ": identity: " + identity.problems);
    return identity;
}

ConfiguredCard readConfiguredCard(const CardInfo& card, const Config& config,
                                  const std::string& runDir, IdentityNeeds needs,
                                  const CardIdentity* known) {
    CardIdentity identity;
    std::vector<CardIdentity> others;
    if (isMlx4Card(card) || awaitsMlx4(card)) {
        if (known)
            identity = *known;
        else if (needs.any())
            identity = readIdentity(card, needs, runDir);
        if (identity.anyUnknown()) {
            std::string problem;
            for (const CardInfo& other : findMlx4Cards(problem))
                if (!(other.address == card.address))
                    others.push_back(readIdentity(other, config.identityNeeds(), runDir));
        }
    }
    return configureCard(card, identity, config, others);
}

std::string entryText(const ConfigEntry& entry) {
    return entry.key + " (" + entry.where() + ")";
}

void noteIdentityNeedsRoot(const std::vector<ConfiguredCard>& cards) {
    if (std::any_of(cards.begin(), cards.end(), [](const ConfiguredCard& card) {
            return card.identity.needsRoot && card.identity.anyUnknown();
        }))
        logNotice("the identity of a card (GUID, serial and part number) is readable only by "
                  "root, and no root run recorded it for the card as it is now: it shows as "
                  "unknown, and a card a guid:, serial: or part: entry may name is not judged; "
                  "run as root to see it");
}

RestartImpact readRestartImpact(const CardInfo& card, const CardPlan& plan) {
    RestartImpact impact;
    impact.before = readCardInterfaces(card);
    SystemHostNetwork system;
    impact.host = gatherHostFacts(system, impact.before);
    std::vector<int> changing;
    for (const PortPlan& port : plan.ports)
        if (port.changes)
            changing.push_back(port.port);
    impact.lines = restartImpact(impact.before, impact.host, changing);
    return impact;
}

} // namespace mlx4
