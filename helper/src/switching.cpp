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

PortType targetFor(const PortState& current, PortWant want) {
    switch (want) {
    case PortWant::Ib:
        return PortType::Ib;
    case PortWant::Eth:
        return PortType::Eth;
    case PortWant::Auto:
        return PortType::Auto;
    case PortWant::Keep:
        break;
    }
    return typeToWrite(current);
}

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

// EINVAL (kernels up to 4.x) and EOPNOTSUPP (from 5.2) both mean "not this combination".
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
    std::vector<int> errors; // per port, 0 = accepted
    int failedPort = 0;      // first port with an error other than a refusal, 0 if none
};

// One write per port, ascending. Refusals are expected on all but the last write: they stage
// the type for the kernel's check of the whole combination at the next write. Any other error
// means the files or the device are in trouble, so stop there.
WriteRound writePorts(CardPorts& card, const std::vector<PortType>& types, int& writes) {
    WriteRound round;
    for (size_t i = 0; i < types.size(); ++i) {
        int port = static_cast<int>(i) + 1;
        int error = card.writePort(port, types[i]);
        ++writes;
        round.errors.push_back(error);
        if (error && !isRefusal(error)) {
            round.failedPort = port;
            break;
        }
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

// Writes the passes and reads back. Success needs the last write accepted (a refused last
// write may still read back as asked on old kernels, with the type left staged) and every
// port as targeted.
bool runAttempt(CardPorts& card, const Attempt& attempt, ApplyResult& result, WriteRound& round,
                std::string& problem) {
    for (const std::vector<PortType>& pass : attempt) {
        round = writePorts(card, pass, result.writes);
        if (round.failedPort)
            return false;
    }
    if (!readPorts(card, result.after, problem))
        return false;
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

// Why the kernel did not reach `targets`, in words an admin can act on. The kernel log has
// the exact reason; the pattern of errors is enough to name the usual ones.
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
    if (targets.size() > 1 && mixesProtocols(targets))
        return "the kernel refused " + formatPortTypes(targets) +
               ": this card accepts only the same type on both ports (its firmware lacks the "
               "DPDP capability; kernels up to 3.4 also refuse port 1 eth with port 2 ib); "
               "configure both ports alike";
    if (asksAuto(targets))
        return "the kernel refused auto: this card or its firmware cannot sense the port type; "
               "configure ib or eth";
    if (targets.size() == 1)
        return "the kernel refused " + formatPortTypes(targets) + ": port 1 does not support it";
    return "the kernel refused " + formatPortTypes(targets) +
           ": a port does not support that type (the kernel log names it: journalctl -k | grep "
           "mlx4)";
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

bool CardPlan::inSync() const {
    for (const PortPlan& port : ports)
        if (port.changes)
            return false;
    return true;
}

std::vector<PortType> CardPlan::targets() const {
    std::vector<PortType> types;
    for (const PortPlan& port : ports)
        types.push_back(port.target);
    return types;
}

CardPlan makePlan(const std::vector<PortState>& current, const std::vector<PortWant>& wants) {
    CardPlan plan;
    for (size_t i = 0; i < current.size() && i < wants.size(); ++i) {
        PortPlan port;
        port.port = static_cast<int>(i) + 1;
        port.current = current[i];
        port.want = wants[i];
        port.target = targetFor(current[i], wants[i]);
        port.changes = !satisfies(current[i], wants[i]);
        plan.ports.push_back(port);
    }
    return plan;
}

ApplyResult applyCard(CardPorts& card, const std::vector<PortWant>& wants, bool dryRun) {
    ApplyResult result;
    if (!readPorts(card, result.before, result.reason)) {
        result.outcome = ApplyOutcome::ReadFailed;
        result.before.clear();
        return result;
    }
    CardPlan plan = makePlan(result.before, wants);
    result.target = plan.targets();
    if (plan.inSync()) {
        result.outcome = ApplyOutcome::InSync;
        result.after = result.before;
        return result;
    }
    for (int port = 1; port <= card.portCount(); ++port) {
        if (!card.isWritable(port)) {
            result.outcome = ApplyOutcome::ReadOnly;
            result.reason = "port " + std::to_string(port) +
                            " is read-only: the driver does that when SR-IOV is enabled on the "
                            "card or on a virtual function; disable SR-IOV (num_vfs) or set the "
                            "type with the module option (options mlx4_core port_type_array=...)";
            return result;
        }
    }
    if (dryRun) {
        result.outcome = ApplyOutcome::Planned;
        return result;
    }

    // First the plain recipe. The driver checks "auto" as the port's running type, so when
    // that fails and the target mixes auto with a fixed type, bring the auto ports to the
    // fixed type first: on a card that needs equal types, (ib,ib) -> (eth,auto) works only so.
    std::vector<Attempt> attempts{{result.target}};
    if (auto fixed = fixedType(result.target))
        attempts.push_back({withAutoAs(result.target, *fixed), result.target});
    WriteRound firstRound;
    std::string problem;
    for (size_t i = 0; i < attempts.size(); ++i) {
        WriteRound round;
        problem.clear();
        if (runAttempt(card, attempts[i], result, round, problem)) {
            result.outcome = ApplyOutcome::Switched;
            return result;
        }
        if (i == 0)
            firstRound = round;
        if (round.failedPort || !problem.empty())
            break; // the device is in trouble: stop trying, put it back
    }
    result.reason =
        problem.empty() ? explainFailure(firstRound, result.target) : "after writing, " + problem;
    if (result.writes == 1 && neverReachedDriver(firstRound.errors.front())) {
        // The very first write did not get to the driver: nothing was applied or staged, so
        // there is nothing to put back (and the files are likely gone).
        result.after = result.before;
        result.outcome = ApplyOutcome::Refused;
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
    for (const std::vector<PortType>& pass : restore)
        writePorts(card, pass, result.writes);
    std::string restoreProblem;
    if (readPorts(card, result.after, restoreProblem) && result.after == result.before) {
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
