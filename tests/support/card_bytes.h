// SPDX-License-Identifier: GPL-2.0-or-later
// The binary sysfs attributes of a card, `config` and `vpd`, laid out as real mlx4 cards have
// them (lspci -vvv and VPD dumps of a ConnectX-2 MHQH19B-XTR), for testbeds and unit tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mlx4::test {

// The node GUID and serial of the published MHQH19B-XTR dump.
constexpr uint64_t kDumpGuid = 0x0002c903000cc89aULL;

struct ConfigSpaceSpec {
    unsigned vendor = 0x15b3;
    unsigned device = 0x673c;
    // The Device Serial Number capability's value; nullopt: the card has no such capability.
    std::optional<uint64_t> serialNumber = kDumpGuid;
    // What reading the `config` file returns: 4096 for root on a PCIe device, 64 for others.
    size_t readable = 4096;
};

// PCI header, capabilities (power management, VPD, PCI Express) and the extended capabilities
// at 0x100 (Advanced Error Reporting, next 0x148) and 0x148 (Device Serial Number, the last).
std::string configSpace(const ConfigSpaceSpec& spec);

struct VpdSpec {
    std::string product = "KESTREL QDR"; // the identifier string
    std::string part = "MHQH19B-XTR";    // PN
    std::string change = "A3";           // EC
    std::string serial = "MT1037X01146"; // SN
    std::string vendor0 = "PCIeGen2 x8"; // V0
    bool badChecksum = false;            // RV off by one
    std::string vendor0Bytes;            // V0's bytes when set, printable or not
    size_t readWrite = 0;  // bytes of a read-write resource (0x91) after the read-only one; a
                           // ConnectX-3 has about 4 KB of them
    bool endTag = true;    // the end tag (0x78) after the last resource
    size_t readable = 256; // what reading returns (the kernel pads with 0)
};

// Identifier string (0x82), read-only resource (0x90: PN, EC, SN, V0, then RV with the
// checksum), read-write resource if asked, end tag (0x78), padded to `readable` bytes or cut
// there.
std::string vpdImage(const VpdSpec& spec);

} // namespace mlx4::test
