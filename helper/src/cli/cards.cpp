// SPDX-License-Identifier: GPL-2.0-or-later
#include "cards.h"

#include "config_dir.h"
#include "host_network_system.h"
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

ConfiguredCard readConfiguredCard(const CardInfo& card, const Config& config, IdentityNeeds needs,
                                  const CardIdentity* known) {
    CardIdentity identity;
    if (isMlx4Card(card) || awaitsMlx4(card)) {
        if (known) {
            identity = *known;
        } else if (needs.any()) {
            identity = readCardIdentity(card, needs);
            if (!identity.problems.empty())
                logDebug(card.address.str() + ": identity partly unknown: " + identity.problems);
        }
    }
    return configureCard(card, identity, config);
}

void noteIdentityNeedsRoot(const std::vector<ConfiguredCard>& cards) {
    if (std::any_of(cards.begin(), cards.end(),
                    [](const ConfiguredCard& card) { return card.identity.needsRoot; }))
        logNotice("the identity of a card (GUID, serial and part number) is readable only by "
                  "root: it shows as unknown, and guid:, serial: and part: entries match no "
                  "card; run as root to see it");
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
