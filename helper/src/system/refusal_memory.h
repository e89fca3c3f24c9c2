// SPDX-License-Identifier: GPL-2.0-or-later
// Targets a card refused, remembered under the run directory so that udev events and other
// unattended runs do not try them again: each try of an unreachable target can restart the card
// twice, and the next boot, `udevadm trigger` or package upgrade would do it again. A record
// holds until the card's configured types change or the driver really binds the card again (a
// bind event without SYNTH_UUID, which clears it); an internal restart of the card (error
// recovery, devlink reload, suspend) re-creates the port files without a bind and changes
// nothing the kernel decides on, so it does not end it.
#pragma once

#include "address.h"
#include "card_info.h"
#include "plan.h"
#include "port_type.h"

#include <optional>
#include <string>
#include <vector>

namespace mlx4 {

// One refused attempt: the card's configured types (keep included), as the configuration
// asked them when the kernel refused them.
struct RefusalKey {
    std::vector<PortWant> wants;

    bool operator==(const RefusalKey& other) const;
};

struct Refusal {
    RefusalKey key;
    std::vector<PortState> start; // what the card ran, for the messages
    std::vector<PortType> target;
    int restarts = 0;   // what the attempt cost
    std::string reason; // why, in the words of the failure message
};

// Records `refusal` for the card in RUN_DIR/<address>.refused (replacing any earlier one).
// False with `problem` set if the file cannot be written.
bool rememberRefusal(const std::string& runDir, const PciAddress& address, const Refusal& refusal,
                     std::string& problem);

// The refusal recorded for the card, if any and readable.
std::optional<Refusal> recalledRefusal(const std::string& runDir, const PciAddress& address);

// Removes the record, after the card reached a target.
void forgetRefusal(const std::string& runDir, const PciAddress& address);

// The refusal recorded for the card under `wants` (its configured types), if any, and only where
// `plan` still needs writes: the unattended runs leave such a card alone until an admin retries
// it, so a command waiting for cards to settle can treat it as settled.
std::optional<Refusal> earlierRefusal(const std::string& runDir, const PciAddress& address,
                                      const CardPlan& plan, const std::vector<PortWant>& wants);

} // namespace mlx4
