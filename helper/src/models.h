// SPDX-License-Identifier: GPL-2.0-or-later
// Names of the PCI devices the mlx4 driver binds, for messages and `status`.
#pragma once

#include <string>

namespace mlx4 {

constexpr unsigned kMellanoxVendor = 0x15b3;

// "MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B", or "unknown mlx4 device 0xNNNN".
std::string modelName(unsigned device);

// The virtual functions (0x1002, 0x1004): their port files are read-only, and the rule leaves
// them alone.
bool isVirtualFunction(unsigned device);

} // namespace mlx4
