// SPDX-License-Identifier: GPL-2.0-or-later
// Names and kinds of the PCI devices the mlx4 driver binds, for messages and `status`, and the
// part numbers of Ethernet-only cards.
#pragma once

#include <optional>
#include <string>

namespace mlx4 {

constexpr unsigned kMellanoxVendor = 0x15b3;

// What a device of mlx4_core is, as far as port types go (see mlx4_devices.def).
enum class DeviceKind { vpi, ethernetOnly, virtualFunction };

// "MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B", or "unknown mlx4 device 0xNNNN".
std::string modelName(unsigned device);

// The kind of a Mellanox device ID that mlx4_core binds; nothing for any other ID.
std::optional<DeviceKind> deviceKind(unsigned device);

// For a VPD part number of an Ethernet-only card (one that shares its PCI ID with VPI cards,
// or whose driver still offers ib), the card family, e.g. "ConnectX-3 EN"; else empty.
std::string ethernetOnlyFamily(const std::string& part);

} // namespace mlx4
