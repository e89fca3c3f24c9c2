// SPDX-License-Identifier: GPL-2.0-or-later
// The table of mlx4 devices: names and kinds.
#include "device_table.h"

#include <doctest/doctest.h>

using namespace mlx4;

TEST_CASE("device kinds: VPI cards, Ethernet-only EN cards, virtual functions, unknown IDs") {
    for (unsigned device : {0x6340u, 0x6732u, 0x673cu, 0x1003u, 0x1007u, 0x1010u})
        CHECK(deviceKind(device) == DeviceKind::vpi);
    for (unsigned device : {0x6368u, 0x6750u, 0x676eu})
        CHECK(deviceKind(device) == DeviceKind::ethernetOnly);
    for (unsigned device : {0x1002u, 0x1004u})
        CHECK(deviceKind(device) == DeviceKind::virtualFunction);
    CHECK_FALSE(deviceKind(0x1011).has_value());
    CHECK_FALSE(deviceKind(0x0000).has_value());
}

TEST_CASE("model names: known devices by name, unknown ones by ID") {
    CHECK(modelName(0x673c) == "MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B");
    CHECK(modelName(0x6732) == "MT26418 ConnectX/ConnectX-2 VPI DDR");
    CHECK(modelName(0x1011) == "unknown mlx4 device 0x1011");
}
