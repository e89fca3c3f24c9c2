// SPDX-License-Identifier: GPL-2.0-or-later
// What a card's ports run at in Ethernet mode, where the card's model tells: the surprise of a
// 40 Gb/s InfiniBand card that gives 10 Gb/s Ethernet. Pure.
#pragma once

#include <string>

namespace mlx4 {

// "10 Gb/s", "40 Gb/s (56 Gb/s between Mellanox switches)", or empty where the PCI device ID and
// the VPD part number (empty when unknown) do not tell.
std::string ethernetSpeed(unsigned device, const std::string& part);

} // namespace mlx4
