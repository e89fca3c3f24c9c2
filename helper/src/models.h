// SPDX-License-Identifier: GPL-2.0-or-later
// Names of the PCI devices the mlx4 driver binds, for messages and `status`.
#pragma once

#include <string>

namespace mlx4 {

constexpr unsigned kMellanoxVendor = 0x15b3;

// Whether the device is a VPI card, whose ports can run InfiniBand or Ethernet: the IDs the udev
// rule matches (not the Ethernet-only ConnectX EN cards, not the virtual functions).
bool isVpiCard(unsigned device);

// "MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B", or "unknown mlx4 device 0xNNNN".
std::string modelName(unsigned device);

} // namespace mlx4
