// SPDX-License-Identifier: GPL-2.0-or-later
// What identifies a card beyond its slot, parsed from raw bytes (pure: no device access).
#include "identity.h"

#include "address.h"

#include <cctype>
#include <cstdio>
#include <vector>

namespace mlx4 {

namespace {

constexpr size_t kExtendedCapabilities = 0x100; // PCI_CFG_SPACE_SIZE
constexpr unsigned kCapabilitySerialNumber = 0x0003;

uint32_t dword(const uint8_t* bytes) {
    // Config space is little-endian whatever the CPU.
    return static_cast<uint32_t>(bytes[0]) | static_cast<uint32_t>(bytes[1]) << 8 |
           static_cast<uint32_t>(bytes[2]) << 16 | static_cast<uint32_t>(bytes[3]) << 24;
}

std::string hex(size_t value) {
    char text[16];
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
        if (bytes[i] < 0x20 || bytes[i] > 0x7e)
            return false;
        out += static_cast<char>(bytes[i]);
    }
    return true;
}

class VpdReader {
public:
    VpdReader(const uint8_t* vpd, size_t size, std::string& problem)
        : vpd_(vpd), size_(size), problem_(problem) {}

    // A large resource with tag `tag` at the cursor: its data's offset and length.
    bool largeResource(uint8_t tag, const char* what, size_t& data, size_t& length) {
        if (at_ >= size_)
            return fail(std::string("ends before the ") + what);
        if (vpd_[at_] != tag)
            return fail("has tag " + hex(vpd_[at_]) + " at " + hex(at_) + " where the " + what +
                        " (" + hex(tag) + ") belongs");
        if (at_ + 3 > size_)
            return fail(std::string("ends inside the header of the ") + what);
        length = static_cast<size_t>(vpd_[at_ + 1]) | static_cast<size_t>(vpd_[at_ + 2]) << 8;
        data = at_ + 3;
        if (data + length > size_)
            return fail(std::string("is cut short: the ") + what + " claims " +
                        std::to_string(length) + " bytes, " + std::to_string(size_ - data) +
                        " are there");
        at_ = data + length;
        return true;
    }

    bool readOnlyKeywords(size_t data, size_t length, VpdFacts& facts) {
        size_t end = data + length;
        for (size_t at = data; at < end;) {
            if (at + 3 > end)
                return fail("has a keyword header cut short at " + hex(at));
            std::string keyword{static_cast<char>(vpd_[at]), static_cast<char>(vpd_[at + 1])};
            size_t fieldLength = vpd_[at + 2];
            size_t field = at + 3;
            if (field + fieldLength > end)
                return fail("has keyword " + printable(keyword) + " running past its resource");
            if (keyword == "RV") {
                if (fieldLength < 1)
                    return fail("has an empty RV keyword, so no checksum");
                uint8_t sum = 0;
                for (size_t i = 0; i <= field; ++i)
                    sum = static_cast<uint8_t>(sum + vpd_[i]);
                if (sum != 0)
                    return fail("has a bad checksum (RV): the bytes up to it sum to " + hex(sum) +
                                ", not 0");
                // RV closes the read-only resource; its remaining bytes are reserved.
                if (field + fieldLength != end)
                    return fail("has keywords after RV in its read-only resource");
                return true;
            }
            std::string* target = keyword == "PN"   ? &facts.part
                                  : keyword == "EC" ? &facts.change
                                  : keyword == "SN" ? &facts.serial
                                  : keyword == "V0" ? &facts.vendor0
                                                    : nullptr;
            if (target && !vpdString(vpd_ + field, fieldLength, *target))
                return fail("has keyword " + keyword + " that is not printable text");
            at = field + fieldLength;
        }
        return fail("has no RV keyword, so no checksum");
    }

    bool parse(VpdFacts& facts) {
        size_t data = 0, length = 0;
        if (!largeResource(0x82, "identifier string", data, length))
            return false;
        if (!vpdString(vpd_ + data, length, facts.product))
            return fail("has an identifier string that is not printable text");
        if (!largeResource(0x90, "read-only resource", data, length) ||
            !readOnlyKeywords(data, length, facts))
            return false;
        if (at_ < size_ && vpd_[at_] == 0x91 &&
            !largeResource(0x91, "read-write resource", data, length))
            return false;
        if (at_ >= size_)
            return fail("ends without an end tag");
        if (vpd_[at_] != 0x78)
            return fail("has tag " + hex(vpd_[at_]) + " at " + hex(at_) +
                        " where the end tag (0x78) belongs");
        return true;
    }

private:
    bool fail(const std::string& what) {
        problem_ = "the VPD " + what;
        return false;
    }
    static std::string printable(const std::string& keyword) {
        std::string shown;
        for (char c : keyword)
            shown += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
        return shown;
    }

    const uint8_t* vpd_;
    size_t size_;
    size_t at_ = 0;
    std::string& problem_;
};

} // namespace

std::optional<uint64_t> parseDeviceSerialNumber(const uint8_t* config, size_t size,
                                                std::string& problem) {
    if (size < kExtendedCapabilities + 4) {
        problem = "config space has " + std::to_string(size) +
                  " bytes, so no extended capabilities (only root reads past 64 bytes)";
        return std::nullopt;
    }
    // Each capability is at least 8 bytes long: a longer walk is a loop (the kernel's bound).
    size_t ttl = (size - kExtendedCapabilities) / 8;
    size_t at = kExtendedCapabilities;
    while (ttl-- > 0) {
        if (at + 4 > size) {
            problem = "an extended capability at " + hex(at) + " lies past config space";
            return std::nullopt;
        }
        uint32_t header = dword(config + at);
        if (header == 0 || header == 0xffffffff)
            break; // no (more) extended capabilities
        if ((header & 0xffff) == kCapabilitySerialNumber) {
            if (at + 12 > size) {
                problem =
                    "the Device Serial Number capability at " + hex(at) + " runs past config space";
                return std::nullopt;
            }
            uint64_t serial =
                static_cast<uint64_t>(dword(config + at + 8)) << 32 | dword(config + at + 4);
            if (serial == 0 || serial == ~uint64_t{0}) {
                problem = "the Device Serial Number is " + formatGuid(serial) +
                          ", which means it was never programmed";
                return std::nullopt;
            }
            return serial;
        }
        size_t next = header >> 20 & 0xffc;
        if (next < kExtendedCapabilities)
            break;
        at = next;
    }
    problem = "config space has no Device Serial Number capability";
    return std::nullopt;
}

std::optional<VpdFacts> parseVpd(const uint8_t* vpd, size_t size, std::string& problem) {
    VpdFacts facts;
    if (size == 0) {
        problem = "the VPD is empty";
        return std::nullopt;
    }
    if (!VpdReader(vpd, size, problem).parse(facts))
        return std::nullopt;
    return facts;
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
