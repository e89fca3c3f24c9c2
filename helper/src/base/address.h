// SPDX-License-Identifier: GPL-2.0-or-later
// PCI addresses as the kernel names devices: DDDD:BB:DD.F.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace mlx4 {

// The value of a hexadecimal digit of either case, or -1: PCI addresses and GUIDs are hex.
int hexDigit(char c);

struct PciAddress {
    unsigned domain = 0;
    unsigned bus = 0;
    unsigned device = 0;
    unsigned function = 0;

    // The kernel's spelling, "0000:05:00.0" or "10000:01:00.0": lower-case hex with the domain.
    std::string str() const;

    bool operator<(const PciAddress& o) const {
        return std::tie(domain, bus, device, function) <
               std::tie(o.domain, o.bus, o.device, o.function);
    }
    bool operator==(const PciAddress& o) const {
        return std::tie(domain, bus, device, function) ==
               std::tie(o.domain, o.bus, o.device, o.function);
    }
};

// Accepts exactly "DDDD:BB:DD.F" or "BB:DD.F" (domain 0000), hex digits in either case, device
// at most 1f and function at most 7. The domain has 4 to 8 digits, as the kernel prints a 32-bit
// domain with %04x ("10000:01:00.0" behind Intel VMD). Anything else is nullopt.
std::optional<PciAddress> parsePciAddress(std::string_view text);

// For an error message: the address the user probably meant (e.g. "0000:05:00.0" for
// "0:5:0.0"), or empty when the text does not look like an address at all.
std::string guessPciAddress(std::string_view text);

} // namespace mlx4
