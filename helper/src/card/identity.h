// SPDX-License-Identifier: GPL-2.0-or-later
// What identifies a card beyond its slot, parsed from raw bytes (pure: no device access): the
// PCIe Device Serial Number in config space, the PCI VPD, and the spellings of a 64-bit GUID.
#pragma once

#include "address.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mlx4 {

// How much is known of one part of a card's identity.
enum class Known {
    value,   // read, and there
    none,    // read, and the card has none (no Device Serial Number capability, no read-only
             // VPD section, no such VPD keyword)
    unknown, // not readable, or what was read does not add up: the card may well have one
};

// Reads up to `length` bytes at `offset` of a binary attribute (config space, VPD) into `out`:
// the count read (fewer at its end, 0 past it), or -errno. The parsers below ask only for what
// they need, a few bytes at a time: on a real card every 4 bytes of VPD are a round trip.
using ByteReader = std::function<long(size_t offset, uint8_t* out, size_t length)>;

// A ByteReader over bytes in memory (tests, fuzzing).
ByteReader memoryReader(const uint8_t* bytes, size_t size);

struct SerialNumberReading {
    Known known = Known::unknown;
    uint64_t value = 0;     // when known is Known::value
    std::string why;        // for none and unknown: what was found
    bool needsRoot = false; // config space stopped at 64 bytes or was refused: not root
};

// The Device Serial Number: PCIe extended capability 0x0003, found by walking the extended
// capability list from offset 0x100 as the kernel's pci_find_next_ext_capability() does, read
// as pci_get_dsn() does (dword at cap+8 is the upper half). Reads only the headers along the
// chain and the serial. None: no extended capabilities (a header of 0, or 256 bytes of config
// space), the list ends without the capability, or the serial is 0 (never programmed).
// Unknown: a read fails, config space stops at 64 bytes (not root), a header or the serial reads
// all ones (the card did not answer), or the list is broken (a loop, a pointer into the
// standard header or past the end).
SerialNumberReading readDeviceSerialNumber(const ByteReader& config);

// What the read-only part of a card's VPD says. Empty strings are fields the VPD does not have.
struct VpdFacts {
    std::string product; // the identifier string (large resource 0x82), e.g. "KESTREL QDR"
    std::string part;    // PN, e.g. "MHQH19B-XTR"
    std::string change;  // EC, the engineering change level
    std::string serial;  // SN, e.g. "MT1037X01146"
    std::string vendor0; // V0, vendor specific
};

struct VpdReading {
    VpdFacts facts;
    Known serial = Known::unknown; // facts.serial
    Known part = Known::unknown;   // facts.part
    std::string why;               // what makes a field none or unknown
    bool needsRoot = false;        // the VPD was refused: not root
};

// Reads PCI VPD (PCI Local Bus 3.0, 6.4) as the kernel does (drivers/pci/vpd.c): the identifier
// string (0x82) first, then large resources up to the read-only one (0x90), whose RV keyword
// carries the checksum: the sum of every byte from the start through RV's first data byte is 0
// (pci_vpd_check_csum()). PN and SN are the first of their keyword in the read-only resource
// (pci_vpd_find_ro_info_keyword()), trailing spaces and NULs dropped. Reading stops at the end
// of the read-only resource: the read-write resource and the end tag are not needed.
// None: the VPD is empty (the kernel found none), or ends (end tag) without a read-only
// resource; a field is none when the read-only resource lacks its keyword.
// Unknown: a read fails, the layout is broken or cut short before the read-only resource ends,
// RV is missing or empty, or the checksum is wrong; a field alone is unknown when its bytes are
// not printable text. Fields nobody matches on (EC, V0) are kept only when printable and never
// make anything unknown; the identifier string is shown, never matched, and likewise.
VpdReading readVpd(const ByteReader& vpd);

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

// Everything known about one card's identity; empty or nullopt where unknown or absent.
struct CardIdentity {
    PciAddress address;
    std::optional<uint64_t> serialNumber; // the Device Serial Number
    std::optional<uint64_t> nodeGuid;     // node_guid of the card's InfiniBand device
    VpdFacts vpd;
    std::string psid;       // board_id of the InfiniBand device, e.g. "MT_0D80110009"
    std::string firmware;   // fw_ver of the InfiniBand device
    bool needsRoot = false; // config space or VPD were cut short or refused: not root
    std::string problems;   // what was odd, for a debug message
    // Why the card's GUID, VPD serial number or VPD part number cannot be known now; empty when
    // it is known, known to be absent, or was not asked for. A guid:, serial: or part: entry may
    // name a card whose identity of its kind is unknown (Config::match).
    std::string guidUnknown;
    std::string serialUnknown;
    std::string partUnknown;
    std::string recordedBy; // not read now but taken from a root run's record (identity_record)
    IdentityNeeds read;     // what was asked of the card

    // The GUID to show: the Device Serial Number, else the node GUID.
    std::optional<uint64_t> guid() const { return serialNumber ? serialNumber : nodeGuid; }
    // Whether any part of the identity is unknown, and why (each reason once).
    bool anyUnknown() const {
        return !guidUnknown.empty() || !serialUnknown.empty() || !partUnknown.empty();
    }
    std::string unknownReasons() const;
};

} // namespace mlx4
