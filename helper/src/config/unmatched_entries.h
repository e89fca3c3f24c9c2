// SPDX-License-Identifier: GPL-2.0-or-later
// Entries of the configuration that match no card present: an address whose slot is empty (or
// whose card moved when a new card renumbered the buses) leaves the admin's expectation for
// that slot unmet. Pure.
#pragma once

#include "config.h"
#include "identity.h"

#include <string>
#include <vector>

namespace mlx4 {

// The address entries naming no device in `present` (the Mellanox devices found, whatever
// their driver), in address order.
std::vector<const ConfigEntry*> unmatchedAddressEntries(const Config& config,
                                                        const std::vector<PciAddress>& present);

// The unit (guid:, serial:) and model (part:) entries that match none of `identities` (one per
// card present, read with every need). A fleet-wide file names cards of other hosts, so only
// `check` lists these.
std::vector<const ConfigEntry*>
unmatchedUnitAndModelEntries(const Config& config, const std::vector<CardIdentity>& identities);

// "FILE:LINE: 0000:82:00.0 matches no card present: ..." for an address entry.
std::string unmatchedAddressMessage(const ConfigEntry& entry);

} // namespace mlx4
