// SPDX-License-Identifier: GPL-2.0-or-later
// The command line: global options, the verb and its options checked against the verb table,
// then the verb's run function (verb_*.cpp).
#include "cli.h"

#include "build_config.h"
#include "log.h"
#include "text.h"
#include "verbs.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace mlx4 {

namespace {

struct UsageError {
    std::string message;
};

// "apply, status, check and wait".
std::string verbList() {
    std::string list;
    const std::vector<Verb>& table = verbs();
    for (size_t i = 0; i < table.size(); ++i)
        list += (i == 0 ? "" : i + 1 == table.size() ? " and " : ", ") + std::string(table[i].name);
    return list;
}

// A word that is not an option: the verb, then its addresses (or KEY and TYPEs).
void addOperand(Options& options, const std::string& arg) {
    if (options.verb.empty()) {
        if (!findVerb(arg))
            throw UsageError{"unknown command " + quote(arg, 64) + "; the commands are " +
                             verbList()};
        options.verb = arg;
        return;
    }
    Operands operands = findVerb(options.verb)->operands;
    if (operands == Operands::None)
        throw UsageError{options.verb + " takes no arguments"};
    if (operands == Operands::KeyAndTypes || operands == Operands::Key) {
        options.operands.push_back(arg); // checked by the verb, in the loader's words
        return;
    }
    auto address = parsePciAddress(arg);
    if (!address) {
        std::string guess = guessPciAddress(arg);
        throw UsageError{quote(arg, 64) + " is not a PCI address; write DDDD:BB:DD.F or BB:DD.F" +
                         (guess.empty() ? "" : " (did you mean " + guess + "?)")};
    }
    options.addresses.push_back(*address);
}

int parseTimeout(const std::string& value) {
    char* end = nullptr;
    errno = 0;
    long seconds = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || !std::isdigit(static_cast<unsigned char>(value[0])) || *end || errno ||
        seconds > kMaxWaitTimeout)
        throw UsageError{"--timeout needs a whole number of seconds from 0 to " +
                         std::to_string(kMaxWaitTimeout) + ", not \"" + value.substr(0, 64) + "\""};
    return static_cast<int>(seconds);
}

// The verb option `arg` names ("--timeout=5" names --timeout), if the verb takes it.
const VerbOption* verbOption(const Options& options, const std::string& arg) {
    const Verb* verb = findVerb(options.verb);
    if (!verb)
        return nullptr;
    for (const VerbOption& option : verb->options) {
        std::string name = optionName(option);
        bool takesValue = option == VerbOption::Timeout || option == VerbOption::File;
        if (arg == name || (takesValue && arg.rfind(name + "=", 0) == 0))
            return &option;
    }
    return nullptr;
}

Options parseArguments(int argc, char** argv) {
    Options options;
    options.configDir = MLX4_DEFAULT_CONFIG_DIR;
    std::vector<std::string> args(argv + 1, argv + argc);
    bool optionsEnded = false; // after "--", everything is a verb or an address
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--" && !optionsEnded) {
            optionsEnded = true;
            continue;
        }
        auto valueOf = [&](const std::string& name) {
            if (arg.size() > name.size() && arg.compare(0, name.size() + 1, name + "=") == 0)
                return arg.substr(name.size() + 1);
            if (i + 1 >= args.size())
                throw UsageError{name + " needs a value"};
            return args[++i];
        };
        if (optionsEnded || arg.empty() || arg[0] != '-') {
            addOperand(options, arg);
        } else if (arg == "--help" || arg == "-h" || arg == "--version" ||
                   arg == "--completion-words") {
            options.verb = arg;
            return options;
        } else if (arg == "--config-dir" || arg.rfind("--config-dir=", 0) == 0) {
            options.configDir = valueOf("--config-dir");
            if (options.configDir.empty())
                throw UsageError{"--config-dir needs a directory"};
        } else if (arg == "--syslog") {
            options.useSyslog = true;
        } else if (arg == "-v" || arg == "--verbose") {
            options.verbosity = 1;
        } else if (arg == "-q" || arg == "--quiet") {
            options.verbosity = -1;
        } else if (const VerbOption* option = verbOption(options, arg)) {
            switch (*option) {
            case VerbOption::DryRun:
                options.dryRun = true;
                break;
            case VerbOption::Json:
                options.json = true;
                break;
            case VerbOption::Force:
                options.force = true;
                break;
            case VerbOption::Retry:
                options.retry = true;
                break;
            case VerbOption::All:
                options.all = true;
                break;
            case VerbOption::Timeout:
                options.timeoutSeconds = parseTimeout(valueOf("--timeout"));
                break;
            case VerbOption::NoApply:
                options.noApply = true;
                break;
            case VerbOption::File:
                options.file = valueOf("--file");
                if (options.file.empty())
                    throw UsageError{"--file needs a file"};
                break;
            }
        } else {
            throw UsageError{"unknown option " + escaped(arg, 64) +
                             (options.verb.empty() ? "" : " for " + options.verb)};
        }
    }
    if (options.verb.empty())
        throw UsageError{"no command given"};
    const Verb* verb = findVerb(options.verb);
    if (std::count(verb->options.begin(), verb->options.end(), VerbOption::All) &&
        options.all == !options.addresses.empty())
        throw UsageError{options.verb + " needs either --all or one or more addresses"};
    if (verb->operands == Operands::KeyAndTypes &&
        (options.operands.size() < 2 || options.operands.size() > 3))
        throw UsageError{options.verb + " needs KEY and one or two TYPEs, as in: set default eth"};
    if (verb->operands == Operands::Key && options.operands.size() != 1)
        throw UsageError{options.verb + " needs one KEY, as in: unset default"};
    return options;
}

// A standard descriptor that was closed when we started is opened on /dev/null, read-only: the
// files we open then never get its number (printf would write into them), and output to it
// still fails, as it would have, and is reported by finishOutput().
void guardStandardDescriptors() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        int null = open("/dev/null", O_RDONLY | O_NOCTTY);
        if (null >= 0 && null != fd) {
            dup2(null, fd);
            close(null);
        }
    }
}

// Output that did not reach its destination (a full disk, a closed pipe, /dev/full) is a
// failure: whoever reads it would otherwise take nothing for the answer.
int finishOutput(int status) {
    errno = 0;
    bool failed = std::fflush(stdout) != 0 || std::ferror(stdout);
    int error = errno;
    if (std::fclose(stdout) != 0 && !failed) {
        failed = true;
        error = errno;
    }
    if (!failed)
        return status;
    logError(std::string("cannot write the output: ") +
             (error ? strerror(error) : "write error on standard output"));
    return kExitCardFailed;
}

int runVerb(const Options& options) {
    if (options.verb == "--help" || options.verb == "-h") {
        std::fputs(usageText().c_str(), stdout);
        return kExitOk;
    }
    if (options.verb == "--version") {
        std::printf("mlx4-porttype %s\n", MLX4_PORTTYPE_VERSION);
        return kExitOk;
    }
    if (options.verb == "--completion-words") {
        std::fputs(completionWords().c_str(), stdout);
        return kExitOk;
    }
    logSetup(options.useSyslog, options.verbosity);
    return findVerb(options.verb)->run(options, readRunContext());
}

} // namespace

int runCommandLine(int argc, char** argv) {
    guardStandardDescriptors();
    Options options;
    try {
        options = parseArguments(argc, argv);
    } catch (const UsageError& error) {
        bool useSyslog = false;
        for (int i = 1; i < argc; ++i)
            useSyslog |= std::string(argv[i]) == "--syslog";
        logSetup(useSyslog, 0);
        logError("usage: " + error.message + " (see mlx4-porttype --help)");
        return kExitUsage;
    }
    int status;
    try {
        status = runVerb(options);
    } catch (const std::exception& error) {
        // Never abort (no core, no output, a SIGABRT in udev's log): say what broke.
        logError(std::string("internal error: ") + error.what() +
                 "; nothing more was done. Please report this with the command that was run");
        status = kExitCardFailed;
    } catch (...) {
        logError("internal error of an unknown kind; nothing more was done. Please report this "
                 "with the command that was run");
        status = kExitCardFailed;
    }
    return finishOutput(status);
}

} // namespace mlx4
