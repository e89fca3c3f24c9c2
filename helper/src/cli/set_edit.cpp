// SPDX-License-Identifier: GPL-2.0-or-later
#include "set_edit.h"

#include "cards.h"
#include "cli.h"
#include "config_dir.h"
#include "log.h"
#include "sysfs.h"

#include <cstdio>
#include <unistd.h>

namespace mlx4 {

namespace {

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

} // namespace

std::variant<Edit, int> makeEdit(const Options& options, const SetRequest& request,
                                 const std::string& setPath) {
    const std::string& key = request.entry.key;
    std::vector<ConfigError> errors;
    std::vector<ConfigSource> sources = readConfigSources(options.configDir, getuid(), errors);
    Edit edit{setPath, "", "", buildConfig(sources, errors), {}};
    if (!errors.empty()) {
        logConfigErrors(errors, "nothing was written and no card was changed");
        return kExitUsage;
    }
    for (const ConfigSource& source : sources)
        if (source.path == setPath)
            edit.oldText = source.text;
    bool found = true;
    std::string problem;
    std::optional<std::string> newText = request.unset
                                             ? withEntryRemoved(edit.oldText, key, found, problem)
                                             : withEntrySet(edit.oldText, request.entry, problem);
    if (!newText) {
        logError(setPath + ": " + problem + "; nothing was written and no card was changed");
        return kExitUsage;
    }
    if (!found) {
        const std::string shownKey = setFileKey(key);
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
    edit.newText = *newText;
    std::vector<ConfigSource> afterSources;
    for (const ConfigSource& source : sources)
        if (source.path != setPath)
            afterSources.push_back(source);
    afterSources.push_back({setPath, edit.newText});
    edit.after = buildConfig(afterSources, errors);
    if (!errors.empty()) {
        logConfigErrors(errors, "nothing was written and no card was changed");
        return kExitUsage;
    }
    return edit;
}

std::variant<std::vector<CardAfterEdit>, int>
cardsAfterEdit(const Edit& edit, const SetRequest& request, const std::string& command) {
    std::string problem;
    std::vector<CardInfo> present = findMlx4Cards(problem);
    if (!problem.empty()) {
        logError(problem + "; nothing was written");
        return kExitCardFailed;
    }
    IdentityNeeds needs = edit.before.identityNeeds();
    needs.guid |= edit.after.identityNeeds().guid;
    needs.vpd |= edit.after.identityNeeds().vpd;
    std::vector<CardAfterEdit> cards;
    bool refused = false;
    for (const CardInfo& card : present) {
        CardIdentity identity;
        identity.address = card.address;
        if (isMlx4Card(card) && needs.any())
            identity = readCardIdentity(card, needs);
        SetEffect effect =
            setEffect(edit.before, edit.after, edit.setPath, request.entry.key, identity);
        cards.push_back({card, identity, effect, decideCard(card, effect.after)});
        if (editRefusesCard(card, effect)) {
            logError(command + ": " + std::get<RefuseCard>(cards.back().decision).problem);
            refused = true;
        }
    }
    if (refused) {
        logError("nothing was written: " + command + " would leave the card untouched");
        return kExitUsage;
    }
    return cards;
}

} // namespace mlx4
