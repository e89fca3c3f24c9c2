// SPDX-License-Identifier: GPL-2.0-or-later
// What was found of one PCI device: its address, IDs, driver and port files (plain data; the
// system layer fills it in from sysfs).
#pragma once

#include "address.h"

#include <string>
#include <vector>

namespace mlx4 {

// A vendor or device id that sysfs does not show as the kernel prints it.
constexpr unsigned kNoId = ~0u;

struct CardInfo {
    PciAddress address;
    std::string syspath;
    unsigned vendor = kNoId;
    std::string vendorText; // as sysfs shows it, for messages
    unsigned device = kNoId;
    std::string driver;         // empty: no driver bound
    std::string driverOverride; // driver_override: the only driver the device may bind; empty:
                                // none ("(null)")
    int portCount = 0;          // mlx4_port<N> files; 0 while the driver has not created them
    std::vector<int> ports;     // their numbers, ascending (1..portCount unless portProblem)
    std::string portProblem;    // the port files are not what the driver makes (not touched then)
    // Read only for a device mlx4_core has not bound: udev has processed its add event (it is
    // in udev's database).
    bool initialized = false;
};

} // namespace mlx4
