// SPDX-License-Identifier: GPL-2.0-or-later
// The card most unit tests decide about.
#pragma once

#include "address.h"
#include "card_info.h"
#include "device_table.h"

namespace mlx4::test {

// A two-port ConnectX-2 VPI at 0000:05:00.0, bound to mlx4_core, its port files made.
inline CardInfo boundCard() {
    CardInfo card;
    card.address = *parsePciAddress("0000:05:00.0");
    card.vendor = kMellanoxVendor;
    card.device = 0x673c;
    card.driver = "mlx4_core";
    card.portCount = 2;
    card.ports = {1, 2};
    return card;
}

} // namespace mlx4::test
