// SPDX-License-Identifier: GPL-2.0-or-later
#include "ethernet_speed.h"

#include "text.h"

namespace mlx4 {

namespace {

constexpr const char* kTen = "10 Gb/s";
constexpr const char* kForty = "40 Gb/s (56 Gb/s between Mellanox switches)";

// The ConnectX and ConnectX-2 VPI device IDs: the PCI ID database names each of them "... IB
// SDR/DDR/QDR / 10GigE" (MT25408, MT25418, MT25428, MT26418, MT26428, MT26438): whatever the
// InfiniBand rate, their Ethernet is 10 Gb/s. So is every ConnectX-2 VPI part (MHQH19B,
// MHQH29B, MHRH19B, MHGH29B...).
bool isConnectX2Vpi(unsigned device) {
    switch (device) {
    case 0x6340:
    case 0x634a:
    case 0x6354:
    case 0x6732:
    case 0x673c:
    case 0x6746:
        return true;
    default:
        return false;
    }
}

struct PartSpeed {
    const char* pattern;
    const char* speed;
};

// ConnectX-3 by part number. The letter after the dash is the rate grade:
// - Mellanox, "ConnectX-3 VPI Single and Dual QSFP+ Port Adapter Card User Manual" (MCX353A,
//   MCX354A), ordering table: -QCBT QDR InfiniBand and 10 GbE, -TCBT FDR10 and 10 GbE, -FCBT
//   FDR InfiniBand and 40/56 GbE; the ConnectX-3 Pro VPI cards (MCX353A-FCCT, MCX354A-FCCT) FDR
//   and 40/56 GbE as well.
// - Mellanox, "ConnectX-3 Ethernet Single and Dual SFP+ Port Adapter Card User Manual"
//   (MCX311A-XCAT, MCX312A-XCBT, MCX312B-XCBT: 10 GbE) and "... QSFP+ Port Adapter Card User
//   Manual" (MCX313A-BCBT, MCX314A-BCBT: 40/56 GbE); the OCP mezzanine cards (MCX341A-XCAN,
//   MCX341A-XCBN, MCX342A-XCAN: 10 GbE).
const PartSpeed kPartSpeeds[] = {
    {"MCX35?A-Q*", kTen}, {"MCX35?A-T*", kTen},   {"MCX35?A-F*", kForty}, {"MCX31?A-X*", kTen},
    {"MCX31?B-X*", kTen}, {"MCX31?A-B*", kForty}, {"MCX34?A-X*", kTen},
};

} // namespace

std::string ethernetSpeed(unsigned device, const std::string& part) {
    if (isConnectX2Vpi(device))
        return kTen;
    if (part.empty())
        return {};
    for (const PartSpeed& entry : kPartSpeeds)
        if (globMatches(entry.pattern, part))
            return entry.speed;
    return {};
}

} // namespace mlx4
