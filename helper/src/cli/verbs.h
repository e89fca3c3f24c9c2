// SPDX-License-Identifier: GPL-2.0-or-later
// The verbs of the command line, in one table: each verb's name, the options it takes, the
// function that runs it and its help. Parsing, dispatch, the usage text and the shell
// completion's word lists are all made from this table.
#pragma once

#include "address.h"
#include "config.h"
#include "context.h"

#include <string>
#include <vector>

namespace mlx4 {

// wait's default bound: a driver probe and one switch of a slow card take a few seconds
// (the switch about one); 30 s leaves ample room for both and still lets a boot with a card
// that never gets ready go on soon (see mlx4-porttype(8), wait).
constexpr int kDefaultWaitTimeout = 30;
constexpr int kMaxWaitTimeout = 86400;

// What the command line asked for.
struct Options {
    std::string configDir;
    bool useSyslog = false;
    int verbosity = 0;
    std::string verb; // a name in the verb table, or "--help", "--version"
    bool dryRun = false;
    bool all = false;
    bool json = false;
    bool force = false;
    bool retry = false; // apply --retry: try a target the kernel refused earlier
    bool noApply = false;
    std::string file; // check --file
    int timeoutSeconds = kDefaultWaitTimeout;
    std::vector<PciAddress> addresses;
    std::vector<std::string> operands; // set: KEY and TYPEs; unset: KEY
};

// An option of a verb.
enum class VerbOption { DryRun, Json, Force, Retry, All, Timeout, NoApply, File };

// What a verb takes besides its options: nothing, addresses, KEY and one or two TYPEs (set),
// or a KEY (unset).
enum class Operands { None, Addresses, KeyAndTypes, Key };

struct Verb {
    const char* name;
    std::vector<VerbOption> options;
    Operands operands;
    int (*run)(const Options&, const RunContext&);
    const char* help; // the usage text's lines for it, synopsis first, each ending in a newline
};

int runApply(const Options& options, const RunContext& context);
int runStatus(const Options& options, const RunContext& context);
int runCheck(const Options& options, const RunContext& context);
int runWait(const Options& options, const RunContext& context);
int runSet(const Options& options, const RunContext& context);
int runUnset(const Options& options, const RunContext& context);

// apply with a configuration already loaded: set and unset apply the one they wrote.
int applyConfig(const Options& options, const RunContext& context, const Config& config);

// Every verb, in the order the usage lists them.
const std::vector<Verb>& verbs();
// The verb called `name`; nullptr if there is none.
const Verb* findVerb(const std::string& name);
// "--dry-run", "--json", "--force", "--retry", "--all", "--timeout", "--no-apply", "--file".
const char* optionName(VerbOption option);

// The usage text (--help).
std::string usageText();
// For the shell completion, made from it at build time (--completion-words, not in the usage):
// one line per verb: its name, what it takes (none, addresses, key-and-types, key), then its
// options; a first line "-" with the global options.
std::string completionWords();

} // namespace mlx4
