// SPDX-License-Identifier: GPL-2.0-or-later
// The switching plan and its execution against one card, following the mlx4 driver's staging
// rule: a write is recorded as the port's temporary type even when the kernel refuses the
// resulting combination, so writing every port in ascending order reaches any combination the
// card supports, with one device restart on cards that need both ports changed together.
#include "switching.h"

#include "text.h"

#include <cerrno>
#include <cstring>
#include <optional>

namespace mlx4 {

namespace {

PortWant wantFor(PortType type) {
    switch (type) {
    case PortType::Ib:
        return PortWant::Ib;
    case PortType::Eth:
        return PortWant::Eth;
    case PortType::Auto:
        break;
    }
    return PortWant::Auto;
}

// EINVAL (older kernels) and EOPNOTSUPP (from commit 95aac2cdafd8: 5.5, and the stable
// releases 4.9.207, 4.14.159, 4.19.89) both mean "not this combination" - as long as no port's
// running type moved (see writePorts()).
bool isRefusal(int error) {
    return error == EINVAL || error == EOPNOTSUPP;
}

std::string errnoText(int error) {
    const char* name = strerrorname_np(error);
    return std::string(strerror(error)) + " (" + (name ? name : std::to_string(error)) + ")";
}

// Reads every port. On failure, `problem` says which port and why.
bool readPorts(CardPorts& card, std::vector<PortState>& states, std::string& problem) {
    states.clear();
    for (int port = 1; port <= card.portCount(); ++port) {
        auto state = readPortState(card, port, problem);
        if (!state)
            return false;
        states.push_back(*state);
    }
    return true;
}

bool reached(const std::vector<PortState>& states, const std::vector<PortType>& targets) {
    if (states.size() != targets.size())
        return false;
    for (size_t i = 0; i < states.size(); ++i)
        if (!satisfies(states[i], wantFor(targets[i])))
            return false;
    return true;
}

struct WriteRound {
    std::vector<int> errors;  // per port written, 0 = accepted
    int failedPort = 0;       // first port with an error other than a refusal, 0 if none
    int switchFailedPort = 0; // a refusal after which a running type had moved (firmware)
};

bool sameProtocols(const std::vector<PortState>& a, const std::vector<PortState>& b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].active != b[i].active)
            return false;
    return true;
}

// One write per port, ascending, each followed by reading the card again. Refusals are expected
// on all but the last write: they stage the type for the kernel's check of the whole
// combination at the next write. A genuine refusal is decided before anything is applied, so a
// refused write after which a port runs another protocol is a switch the firmware failed
// (mlx4_change_port_types() sets the types before its firmware command): stop there. Any other
// error means the files or the device are in trouble: stop there too. `stopAtRefusal`: stop
// after the first refused write. The reads also count the device restarts: every write after
// which the ports run other protocols restarted the card. `problem` says why a read failed.
WriteRound writePorts(CardPorts& card, const std::vector<PortType>& types, ApplyResult& result,
                      std::vector<PortState>& now, bool stopAtRefusal, std::string& problem) {
    WriteRound round;
    for (size_t i = 0; i < types.size(); ++i) {
        int port = static_cast<int>(i) + 1;
        int error = card.writePort(port, types[i]);
        ++result.writes;
        round.errors.push_back(error);
        if (error && !isRefusal(error)) {
            round.failedPort = port;
            break;
        }
        std::vector<PortState> before = now;
        if (!readPorts(card, now, problem))
            break;
        bool moved = !sameProtocols(before, now);
        result.restarts += moved ? 1 : 0;
        if (error && moved) {
            round.switchFailedPort = port;
            break;
        }
        if (error && stopAtRefusal)
            break;
    }
    return round;
}

// Errors of open() or of a device that is gone: the driver's store function never ran.
bool neverReachedDriver(int error) {
    return error == ENOENT || error == ENODEV || error == ENXIO || error == EACCES ||
           error == EPERM || error == ELOOP || error == EXDEV;
}

// Passes of writes, each written to every port in ascending order.
using Attempt = std::vector<std::vector<PortType>>;

// The one fixed (ib or eth) type among the targets, if the targets also ask for auto.
std::optional<PortType> fixedType(const std::vector<PortType>& targets) {
    std::optional<PortType> fixed;
    bool hasAuto = false;
    for (PortType type : targets) {
        if (type == PortType::Auto)
            hasAuto = true;
        else if (fixed && *fixed != type)
            return std::nullopt;
        else
            fixed = type;
    }
    return hasAuto ? fixed : std::nullopt;
}

std::vector<PortType> withAutoAs(std::vector<PortType> types, PortType fixed) {
    for (PortType& type : types)
        if (type == PortType::Auto)
            type = fixed;
    return types;
}

std::vector<PortType> typesOf(const std::vector<PortState>& states) {
    std::vector<PortType> types;
    for (const PortState& state : states)
        types.push_back(typeToWrite(state));
    return types;
}

// Writes the passes. Success needs the last write accepted (a refused last write may still read
// back as asked on old kernels, with the type left staged) and every port as targeted.
bool runAttempt(CardPorts& card, const Attempt& attempt, bool stopAtRefusal, ApplyResult& result,
                WriteRound& round, std::string& problem) {
    for (const std::vector<PortType>& pass : attempt) {
        round = writePorts(card, pass, result, result.after, stopAtRefusal, problem);
        if (round.failedPort || round.switchFailedPort || !problem.empty())
            return false;
        if (round.errors.size() < pass.size())
            return false; // stopped at a refusal
    }
    return round.errors.back() == 0 && reached(result.after, result.target);
}

bool mixesProtocols(const std::vector<PortType>& types) {
    bool ib = false, eth = false;
    for (PortType type : types) {
        ib |= type == PortType::Ib;
        eth |= type == PortType::Eth;
    }
    return ib && eth;
}

bool asksAuto(const std::vector<PortType>& types) {
    for (PortType type : types)
        if (type == PortType::Auto)
            return true;
    return false;
}

// How an admin sees what the card can do: the driver prints it at probe.
const char kCapabilitiesHint[] =
    "; the driver lists the card's capabilities (\"Dual Port Different Protocol (DPDP) "
    "support\", \"Port link type sensing support\") when it is loaded with "
    "modprobe mlx4_core debug_level=1";

// Why the kernel did not reach `targets`, in words an admin can act on. The kernel log names the
// exact case; the helper cannot tell them apart, so it says which log line means what.
std::string explainFailure(const WriteRound& round, const std::vector<PortType>& targets) {
    if (round.failedPort) {
        int error = round.errors.back();
        std::string port = std::to_string(round.failedPort);
        if (error == EACCES || error == EPERM)
            return "writing port " + port + " was denied (" + errnoText(error) +
                   "): the driver makes the files read-only when SR-IOV is enabled or on a "
                   "virtual function; set the type with the module option instead "
                   "(options mlx4_core port_type_array=...)";
        if (error == ENOENT || error == ENODEV || error == ENXIO)
            return "port " + port + " disappeared while writing (" + errnoText(error) +
                   "): the card was removed or its driver unbound";
        return "writing port " + port + " failed: " + errnoText(error) +
               "; the kernel log says why (journalctl -k | grep mlx4)";
    }
    bool allAccepted = true;
    for (int error : round.errors)
        allAccepted &= error == 0;
    if (allAccepted)
        return "the kernel accepted the writes but the ports did not change to " +
               formatPortTypes(targets) + "; the kernel log says why (journalctl -k | grep mlx4)";

    std::string text = "the kernel refused " + formatPortTypes(targets) +
                       "; its log (journalctl -k | grep mlx4) names the case: \"Requested port "
                       "type for port N is not supported on this HCA\" (port N cannot run that "
                       "type";
    text += asksAuto(targets) ? "; auto needs a port that runs both)" : ")";
    if (targets.size() > 1 && mixesProtocols(targets))
        text += ", \"Only same port types supported on this HCA\" (the card's firmware lacks "
                "DPDP, dual port different protocol: configure both ports alike)";
    if (asksAuto(targets))
        text += ", \"Auto sensing is not supported on this HCA\" (the card has neither DPDP "
                "nor sense support: configure ib or eth)";
    if (targets.size() > 1 && targets[0] == PortType::Eth && targets[1] == PortType::Ib)
        text += ", or no line on kernels up to 3.4, which refuse port 1 eth with port 2 ib";
    return text + kCapabilitiesHint;
}

std::string portsList(const std::vector<int>& ports) {
    std::string text;
    for (size_t i = 0; i < ports.size(); ++i)
        text += (i == 0 ? "" : i + 1 == ports.size() ? " and " : ", ") + std::to_string(ports[i]);
    return text;
}

// The firmware failed a switch: what moved, what it means, how to recover.
std::string explainSwitchFailure(const std::vector<PortState>& was,
                                 const std::vector<PortState>& now, int port, int error) {
    std::vector<int> moved;
    for (size_t i = 0; i < was.size() && i < now.size(); ++i)
        if (was[i].active != now[i].active)
            moved.push_back(static_cast<int>(i) + 1);
    return "writing port " + std::to_string(port) + " failed with " + errnoText(error) +
           " although port" + (moved.size() > 1 ? "s " : " ") + portsList(moved) + " now run" +
           (moved.size() > 1 ? "" : "s") +
           " another protocol: the driver applied "
           "the switch and the card's firmware failed it (the kernel log says \"Failed to set "
           "port\"), which leaves the card without its network and InfiniBand interfaces";
}

} // namespace

std::optional<PortState> readPortState(CardPorts& card, int port, std::string& problem) {
    std::string text;
    if (int error = card.readPort(port, text)) {
        problem = "cannot read port " + std::to_string(port) + ": " + errnoText(error) +
                  (error == ELOOP || error == EXDEV
                       ? " (its mlx4_port" + std::to_string(port) +
                             " is not the driver's sysfs file; refusing to use it)"
                       : "");
        return std::nullopt;
    }
    auto state = parsePortState(text);
    if (!state) {
        std::string_view shown = text;
        if (!shown.empty() && shown.back() == '\n')
            shown.remove_suffix(1);
        problem = "port " + std::to_string(port) + " reads " + quote(shown, 40) +
                  ", which is not ib, eth, auto (ib) or auto (eth)";
    }
    return state;
}

CardReading readCard(CardPorts& card, const std::vector<int>& ports) {
    CardReading reading;
    for (int port : ports) {
        PortReading read;
        read.port = port;
        read.state = readPortState(card, port, read.problem);
        read.writable = card.isWritable(port);
        reading.ports.push_back(read);
    }
    return reading;
}

CardReading readCard(CardPorts& card) {
    std::vector<int> ports;
    for (int port = 1; port <= card.portCount(); ++port)
        ports.push_back(port);
    return readCard(card, ports);
}

ApplyResult applyCard(CardPorts& card, const std::vector<PortWant>& wants, bool dryRun) {
    CardPlan plan = makePlan(readCard(card), wants);
    ApplyResult result = planOutcome(plan);
    if (dryRun || result.outcome != ApplyOutcome::Planned)
        return result;
    return switchCard(card, plan);
}

ApplyResult switchCard(CardPorts& card, const CardPlan& plan) {
    ApplyResult result;
    result.before = plan.current();
    result.target = plan.targets();

    // A card without DPDP can run mixed types only because the module option set them at probe;
    // the kernel's check then refuses every write that keeps them mixed, the old combination
    // included. So from a mixed start there is no putting back, and after a refused first write
    // only a target of one fixed type for every port can still be reached (in one restart, by
    // the next write); anything else would only stage more.
    std::vector<PortType> running;
    for (const PortState& state : result.before)
        running.push_back(state.active);
    bool mixedStart = mixesProtocols(running);

    // First the plain recipe. The driver checks "auto" as the port's running type, so when
    // that fails without changing anything and the target mixes auto with a fixed type, bring
    // the auto ports to the fixed type first: on a card that needs equal types, (ib,ib) ->
    // (eth,auto) works only so. Where the first attempt restarted the card, the second cannot
    // be what it needed, and would only cost more restarts.
    result.after = result.before;
    WriteRound firstRound;
    std::string problem;
    bool oneFixedType = !asksAuto(result.target) && !mixesProtocols(result.target);
    bool ok =
        runAttempt(card, {result.target}, mixedStart && !oneFixedType, result, firstRound, problem);
    std::optional<PortType> fixed = fixedType(result.target);
    if (!ok && fixed && !mixedStart && firstRound.failedPort == 0 &&
        firstRound.switchFailedPort == 0 && problem.empty() && result.restarts == 0) {
        WriteRound round;
        ok = runAttempt(card, {withAutoAs(result.target, *fixed), result.target}, false, result,
                        round, problem);
        if (round.switchFailedPort || round.failedPort)
            firstRound = round;
    }
    if (ok) {
        result.outcome = ApplyOutcome::Switched;
        return result;
    }
    if (firstRound.switchFailedPort) {
        result.outcome = ApplyOutcome::SwitchFailed;
        result.reason = explainSwitchFailure(result.before, result.after,
                                             firstRound.switchFailedPort, firstRound.errors.back());
        return result;
    }
    result.reason =
        problem.empty() ? explainFailure(firstRound, result.target) : "after writing, " + problem;
    result.kernelRefused = problem.empty() && firstRound.failedPort == 0;
    if (result.writes == 1 && neverReachedDriver(firstRound.errors.front())) {
        // The very first write did not get to the driver: nothing was applied or staged, so
        // there is nothing to put back (and the files are likely gone).
        result.after = result.before;
        result.outcome = ApplyOutcome::Refused;
        return result;
    }
    if (mixedStart && problem.empty()) {
        result.reason += "; the card started with mixed types, which a card without DPDP "
                         "runs only from the module option port_type_array and refuses to be "
                         "written back, so it was not put back";
        result.outcome =
            result.after == result.before ? ApplyOutcome::Refused : ApplyOutcome::LeftChanged;
        return result;
    }

    // Put the card back: every port's running type, then auto where it was auto (written
    // directly, auto would keep whatever type the port runs now). This also clears the types
    // the kernel staged for refused writes, which would otherwise surprise the next writer;
    // when nothing had changed it is a no-op for the kernel (same combination, no restart).
    Attempt restore{{}};
    bool hadAuto = false;
    for (const PortState& state : result.before) {
        restore[0].push_back(state.active);
        hadAuto |= state.automatic;
    }
    if (hadAuto)
        restore.push_back(typesOf(result.before));
    std::string restoreProblem;
    for (const std::vector<PortType>& pass : restore) {
        std::vector<PortState> was = result.after;
        WriteRound round = writePorts(card, pass, result, result.after, false, restoreProblem);
        if (round.switchFailedPort) {
            result.outcome = ApplyOutcome::SwitchFailed;
            result.reason += "; then, putting it back, " +
                             explainSwitchFailure(was, result.after, round.switchFailedPort,
                                                  round.errors.back());
            return result;
        }
        if (!restoreProblem.empty() || round.failedPort)
            break;
    }
    // Read once more for the verdict: a write that failed was not followed by a read, and a
    // read may have failed before.
    restoreProblem.clear();
    bool readable = readPorts(card, result.after, restoreProblem);
    if (readable && result.after == result.before) {
        result.outcome = ApplyOutcome::Refused;
        return result;
    }
    result.outcome = ApplyOutcome::LeftChanged;
    if (!restoreProblem.empty()) {
        result.after.clear();
        result.reason += "; putting it back failed too: " + restoreProblem;
    }
    return result;
}

} // namespace mlx4
