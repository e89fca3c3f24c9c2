// SPDX-License-Identifier: GPL-2.0-or-later
// The binary sysfs attributes of a card, `config` and `vpd`, laid out as real mlx4 cards have
// them.
#include "card_bytes.h"

namespace mlx4::test {

namespace {

void put16(std::string& bytes, size_t at, unsigned value) {
    bytes[at] = static_cast<char>(value & 0xff);
    bytes[at + 1] = static_cast<char>(value >> 8 & 0xff);
}

void put32(std::string& bytes, size_t at, uint32_t value) {
    put16(bytes, at, value & 0xffff);
    put16(bytes, at + 2, value >> 16);
}

// An extended capability header: ID, version 1, offset of the next one.
uint32_t extendedHeader(unsigned id, size_t next) {
    return static_cast<uint32_t>(id | 1u << 16 | next << 20);
}

void largeResource(std::string& vpd, uint8_t tag, const std::string& data) {
    vpd += static_cast<char>(tag);
    vpd += static_cast<char>(data.size() & 0xff);
    vpd += static_cast<char>(data.size() >> 8);
    vpd += data;
}

std::string keyword(const char* name, const std::string& value) {
    return std::string(name) + static_cast<char>(value.size()) + value;
}

} // namespace

std::string configSpace(const ConfigSpaceSpec& spec) {
    std::string bytes(4096, '\0');
    put16(bytes, 0x00, spec.vendor);
    put16(bytes, 0x02, spec.device);
    put16(bytes, 0x04, 0x0546);     // command: memory, bus master, SERR, parity
    put16(bytes, 0x06, 0x0010);     // status: has a capability list
    put32(bytes, 0x08, 0x0c0600b0); // class InfiniBand, revision b0 (ConnectX-2)
    put32(bytes, 0x10, 0xfbe00004); // BAR0, 64-bit memory
    put16(bytes, 0x2c, spec.vendor);
    put16(bytes, 0x2e, 0x0001);
    bytes[0x34] = 0x40; // capabilities pointer
    bytes[0x3d] = 0x01; // interrupt pin A
    // Power management at 0x40 -> VPD at 0x48 -> PCI Express at 0x60.
    put16(bytes, 0x40, 0x4801);
    put16(bytes, 0x48, 0x6003);
    put16(bytes, 0x60, 0x0010);
    put16(bytes, 0x62, 0x0002); // PCI Express capability version 2, endpoint
    // Advanced Error Reporting at 0x100 (0x48 bytes), then the Device Serial Number at 0x148.
    if (spec.serialNumber) {
        put32(bytes, 0x100, extendedHeader(0x0001, 0x148));
        put32(bytes, 0x148, extendedHeader(0x0003, 0));
        put32(bytes, 0x14c, static_cast<uint32_t>(*spec.serialNumber));
        put32(bytes, 0x150, static_cast<uint32_t>(*spec.serialNumber >> 32));
    } else {
        put32(bytes, 0x100, extendedHeader(0x0001, 0));
    }
    bytes.resize(spec.readable);
    return bytes;
}

std::string vpdImage(const VpdSpec& spec) {
    std::string vpd;
    largeResource(vpd, 0x82, spec.product);
    std::string keywords =
        keyword("PN", spec.part) + keyword("EC", spec.change) + keyword("SN", spec.serial) +
        keyword("V0", spec.vendor0Bytes.empty() ? spec.vendor0 : spec.vendor0Bytes);
    // RV: a checksum byte, then reserved bytes up to the end of the read-only resource.
    std::string readOnly = keywords + "RV" + static_cast<char>(1 + 2) + std::string(3, '\0');
    largeResource(vpd, 0x90, readOnly);
    size_t checksumAt = vpd.size() - 3;
    uint8_t sum = 0;
    for (size_t i = 0; i < checksumAt; ++i)
        sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(vpd[i]));
    vpd[checksumAt] = static_cast<char>(static_cast<uint8_t>(0x100 - sum) + spec.badChecksum);
    if (spec.readWrite > 0)
        largeResource(vpd, 0x91, std::string(spec.readWrite, '\0')); // contents unread
    if (spec.endTag)
        vpd += '\x78'; // end tag
    vpd.resize(spec.readable, '\0');
    return vpd;
}

} // namespace mlx4::test
