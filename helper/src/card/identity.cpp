// SPDX-License-Identifier: GPL-2.0-or-later
// What identifies a card beyond its slot, parsed from raw bytes (pure: no device access).
#include "identity.h"

#include "address.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

namespace mlx4 {

namespace {

constexpr size_t kExtendedCapabilities = 0x100; // PCI_CFG_SPACE_SIZE
constexpr size_t kConfigSpaceSize = 0x1000;     // PCI_CFG_SPACE_EXP_SIZE
constexpr unsigned kCapabilitySerialNumber = 0x0003;

uint32_t dword(const uint8_t* bytes) {
    // Config space is little-endian whatever the CPU.
    return static_cast<uint32_t>(bytes[0]) | static_cast<uint32_t>(bytes[1]) << 8 |
           static_cast<uint32_t>(bytes[2]) << 16 | static_cast<uint32_t>(bytes[3]) << 24;
}

std::string hex(size_t value) {
    char text[24]; // "0x" and up to 16 hex digits of a 64-bit size_t
    std::snprintf(text, sizeof text, "0x%zx", value);
    return text;
}

// Reads `digits` hex digits from `text` at `at` into `value`; false on any non-hex character.
bool hexRun(std::string_view text, size_t at, size_t digits, uint64_t& value) {
    if (at + digits > text.size())
        return false;
    for (size_t i = at; i < at + digits; ++i) {
        int digit = hexDigit(text[i]);
        if (digit < 0)
            return false;
        value = value << 4 | static_cast<uint64_t>(digit);
    }
    return true;
}

// Hex groups of `width` digits separated by `separator`, covering 16 digits in all.
std::optional<uint64_t> groups(std::string_view text, size_t width, char separator) {
    size_t count = 16 / width;
    if (text.size() != 16 + count - 1)
        return std::nullopt;
    uint64_t value = 0;
    for (size_t group = 0; group < count; ++group) {
        size_t at = group * (width + 1);
        if (!hexRun(text, at, width, value))
            return std::nullopt;
        if (group + 1 < count && text[at + width] != separator)
            return std::nullopt;
    }
    return value;
}

// A VPD string field: printable ASCII; trailing spaces and NULs are padding.
bool vpdString(const uint8_t* bytes, size_t size, std::string& out) {
    while (size > 0 && (bytes[size - 1] == ' ' || bytes[size - 1] == '\0'))
        --size;
    out.clear();
    for (size_t i = 0; i < size; ++i) {
        if (bytes[i] < 0x20 || bytes[i] > 0x7e) {
            out.clear();
            return false;
        }
        out += static_cast<char>(bytes[i]);
    }
    return true;
}

std::string errnoText(long error) {
    return std::strerror(static_cast<int>(-error));
}

bool refused(long error) {
    return error == -EACCES || error == -EPERM;
}

// The bytes of the VPD from offset 0, read on demand: the checksum covers everything from the
// start, and nothing past the read-only resource is ever asked for.
class VpdBytes {
public:
    explicit VpdBytes(const ByteReader& read) : read_(read) {}

    // Makes bytes [0, end) available; false (with `error` or a short read) otherwise.
    bool need(size_t end) {
        while (bytes_.size() < end) {
            uint8_t chunk[64];
            size_t want = std::min(sizeof chunk, end - bytes_.size());
            long got = read_(bytes_.size(), chunk, want);
            if (got < 0) {
                error_ = got;
                return false;
            }
            if (got == 0)
                return false;
            bytes_.insert(bytes_.end(), chunk, chunk + got);
        }
        return true;
    }
    uint8_t operator[](size_t at) const { return bytes_[at]; }
    const uint8_t* at(size_t offset) const { return bytes_.data() + offset; }
    size_t size() const { return bytes_.size(); }
    long error() const { return error_; }

private:
    const ByteReader& read_;
    std::vector<uint8_t> bytes_;
    long error_ = 0;
};

VpdReading vpdUnknown(const std::string& why, bool needsRoot = false) {
    VpdReading reading;
    reading.why = "the VPD " + why;
    reading.needsRoot = needsRoot;
    return reading;
}

VpdReading vpdNone(const std::string& why) {
    VpdReading reading;
    reading.serial = reading.part = Known::none;
    reading.why = "the VPD " + why;
    return reading;
}

// Why reading up to `end` failed: an error, or the VPD ends before.
VpdReading cutShort(const VpdBytes& vpd, const std::string& where) {
    if (vpd.error())
        return vpdUnknown("cannot be read: " + errnoText(vpd.error()), refused(vpd.error()));
    return vpdUnknown("is cut short " + where + " (" + std::to_string(vpd.size()) +
                      " bytes could be read)");
}

size_t resourceLength(const VpdBytes& vpd, size_t at) {
    return static_cast<size_t>(vpd[at + 1]) | static_cast<size_t>(vpd[at + 2]) << 8;
}

// A keyword used for matching: the first of its name in the read-only resource.
void matchKeyword(const VpdBytes& vpd, size_t field, size_t length, const char* name,
                  std::string& value, Known& known, bool& seen, std::string& why) {
    if (seen)
        return; // a later one: the kernel takes the first
    seen = true;
    if (vpdString(vpd.at(field), length, value)) {
        known = value.empty() ? Known::none : Known::value;
        return;
    }
    known = Known::unknown;
    why += std::string(why.empty() ? "" : "; ") + "the VPD keyword " + name + " at " +
           hex(field - 3) + " is not printable text";
}

// The keywords of the read-only resource from `data` to `end`, into `reading`, walked as
// pci_vpd_find_info_keyword() does, the checksum (RV) checked. A reading of unknown instead
// when they cannot be trusted.
std::optional<VpdReading> readReadOnlyKeywords(const VpdBytes& vpd, size_t data, size_t end,
                                               VpdReading& reading) {
    bool checked = false, seenPart = false, seenSerial = false;
    for (size_t i = data; i + 3 <= end;) {
        size_t field = i + 3;
        size_t length = vpd[i + 2];
        char name[3] = {static_cast<char>(vpd[i]), static_cast<char>(vpd[i + 1]), '\0'};
        if (field + length > end) {
            if (!checked)
                return vpdUnknown("keyword at " + hex(i) + " runs past its read-only resource");
            break; // after RV: the kernel would find nothing past it either
        }
        if (!checked && std::string_view(name) == "RV") {
            if (length == 0)
                return vpdUnknown("has an empty RV keyword, so no checksum");
            uint8_t sum = 0;
            for (size_t b = 0; b <= field; ++b)
                sum = static_cast<uint8_t>(sum + vpd[b]);
            if (sum != 0)
                return vpdUnknown("has a bad checksum (RV): the bytes up to it sum to " + hex(sum) +
                                  ", not 0");
            checked = true;
        } else if (std::string_view(name) == "PN") {
            matchKeyword(vpd, field, length, "PN", reading.facts.part, reading.part, seenPart,
                         reading.why);
        } else if (std::string_view(name) == "SN") {
            matchKeyword(vpd, field, length, "SN", reading.facts.serial, reading.serial, seenSerial,
                         reading.why);
        } else if (std::string_view(name) == "EC" && reading.facts.change.empty()) {
            vpdString(vpd.at(field), length, reading.facts.change);
        } else if (std::string_view(name) == "V0" && reading.facts.vendor0.empty()) {
            vpdString(vpd.at(field), length, reading.facts.vendor0);
        }
        i = field + length;
    }
    if (!checked)
        return vpdUnknown("has no RV keyword, so no checksum");
    return std::nullopt;
}

// The Device Serial Number of the capability at `at`.
SerialNumberReading serialNumberAt(const ByteReader& config, size_t at) {
    SerialNumberReading reading;
    reading.known = Known::unknown;
    uint8_t bytes[8];
    long got = config(at + 4, bytes, 8);
    if (got < 0) {
        reading.needsRoot = refused(got);
        reading.why = "cannot read config space: " + errnoText(got);
    } else if (got < 8) {
        reading.why =
            "the Device Serial Number capability at " + hex(at) + " runs past config space";
    } else if (uint64_t serial = static_cast<uint64_t>(dword(bytes + 4)) << 32 | dword(bytes);
               serial == ~uint64_t{0}) {
        reading.why = "the Device Serial Number reads all ones: the card did not answer";
    } else if (serial == 0) {
        reading.known = Known::none;
        reading.why = "the Device Serial Number is 0, which means it was never programmed";
    } else {
        reading.known = Known::value;
        reading.value = serial;
    }
    return reading;
}

} // namespace

ByteReader memoryReader(const uint8_t* bytes, size_t size) {
    return [bytes, size](size_t offset, uint8_t* out, size_t length) -> long {
        if (offset >= size)
            return 0;
        size_t count = std::min(length, size - offset);
        std::memcpy(out, bytes + offset, count);
        return static_cast<long>(count);
    };
}

SerialNumberReading readDeviceSerialNumber(const ByteReader& config) {
    SerialNumberReading reading;
    auto unknown = [&reading](const std::string& why) {
        reading.known = Known::unknown;
        reading.why = why;
        return reading;
    };
    auto none = [&reading](const std::string& why) {
        reading.known = Known::none;
        reading.why = why;
        return reading;
    };
    uint8_t bytes[8];
    size_t at = kExtendedCapabilities;
    long got = config(at, bytes, 4);
    if (got < 0) {
        reading.needsRoot = refused(got);
        return unknown("cannot read config space: " + errnoText(got));
    }
    if (got == 0) {
        // Where config space ends tells why: 64 bytes is what the kernel shows a user without
        // CAP_SYS_ADMIN (pci_read_config()); 256 is a device without extended config space.
        uint8_t byte;
        long past64 = config(64, &byte, 1);
        if (past64 <= 0) {
            reading.needsRoot = true;
            return unknown("config space reads 64 bytes: only root reads the extended "
                           "capabilities");
        }
        return none("config space has no extended capabilities (256 bytes)");
    }
    if (got < 4)
        return unknown("config space is cut short at " + hex(at + static_cast<size_t>(got)));
    uint32_t header = dword(bytes);
    if (header == 0)
        return none("config space has no extended capabilities");
    // Each capability is at least 8 bytes long: a longer walk is a loop (the kernel's bound).
    size_t ttl = (kConfigSpaceSize - kExtendedCapabilities) / 8;
    while (ttl-- > 0) {
        if (header == 0xffffffff)
            return unknown("config space reads all ones at " + hex(at) +
                           ": the card did not answer");
        if ((header & 0xffff) == kCapabilitySerialNumber)
            return serialNumberAt(config, at);
        size_t next = header >> 20 & 0xffc;
        if (next == 0)
            return none("config space has no Device Serial Number capability");
        if (next < kExtendedCapabilities)
            return unknown("the extended capability list is broken: the one at " + hex(at) +
                           " points to " + hex(next) + ", inside the standard header");
        at = next;
        got = config(at, bytes, 4);
        if (got < 0) {
            reading.needsRoot = refused(got);
            return unknown("cannot read config space: " + errnoText(got));
        }
        if (got < 4)
            return unknown("the extended capability list is broken: it points to " + hex(at) +
                           ", past config space");
        header = dword(bytes);
        if (header == 0)
            return unknown("the extended capability list is broken: it points to " + hex(at) +
                           ", where there is none");
    }
    return unknown("the extended capability list is broken: it loops");
}

VpdReading readVpd(const ByteReader& read) {
    VpdBytes vpd(read);
    if (!vpd.need(1)) {
        if (vpd.error())
            return cutShort(vpd, "");
        return vpdNone("is empty (the kernel found none)");
    }
    if (vpd[0] != 0x82)
        return vpdUnknown("has tag " + hex(vpd[0]) +
                          " at 0x0 where the identifier string (0x82) belongs");
    if (!vpd.need(3))
        return cutShort(vpd, "inside the identifier string's header");
    size_t at = 3 + resourceLength(vpd, 0);
    if (!vpd.need(at))
        return cutShort(vpd, "inside the identifier string");
    VpdReading reading;
    reading.serial = reading.part = Known::none;
    if (!vpdString(vpd.at(3), at - 3, reading.facts.product))
        reading.why = "the VPD identifier string is not printable text (not shown)";
    // Large resources up to the read-only one (a read-write one may come first).
    for (;;) {
        if (!vpd.need(at + 1))
            return cutShort(vpd, "at " + hex(at) + ", before its read-only resource");
        uint8_t tag = vpd[at];
        if (tag == 0x78) {
            VpdReading none = vpdNone("has no read-only resource");
            none.facts.product = reading.facts.product;
            return none;
        }
        if (tag != 0x90 && tag != 0x91)
            return vpdUnknown("has tag " + hex(tag) + " at " + hex(at) +
                              " where the read-only resource (0x90) belongs");
        if (!vpd.need(at + 3))
            return cutShort(vpd, "inside the header of the resource at " + hex(at));
        size_t data = at + 3;
        size_t end = data + resourceLength(vpd, at);
        if (tag == 0x91) {
            at = end;
            continue;
        }
        if (!vpd.need(end))
            return cutShort(vpd, "inside its read-only resource, which claims " +
                                     std::to_string(end - data) + " bytes");
        // The keywords, walked as pci_vpd_find_info_keyword() does.
        if (std::optional<VpdReading> unknown = readReadOnlyKeywords(vpd, data, end, reading))
            return *unknown;
        return reading;
    }
}

std::string CardIdentity::unknownReasons() const {
    std::string reasons;
    for (const std::string* why : {&guidUnknown, &serialUnknown, &partUnknown})
        if (!why->empty() && reasons.find(*why) == std::string::npos)
            reasons += (reasons.empty() ? "" : "; ") + *why;
    return reasons;
}

std::optional<uint64_t> parseGuid(std::string_view text) {
    if (text.size() == 19)
        return groups(text, 4, ':');
    if (text.size() == 23)
        return groups(text, 2, '-');
    if (text.size() == 18 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        text.remove_prefix(2);
    uint64_t value = 0;
    if (text.size() == 16 && hexRun(text, 0, 16, value))
        return value;
    return std::nullopt;
}

std::string formatGuid(uint64_t guid) {
    char text[24];
    std::snprintf(text, sizeof text, "%04x:%04x:%04x:%04x", static_cast<unsigned>(guid >> 48),
                  static_cast<unsigned>(guid >> 32 & 0xffff),
                  static_cast<unsigned>(guid >> 16 & 0xffff), static_cast<unsigned>(guid & 0xffff));
    return text;
}

} // namespace mlx4
