// SPDX-License-Identifier: GPL-2.0-or-later
// The per-card decision: what to do with one device, from what was found of it and the entry
// of the configuration that matches it. Pure: no device access, no output.
#pragma once

#include "card_info.h"
#include "config.h"
#include "port_type.h"

#include <string>
#include <variant>
#include <vector>

namespace mlx4 {

// Nothing to do, and nothing wrong: the card is not configured, or not ready yet.
struct LeaveCard {
    std::string reason; // "not configured; left as it is"
};

// The card is not handled, which is an error the admin must see.
struct RefuseCard {
    std::string problem; // a whole message: card, entry, file:line, what to do
};

// Set the card's ports: one want per port.
struct SetPorts {
    std::vector<PortWant> wants;
};

using CardDecision = std::variant<LeaveCard, RefuseCard, SetPorts>;

// "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)": how messages name a card.
std::string cardLabel(const CardInfo& card);

// Whether the device is a Mellanox card bound to mlx4_core: only such a card has port types,
// and only its identity is worth reading.
bool isMlx4Card(const CardInfo& card);

// The decision for `card`, which the configuration matches as `match` (Config::match).
CardDecision decideCard(const CardInfo& card, const ConfigMatch& match);

// What `spec` asks of `port`, even where the card refuses the entry as a whole (a list longer
// than the card has ports, port files the driver does not make): status shows what is
// configured.
PortWant configuredWant(const PortSpec& spec, int port);

} // namespace mlx4
