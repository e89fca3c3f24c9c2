// SPDX-License-Identifier: GPL-2.0-or-later
// Reading a card's port files and carrying out a plan (plan.h) against them, following the mlx4
// driver's staging rule (see docs/kernel-behaviour.md): compare first, write every port in
// ascending order, read back, and put the card back as it was if the target cannot be reached.
#pragma once

#include "card_ports.h"
#include "plan.h"
#include "port_type.h"

#include <optional>
#include <string>
#include <vector>

namespace mlx4 {

// Reads each of `ports` once (its type and whether it is writable).
CardReading readCard(CardPorts& card, const std::vector<int>& ports);
// The same for ports 1..portCount(), the ones a switch writes.
CardReading readCard(CardPorts& card);

// Reads and parses one port; nullopt with `problem` naming the port and the errno or the text
// it read.
std::optional<PortState> readPortState(CardPorts& card, int port, std::string& problem);

// Carries out a plan whose planOutcome() is Planned, made from a reading of `card`: writes,
// reads back, and puts the card back if the target cannot be reached.
ApplyResult switchCard(CardPorts& card, const CardPlan& plan);

} // namespace mlx4
