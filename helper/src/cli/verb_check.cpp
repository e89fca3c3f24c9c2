// SPDX-License-Identifier: GPL-2.0-or-later
// check: validate the configuration, print the mapping and which entry matches which card.
#include "cards.h"
#include "cli.h"
#include "config_dir.h"
#include "log.h"
#include "sysfs.h"
#include "text_output.h"
#include "unmatched_entries.h"

#include <cstdio>

namespace mlx4 {

namespace {

// Which entry matches which card present; false if an entry conflict leaves a card untouched.
bool printMatches(const Config& config, const RunContext& context) {
    std::string problem;
    std::vector<CardInfo> cards = findMlx4Cards(problem);
    if (!problem.empty()) {
        logError(problem);
        return false;
    }
    std::printf("cards present:\n");
    if (cards.empty())
        std::printf("  none\n");
    bool ok = true;
    std::vector<ConfiguredCard> configured;
    for (const CardInfo& card : cards) {
        configured.push_back(
            readConfiguredCard(card, config, context.runDir, config.identityNeeds()));
        const ConfiguredCard& one = configured.back();
        const ConfigEntry* entry = one.entry();
        std::string match =
            entry ? entry->key + "  " + entry->spec.str() + "  (" + entry->where() + ")"
                  : "no entry: left as it is";
        if (one.match.hidden) {
            match = "identity unknown: " + *one.problem();
            ok = false;
        } else if (one.match.conflict) {
            match = "conflict: " + *one.problem();
            ok = false;
        }
        std::printf("  %s  %s\n", cardLabel(card).c_str(), match.c_str());
    }
    noteIdentityNeedsRoot(configured);
    // Entries that match no card present. A fleet-wide file names cards of other hosts, so
    // this is said, not failed.
    std::vector<const ConfigEntry*> unmatched =
        unmatchedAddressEntries(config, mellanoxAddresses());
    std::vector<CardIdentity> identities;
    bool identitiesKnown = true;
    for (const ConfiguredCard& card : configured) {
        identities.push_back(card.identity);
        identitiesKnown &= !card.identity.needsRoot;
    }
    if (identitiesKnown) {
        for (const ConfigEntry* entry : unmatchedUnitAndModelEntries(config, identities))
            unmatched.push_back(entry);
    } else if (config.identityNeeds().any()) {
        std::printf("guid:, serial: and part: entries: whether they match a card present is "
                    "known only to root\n");
    }
    if (!unmatched.empty()) {
        std::printf("entries that match no card present:\n");
        for (const ConfigEntry* entry : unmatched)
            std::printf("  %s  (%s)\n", entry->key.c_str(), entry->where().c_str());
    }
    return ok;
}

// check --file: one file on its own (a file about to be installed, such as Ansible's copy).
int checkOneFile(const std::string& path) {
    std::vector<ConfigError> errors;
    checkConfigFile(path, errors);
    for (size_t i = 0; i < errors.size() && i < kMaxErrorsShown; ++i)
        logError(errors[i].str());
    if (errors.size() > kMaxErrorsShown)
        logError("... and " + std::to_string(errors.size() - kMaxErrorsShown) +
                 " more errors not shown");
    if (!errors.empty()) {
        logError(path + " is not a valid configuration: " + std::to_string(errors.size()) +
                 " error" + (errors.size() > 1 ? "s" : ""));
        return kExitUsage;
    }
    std::printf("%s: valid\n", path.c_str());
    return kExitOk;
}

} // namespace

int runCheck(const Options& options, const RunContext& context) {
    if (!options.file.empty())
        return checkOneFile(options.file);
    Config config;
    if (!loadConfig(options, config))
        return kExitUsage;
    if (config.files.empty()) {
        std::printf("no configuration files in %s: no card is configured\n",
                    options.configDir.c_str());
        return kExitOk;
    }
    printMapping(config);
    return printMatches(config, context) ? kExitOk : kExitCardFailed;
}

} // namespace mlx4
