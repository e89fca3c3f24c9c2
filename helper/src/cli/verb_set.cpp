// SPDX-License-Identifier: GPL-2.0-or-later
// set and unset: a port type chosen without editing JSON. Everything is checked first (the
// arguments, the whole resulting configuration, the cards it would leave refused, apply's
// guard); only then is set.json written, and the cards concerned applied as apply does.
#include "cards.h"
#include "cli.h"
#include "config_dir.h"
#include "config_write.h"
#include "impact.h"
#include "interfaces.h"
#include "log.h"
#include "set_effect.h"
#include "set_file.h"
#include "switching.h"
#include "sysfs.h"
#include "text.h"

#include <cstdio>
#include <unistd.h>
#include <variant>

namespace mlx4 {

namespace {

// What set or unset was asked.
struct SetRequest {
    SetEntry entry; // for unset, the KEY only
    bool unset = false;
};

// "set default eth", as typed, for messages.
std::string commandText(const SetRequest& request) {
    std::string text = request.unset ? "unset" : "set";
    text += " " + escaped(request.entry.key);
    for (const std::string& type : request.entry.types)
        text += " " + escaped(type);
    return text;
}

// Where the admin's files (all but set.json) hold an entry for `key`: "FILE:LINE", in the
// order read.
std::vector<std::string> adminPlaces(const std::vector<ConfigSource>& sources,
                                     const std::string& setPath, const std::string& key) {
    std::vector<std::string> places;
    for (const ConfigSource& source : sources) {
        if (source.path == setPath)
            continue;
        std::vector<ConfigError> ignored; // the whole configuration was checked already
        ConfigFile file = parseConfigText(source.text, source.path, ignored);
        Config one = mergeConfigFiles({file});
        if (const ConfigEntry* entry = setFileEntry(one, source.path, key))
            places.push_back(entry->where());
    }
    return places;
}

// One card present, as the edit leaves it.
struct CardAfterEdit {
    CardInfo card;
    CardIdentity identity;
    SetEffect effect;
    CardDecision decision; // by the configuration after the edit
};

// The line `set` prints for a card: the entry that decides it now, and why the edited one
// does not when it names the card.
std::string decidedLine(const CardAfterEdit& card, const std::string& editedKey) {
    const std::string label = cardLabel(card.card);
    const SetEffect& effect = card.effect;
    if (const RefuseCard* refused = std::get_if<RefuseCard>(&card.decision))
        return refused->problem;
    const ConfigEntry* entry = effect.after.entry;
    if (!entry)
        return label + (effect.concerned ? ": no entry decides it any more: it keeps its types"
                                         : ": no entry decides it: left as it is");
    if (effect.outrankedBy)
        return label + ": still decided by " + entry->key + " (" + entry->where() +
               "): " + entry->spec.str() + "; " + rankName(entryRank(*entry)) + " outranks " +
               editedKey + "; to change this card, edit " + entry->where();
    return label + ": decided by " + entry->key + " (" + entry->where() + "): " + entry->spec.str();
}

// Whether the edit leaves a card refused that was not (a conflict it creates, a port list
// longer than the card), so that it must not be written.
bool editRefusesCard(const CardAfterEdit& card, const Config& before) {
    if (card.effect.createsConflict)
        return true;
    if (!card.effect.concerned || !std::holds_alternative<RefuseCard>(card.decision))
        return false;
    return !std::holds_alternative<RefuseCard>(decideCard(card.card, before.match(card.identity)));
}

// The guard of apply, asked before anything is written: would switching this card cut a
// default route or an SSH session? The refusal, or empty.
std::string guardRefusal(const CardAfterEdit& card, const Options& options,
                         const RunContext& context) {
    const SetPorts* set = std::get_if<SetPorts>(&card.decision);
    if (!set || !guardApplies(options.useSyslog, !context.udevAction.empty(), options.force))
        return "";
    SysfsCardPorts ports(card.card);
    CardPlan plan = makePlan(readCard(ports), set->wants);
    if (planOutcome(plan).outcome != ApplyOutcome::Planned || !plan.mayRestart())
        return "";
    RestartImpact impact = readRestartImpact(card.card, plan);
    return restartRefusal(cardLabel(card.card), impact.before, impact.host);
}

// Applies `config` (the one just written) to the cards at `addresses` as apply does, or with
// `dryRun` shows apply --dry-run's plan for them; apply's exit status.
int applyTo(const Options& options, const RunContext& context, const Config& config,
            const std::vector<PciAddress>& addresses, bool dryRun) {
    Options apply = options;
    apply.verb = "apply";
    apply.addresses = addresses;
    apply.all = false;
    apply.json = false;
    apply.dryRun = dryRun;
    return applyConfig(apply, context, config);
}

int runSetOrUnset(const Options& options, const RunContext& context, const SetRequest& request) {
    const std::string setPath = setFilePath(options.configDir);
    const std::string command = commandText(request);
    const std::string& key = request.entry.key;
    const std::string shownKey = setFileKey(key);

    // The arguments, in the loader's words.
    if (std::vector<std::string> problems = checkSetArguments(request.entry); !problems.empty()) {
        for (const std::string& problem : problems)
            logError(command + ": " + problem);
        logError("nothing was written and no card was changed");
        return kExitUsage;
    }
    // One set or unset at a time, from reading set.json to applying what was written. A dry
    // run writes nothing, not even the directory.
    std::unique_ptr<ConfigDirLock> lock;
    std::string problem;
    if (!options.dryRun) {
        lock = ConfigDirLock::acquire(options.configDir, problem);
        if (!lock) {
            logError(problem + "; nothing was written and no card was changed");
            return kExitCardFailed;
        }
    }
    // The configuration as it is, checked whole.
    std::vector<ConfigError> errors;
    std::vector<ConfigSource> sources = readConfigSources(options.configDir, getuid(), errors);
    Config before = buildConfig(sources, errors);
    if (!errors.empty()) {
        logConfigErrors(errors, "nothing was written and no card was changed");
        return kExitUsage;
    }
    std::string oldText;
    for (const ConfigSource& source : sources)
        if (source.path == setPath)
            oldText = source.text;
    bool found = true;
    std::optional<std::string> newText = request.unset
                                             ? withEntryRemoved(oldText, key, found, problem)
                                             : withEntrySet(oldText, request.entry, problem);
    if (!newText) {
        logError(setPath + ": " + problem + "; nothing was written and no card was changed");
        return kExitUsage;
    }
    if (!found) {
        std::vector<std::string> places = adminPlaces(sources, setPath, key);
        if (places.empty()) {
            std::printf("%s is not in %s; nothing to do\n", shownKey.c_str(), setPath.c_str());
            return kExitOk;
        }
        std::string where;
        for (const std::string& place : places)
            where += (where.empty() ? "" : " and ") + place;
        logError(shownKey + " is not in " + setPath + ", which set and unset own, but in " + where +
                 ": edit that file");
        return kExitUsage;
    }
    // The configuration as it would be, built and checked exactly as the loader will.
    std::vector<ConfigSource> afterSources;
    for (const ConfigSource& source : sources)
        if (source.path != setPath)
            afterSources.push_back(source);
    afterSources.push_back({setPath, *newText});
    Config after = buildConfig(afterSources, errors);
    if (!errors.empty()) {
        logConfigErrors(errors, "nothing was written and no card was changed");
        return kExitUsage;
    }

    // Every card present: which entry decides it after the edit, and whether the edit leaves
    // it refused.
    std::vector<CardInfo> present = findMlx4Cards(problem);
    if (!problem.empty()) {
        logError(problem + "; nothing was written");
        return kExitCardFailed;
    }
    IdentityNeeds needs = before.identityNeeds();
    needs.guid |= after.identityNeeds().guid;
    needs.vpd |= after.identityNeeds().vpd;
    std::vector<CardAfterEdit> cards;
    bool refused = false;
    for (const CardInfo& card : present) {
        CardIdentity identity;
        identity.address = card.address;
        if (isMlx4Card(card) && needs.any())
            identity = readCardIdentity(card, needs);
        SetEffect effect = setEffect(before, after, setPath, key, identity);
        cards.push_back({card, identity, effect, decideCard(card, effect.after)});
        if (editRefusesCard(cards.back(), before)) {
            logError(command + ": " + std::get<RefuseCard>(cards.back().decision).problem);
            refused = true;
        }
    }
    if (refused) {
        logError("nothing was written: " + command + " would leave the card untouched");
        return kExitUsage;
    }
    std::vector<PciAddress> concerned;
    for (const CardAfterEdit& card : cards)
        if (card.effect.concerned && std::holds_alternative<SetPorts>(card.decision))
            concerned.push_back(card.card.address);

    if (options.dryRun) {
        if (*newText == oldText) {
            std::printf("%s needs no change\n", setPath.c_str());
        } else {
            std::printf("would change %s:\n", setPath.c_str());
            for (const std::string& line : changedLines(oldText, *newText))
                std::printf("  %s\n", line.c_str());
        }
        for (const CardAfterEdit& card : cards)
            std::printf("%s\n", decidedLine(card, shownKey).c_str());
        int status =
            concerned.empty() ? kExitOk : applyTo(options, context, after, concerned, true);
        std::printf("nothing was written (--dry-run)\n");
        return status == kExitDrift ? kExitOk : status;
    }
    // The guard of apply, before anything is written.
    if (!options.noApply) {
        for (const CardAfterEdit& card : cards) {
            if (!card.effect.concerned)
                continue;
            if (std::string refusal = guardRefusal(card, options, context); !refusal.empty()) {
                logError(refusal);
                refused = true;
            }
        }
        if (refused) {
            logError("nothing was written to " + setPath + " and no card was changed");
            return kExitCardFailed;
        }
    }
    if (*newText != oldText) {
        if (!replaceFileAtomically(setPath, *newText, problem)) {
            logError(problem + "; no card was changed");
            return kExitCardFailed;
        }
        if (request.unset)
            std::printf("removed %s from %s\n", shownKey.c_str(), setPath.c_str());
        else
            std::printf("recorded in %s: %s %s\n", setPath.c_str(), shownKey.c_str(),
                        setFileEntry(after, setPath, key)->spec.str().c_str());
    } else {
        std::printf("%s already says so\n", setPath.c_str());
    }
    for (const CardAfterEdit& card : cards)
        std::printf("%s\n", decidedLine(card, shownKey).c_str());
    if (options.noApply) {
        std::printf("not applied (--no-apply): mlx4-porttype apply --all applies it\n");
        return kExitOk;
    }
    // Flushed first: apply's messages follow the lines above, wherever both go.
    std::fflush(stdout);
    return concerned.empty() ? kExitOk : applyTo(options, context, after, concerned, false);
}

} // namespace

int runSet(const Options& options, const RunContext& context) {
    SetRequest request;
    request.entry.key = options.operands.front();
    request.entry.types.assign(options.operands.begin() + 1, options.operands.end());
    return runSetOrUnset(options, context, request);
}

int runUnset(const Options& options, const RunContext& context) {
    SetRequest request;
    request.entry.key = options.operands.front();
    request.unset = true;
    return runSetOrUnset(options, context, request);
}

} // namespace mlx4
