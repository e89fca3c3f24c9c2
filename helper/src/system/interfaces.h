// SPDX-License-Identifier: GPL-2.0-or-later
// Reads what a card's ports are as interfaces from sysfs: its network devices under net/ and
// its InfiniBand device under infiniband/ (the data itself is card_interfaces.h).
#pragma once

#include "card_info.h"
#include "card_interfaces.h"

namespace mlx4 {

// The name of the card's InfiniBand device (infiniband/<name>/ under the PCI device, present
// while mlx4_ib has one registered: one for all its ports), or empty.
std::string infinibandDevice(const CardInfo& card);

// Reads what is under the card's PCI device now. What cannot be read stays empty: a card
// restarting, a module not loaded, or an old kernel without an attribute.
CardInterfaces readCardInterfaces(const CardInfo& card);

} // namespace mlx4
