// SPDX-License-Identifier: GPL-2.0-or-later
// What a card's Ethernet runs at, from its device ID and part number.
#include "ethernet_speed.h"

#include <doctest/doctest.h>

using namespace mlx4;

TEST_CASE("every ConnectX-2 VPI runs Ethernet at 10 Gb/s, whatever its InfiniBand rate") {
    CHECK(ethernetSpeed(0x673c, "MHQH19B-XTR") == "10 Gb/s");
    CHECK(ethernetSpeed(0x673c, "") == "10 Gb/s");
    CHECK(ethernetSpeed(0x6732, "") == "10 Gb/s");
    CHECK(ethernetSpeed(0x6746, "") == "10 Gb/s");
    CHECK(ethernetSpeed(0x6354, "") == "10 Gb/s");
}

TEST_CASE("ConnectX-3 by part number: QDR and FDR10 grades 10 Gb/s, FDR 40 Gb/s") {
    CHECK(ethernetSpeed(0x1003, "MCX354A-QCBT") == "10 Gb/s");
    CHECK(ethernetSpeed(0x1003, "MCX353A-TCBT") == "10 Gb/s");
    CHECK(ethernetSpeed(0x1003, "MCX354A-FCBT").rfind("40 Gb/s", 0) == 0);
    CHECK(ethernetSpeed(0x1007, "MCX354A-FCCT").rfind("40 Gb/s", 0) == 0);
    CHECK(ethernetSpeed(0x1003, "MCX312A-XCBT") == "10 Gb/s");
    CHECK(ethernetSpeed(0x1003, "MCX314A-BCBT").rfind("40 Gb/s", 0) == 0);
}

TEST_CASE("a ConnectX-3 without a known part number: unknown, never a guess") {
    CHECK(ethernetSpeed(0x1003, "").empty());
    CHECK(ethernetSpeed(0x1003, "050-0050-02").empty());
    CHECK(ethernetSpeed(0x1007, "HP_1380110017").empty());
}
