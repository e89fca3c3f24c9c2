// SPDX-License-Identifier: GPL-2.0-or-later
// PCI addresses as the kernel names devices: DDDD:BB:DD.F.
#include "address.h"

#include <cstdio>
#include <vector>

namespace mlx4 {

int hexDigit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

namespace {

// Parses a field of hex digits, `minDigits` to `maxDigits` long.
std::optional<unsigned> hexField(std::string_view text, size_t minDigits, size_t maxDigits) {
    if (text.size() < minDigits || text.size() > maxDigits)
        return std::nullopt;
    unsigned value = 0;
    for (char c : text) {
        int digit = hexDigit(c);
        if (digit < 0)
            return std::nullopt;
        value = value * 16 + static_cast<unsigned>(digit);
    }
    return value;
}

// Splits "a:b:c.d" or "b:c.d" into its fields; false if the separators are not there.
bool splitFields(std::string_view text, std::vector<std::string_view>& fields) {
    size_t dot = text.rfind('.');
    if (dot == std::string_view::npos)
        return false;
    std::string_view head = text.substr(0, dot);
    fields.clear();
    size_t start = 0;
    for (;;) {
        size_t colon = head.find(':', start);
        fields.push_back(head.substr(start, colon - start));
        if (colon == std::string_view::npos)
            break;
        start = colon + 1;
    }
    fields.push_back(text.substr(dot + 1));
    return fields.size() == 3 || fields.size() == 4;
}

// The kernel names a device "%04x:%02x:%02x.%d" with a 32-bit domain (pci_name() via
// dev_set_name() in drivers/pci/probe.c): at least 4 domain digits, at most 8. Intel VMD puts
// its devices in domains 10000 and up.
constexpr size_t kMaxDomainDigits = 8;

// strict: the kernel's field widths (4-8:2:2.1); otherwise any width that fits, for guessing.
std::optional<PciAddress> parseFields(std::string_view text, bool strict) {
    std::vector<std::string_view> fields;
    if (!splitFields(text, fields))
        return std::nullopt;
    bool hasDomain = fields.size() == 4;
    size_t i = 0;
    auto domain = hasDomain ? hexField(fields[i++], strict ? 4 : 1, kMaxDomainDigits) : 0u;
    auto bus = hexField(fields[i++], strict ? 2 : 1, 2);
    auto device = hexField(fields[i++], strict ? 2 : 1, 2);
    auto function = hexField(fields[i++], 1, 1);
    if (!domain || !bus || !device || !function || *device > 0x1f || *function > 7)
        return std::nullopt;
    // %04x pads to four digits only: "00000:05:00.0" is nobody's name.
    if (strict && hasDomain && fields[0].size() > 4 && fields[0][0] == '0')
        return std::nullopt;
    return PciAddress{*domain, *bus, *device, *function};
}

} // namespace

std::string PciAddress::str() const {
    char text[24];
    std::snprintf(text, sizeof text, "%04x:%02x:%02x.%x", domain, bus & 0xff, device & 0x1f,
                  function & 7);
    return text;
}

std::optional<PciAddress> parsePciAddress(std::string_view text) {
    return parseFields(text, true);
}

std::string guessPciAddress(std::string_view text) {
    auto address = parseFields(text, false);
    return address ? address->str() : std::string();
}

} // namespace mlx4
