// SPDX-License-Identifier: GPL-2.0-or-later
// The command line: apply, status, check.
#include "cli.h"

#include "build_config.h"
#include "card_decision.h"
#include "card_lock.h"
#include "card_state.h"
#include "config.h"
#include "deferred_signals.h"
#include "ethernet_speed.h"
#include "host_network.h"
#include "impact.h"
#include "interfaces.h"
#include "kernel_log.h"
#include "log.h"
#include "models.h"
#include "port_link.h"
#include "refusal_memory.h"
#include "refusal_message.h"
#include "switching.h"
#include "sysfs.h"
#include "text.h"
#include "unmatched_entries.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unistd.h>
#include <variant>
#include <vector>

namespace mlx4 {

namespace {

const char kUsage[] =
    "Usage: mlx4-porttype [--config-dir DIR] [--syslog] [-v|--verbose] [-q|--quiet] COMMAND\n"
    "\n"
    "Sets the port type (InfiniBand or Ethernet) of Mellanox mlx4 VPI cards\n"
    "(ConnectX, ConnectX-2, ConnectX-3) from a configuration keyed by PCI address,\n"
    "GUID, serial number or part number.\n"
    "\n"
    "Commands:\n"
    "  apply [--dry-run] [--json] [--force] (--all | ADDRESS...)\n"
    "                               set port types of the given cards (or all);\n"
    "                               --force: switch even a card that carries this\n"
    "                               SSH session or the default route\n"
    "  status [--json] [ADDRESS...] cards present, their state and identity, current and\n"
    "                               configured types\n"
    "  check                        validate the configuration, print the mapping\n"
    "  wait [--timeout SECONDS]     wait until no card is drift or pending and the\n"
    "                               Ethernet interfaces are named (default timeout 30 s);\n"
    "                               writes nothing\n"
    "\n"
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

// wait's default bound: a driver probe and one switch of a slow card take a few seconds
// (the switch about one); 30 s leaves ample room for both and still lets a boot with a card
// that never gets ready go on soon (see mlx4-porttype(8), wait).
constexpr int kDefaultWaitTimeout = 30;
constexpr int kMaxWaitTimeout = 86400;

struct Options {
    std::string configDir = MLX4_DEFAULT_CONFIG_DIR;
    bool useSyslog = false;
    int verbosity = 0;
    std::string command;
    bool dryRun = false;
    bool all = false;
    bool json = false;
    bool force = false;
    int timeoutSeconds = kDefaultWaitTimeout;
    std::vector<PciAddress> addresses;
};

// Configuration errors printed before the rest are only counted.
constexpr size_t kMaxErrorsShown = 30;

struct UsageError {
    std::string message;
};

// A word that is not an option: the command, then its addresses.
void addOperand(Options& options, const std::string& arg) {
    if (options.command.empty()) {
        if (arg != "apply" && arg != "status" && arg != "check" && arg != "wait")
            throw UsageError{"unknown command " + quote(arg, 64) +
                             "; the commands are apply, status, check and wait"};
        options.command = arg;
        return;
    }
    if (options.command == "check" || options.command == "wait")
        throw UsageError{options.command + " takes no arguments"};
    auto address = parsePciAddress(arg);
    if (!address) {
        std::string guess = guessPciAddress(arg);
        throw UsageError{quote(arg, 64) + " is not a PCI address; write DDDD:BB:DD.F or BB:DD.F" +
                         (guess.empty() ? "" : " (did you mean " + guess + "?)")};
    }
    options.addresses.push_back(*address);
}

Options parseArguments(int argc, char** argv) {
    Options options;
    std::vector<std::string> args(argv + 1, argv + argc);
    bool optionsEnded = false; // after "--", everything is a command or an address
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
        } else if (arg == "--help" || arg == "-h" || arg == "--version") {
            options.command = arg;
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
        } else if (arg == "--dry-run" && options.command == "apply") {
            options.dryRun = true;
        } else if (arg == "--all" && options.command == "apply") {
            options.all = true;
        } else if (arg == "--json" && (options.command == "status" || options.command == "apply")) {
            options.json = true;
        } else if (arg == "--force" && options.command == "apply") {
            options.force = true;
        } else if ((arg == "--timeout" || arg.rfind("--timeout=", 0) == 0) &&
                   options.command == "wait") {
            std::string value = valueOf("--timeout");
            char* end = nullptr;
            errno = 0;
            long seconds = std::strtol(value.c_str(), &end, 10);
            if (value.empty() || !std::isdigit(static_cast<unsigned char>(value[0])) || *end ||
                errno || seconds > kMaxWaitTimeout)
                throw UsageError{"--timeout needs a whole number of seconds from 0 to " +
                                 std::to_string(kMaxWaitTimeout) + ", not \"" +
                                 value.substr(0, 64) + "\""};
            options.timeoutSeconds = static_cast<int>(seconds);
        } else {
            throw UsageError{"unknown option " + escaped(arg, 64) +
                             (options.command.empty() ? "" : " for " + options.command)};
        }
    }
    if (options.command.empty())
        throw UsageError{"no command given"};
    if (options.command == "apply" && options.all == !options.addresses.empty())
        throw UsageError{"apply needs either --all or one or more addresses"};
    return options;
}

std::string where(const ConfigEntry& entry) {
    return entry.where();
}

// One card: what was read of it, the entry that configures it, and what to do with it.
struct CardTask {
    CardInfo card;
    CardIdentity identity; // what was read of it: only what the configuration or command needs
    ConfigMatch match;
    CardDecision decision;

    const ConfigEntry* entry() const { return match.entry; }
    // The wants when the card is to be set, else nullptr.
    const std::vector<PortWant>* wants() const {
        const SetPorts* set = std::get_if<SetPorts>(&decision);
        return set ? &set->wants : nullptr;
    }
    // The error when the card is not handled, else nullptr.
    const std::string* problem() const {
        const RefuseCard* refuse = std::get_if<RefuseCard>(&decision);
        return refuse ? &refuse->problem : nullptr;
    }
};

// `needs` says what of the card's identity to read; a caller that read it already passes it
// as `known` instead.
CardTask makeTask(const CardInfo& card, const Config& config, IdentityNeeds needs = {},
                  const CardIdentity* known = nullptr) {
    CardTask task{card, {}, {}, LeaveCard{}};
    task.identity.address = card.address;
    // A card of the driver's table that no driver has bound yet is matched too (config space
    // and VPD need no driver): whether it is configured tells pending from not configured.
    bool awaitsMlx4 = card.vendor == kMellanoxVendor && deviceKind(card.device) &&
                      card.driver.empty() &&
                      (card.driverOverride.empty() || card.driverOverride == "mlx4_core");
    if (isMlx4Card(card) || awaitsMlx4) {
        if (known) {
            task.identity = *known;
        } else if (needs.any()) {
            task.identity = readCardIdentity(card, needs);
            if (!task.identity.problems.empty())
                logDebug(card.address.str() +
                         ": identity partly unknown: " + task.identity.problems);
        }
        task.match = config.match(task.identity);
    }
    task.decision = decideCard(card, task.match);
    return task;
}

std::string refusedNote(const CardInfo& card) {
    return card.address.str() +
           ": the kernel refused this configuration earlier; udev events leave the card alone "
           "until the configuration changes or the driver binds it anew; run mlx4-porttype "
           "apply " +
           card.address.str() + " to try again";
}

// The driver the card is bound to, or the one its driver_override hands it to.
Binding bindingOf(const CardInfo& card) {
    if (!card.driver.empty())
        return card.driver == "mlx4_core" ? Binding::Mlx4Core : Binding::Other;
    if (!card.driverOverride.empty() && card.driverOverride != "mlx4_core")
        return Binding::Other;
    return Binding::None;
}

bool entryAsksIb(const ConfigEntry* entry) {
    return entry && std::find(entry->spec.wants.begin(), entry->spec.wants.end(), PortWant::Ib) !=
                        entry->spec.wants.end();
}

// An Ethernet-only card: its PCI ID says so, or its part number (ConnectX-3 EN shares the VPI
// IDs).
std::string ethernetOnlyName(const CardTask& task) {
    if (deviceKind(task.card.device) == DeviceKind::ethernetOnly)
        return modelName(task.card.device);
    if (std::string family = ethernetOnlyFamily(task.identity.vpd.part); !family.empty())
        return task.identity.vpd.part + ", " + family;
    return {};
}

// The facts of one card that the state is decided from; `reading` nullptr: not read.
CardFacts cardFacts(const CardTask& task, const CardReading* reading, const std::string& runDir,
                    const Config& config) {
    CardFacts facts;
    facts.mellanox = task.card.vendor == kMellanoxVendor;
    facts.binding = bindingOf(task.card);
    facts.ethernetOnly = !ethernetOnlyName(task).empty();
    facts.virtualFunction = deviceKind(task.card.device) == DeviceKind::virtualFunction;
    facts.conflict = task.match.conflict != nullptr;
    facts.entry = entryKind(task.entry());
    facts.entryAsksIb = entryAsksIb(task.entry());
    facts.portFiles = task.card.portCount > 0 || !task.card.portProblem.empty();
    facts.helperRefuses = task.problem() != nullptr;
    if (facts.binding == Binding::Mlx4Core && isMlx4Card(task.card))
        facts.lockHeld = cardLockHeld(runDir, task.card.address);
    if (reading && !reading->ports.empty()) {
        facts.readable = reading->problem().empty();
        facts.writable = true;
        for (const PortReading& port : reading->ports)
            facts.writable &= port.writable;
        if (const std::vector<PortWant>* wants = task.wants(); wants && *facts.readable) {
            CardPlan plan = makePlan(*reading, *wants);
            facts.planInSync = plan.inSync();
            facts.refusalRecorded =
                !facts.planInSync &&
                earlierRefusal(runDir, task.card, plan, config.fingerprint).has_value();
        }
    }
    return facts;
}

// Why a card is in `state`, where no other note says it.
std::string stateNote(const CardTask& task, CardState state) {
    const std::string address = task.card.address.str();
    switch (state) {
    case CardState::OtherDriver:
        return address + " is bound to " +
               quote(task.card.driver.empty() ? task.card.driverOverride : task.card.driver) +
               (task.card.driver.empty() ? " by driver_override" : "") +
               " (vfio-pci: passed through to a virtual machine), not mlx4_core: its port types "
               "are the guest's to set; left alone";
    case CardState::EthernetOnly: {
        std::string text =
            address + " is an Ethernet-only card (" + ethernetOnlyName(task) + "): nothing to set";
        if (entryAsksIb(task.entry()))
            text += "; " + task.entry()->key + " (" + where(*task.entry()) +
                    ") asks ib, which is ignored for this card";
        return text;
    }
    case CardState::Failed:
        if (!ethernetOnlyName(task).empty())
            return address + " is an Ethernet-only card (" + ethernetOnlyName(task) +
                   "): its ports cannot run ib, which " + task.entry()->key + " (" +
                   where(*task.entry()) + ") asks; configure eth for it";
        return {};
    case CardState::Pending:
        if (task.card.driver.empty())
            return address + ": no driver is bound yet (is mlx4_core loaded? lsmod | grep mlx4)";
        if (task.card.portCount == 0)
            return address + ": the driver has not made its port files yet";
        return address + ": the udev rule is switching it now (it holds the card's lock); look "
                         "again in a moment";
    case CardState::Drift:
        return address + ": not as configured; mlx4-porttype apply " + address + " sets it";
    default:
        return {};
    }
}

// What a card's identity tells, for status and the dry run.

// "MCX312A-XCBT is an Ethernet-only card ..." when the configuration asks ib of such a card.
std::string ethernetOnlyWarning(const CardTask& task) {
    std::string family = ethernetOnlyFamily(task.identity.vpd.part);
    const std::vector<PortWant>* wants = task.wants();
    if (family.empty() || !wants ||
        std::find(wants->begin(), wants->end(), PortWant::Ib) == wants->end())
        return {};
    return task.identity.vpd.part + " is an Ethernet-only card (" + family +
           "): its ports cannot run ib, which " + where(*task.entry()) +
           " asks; configure eth for it";
}

std::string guidText(const std::optional<uint64_t>& guid) {
    return guid ? formatGuid(*guid) : std::string();
}

nlohmann::ordered_json stringOrNull(const std::string& text) {
    return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(text);
}

void addIdentityJson(const CardTask& task, nlohmann::ordered_json& card) {
    const CardIdentity& identity = task.identity;
    card["guid"] = stringOrNull(guidText(identity.guid()));
    card["node_guid"] = stringOrNull(guidText(identity.nodeGuid));
    card["serial"] = stringOrNull(identity.vpd.serial);
    card["part"] = stringOrNull(identity.vpd.part);
    card["product"] = stringOrNull(identity.vpd.product);
    card["psid"] = stringOrNull(identity.psid);
    card["firmware"] = stringOrNull(identity.firmware);
    card["source"] = task.entry() ? nlohmann::ordered_json(where(*task.entry())) : nullptr;
    if (std::string warning = ethernetOnlyWarning(task); !warning.empty())
        card["warning"] = warning;
}

void printColumns(const std::vector<std::vector<std::string>>& table) {
    std::vector<size_t> width(table.front().size(), 0);
    for (const auto& line : table)
        for (size_t i = 0; i < line.size(); ++i)
            width[i] = std::max(width[i], line[i].size());
    for (const auto& line : table) {
        std::string text;
        for (size_t i = 0; i < line.size(); ++i)
            text += line[i] +
                    (i + 1 < line.size() ? std::string(width[i] - line[i].size() + 2, ' ') : "");
        std::printf("%s\n", text.c_str());
    }
}

// "slot config.json:5", "guid 50-rack.json:3": which kind of entry configures a card, and
// where, short enough for the identity table (the whole path is in check and the JSON).
std::string configuredByColumn(const ConfigEntry* entry) {
    if (!entry)
        return "-";
    static const char* const kKinds[] = {"-", "slot", "unit", "part", "default"};
    std::string kind = kKinds[static_cast<int>(entryKind(entry))];
    if (entryKind(entry) == EntryKind::Unit)
        kind = entry->key.substr(0, entry->key.find(':'));
    // The file's name, its middle left out when long: the table stays within 100 columns.
    std::string file = entry->file.substr(entry->file.rfind('/') + 1);
    constexpr size_t kMaxFileName = 16;
    if (file.size() > kMaxFileName)
        file = file.substr(0, 7) + "..." + file.substr(file.size() - 6);
    return kind + " " + file + ":" + std::to_string(entry->pos.line);
}

// Above the port table: who each card is, and which entry configures it. 100 columns: the
// product string and the PSID are in status --json.
void printIdentityTable(const std::vector<CardTask>& tasks) {
    if (tasks.empty())
        return;
    auto shown = [](const std::string& text) {
        return text.empty() ? "-" : text;
    };
    std::vector<std::vector<std::string>> table{
        {"ADDRESS", "PART", "SERIAL", "GUID", "FIRMWARE", "CONFIGURED BY"}};
    std::vector<std::string> notes;
    for (const CardTask& task : tasks) {
        const CardIdentity& identity = task.identity;
        std::string guid = shown(guidText(identity.guid()));
        // The two are equal on the cards seen so far, but nothing guarantees it.
        if (identity.serialNumber && identity.nodeGuid &&
            identity.serialNumber != identity.nodeGuid)
            notes.push_back(task.card.address.str() + ": node_guid " +
                            formatGuid(*identity.nodeGuid) +
                            " differs from the Device Serial Number " + guid);
        table.push_back({task.card.address.str(), shown(identity.vpd.part),
                         shown(identity.vpd.serial), guid, shown(identity.firmware),
                         configuredByColumn(task.entry())});
    }
    printColumns(table);
    for (const std::string& note : notes)
        std::printf("note: %s\n", note.c_str());
    std::printf("\n");
}

// Once per command, not per card: identity is for root only, which a user may not expect.
void noteIdentityNeedsRoot(const std::vector<CardTask>& tasks) {
    if (std::any_of(tasks.begin(), tasks.end(),
                    [](const CardTask& task) { return task.identity.needsRoot; }))
        logNotice("the identity of a card (GUID, serial and part number) is readable only by "
                  "root: it shows as unknown, and guid:, serial: and part: entries match no "
                  "card; run as root to see it");
}

// What became of one card: logged as it happens, and printed by apply --json.
struct CardReport {
    std::string address;
    std::string model;  // empty if there is no such device
    std::string result; // "unchanged", "changed" (dry run: would change), "failed", "skipped"
    int restarts = 0;
    std::string message; // the line logged for the card
    std::vector<PortState> before, after;
};

// The cards named on the command line, or all mlx4 cards. False if one could not be found;
// `missing` gets a failed report for each address without a device.
bool collectCards(const Options& options, std::vector<CardInfo>& cards,
                  std::vector<CardReport>* missing = nullptr) {
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
                missing->push_back({address.str(), {}, "failed", 0, problem, {}, {}});
            ok = false;
        }
    }
    return ok;
}

bool loadConfig(const Options& options, Config& config) {
    std::vector<ConfigError> errors;
    config = loadConfigDir(options.configDir, getuid(), errors);
    // One bad file can hold thousands of errors, and from udev they are logged at every event
    // for every card: the first few dozen show the pattern.
    for (size_t i = 0; i < errors.size() && i < kMaxErrorsShown; ++i)
        logError(errors[i].str());
    if (errors.size() > kMaxErrorsShown)
        logError("... and " + std::to_string(errors.size() - kMaxErrorsShown) +
                 " more configuration errors not shown");
    if (!errors.empty())
        logError(std::to_string(errors.size()) + " configuration error" +
                 (errors.size() > 1 ? "s" : "") + "; no card was changed. Fix " +
                 (errors.size() > 1 ? "them" : "it") + " and run: mlx4-porttype check");
    return errors.empty();
}

std::string runDirectory() {
    const char* dir = std::getenv("MLX4_PORTTYPE_RUN_DIR");
    return dir && *dir ? dir : MLX4_DEFAULT_RUN_DIR;
}

// The udev event this run is for, if any: udevd gives a RUN program the event's ACTION, DEVPATH
// and SUBSYSTEM in its environment. Empty when an admin runs the command.
std::string udevAction() {
    const char* action = std::getenv("ACTION");
    if (!action || !*action || !std::getenv("DEVPATH") || !std::getenv("SUBSYSTEM"))
        return "";
    return action;
}

// What one apply run works with, the same for every card.
struct ApplyContext {
    bool dryRun = false;
    bool json = false; // apply --json: the document replaces the dry run's plan on stdout
    bool useSyslog = false;
    bool force = false;
    std::string runDir;
    std::string action;      // udevAction()
    std::string fingerprint; // Config::fingerprint
};

// What a restart of the card would take down, read just before it is planned to happen.
struct RestartImpact {
    CardInterfaces before;
    HostFacts host;
    std::vector<std::string> lines; // restartImpact()
};

// Whether the writes of `plan` can restart the card: a change of protocol does, and auto does
// on a card that senses the other protocol.
bool mayRestart(const CardPlan& plan) {
    return plan.restartsCard() || plan.setsAuto();
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

void printPlan(const CardTask& task, const CardPlan& plan, const RestartImpact* impact) {
    std::string verdict =
        plan.inSync() ? "in sync, nothing to write"
        : plan.restartsCard()
            ? "would write; the card restarts and its network and InfiniBand interfaces go "
              "away until it is back"
        : plan.setsAuto()
            ? "would write; auto restarts a card with DPDP and sense support at once if a port "
              "senses the other protocol (other cards only accept it)"
            : "would write (auto-sensing off only; no restart expected)";
    std::printf("%s: %s\n", cardLabel(task.card).c_str(), verdict.c_str());
    std::printf("  configured by %s (%s)\n", task.entry()->key.c_str(),
                where(*task.entry()).c_str());
    if (!plan.inSync())
        if (std::string warning = mixedTargetWarning(plan.targets()); !warning.empty())
            std::printf("  warning: %s\n", warning.c_str());
    // The surprise this project started from: a QDR card's Ethernet is 10 Gb/s.
    bool toEthernet = std::any_of(plan.ports.begin(), plan.ports.end(), [](const PortPlan& port) {
        return port.changesProtocol() && port.target == PortType::Eth;
    });
    std::string speed = ethernetSpeed(task.card.device, task.identity.vpd.part);
    if (toEthernet)
        std::printf("  in Ethernet mode this card runs at %s\n",
                    speed.empty() ? "a speed its model does not tell (see its part number)"
                                  : speed.c_str());
    for (const PortPlan& port : plan.ports) {
        std::string target =
            port.want == PortWant::Keep ? "keep" : std::string(portTypeName(port.target));
        if (port.changes)
            std::printf("  port %d: %s -> %s\n", port.port, formatPortState(port.current).c_str(),
                        target.c_str());
        else
            std::printf("  port %d: %s (configured %s)\n", port.port,
                        formatPortState(port.current).c_str(),
                        std::string(portWantName(port.want)).c_str());
    }
    if (impact) {
        std::printf("  a restart takes down, until the card is back:\n");
        for (const std::string& line : impact->lines)
            std::printf("    %s\n", line.c_str());
    }
}

// The bound on the lock wait: kLockWaitSeconds, or less for tests
// (MLX4_PORTTYPE_LOCK_WAIT=SECONDS; it cannot make the wait longer).
int lockWaitSeconds() {
    const char* text = std::getenv("MLX4_PORTTYPE_LOCK_WAIT");
    if (!text || !*text)
        return kLockWaitSeconds;
    char* end = nullptr;
    long seconds = std::strtol(text, &end, 10);
    return *end == '\0' && seconds >= 0 && seconds < kLockWaitSeconds ? static_cast<int>(seconds)
                                                                      : kLockWaitSeconds;
}

// Applies (or plans) one card, logs what happened and fills `report`. Returns false if the
// card could not be set or read.
bool applyTask(const CardTask& task, const ApplyContext& context, CardReport& report) {
    const std::string label = cardLabel(task.card);
    const std::string address = task.card.address.str();
    report.address = address;
    report.model = modelName(task.card.device);
    auto fail = [&report](const std::string& message) {
        logError(message);
        report.result = "failed";
        report.message = message;
        return false;
    };
    if (const std::string* problem = task.problem())
        return fail(*problem);
    // An Ethernet-only card has nothing to set: never written. Asking ib of it by its address
    // or as a unit is an error about this very card; a default or a model merely covers it.
    if (isMlx4Card(task.card) && !ethernetOnlyName(task).empty()) {
        EntryKind kind = entryKind(task.entry());
        if (entryAsksIb(task.entry()) && (kind == EntryKind::Address || kind == EntryKind::Unit))
            return fail(stateNote(task, CardState::Failed) + "; nothing was written");
        report.result = "skipped";
        report.message = stateNote(task, CardState::EthernetOnly);
        if (!context.dryRun)
            logInfo(report.message);
        else if (!context.json)
            std::printf("%s\n", report.message.c_str());
        return true;
    }
    const std::vector<PortWant>* wants = task.wants();
    if (!wants) {
        report.result = "skipped";
        report.message = label + ": " + std::get<LeaveCard>(task.decision).reason;
        if (!context.dryRun)
            logInfo(report.message);
        else if (!context.json)
            std::printf("%s\n", report.message.c_str());
        return true;
    }
    SysfsCardPorts ports(task.card);
    // Most events find the card as configured: that needs no lock.
    CardReading reading = readCard(ports);
    CardPlan plan = makePlan(reading, *wants);
    ApplyResult result = planOutcome(plan);
    // What a restart would take down (the guard looks at it and a switch logs it): read under
    // the lock, once the plan is final, and never on the path of a card that is in sync or
    // refused earlier.
    std::optional<RestartImpact> impact;
    // Declared before the lock: it ends last, once the outcome is logged and the lock released.
    std::optional<DeferredSignals> deferred;
    std::unique_ptr<CardLock> lock;
    if (!context.dryRun && result.outcome == ApplyOutcome::Planned) {
        // A target this probe of the card refused under this configuration: udev events do not
        // try it again (each try can restart the card twice). A bind event is a new probe, and
        // an admin's apply always tries.
        if (!context.action.empty() && context.action != "bind") {
            if (auto earlier =
                    earlierRefusal(context.runDir, task.card, plan, context.fingerprint)) {
                fail(label + ": refused earlier: ports " + formatPortStates(result.before) +
                     " -> " + formatPortTypes(result.target) + " (" + where(*task.entry()) +
                     "): " + earlier->reason + "; not tried again at this " + context.action +
                     " event; run `mlx4-porttype apply " + address + "` to try again");
                report.result = "skipped";
                return false;
            }
        }
        std::string problem;
        lock = CardLock::acquire(context.runDir, task.card.address, getuid(), lockWaitSeconds(),
                                 problem);
        if (!lock)
            return fail(label + ": " + problem + "; nothing was written");
        // Another run may have switched the card between the reading and the lock: read it
        // again, and plan anew only if it changed.
        if (CardReading now = readCard(ports); !(now == reading)) {
            plan = makePlan(now, *wants);
            result = planOutcome(plan);
        }
        if (result.outcome == ApplyOutcome::Planned && mayRestart(plan))
            impact = readRestartImpact(task.card, plan);
        // An admin at a terminal is stopped before cutting the network they work over; udev
        // and scripts are never asked.
        if (impact && guardApplies(isatty(STDIN_FILENO) == 1, context.useSyslog,
                                   !context.action.empty(), context.force)) {
            if (std::string refusal = restartRefusal(label, impact->before, impact->host);
                !refusal.empty())
                return fail(refusal);
        }
        if (result.outcome == ApplyOutcome::Planned) {
            if (impact)
                for (const std::string& line : impact->lines)
                    logNotice(label + ": before the restart: " + line);
            // Between the first write and the last read-back (or the restore) the card must
            // not be left behind: a signal then is acted on once the outcome below is logged.
            deferred.emplace(label);
            result = switchCard(ports, plan);
            // What ifupdown leaves undone once the card is back.
            if (impact && result.restarts > 0)
                for (const std::string& notice :
                     afterRestartNotices(impact->before, readCardInterfaces(task.card)))
                    logWarning(label + ": " + notice);
        }
    }
    report.before = result.before;
    report.after = result.after;
    report.restarts = result.restarts;
    const std::string target = formatPortTypes(result.target);
    const std::string cost = "the attempt cost " + restartsText(result.restarts);
    switch (result.outcome) {
    case ApplyOutcome::InSync:
        report.result = "unchanged";
        report.message = label + ": ports " + formatPortStates(result.before) +
                         " are as configured; " +
                         (context.dryRun ? "nothing to write" : "nothing written");
        if (context.dryRun && !context.json)
            printPlan(task, plan, nullptr);
        else if (!context.dryRun)
            logInfo(report.message);
        return true;
    case ApplyOutcome::Planned:
        report.result = "changed";
        report.message = label + ": ports " + formatPortStates(result.before) +
                         " would be set to " + target + " as configured in " + where(*task.entry());
        if (!context.json) {
            // The dry run shows what a restart would take down.
            std::optional<RestartImpact> shown;
            if (mayRestart(plan))
                shown = readRestartImpact(task.card, plan);
            printPlan(task, plan, shown ? &*shown : nullptr);
        }
        return true;
    case ApplyOutcome::Switched:
        forgetRefusal(context.runDir, task.card.address);
        report.result = "changed";
        report.message =
            label + ": ports " + formatPortStates(result.before) + " -> " +
            formatPortStates(result.after) + ": " +
            (plan.setsAuto() ? "accepted; this card senses only with DPDP and sense support "
                               "(the driver lists both when loaded with modprobe mlx4_core "
                               "debug_level=1); "
                             : "") +
            "switched as configured in " + where(*task.entry());
        logNotice(report.message);
        return true;
    case ApplyOutcome::ReadFailed:
        return fail(label + ": " + result.reason + "; nothing was written");
    case ApplyOutcome::ReadOnly:
        return fail(label + ": cannot set ports to " + target + ": " + result.reason +
                    "; nothing was written");
    case ApplyOutcome::Refused: {
        std::string problem;
        Refusal refusal{refusalKey(task.card, plan, context.fingerprint), result.restarts,
                        result.reason};
        bool remembered = result.kernelRefused &&
                          rememberRefusal(context.runDir, task.card.address, refusal, problem);
        if (!result.kernelRefused) {
            // Not the kernel's answer to the combination (an I/O error, a file that reads
            // what no kernel prints): the card was put back; say what happened.
            fail(label + ": cannot set ports to " + target + " (" + where(*task.entry()) +
                 "): " + result.reason +
                 ". The card was left as it was: " + formatPortStates(result.before) + "; " + cost);
            return false;
        }
        RefusalFacts facts{
            address,         label,         result.before, result.target, where(*task.entry()),
            result.restarts, result.reason, remembered,    false,         std::nullopt};
        // The driver's own line says which case it was; only root reads the kernel log.
        if (auto messages = readKernelMessages()) {
            facts.kernelLogRead = true;
            facts.kernelLine = lastKernelRefusal(*messages, address);
        }
        std::vector<std::string> lines = refusalMessage(facts);
        fail(lines.front());
        for (size_t i = 1; i < lines.size(); ++i) {
            logNotice(lines[i]);
            report.message += "\n" + lines[i];
        }
        if (result.kernelRefused && !remembered)
            logWarning(label + ": " + problem + "; udev events will try this target again");
        return false;
    }
    case ApplyOutcome::LeftChanged:
        return fail(label + ": cannot set ports to " + target + " (" + where(*task.entry()) +
                    "): " + result.reason +
                    ". WARNING: the card could not be put back and is now " +
                    (result.after.empty() ? std::string("in an unknown state")
                                          : formatPortStates(result.after)) +
                    ", neither as configured nor as before " + formatPortStates(result.before) +
                    "; " + cost + "; check it with: mlx4-porttype status " + address);
    case ApplyOutcome::SwitchFailed:
        return fail(label + ": switching ports to " + target + " (" + where(*task.entry()) +
                    ") failed: " + result.reason + ". The card now runs " +
                    formatPortStates(result.after) + " (was " + formatPortStates(result.before) +
                    ") and its network and InfiniBand interfaces may be gone; " + cost +
                    ". To recover, switch it again (mlx4-porttype apply " + address +
                    ", or another configuration) or re-bind its driver (echo " + address +
                    " > /sys/bus/pci/drivers/mlx4_core/unbind; echo " + address +
                    " > /sys/bus/pci/drivers/mlx4_core/bind), and look at journalctl -k");
    }
    return false;
}

nlohmann::ordered_json portStatesJson(const std::vector<PortState>& states) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const PortState& state : states)
        list.push_back(formatPortState(state));
    return list;
}

// Prints a JSON document; invalid UTF-8 in a value (from a file name, say) is replaced, never
// fatal.
void printJson(const nlohmann::ordered_json& document) {
    std::printf(
        "%s\n",
        document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
}

// The document of apply --json; its schema is apply.schema.json.
void printApplyJson(const std::vector<CardReport>& reports, bool dryRun) {
    nlohmann::ordered_json cards = nlohmann::ordered_json::array();
    for (const CardReport& report : reports) {
        nlohmann::ordered_json card;
        card["address"] = report.address;
        if (!report.model.empty())
            card["model"] = report.model;
        card["result"] = report.result;
        card["restarts"] = report.restarts;
        card["message"] = report.message;
        card["before"] = portStatesJson(report.before);
        card["after"] = portStatesJson(report.after);
        cards.push_back(card);
    }
    nlohmann::ordered_json document;
    document["version"] = 1;
    document["dry_run"] = dryRun;
    document["cards"] = cards;
    printJson(document);
}

int commandApply(const Options& options) {
    Config config;
    if (!loadConfig(options, config))
        return kExitUsage;
    std::vector<CardReport> reports;
    bool ok = true;
    if (options.all && !config.defaultEntry && !config.namesCards()) {
        std::string message = "no card is configured in " + options.configDir + "; nothing to do";
        // An admin trying a dry run wants to hear it; udev's run at every event does not.
        if (options.dryRun)
            logNotice(message);
        else
            logDebug(message);
    } else {
        std::vector<CardInfo> cards;
        ok = collectCards(options, cards, &reports);
        if (options.all && cards.empty())
            logInfo("no mlx4 card found; nothing to do");
        // Address entries whose slot is empty: said by the dry run and the boot unit's run,
        // not at every udev event (those name one card).
        if (options.all && udevAction().empty()) {
            std::vector<PciAddress> present;
            std::string problem;
            for (const CardInfo& device : findMellanoxDevices(problem))
                present.push_back(device.address);
            for (const ConfigEntry* entry : unmatchedAddressEntries(config, present))
                logWarning(unmatchedAddressMessage(*entry));
        }
        ApplyContext context{options.dryRun, options.json, options.useSyslog, options.force,
                             runDirectory(), udevAction(), config.fingerprint};
        // The rule's path reads only what the configuration matches on; a dry run shows it all.
        IdentityNeeds needs = config.identityNeeds();
        needs.all = options.dryRun;
        for (const CardInfo& card : cards) {
            // Virtual functions have read-only port files; their physical function's are the
            // ones.
            if (options.all && deviceKind(card.device) == DeviceKind::virtualFunction) {
                logDebug(cardLabel(card) + ": a virtual function; its port type is the physical "
                                           "function's; skipped");
                continue;
            }
            reports.emplace_back();
            ok &= applyTask(makeTask(card, config, needs), context, reports.back());
        }
    }
    if (options.json)
        printApplyJson(reports, options.dryRun);
    if (!ok)
        return kExitCardFailed;
    bool wouldWrite = std::any_of(reports.begin(), reports.end(),
                                  [](const CardReport& r) { return r.result == "changed"; });
    return options.dryRun && wouldWrite ? kExitDrift : kExitOk;
}

struct PortRow {
    PortReading reading;
    std::string configured;    // empty if not configured
    bool inSync = false;       // readable, as configured (or not configured), and the card handled
    std::optional<bool> match; // as configured; nullopt: nothing to compare (not configured,
                               // keep, unreadable, or the card is not ours to judge)
    PortLink link;             // what the port is as an interface
};

struct CardRow {
    CardTask task;
    std::vector<PortRow> ports;
    bool inSync = true;
    std::string refused; // the kernel refused its target earlier: what to do
    CardState state = CardState::NotConfigured;
    std::string stateNote; // why the card is in its state, where the other notes do not say
};

CardRow statusRow(const CardTask& task, const std::string& runDir, const Config& config) {
    CardRow row{task, {}, true, {}, CardState::NotConfigured, {}};
    SysfsCardPorts ports(task.card);
    // The ports that are there, by number: a card with mlx4_port1 and mlx4_port3 has no port 2.
    CardReading reading = readCard(ports, task.card.ports);
    CardInterfaces interfaces;
    if (isMlx4Card(task.card) && !reading.ports.empty())
        interfaces = readCardInterfaces(task.card);
    row.state = cardState(cardFacts(task, &reading, runDir, config));
    row.stateNote = stateNote(task, row.state);
    // Only a card whose state compares ports with a configuration has ports to compare.
    bool compared = row.state == CardState::InSync || row.state == CardState::Drift ||
                    row.state == CardState::Refused || row.state == CardState::Failed;
    const std::vector<PortWant>* wants = task.wants();
    for (const PortReading& port : reading.ports) {
        PortWant want = PortWant::Keep;
        if (wants)
            want = (*wants)[static_cast<size_t>(port.port - 1)];
        else if (task.entry())
            want = configuredWant(task.entry()->spec, port.port);
        std::optional<PortType> running;
        if (port.state)
            running = port.state->active;
        PortRow portRow{port, task.entry() ? std::string(portWantName(want)) : "", false,
                        std::nullopt, portLink(interfaces, port.port, running)};
        // A card the helper refuses is never in sync: apply fails for it.
        portRow.inSync = port.state && satisfies(*port.state, want) && !task.problem();
        if (compared && port.state && want != PortWant::Keep && task.entry())
            portRow.match = satisfies(*port.state, want);
        // A port configured for the other protocol needs apply, not the module of the
        // protocol it runs now.
        if (running && (want == PortWant::Ib || want == PortWant::Eth) &&
            !satisfies(*port.state, want))
            portRow.link.note.clear();
        row.inSync &= portRow.inSync;
        row.ports.push_back(portRow);
    }
    if (task.problem())
        row.inSync = false;
    if (row.state == CardState::Refused)
        row.refused = refusedNote(task.card);
    return row;
}

void printStatusJson(const std::vector<CardRow>& rows,
                     const std::vector<const ConfigEntry*>& unmatched,
                     const std::string& portTypeArray) {
    nlohmann::ordered_json cards = nlohmann::ordered_json::array();
    for (const CardRow& row : rows) {
        char vendor[16], device[16];
        std::snprintf(vendor, sizeof vendor, "0x%04x", row.task.card.vendor);
        std::snprintf(device, sizeof device, "0x%04x", row.task.card.device);
        nlohmann::ordered_json card;
        card["address"] = row.task.card.address.str();
        card["vendor"] = vendor;
        card["device"] = device;
        card["model"] = modelName(row.task.card.device);
        card["state"] = std::string(cardStateName(row.state));
        card["in_sync"] = row.inSync;
        if (std::string speed = ethernetSpeed(row.task.card.device, row.task.identity.vpd.part);
            !speed.empty())
            card["ethernet_speed"] = speed;
        card["ports"] = nlohmann::ordered_json::array();
        for (const PortRow& port : row.ports) {
            nlohmann::ordered_json entry;
            entry["port"] = port.reading.port;
            auto stringOrNull = [](const std::string& text) {
                return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(text);
            };
            entry["current"] = port.reading.state
                                   ? nlohmann::ordered_json(formatPortState(*port.reading.state))
                                   : nlohmann::ordered_json();
            if (!port.reading.problem.empty())
                entry["error"] = port.reading.problem;
            entry["configured"] = stringOrNull(port.configured);
            entry["in_sync"] =
                port.match ? nlohmann::ordered_json(*port.match) : nlohmann::ordered_json();
            entry["writable"] = port.reading.writable;
            entry.update(portLinkJson(port.link));
            if (!port.link.note.empty())
                entry["note"] = port.link.note;
            card["ports"].push_back(entry);
        }
        addIdentityJson(row.task, card);
        std::string problem = row.task.problem() ? *row.task.problem() : row.refused;
        if (const LeaveCard* leave = std::get_if<LeaveCard>(&row.task.decision))
            problem = leave->reason;
        if (!row.stateNote.empty() &&
            (row.state == CardState::OtherDriver || row.state == CardState::EthernetOnly ||
             row.state == CardState::Failed))
            problem = row.stateNote;
        if (!problem.empty())
            card["note"] = problem;
        cards.push_back(card);
    }
    nlohmann::ordered_json document;
    document["version"] = 1;
    document["cards"] = cards;
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (const ConfigEntry* entry : unmatched)
        entries.push_back({{"key", entry->key}, {"file", entry->file}, {"line", entry->pos.line}});
    document["unmatched_entries"] = entries;
    document["port_type_array"] =
        portTypeArray.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(portTypeArray);
    // Paths and kernel strings need not be UTF-8; JSON must be. Replace what is not.
    std::printf(
        "%s\n",
        document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
}

void printStatusTable(const std::vector<CardRow>& rows) {
    std::vector<std::vector<std::string>> table{
        {"ADDRESS", "PORT", "CURRENT", "CONFIGURED", "STATE", "INTERFACE", "LINK"}};
    std::vector<std::string> notes;
    for (const CardRow& row : rows) {
        std::string address = row.task.card.address.str();
        std::string state(cardStateWords(row.state));
        if (row.ports.empty())
            table.push_back({address, "-", "-", "-", state, "-", "-"});
        for (const PortRow& port : row.ports) {
            table.push_back(
                {address, std::to_string(port.reading.port),
                 port.reading.state ? formatPortState(*port.reading.state) : "unreadable",
                 port.configured.empty() ? "-" : port.configured, state, interfaceColumn(port.link),
                 linkColumn(port.link)});
        }
        // The same note for both ports ("mlx4_en is not loaded") is said once for the card.
        std::vector<std::pair<std::string, std::vector<int>>> linkNotes;
        for (const PortRow& port : row.ports) {
            if (!port.reading.problem.empty())
                notes.push_back(cardLabel(row.task.card) + ": " + port.reading.problem);
            if (port.link.note.empty())
                continue;
            auto same = std::find_if(linkNotes.begin(), linkNotes.end(), [&](const auto& note) {
                return note.first == port.link.note;
            });
            if (same == linkNotes.end())
                linkNotes.push_back({port.link.note, {port.reading.port}});
            else
                same->second.push_back(port.reading.port);
        }
        for (const auto& [note, ports] : linkNotes) {
            std::string which = ports.size() == 1 ? " port " + std::to_string(ports.front())
                                                  : " ports " + std::to_string(ports.front()) +
                                                        " and " + std::to_string(ports.back());
            notes.push_back(address + which + ": " + note);
        }
        if (row.state == CardState::OtherDriver || row.state == CardState::EthernetOnly ||
            (row.state == CardState::Failed && !row.stateNote.empty()))
            notes.push_back(row.stateNote);
        else if (row.task.problem())
            notes.push_back(*row.task.problem());
        else if (!row.refused.empty())
            notes.push_back(row.refused);
        else if (!row.ports.empty() && !row.ports.front().reading.writable)
            notes.push_back(address + ": port files are read-only (SR-IOV or a virtual function)");
        else if (!row.stateNote.empty())
            notes.push_back(row.stateNote);
        // What Ethernet runs at, for a card configured or running Ethernet somewhere: the
        // surprise of a 40 Gb/s InfiniBand card that gives 10 Gb/s.
        bool ethernet = std::any_of(row.ports.begin(), row.ports.end(), [](const PortRow& port) {
            return port.configured == "eth" ||
                   (port.reading.state && port.reading.state->active == PortType::Eth);
        });
        std::string speed = ethernetSpeed(row.task.card.device, row.task.identity.vpd.part);
        if (ethernet && !speed.empty() && row.state != CardState::OtherDriver)
            notes.push_back(address + ": this card's Ethernet runs at " + speed);
    }
    if (rows.empty()) {
        std::printf("no mlx4 card found\n");
        return;
    }
    printColumns(table);
    for (const std::string& note : notes)
        std::printf("note: %s\n", note.c_str());
}

// The devices status lists without addresses: every device of the mlx4 driver's table and
// every device bound to mlx4_core, whatever its driver now (a card passed through to a VM is
// bound to vfio-pci), and none of other Mellanox drivers (mlx5).
bool collectStatusCards(const Options& options, std::vector<CardInfo>& cards) {
    if (!options.addresses.empty())
        return collectCards(options, cards);
    std::string problem;
    for (CardInfo& device : findMellanoxDevices(problem))
        if (deviceKind(device.device) || device.driver == "mlx4_core")
            cards.push_back(std::move(device));
    if (!problem.empty()) {
        logError(problem);
        return false;
    }
    return true;
}

int commandStatus(const Options& options) {
    Config config;
    // A broken configuration is reported first; the cards are still listed, so that their
    // addresses can be looked up to fix it.
    bool configOk = loadConfig(options, config);
    std::vector<CardInfo> cards;
    bool ok = collectStatusCards(options, cards);
    std::vector<CardRow> rows;
    const std::string runDir = runDirectory();
    std::vector<CardState> states;
    for (const CardInfo& card : cards) {
        rows.push_back(
            statusRow(makeTask(card, config, IdentityNeeds{true, true, true}), runDir, config));
        states.push_back(rows.back().state);
    }
    std::vector<CardTask> tasks;
    for (const CardRow& row : rows)
        tasks.push_back(row.task);
    // Address entries whose slot holds no card: the admin's expectation for it is not met.
    std::vector<const ConfigEntry*> unmatched;
    if (options.addresses.empty() && configOk) {
        std::vector<PciAddress> present;
        for (const CardInfo& card : cards)
            present.push_back(card.address);
        unmatched = unmatchedAddressEntries(config, present);
    }
    const std::string portTypeArray = portTypeArrayOption();
    if (options.json) {
        printStatusJson(rows, unmatched, portTypeArray);
    } else {
        printIdentityTable(tasks);
        printStatusTable(rows);
        for (const ConfigEntry* entry : unmatched)
            std::printf("note: %s\n", unmatchedAddressMessage(*entry).c_str());
        if (std::string note = portTypeArrayNote(portTypeArray); !note.empty())
            std::printf("note: %s\n", note.c_str());
    }
    noteIdentityNeedsRoot(tasks);
    if (!configOk)
        return kExitUsage;
    int status = worstExitStatus(states);
    if (!unmatched.empty())
        status = worseExitStatus(status, kExitDrift);
    return !ok ? kExitCardFailed : status;
}

std::vector<const ConfigEntry*> unitAndModelEntries(const Config& config) {
    std::vector<const ConfigEntry*> entries;
    for (const auto& [guid, entry] : config.guids)
        entries.push_back(&entry);
    for (const auto& [serial, entry] : config.serials)
        entries.push_back(&entry);
    for (const auto& [pattern, entry] : config.parts)
        entries.push_back(&entry);
    return entries;
}

// Which entry matches which card present; false if an entry conflict leaves a card untouched.
bool printMatches(const Config& config) {
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
    std::vector<CardTask> tasks;
    for (const CardInfo& card : cards) {
        tasks.push_back(makeTask(card, config, config.identityNeeds()));
        const CardTask& task = tasks.back();
        const ConfigEntry* entry = task.entry();
        std::string match =
            entry ? entry->key + "  " + entry->spec.str() + "  (" + where(*entry) + ")"
                  : "no entry: left as it is";
        if (task.match.conflict) {
            match = "conflict: " + *task.problem();
            ok = false;
        }
        std::printf("  %s  %s\n", cardLabel(card).c_str(), match.c_str());
    }
    noteIdentityNeedsRoot(tasks);
    // Entries that match no card present. A fleet-wide file names cards of other hosts, so
    // this is said, not failed.
    std::vector<PciAddress> present;
    std::string devicesProblem;
    for (const CardInfo& device : findMellanoxDevices(devicesProblem))
        present.push_back(device.address);
    std::vector<const ConfigEntry*> unmatched = unmatchedAddressEntries(config, present);
    std::vector<CardIdentity> identities;
    bool identitiesKnown = true;
    for (const CardTask& task : tasks) {
        identities.push_back(task.identity);
        identitiesKnown &= !task.identity.needsRoot;
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
            std::printf("  %s  (%s)\n", entry->key.c_str(), where(*entry).c_str());
    }
    return ok;
}

int commandCheck(const Options& options) {
    Config config;
    if (!loadConfig(options, config))
        return kExitUsage;
    if (config.files.empty()) {
        std::printf("no configuration files in %s: no card is configured\n",
                    options.configDir.c_str());
        return kExitOk;
    }
    std::printf("configuration files, in the order read:\n");
    for (const std::string& file : config.files)
        std::printf("  %s\n", file.c_str());
    std::printf("effective mapping:\n");
    for (const auto& [address, entry] : config.cards)
        std::printf("  %s  %-10s  (%s)\n", address.str().c_str(), entry.spec.str().c_str(),
                    where(entry).c_str());
    for (const ConfigEntry* entry : unitAndModelEntries(config))
        std::printf("  %s  %-10s  (%s)\n", entry->key.c_str(), entry->spec.str().c_str(),
                    where(*entry).c_str());
    if (config.defaultEntry)
        std::printf("  %-12s  %-10s  (%s)\n", "other cards",
                    config.defaultEntry->spec.str().c_str(), where(*config.defaultEntry).c_str());
    else
        std::printf("  other cards are left as they are (no \"default\")\n");
    return printMatches(config) ? kExitOk : kExitCardFailed;
}

// The Ethernet ports of an in-sync card, and whether udev has processed their interfaces.
// Without mlx4_en loaded no interface will come, which status reports; wait does not hold the
// boot for it.
std::vector<EthernetPortReadiness> ethernetReadiness(const CardInfo& card,
                                                     const CardReading& reading) {
    std::vector<EthernetPortReadiness> ready;
    CardInterfaces interfaces = readCardInterfaces(card);
    if (!interfaces.mlx4EnLoaded)
        return ready;
    for (const PortReading& port : reading.ports) {
        if (!port.state || port.state->active != PortType::Eth)
            continue;
        EthernetPortReadiness readiness{port.port, false, false};
        if (const NetInterface* netdev = interfaces.ethernetOf(port.port)) {
            std::optional<bool> initialized = netdevInitialized(card, netdev->name);
            readiness.netdevFound = initialized.has_value();
            readiness.netdevInitialized = initialized.value_or(false);
        }
        ready.push_back(readiness);
    }
    return ready;
}

// Whether wait must go on waiting for `device`, and why (for the log at the timeout): a card
// is waited for while it is drift or pending (cardState()), and an in-sync card until udev has
// processed its Ethernet interfaces. `warning` says why a settled card is a problem.
// `identities` keeps what was read of each card across the polls: a card's identity does not
// change while it sits in its slot, and reading VPD is slow.
bool mustWaitFor(const CardInfo& device, const Config& config, const std::string& runDir,
                 std::map<PciAddress, CardIdentity>& identities, std::string& why,
                 std::string& warning) {
    if (device.vendor != kMellanoxVendor || !deviceKind(device.device))
        return false; // not a device of the mlx4 driver
    if (bindingOf(device) == Binding::Other)
        return false; // given to another driver on purpose, e.g. vfio-pci for a VM
    auto known = identities.find(device.address);
    if (known == identities.end()) {
        CardIdentity identity;
        identity.address = device.address;
        if (IdentityNeeds needs = config.identityNeeds(); needs.any())
            identity = readCardIdentity(device, needs);
        known = identities.emplace(device.address, identity).first;
    }
    CardTask task = makeTask(device, config, {}, &known->second);
    const std::string label = cardLabel(device);
    std::optional<CardReading> reading;
    if (isMlx4Card(device) && device.portCount > 0) {
        SysfsCardPorts ports(task.card);
        reading = readCard(ports);
    }
    CardState state = cardState(cardFacts(task, reading ? &*reading : nullptr, runDir, config));
    std::vector<EthernetPortReadiness> ethernet;
    if (state == CardState::InSync && reading)
        ethernet = ethernetReadiness(device, *reading);
    if (settledForWait(state, ethernet)) {
        switch (state) {
        case CardState::Failed:
        case CardState::Conflict:
        case CardState::UnknownIdentity:
            if (const std::string* problem = task.problem())
                warning = *problem + "; not waiting for it";
            else if (std::string note = stateNote(task, state); !note.empty())
                warning = note + "; not waiting for it";
            else if (reading && !reading->problem().empty())
                warning = label + ": " + reading->problem() + "; not waiting for it";
            else if (reading && task.wants()) {
                ApplyResult result = planOutcome(makePlan(*reading, *task.wants()));
                warning = label + ": cannot reach " + formatPortTypes(result.target) + ": " +
                          result.reason + "; not waiting for it";
            } else
                warning =
                    label + ": " + std::string(cardStateWords(state)) + "; not waiting for it";
            break;
        case CardState::Refused:
            warning = refusedNote(device) + "; not waiting for it";
            break;
        default:
            break;
        }
        return false;
    }
    if (state == CardState::InSync) {
        for (const EthernetPortReadiness& port : ethernet)
            if (!port.netdevFound || !port.netdevInitialized) {
                why = label + ": port " + std::to_string(port.port) +
                      (port.netdevFound ? ": its network interface is not processed by udev yet "
                                          "(not renamed)"
                                        : ": its network interface is not registered yet");
                break;
            }
        return true;
    }
    if (device.driver.empty()) {
        why = label + ": not bound to mlx4_core yet (is the module loaded? lsmod | grep mlx4)";
        return true;
    }
    if (const LeaveCard* leave = std::get_if<LeaveCard>(&task.decision)) {
        why = label + ": " + leave->reason;
        return true;
    }
    if (state == CardState::Pending) {
        why = label + ": the udev rule is switching it (it holds the card's lock)";
        return true;
    }
    ApplyResult result = planOutcome(makePlan(*reading, *task.wants()));
    why = label + ": ports " + formatPortStates(result.before) + ", configured " +
          formatPortTypes(result.target) + " in " + where(*task.entry()) +
          ": not switched yet (the udev rule does it when the card appears; see the "
          "journal: journalctl -t mlx4-porttype; or run: mlx4-porttype apply " +
          task.card.address.str() + ")";
    return true;
}

int commandWait(const Options& options) {
    Config config;
    if (!loadConfig(options, config))
        return kExitUsage;
    if (!config.defaultEntry && !config.namesCards()) {
        logDebug("no card is configured in " + options.configDir + "; nothing to wait for");
        return kExitOk;
    }
    const std::string runDir = runDirectory();
    std::map<PciAddress, CardIdentity> identities;
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::seconds(options.timeoutSeconds);
    for (;;) {
        std::string problem;
        std::vector<CardInfo> devices = findMellanoxDevices(problem);
        if (!problem.empty()) {
            logError(problem);
            return kExitCardFailed;
        }
        std::vector<std::string> pending, warnings;
        for (const CardInfo& device : devices) {
            std::string why, warning;
            if (mustWaitFor(device, config, runDir, identities, why, warning))
                pending.push_back(why);
            if (!warning.empty())
                warnings.push_back(warning);
        }
        bool timedOut = Clock::now() >= deadline;
        if (pending.empty() || timedOut) {
            for (const std::string& warning : warnings)
                logWarning(warning);
        }
        if (pending.empty()) {
            logInfo("every configured mlx4 VPI card is settled");
            return kExitOk;
        }
        if (timedOut) {
            for (const std::string& why : pending)
                logError("not ready after " + std::to_string(options.timeoutSeconds) +
                         " s: " + why);
            return kExitCardFailed;
        }
        // Port files change without a uevent (the driver creates them quietly and a switch
        // rewrites them in place), so look again shortly rather than listen.
        std::this_thread::sleep_until(
            std::min(deadline, Clock::now() + std::chrono::milliseconds(200)));
    }
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

int runCommand(const Options& options) {
    if (options.command == "--help" || options.command == "-h") {
        std::fputs(kUsage, stdout);
        return kExitOk;
    }
    if (options.command == "--version") {
        std::printf("mlx4-porttype %s\n", MLX4_PORTTYPE_VERSION);
        return kExitOk;
    }
    logSetup(options.useSyslog, options.verbosity);
    if (options.command == "apply")
        return commandApply(options);
    if (options.command == "status")
        return commandStatus(options);
    if (options.command == "wait")
        return commandWait(options);
    return commandCheck(options);
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
        status = runCommand(options);
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
