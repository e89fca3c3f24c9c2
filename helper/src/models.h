// SPDX-License-Identifier: GPL-2.0-or-later
// Names of the PCI devices the mlx4 driver binds, and the part numbers of Ethernet-only cards.
#pragma once

#include <string>

namespace mlx4 {

constexpr unsigned kMellanoxVendor = 0x15b3;

// "MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B", or "unknown mlx4 device 0xNNNN".
std::string modelName(unsigned device);

// For a VPD part number of an Ethernet-only card (one that shares its PCI ID with VPI cards,
// or whose driver still offers ib), the card family, e.g. "ConnectX-3 EN"; else empty.
std::string ethernetOnlyFamily(const std::string& part);

} // namespace mlx4
