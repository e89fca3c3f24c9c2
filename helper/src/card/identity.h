// SPDX-License-Identifier: GPL-2.0-or-later
// What identifies a card beyond its slot, parsed from raw bytes (pure: no device access): the
// PCIe Device Serial Number in config space, the PCI VPD, and the spellings of a 64-bit GUID.
#pragma once

#include "address.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlx4 {

// The Device Serial Number: PCIe extended capability 0x0003, found by walking the extended
// capability list from offset 0x100, read as the kernel's pci_get_dsn() does (dword at cap+8
// is the upper half). nullopt, with `problem` saying why, when config space ends before 0x100
// (a user without root sees 64 bytes), the list is malformed, there is no such capability, or
// the serial is 0 or all-ones (a card whose GUID was never programmed).
std::optional<uint64_t> parseDeviceSerialNumber(const uint8_t* config, size_t size,
                                                std::string& problem);

// What the read-only part of a card's VPD says. Empty strings are fields the VPD does not have.
struct VpdFacts {
    std::string product; // the identifier string (large resource 0x82), e.g. "KESTREL QDR"
    std::string part;    // PN, e.g. "MHQH19B-XTR"
    std::string change;  // EC, the engineering change level
    std::string serial;  // SN, e.g. "MT1037X01146"
    std::string vendor0; // V0, vendor specific
};

// Parses PCI VPD (PCI Local Bus 3.0, 6.4) strictly: the identifier string first, then the
// read-only resource (0x90) whose keywords end with RV, whose first byte makes the sum of
// every byte from the start through it zero; an optional read-write resource (0x91); the end
// tag (0x78). Anything after the end tag is ignored (sysfs pads the file). Any other layout, a
// length past the end, a bad checksum or a field that is not printable ASCII is nullopt, with
// `problem` saying what.
std::optional<VpdFacts> parseVpd(const uint8_t* vpd, size_t size, std::string& problem);

// A 64-bit GUID in any of the spellings tools print: "0002:c903:000c:c89a" (sysfs node_guid),
// "0x0002c903000cc89a" (ibstat), "00-02-c9-03-00-0c-c8-9a" (lspci -vv) or "0002c903000cc89a";
// hex digits in either case. Anything else is nullopt.
std::optional<uint64_t> parseGuid(std::string_view text);

// The sysfs node_guid spelling, "0002:c903:000c:c89a".
std::string formatGuid(uint64_t guid);

// What to read of a card's identity. Each costs: `guid` one read of config space (and the
// InfiniBand device's node_guid, when there is one); `vpd` the VPD, slow on real cards; `all`
// also the InfiniBand device's board ID and firmware version, for showing.
struct IdentityNeeds {
    bool guid = false;
    bool vpd = false;
    bool all = false;

    bool any() const { return guid || vpd || all; }
};

// Everything known about one card's identity; empty or nullopt where unknown.
struct CardIdentity {
    PciAddress address;
    std::optional<uint64_t> serialNumber; // the Device Serial Number
    std::optional<uint64_t> nodeGuid;     // node_guid of the card's InfiniBand device
    VpdFacts vpd;
    std::string psid;       // board_id of the InfiniBand device, e.g. "MT_0D80110009"
    std::string firmware;   // fw_ver of the InfiniBand device
    bool needsRoot = false; // config space or VPD were cut short or refused: not root
    std::string problems;   // why parts are unknown, for a debug message

    // The GUID to show: the Device Serial Number, else the node GUID.
    std::optional<uint64_t> guid() const { return serialNumber ? serialNumber : nodeGuid; }
};

} // namespace mlx4
