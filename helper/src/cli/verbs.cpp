// SPDX-License-Identifier: GPL-2.0-or-later
// The verb table, and the texts made from it.
#include "verbs.h"

#include "build_config.h"

#include <algorithm>

namespace mlx4 {

const std::vector<Verb>& verbs() {
    static const std::vector<Verb> table{
        {"apply",
         {VerbOption::DryRun, VerbOption::Json, VerbOption::Force, VerbOption::Retry,
          VerbOption::All},
         Operands::Addresses,
         runApply,
         "  apply [--dry-run] [--json] [--force] [--retry] (--all | ADDRESS...)\n"
         "                               set port types of the given cards (or all);\n"
         "                               --force: switch even a card that carries an\n"
         "                               SSH session or a default route; --retry: try\n"
         "                               a target the kernel refused earlier (a run with\n"
         "                               stdin a terminal always does)\n"},
        {"status",
         {VerbOption::Json},
         Operands::Addresses,
         runStatus,
         "  status [--json] [ADDRESS...] cards present, their identity, current and configured\n"
         "                               types\n"},
        {"check",
         {VerbOption::File},
         Operands::None,
         runCheck,
         "  check [--file FILE]          validate the configuration, print the mapping;\n"
         "                               --file: check one file on its own\n"},
        {"wait",
         {VerbOption::Timeout},
         Operands::None,
         runWait,
         "  wait [--timeout SECONDS]     wait until every configured VPI card is as configured\n"
         "                               (default timeout 30 s); writes nothing\n"},
        {"set",
         {VerbOption::NoApply, VerbOption::DryRun, VerbOption::Force},
         Operands::KeyAndTypes,
         runSet,
         "  set [--no-apply] [--dry-run] [--force] KEY TYPE [TYPE]\n"
         "                               record KEY's port types in set.json and apply\n"
         "                               them to the cards concerned (KEY: default, an\n"
         "                               address, guid:, serial: or part:; TYPE: ib, eth,\n"
         "                               auto or keep)\n"},
        {"unset",
         {VerbOption::NoApply, VerbOption::DryRun, VerbOption::Force},
         Operands::Key,
         runUnset,
         "  unset [--no-apply] [--dry-run] [--force] KEY\n"
         "                               remove KEY from set.json and apply the result\n"},
    };
    return table;
}

const Verb* findVerb(const std::string& name) {
    const std::vector<Verb>& table = verbs();
    auto verb = std::find_if(table.begin(), table.end(),
                             [&name](const Verb& candidate) { return name == candidate.name; });
    return verb == table.end() ? nullptr : &*verb;
}

const char* optionName(VerbOption option) {
    switch (option) {
    case VerbOption::DryRun:
        return "--dry-run";
    case VerbOption::Json:
        return "--json";
    case VerbOption::Force:
        return "--force";
    case VerbOption::Retry:
        return "--retry";
    case VerbOption::All:
        return "--all";
    case VerbOption::Timeout:
        return "--timeout";
    case VerbOption::NoApply:
        return "--no-apply";
    case VerbOption::File:
        return "--file";
    }
    return "";
}

std::string usageText() {
    std::string text =
        "Usage: mlx4-porttype [--config-dir DIR] [--syslog] [-v|--verbose] [-q|--quiet] COMMAND\n"
        "\n"
        "Sets the port type (InfiniBand or Ethernet) of Mellanox mlx4 VPI cards\n"
        "(ConnectX, ConnectX-2, ConnectX-3) from a configuration keyed by PCI address,\n"
        "GUID, serial number or part number.\n"
        "\n"
        "Commands:\n";
    for (const Verb& verb : verbs())
        text += verb.help;
    text += "\n"
            "Options:\n"
            "  --config-dir DIR  read DIR/config.json, DIR/config.d/*.json and DIR/set.json\n"
            "                    (default " MLX4_DEFAULT_CONFIG_DIR ")\n"
            "  --syslog          log to syslog instead of stderr (used by the udev rule)\n"
            "  -v, --verbose     also log debug messages\n"
            "  -q, --quiet       log only warnings and errors\n"
            "  --help, --version\n"
            "\n"
            "ADDRESS is a PCI address, DDDD:BB:DD.F or BB:DD.F, as lspci -D prints it.\n"
            "Exit status: 0 all addressed cards are as configured, 1 a card could not be set\n"
            "or read (wait: timed out), 2 usage or configuration error (nothing was written),\n"
            "3 status or apply --dry-run: a card is not as configured (mlx4-porttype(8),\n"
            "EXIT STATUS). See mlx4-porttype(8) and mlx4-porttype.json(5).\n";
    return text;
}

namespace {

const char* operandsName(Operands operands) {
    switch (operands) {
    case Operands::None:
        return "none";
    case Operands::Addresses:
        return "addresses";
    case Operands::KeyAndTypes:
        return "key-and-types";
    case Operands::Key:
        return "key";
    }
    return "none";
}

} // namespace

std::string completionWords() {
    std::string text = "- --config-dir --syslog --verbose --quiet --help --version\n";
    for (const Verb& verb : verbs()) {
        text += std::string(verb.name) + " " + operandsName(verb.operands);
        for (VerbOption option : verb.options)
            text += std::string(" ") + optionName(option);
        text += "\n";
    }
    return text;
}

} // namespace mlx4
