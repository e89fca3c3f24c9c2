// SPDX-License-Identifier: GPL-2.0-or-later
// set and unset: a port type chosen without editing JSON. Everything is checked first (the
// arguments, the whole resulting configuration, the cards it would leave refused, apply's
// guard); only then is set.json written, and the cards concerned applied as apply does.
#include "card_switch.h"
#include "cards.h"
#include "cli.h"
#include "config_dir.h"
#include "config_write.h"
#include "log.h"
#include "set_edit.h"
#include "set_file.h"
#include "text.h"

#include <cstdio>
#include <unistd.h>
#include <variant>

namespace mlx4 {

namespace {

// "set default eth", as typed, for messages.
std::string commandText(const SetRequest& request) {
    std::string text = request.unset ? "unset" : "set";
    text += " " + escaped(request.entry.key);
    for (const std::string& type : request.entry.types)
        text += " " + escaped(type);
    return text;
}

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

// set --dry-run: the change of set.json, the entry that would decide each card, and apply's
// plan for the cards concerned. Writes nothing.
int showDryRun(const Options& options, const RunContext& context, const Edit& edit,
               const std::vector<CardAfterEdit>& cards, const std::vector<PciAddress>& concerned,
               const std::string& shownKey) {
    if (edit.newText == edit.oldText) {
        std::printf("%s needs no change\n", edit.setPath.c_str());
    } else {
        std::printf("would change %s:\n", edit.setPath.c_str());
        for (const std::string& line : changedLines(edit.oldText, edit.newText))
            std::printf("  %s\n", line.c_str());
    }
    for (const CardAfterEdit& card : cards)
        std::printf("%s\n", decidedLine(card, shownKey).c_str());
    int status =
        concerned.empty() ? kExitOk : applyTo(options, context, edit.after, concerned, true);
    std::printf("nothing was written (--dry-run)\n");
    return status == kExitDrift ? kExitOk : status;
}

// Whether apply's guard lets every card the edit concerns be switched (the refusals said).
bool guardAllows(const Options& options, const RunContext& context,
                 const std::vector<CardAfterEdit>& cards) {
    bool allowed = true;
    for (const CardAfterEdit& card : cards) {
        if (!card.effect.concerned)
            continue;
        if (std::string refusal = restartGuardRefusal(card.card, card.decision, options, context);
            !refusal.empty()) {
            logError(refusal);
            allowed = false;
        }
    }
    return allowed;
}

// Writes set.json (unless it already says so), says which entry decides each card, and applies
// the cards concerned unless --no-apply.
int writeAndApply(const Options& options, const RunContext& context, const Edit& edit,
                  const SetRequest& request, const std::vector<CardAfterEdit>& cards,
                  const std::vector<PciAddress>& concerned) {
    const std::string shownKey = setFileKey(request.entry.key);
    if (edit.newText != edit.oldText) {
        std::string problem;
        if (!replaceFileAtomically(edit.setPath, edit.newText, problem)) {
            logError(problem + "; no card was changed");
            return kExitCardFailed;
        }
        if (request.unset)
            std::printf("removed %s from %s\n", shownKey.c_str(), edit.setPath.c_str());
        else
            std::printf(
                "recorded in %s: %s %s\n", edit.setPath.c_str(), shownKey.c_str(),
                setFileEntry(edit.after, edit.setPath, request.entry.key)->spec.str().c_str());
    } else {
        std::printf("%s already says so\n", edit.setPath.c_str());
    }
    for (const CardAfterEdit& card : cards)
        std::printf("%s\n", decidedLine(card, shownKey).c_str());
    if (options.noApply) {
        std::printf("not applied (--no-apply): mlx4-porttype apply --all applies it\n");
        return kExitOk;
    }
    // Flushed first: apply's messages follow the lines above, wherever both go.
    std::fflush(stdout);
    return concerned.empty() ? kExitOk : applyTo(options, context, edit.after, concerned, false);
}

int runSetOrUnset(const Options& options, const RunContext& context, const SetRequest& request) {
    const std::string setPath = setFilePath(options.configDir);
    const std::string command = commandText(request);
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
    if (!options.dryRun) {
        std::string problem;
        lock = ConfigDirLock::acquire(options.configDir, problem);
        if (!lock) {
            logError(problem + "; nothing was written and no card was changed");
            return kExitCardFailed;
        }
    }
    std::variant<Edit, int> made = makeEdit(options, request, setPath);
    if (const int* status = std::get_if<int>(&made))
        return *status;
    const Edit& edit = std::get<Edit>(made);
    std::variant<std::vector<CardAfterEdit>, int> found = cardsAfterEdit(edit, request, command);
    if (const int* status = std::get_if<int>(&found))
        return *status;
    const std::vector<CardAfterEdit>& cards = std::get<std::vector<CardAfterEdit>>(found);
    std::vector<PciAddress> concerned;
    for (const CardAfterEdit& card : cards)
        if (card.effect.concerned && std::holds_alternative<SetPorts>(card.decision))
            concerned.push_back(card.card.address);

    if (options.dryRun)
        return showDryRun(options, context, edit, cards, concerned, setFileKey(request.entry.key));
    if (!options.noApply && !guardAllows(options, context, cards)) {
        logError("nothing was written to " + setPath + " and no card was changed");
        return kExitCardFailed;
    }
    return writeAndApply(options, context, edit, request, cards, concerned);
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
