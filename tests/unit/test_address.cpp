// SPDX-License-Identifier: GPL-2.0-or-later
// PCI address parsing: the spellings the command line and the configuration accept.
#include "address.h"

#include <doctest/doctest.h>

using mlx4::guessPciAddress;
using mlx4::parsePciAddress;

TEST_CASE("full and short addresses parse to the kernel's spelling") {
    CHECK(parsePciAddress("0000:05:00.0")->str() == "0000:05:00.0");
    CHECK(parsePciAddress("05:00.0")->str() == "0000:05:00.0");
    CHECK(parsePciAddress("0001:AF:1F.7")->str() == "0001:af:1f.7");
    CHECK(parsePciAddress("ab:0c.1")->str() == "0000:ab:0c.1");
}

TEST_CASE("both spellings of one card compare equal") {
    CHECK(*parsePciAddress("04:00.0") == *parsePciAddress("0000:04:00.0"));
    CHECK(*parsePciAddress("04:00.0") < *parsePciAddress("0000:04:00.1"));
}

TEST_CASE("anything else is refused") {
    for (const char* bad :
         {"", "0000:05:00", "5:00.0", "0000:5:00.0", "00000:05:00.0", "0000:05:00.8",
          "0000:05:20.0", "0000:05:00.00", "0000:g5:00.0", "/sys/bus/pci/devices/0000:05:00.0",
          "..", "0000:05:00.0 ", " 0000:05:00.0", "0000:05:00.0\n", "0000:05:00.-1",
          "0000::05:00.0", "0000:05:00:00.0", "+5:00.0"}) {
        CAPTURE(bad);
        CHECK_FALSE(parsePciAddress(bad).has_value());
    }
}

TEST_CASE("a near miss gets a suggestion, nonsense does not") {
    CHECK(guessPciAddress("5:0.0") == "0000:05:00.0");
    CHECK(guessPciAddress("0:5:00.0") == "0000:05:00.0");
    CHECK(guessPciAddress("eth0") == "");
    CHECK(guessPciAddress("0000:05:40.0") == ""); // device out of range
}
