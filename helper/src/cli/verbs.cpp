// SPDX-License-Identifier: GPL-2.0-or-later
// The verb table, and the texts made from it.
#include "verbs.h"

#include "build_config.h"

#include <algorithm>

namespace mlx4 {

const std::vector<Verb>& verbs() {
    static const std::vector<Verb> table{
        {"apply",
         {VerbOption::DryRun, VerbOption::Json, VerbOption::Force, VerbOption::All},
         Operands::Addresses,
         runApply,
         "  apply [--dry-run] [--json] [--force] (--all | ADDRESS...)\n"
         "                               set port types of the given cards (or all);\n"
         "                               --force: switch even a card that carries this\n"
         "                               SSH session or the default route\n"},
        {"status",
         {VerbOption::Json},
         Operands::Addresses,
         runStatus,
         "  status [--json] [ADDRESS...] cards present, their identity, current and configured\n"
         "                               types\n"},
        {"check",
         {},
         Operands::None,
         runCheck,
         "  check                        validate the configuration, print the mapping\n"},
        {"wait",
         {VerbOption::Timeout},
         Operands::None,
         runWait,
         "  wait [--timeout SECONDS]     wait until every configured VPI card is as configured\n"
         "                               (default timeout 30 s); writes nothing\n"},
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
    case VerbOption::All:
        return "--all";
    case VerbOption::Timeout:
        return "--timeout";
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
            "  --config-dir DIR  read DIR/config.json and DIR/config.d/*.json\n"
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

std::string completionWords() {
    std::string text = "- --config-dir --syslog --verbose --quiet --help --version\n";
    for (const Verb& verb : verbs()) {
        text += verb.name;
        for (VerbOption option : verb.options)
            text += std::string(" ") + optionName(option);
        text += "\n";
    }
    return text;
}

} // namespace mlx4
