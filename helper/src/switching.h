// SPDX-License-Identifier: GPL-2.0-or-later
// The switching plan and its execution against one card, following the mlx4 driver's staging
// rule (see docs/kernel-behaviour.md): compare first, write every port in ascending order, read
// back, and put the card back as it was if the target cannot be reached.
#pragma once

#include "card_ports.h"
#include "port_type.h"

#include <optional>
#include <string>
#include <vector>

namespace mlx4 {

struct PortPlan {
    int port = 0;      // 1-based
    PortState current; // as read
    PortWant want = PortWant::Keep;
    PortType target = PortType::Ib; // what the port must end as (keep: its current type)
    bool changes = false;           // current does not satisfy want
    // The port's protocol changes (not just auto-sensing on or off), so the card restarts.
    bool changesProtocol() const {
        return changes && target != PortType::Auto && target != current.active;
    }
};

struct CardPlan {
    std::vector<PortPlan> ports;
    bool inSync() const;
    std::vector<PortType> targets() const;
};

// Pure: the plan for a card whose ports read `current`, configured as `wants` (same length).
CardPlan makePlan(const std::vector<PortState>& current, const std::vector<PortWant>& wants);

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

    bool ok() const {
        return outcome == ApplyOutcome::InSync || outcome == ApplyOutcome::Planned ||
               outcome == ApplyOutcome::Switched;
    }
};

// Reads and parses one port; nullopt with `problem` naming the port and the errno or the text
// it read.
std::optional<PortState> readPortState(CardPorts& card, int port, std::string& problem);

// "no device restart", "1 device restart", "2 device restarts".
std::string restartsText(int restarts);

// Reads the card, plans, and (unless dryRun) writes. `wants` has one entry per port.
ApplyResult applyCard(CardPorts& card, const std::vector<PortWant>& wants, bool dryRun = false);

} // namespace mlx4
