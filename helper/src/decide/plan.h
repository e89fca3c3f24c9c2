// SPDX-License-Identifier: GPL-2.0-or-later
// The switching plan (pure): what a card needs, made once from one reading of its port files
// and the configuration's wants, and what that comes to before anything is written.
#pragma once

#include "port_type.h"

#include <optional>
#include <string>
#include <vector>

namespace mlx4 {

// One read of a card's port files.
struct PortReading {
    int port = 0;                   // 1-based
    std::optional<PortState> state; // nullopt: unreadable (see problem)
    std::string problem;            // names the port and the errno, or the text it read
    bool writable = false;          // see CardPorts::isWritable()

    bool operator==(const PortReading& other) const {
        return port == other.port && state == other.state && problem == other.problem &&
               writable == other.writable;
    }
};

struct CardReading {
    std::vector<PortReading> ports;

    bool operator==(const CardReading& other) const { return ports == other.ports; }

    // Every port's state, or nothing if a port could not be read.
    std::vector<PortState> states() const;
    // Why a port could not be read (the first such port), or empty.
    std::string problem() const;
};

struct PortPlan {
    int port = 0;      // 1-based
    PortState current; // as read
    PortWant want = PortWant::Keep;
    PortType target = PortType::Ib; // what the port must end as (keep: its current type)
    bool changes = false;           // current does not satisfy want
    bool writable = true;
    // The port's protocol changes (not just auto-sensing on or off), so the card restarts.
    bool changesProtocol() const {
        return changes && target != PortType::Auto && target != current.active;
    }
};

// What a card needs, made once from one reading and carried to the dry run, the switch and the
// messages about it.
struct CardPlan {
    std::vector<PortPlan> ports; // empty when a port could not be read
    std::string problem;         // why a port could not be read

    bool inSync() const;
    std::vector<PortState> current() const;
    std::vector<PortType> targets() const;
    // Whether the writes restart the card: some port changes protocol.
    bool restartsCard() const;
    // Whether a port is newly asked to sense (most cards accept auto but sense nothing).
    bool setsAuto() const;
    // Whether the writes can restart the card: a change of protocol does, and auto does on a
    // card that senses the other protocol.
    bool mayRestart() const { return restartsCard() || setsAuto(); }
    // The first port whose file is read-only, or 0. A switch writes every port.
    int readOnlyPort() const;
};

// Pure: the plan for a card whose ports read `current` (all writable), configured as `wants`
// (same length).
CardPlan makePlan(const std::vector<PortState>& current, const std::vector<PortWant>& wants);
// Pure: the plan for a card as `reading` found it.
CardPlan makePlan(const CardReading& reading, const std::vector<PortWant>& wants);

enum class ApplyOutcome {
    InSync,      // nothing to do; nothing written
    Planned,     // dry run: writes are needed; nothing written
    Switched,    // target reached
    ReadFailed,  // a port could not be read or parsed; nothing written
    ReadOnly,    // the files are read-only (multi-function mode); nothing written
    Refused,     // the kernel refused the target; the card was put back as it was
    LeftChanged, // the target failed and the card could not be put back: it is NOT as before
    // The kernel answered EINVAL or EOPNOTSUPP although a port's running type moved: the
    // firmware failed the switch, which leaves the card without its network and InfiniBand
    // interfaces. Nothing more was written.
    SwitchFailed,
};

struct ApplyResult {
    ApplyOutcome outcome = ApplyOutcome::InSync;
    std::vector<PortState> before; // empty if the ports could not be read
    std::vector<PortType> target;
    std::vector<PortState> after; // empty if not read back
    int writes = 0;               // write() calls issued, including those the kernel refused
    // Device restarts the writes caused: writes after which the ports ran other protocols. (A
    // switch whose firmware command failed before any port moved is not seen.)
    int restarts = 0;
    std::string reason; // for the admin: why it failed and what to do; empty on success
    // Refused/LeftChanged: the kernel answered the writes (a refusal, not an error of the files
    // or the device), so trying the same again gets the same answer.
    bool kernelRefused = false;
};

// "no device restart", "1 device restart", "2 device restarts".
std::string restartsText(int restarts);

// Pure: what `plan` comes to before anything is written: InSync, ReadFailed, ReadOnly (with
// the reason), or Planned when writes are needed and possible.
ApplyResult planOutcome(const CardPlan& plan);

} // namespace mlx4
