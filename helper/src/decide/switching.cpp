// SPDX-License-Identifier: GPL-2.0-or-later
// The switching plan and its execution against one card, following the mlx4 driver's staging
// rule: a write is recorded as the port's temporary type even when the kernel refuses the
// resulting combination, so writing every port in ascending order reaches any combination the
// card supports, with one device restart on cards that need both ports changed together.
#include "switching.h"

#include "switching_messages.h"
#include "text.h"

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

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

bool sameProtocols(const std::vector<PortState>& a, const std::vector<PortState>& b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].active != b[i].active)
            return false;
    return true;
}

// Errors of open() or of a device that is gone: the driver's store function never ran.
bool neverReachedDriver(int error) {
    return error == ENOENT || error == ENODEV || error == ENXIO || error == EACCES ||
           error == EPERM || error == ELOOP || error == EXDEV;
}

// What one switch knows while it writes: the card's interfaces as they were after the last
// write the kernel applied (the device registers them again at every restart), to tell a
// refusal from a switch the firmware failed.
struct Watch {
    CardPresence interfaces;
    bool unchecked = false; // a write was refused while the card had no interface to compare
};

// The card's interfaces now, read a second time if some seem gone: a netdev that udev renames
// while it is read is missed once, never twice.
CardPresence presenceNow(CardPorts& card, const CardPresence& before) {
    CardPresence now = card.presentInterfaces();
    if (now.lostSince(before))
        now = card.presentInterfaces();
    return now;
}

// One write per port, ascending, each followed by reading the card again. Refusals are expected
// on all but the last write: they stage the type for the kernel's check of the whole
// combination at the next write. A genuine refusal is decided before anything is applied, so
// the running types and the interfaces stay; an error after which a port runs another protocol,
// or the card's interfaces are gone, is a switch the firmware failed (mlx4_change_port_types()
// sets the types before its firmware commands, sends one only for ports that end IB, and on a
// failure leaves the device unregistered): stop there. Any other error means the files or the
// device are in trouble: stop there too. `stopAtRefusal`: stop after the first refused write.
// The reads also count the device restarts: every write after which the ports run other
// protocols or the interfaces went restarted the card. `problem` says why a read failed.
// `order`: the ports to write, by number (empty: all, ascending).
WriteRound writePorts(CardPorts& card, const std::vector<PortType>& types, ApplyResult& result,
                      std::vector<PortState>& now, Watch& watch, bool stopAtRefusal,
                      std::string& problem, std::vector<int> order = {}) {
    WriteRound round;
    if (order.empty())
        for (size_t i = 0; i < types.size(); ++i)
            order.push_back(static_cast<int>(i) + 1);
    for (int port : order) {
        size_t i = static_cast<size_t>(port - 1);
        int error = card.writePort(port, types[i]);
        ++result.writes;
        round.errors.push_back(error);
        if (error && neverReachedDriver(error)) {
            round.failedPort = port;
            break;
        }
        std::vector<PortState> before = now;
        if (!readPorts(card, now, problem))
            break;
        bool moved = !sameProtocols(before, now);
        if (!error) {
            if (moved) {
                ++result.restarts;
                watch.interfaces = card.presentInterfaces();
            }
            continue;
        }
        if (moved) {
            ++result.restarts;
            round.switchFailedPort = port;
            break;
        }
        if (watch.interfaces.empty()) {
            watch.unchecked = true;
        } else if (presenceNow(card, watch.interfaces).lostSince(watch.interfaces)) {
            ++result.restarts;
            round.switchFailedPort = port;
            break;
        }
        if (!isRefusal(error)) {
            round.failedPort = port;
            break;
        }
        if (stopAtRefusal)
            break;
    }
    return round;
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
bool runAttempt(CardPorts& card, const Attempt& attempt, Watch& watch, ApplyResult& result,
                WriteRound& round, std::string& problem) {
    for (const std::vector<PortType>& pass : attempt) {
        round = writePorts(card, pass, result, result.after, watch, false, problem);
        if (round.failedPort || round.switchFailedPort || !problem.empty())
            return false;
        if (round.errors.size() < pass.size())
            return false; // stopped at a refusal
    }
    return round.errors.back() == 0 && reached(result.after, result.target);
}

// The writes of a switch, the watch on the interfaces and the outcome they come to.
class Switch {
public:
    Switch(CardPorts& card, const CardPlan& plan) : card_(card) {
        result_.before = plan.current();
        result_.target = plan.targets();
        result_.after = result_.before;
        watch_.interfaces = card.presentInterfaces();
    }

    ApplyResult run();

private:
    bool attempt(const Attempt& writes);
    bool writeBack(); // a mixed start's own types written back; false: all refused
    ApplyResult fromRefusedMix();
    ApplyResult failed(const std::string& note = {});
    ApplyResult putBack();
    ApplyResult switchFailed(const std::vector<PortState>& was, const std::string& before = {});
    bool stopped() const {
        return round_.failedPort || round_.switchFailedPort || !problem_.empty();
    }

    CardPorts& card_;
    ApplyResult result_;
    Watch watch_;
    WriteRound round_;
    std::string problem_;
};

bool Switch::attempt(const Attempt& writes) {
    return runAttempt(card_, writes, watch_, result_, round_, problem_);
}

// Every port's own type written back: a card that runs mixed types accepts that (nothing
// changes, and types someone else's refused write staged are cleared) unless it runs them only
// because the module option port_type_array set them at probe, without the check every write
// gets; then every one of these writes is refused.
bool Switch::writeBack() {
    round_ =
        writePorts(card_, typesOf(result_.before), result_, result_.after, watch_, false, problem_);
    for (int error : round_.errors)
        if (error == 0)
            return true;
    return stopped();
}

ApplyResult Switch::switchFailed(const std::vector<PortState>& was, const std::string& before) {
    result_.outcome = ApplyOutcome::SwitchFailed;
    result_.kernelRefused = false;
    result_.reason = before + explainSwitchFailure(was, result_.after, round_);
    return std::move(result_);
}

// The attempt stopped without reaching the target: what the kernel said, or what went wrong.
ApplyResult Switch::failed(const std::string& note) {
    if (round_.switchFailedPort)
        return switchFailed(result_.before);
    result_.reason = problem_.empty() ? explainFailure(round_, result_.target) + note
                                      : "after writing, " + problem_;
    result_.kernelRefused = problem_.empty() && round_.failedPort == 0;
    if (watch_.unchecked && result_.kernelRefused)
        result_.reason += kInterfacesUnchecked;
    result_.outcome =
        result_.after == result_.before ? ApplyOutcome::Refused : ApplyOutcome::LeftChanged;
    return std::move(result_);
}

// A card that runs mixed types only from the module option: every write that keeps them mixed
// is refused, so there is no way back and no clearing what a refused write staged. Only one
// fixed type for every port can be reached (in one restart, by the write that makes them
// equal), and where the card senses, auto next to it (that type on both, then auto).
ApplyResult Switch::fromRefusedMix() {
    const std::string note =
        "; the kernel also refused the types the card runs, " + formatPortStates(result_.before) +
        ", written back: the card runs mixed types only because the module option "
        "port_type_array set them (its firmware lacks DPDP), and from there only one type for "
        "both ports, or one type and auto where the card senses, can be set";
    auto finish = [&](bool ok) {
        if (ok) {
            result_.outcome = ApplyOutcome::Switched;
            return std::move(result_);
        }
        // Refused writes still set each port's possible type: where nothing restarted, writing
        // the old types again makes the ports read as before (the kernel refuses these too).
        if (!stopped() && result_.restarts == 0 && result_.after != result_.before) {
            WriteRound last = round_;
            std::vector<PortState> was = result_.after;
            round_ = writePorts(card_, typesOf(result_.before), result_, result_.after, watch_,
                                false, problem_);
            if (round_.switchFailedPort)
                return switchFailed(was);
            if (!stopped())
                round_ = last;
        }
        ApplyResult failure = failed(note);
        return failure;
    };
    const std::vector<PortType>& target = result_.target;
    if (!asksAuto(target)) {
        if (mixesProtocols(target))
            return finish(false);
        return finish(attempt({target}));
    }
    if (mixesProtocols(target))
        return finish(false);
    // Whether the card takes auto at all: a refused auto stays the port's possible type (it
    // reads "auto (...)") where the card senses, and falls back at once where it cannot.
    size_t autoPort = 0;
    while (target[autoPort] != PortType::Auto)
        ++autoPort;
    int error = card_.writePort(static_cast<int>(autoPort) + 1, PortType::Auto);
    ++result_.writes;
    round_ = WriteRound{{error}, 0, 0};
    if (error && !isRefusal(error)) {
        round_.failedPort = static_cast<int>(autoPort) + 1;
        return finish(false);
    }
    if (!readPorts(card_, result_.after, problem_))
        return finish(false);
    if (error && !result_.after[autoPort].automatic)
        return finish(false);
    // The one fixed type of the target on both ports first; with auto on both, the type of
    // either port, whichever the other port can run (a refusal there restarts nothing).
    std::vector<PortType> fixedTypes;
    if (std::optional<PortType> fixed = fixedType(target))
        fixedTypes.push_back(*fixed);
    else
        fixedTypes = {result_.before[1].active, result_.before[0].active};
    bool ok = false;
    for (PortType fixed : fixedTypes) {
        if (ok || stopped() || result_.restarts > 0)
            break;
        ok = attempt({withAutoAs(target, fixed), target});
    }
    return finish(ok);
}

// Puts the card back after a failed attempt: every port's running type, then auto where it
// was auto (written directly, auto would keep whatever type the port runs now). This also
// clears the types the kernel staged for refused writes, which would otherwise surprise the
// next writer; when nothing had changed it is a no-op for the kernel (same combination, no
// restart).
ApplyResult Switch::putBack() {
    ApplyResult failure = failed();
    result_ = failure;
    if (result_.writes == 1 && neverReachedDriver(round_.errors.front())) {
        // The very first write did not get to the driver: nothing was applied or staged, so
        // there is nothing to put back (and the files are likely gone).
        result_.after = result_.before;
        result_.outcome = ApplyOutcome::Refused;
        return std::move(result_);
    }
    Attempt restore{{}};
    bool hadAuto = false;
    for (const PortState& state : result_.before) {
        restore[0].push_back(state.active);
        hadAuto |= state.automatic;
    }
    if (hadAuto)
        restore.push_back(typesOf(result_.before));
    std::string restoreProblem;
    bool restoreRefused = false;
    std::vector<int> order;
    for (const std::vector<PortType>& pass : restore) {
        // First the ports that run their old type already: writing it clears what refused
        // writes staged without a restart, so that the others go back in one.
        order.clear();
        for (int pick : {0, 1})
            for (size_t i = 0; i < pass.size(); ++i)
                if ((i < result_.after.size() && result_.after[i].active == pass[i]) == (pick == 0))
                    order.push_back(static_cast<int>(i) + 1);
        std::vector<PortState> was = result_.after;
        round_ =
            writePorts(card_, pass, result_, result_.after, watch_, false, restoreProblem, order);
        if (round_.switchFailedPort)
            return switchFailed(was, result_.reason + "; then, putting it back, ");
        if (!restoreProblem.empty() || round_.failedPort)
            break;
        restoreRefused |= round_.errors.back() != 0;
    }
    // The way back ended refused with the card elsewhere: each port keeps the type last written
    // to it as its staged type. Where only one of those differs from what the port runs, writing
    // what it runs clears them all and changes nothing.
    std::vector<int> differing;
    if (restoreProblem.empty() && !round_.failedPort && !round_.switchFailedPort &&
        round_.errors.size() == restore.back().size() && round_.errors.back() != 0 &&
        result_.after != result_.before) {
        std::vector<PortType> running = typesOf(result_.after);
        for (size_t i = 0; i < running.size(); ++i)
            if (restore.back()[i] != running[i])
                differing.push_back(static_cast<int>(i) + 1);
    }
    if (differing.size() == 1) {
        std::vector<PortState> was = result_.after;
        round_ = writePorts(card_, typesOf(result_.after), result_, result_.after, watch_, false,
                            restoreProblem, differing);
        if (round_.switchFailedPort)
            return switchFailed(was, result_.reason + "; then, putting it back, ");
    }
    // Read once more for the verdict: a write that failed was not followed by a read, and a
    // read may have failed before.
    restoreProblem.clear();
    bool readable = readPorts(card_, result_.after, restoreProblem);
    if (readable && result_.after == result_.before) {
        result_.outcome = ApplyOutcome::Refused;
        return std::move(result_);
    }
    result_.outcome = ApplyOutcome::LeftChanged;
    if (!restoreProblem.empty()) {
        result_.after.clear();
        result_.reason += "; putting it back failed too: " + restoreProblem;
    } else if (restoreRefused) {
        result_.reason += "; the kernel refused to put it back to " +
                          formatPortStates(result_.before) +
                          " (the last write back was refused), so it stays as it is";
    }
    return std::move(result_);
}

ApplyResult Switch::run() {
    // A card that runs mixed types: learn from the kernel whether it would take them back.
    std::vector<PortType> running;
    for (const PortState& state : result_.before)
        running.push_back(state.active);
    if (mixesProtocols(running)) {
        bool accepted = writeBack();
        if (round_.switchFailedPort)
            return switchFailed(result_.before);
        if (stopped())
            return putBack();
        if (!accepted)
            return fromRefusedMix();
    }
    // First the plain recipe. The driver checks "auto" as the port's running type, so when
    // that fails without changing anything and the target mixes auto with a fixed type, bring
    // the auto ports to the fixed type first: on a card that needs equal types, (ib,ib) ->
    // (eth,auto) works only so. Where the first attempt restarted the card, the second cannot
    // be what it needed, and would only cost more restarts.
    int restartsBefore = result_.restarts;
    bool ok = attempt({result_.target});
    std::optional<PortType> fixed = fixedType(result_.target);
    if (!ok && fixed && !stopped() && result_.restarts == restartsBefore) {
        WriteRound first = round_;
        ok = attempt({withAutoAs(result_.target, *fixed), result_.target});
        if (!ok && !stopped())
            round_ = first;
    }
    if (ok) {
        result_.outcome = ApplyOutcome::Switched;
        return std::move(result_);
    }
    if (round_.switchFailedPort)
        return switchFailed(result_.before);
    return putBack();
}

} // namespace

ApplyResult switchCard(CardPorts& card, const CardPlan& plan) {
    return Switch(card, plan).run();
}

} // namespace mlx4
