// SPDX-License-Identifier: GPL-2.0-or-later
// Targets a card refused, remembered under the run directory so that udev events do not try
// them again: each try of an unreachable target can restart the card twice, and the next boot,
// `udevadm trigger` or package upgrade would do it again.
#pragma once

#include "address.h"
#include "card_info.h"
#include "plan.h"
#include "port_type.h"

#include <optional>
#include <string>
#include <vector>

namespace mlx4 {

// One refused attempt: which probe of the card, under which configuration, from where, to what.
// A new probe (the driver re-bound the card) or an edited configuration makes it another key.
struct RefusalKey {
    std::string probe;         // probeIdentity() of the card
    std::string configuration; // Config::fingerprint
    std::vector<PortState> start;
    std::vector<PortType> target;

    bool operator==(const RefusalKey& other) const;
};

struct Refusal {
    RefusalKey key;
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

// The key of an attempt at `plan` on `card` under the configuration `fingerprint`
// (Config::fingerprint).
RefusalKey refusalKey(const CardInfo& card, const CardPlan& plan, const std::string& fingerprint);

// The refusal recorded for `plan` (made from the card as it reads now) by this probe of the card
// and under this configuration, if any: the rule's runs leave such a card alone until an admin
// applies it, so a command waiting for cards to settle can treat it as settled.
std::optional<Refusal> earlierRefusal(const std::string& runDir, const CardInfo& card,
                                      const CardPlan& plan, const std::string& fingerprint);

} // namespace mlx4
