// SPDX-License-Identifier: GPL-2.0-or-later
// Names of the PCI devices the mlx4 driver binds (mlx4_pci_table in the kernel's mlx4 main.c).
#include "models.h"

#include "identity.h"

#include <cstdio>

namespace mlx4 {

namespace {

struct Model {
    unsigned device;
    const char* name;
};

const Model kModels[] = {
    {0x6340, "MT25408 ConnectX VPI SDR"},
    {0x634a, "MT25418 ConnectX VPI DDR"},
    {0x6354, "MT25428 ConnectX VPI QDR"},
    {0x6732, "MT26418 ConnectX VPI DDR"},
    {0x673c, "MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B"},
    {0x6746, "MT26438 ConnectX-2 VPI Virtualization+"},
    {0x6368, "MT25448 ConnectX EN"},
    {0x6750, "MT26448 ConnectX EN"},
    {0x6372, "MT25458 ConnectX EN 10GBASE-T"},
    {0x675a, "MT26458 ConnectX EN 10GBASE-T"},
    {0x6764, "MT26468 ConnectX EN"},
    {0x676e, "MT26478 ConnectX EN 40GigE"},
    {0x1002, "MT25400 ConnectX-2 virtual function"},
    {0x1003, "MT27500 ConnectX-3"},
    {0x1004, "MT27500 ConnectX-3 virtual function"},
    {0x1005, "MT27510 ConnectX-3"},
    {0x1006, "MT27511 ConnectX-3"},
    {0x1007, "MT27520 ConnectX-3 Pro"},
    {0x1008, "MT27521 ConnectX-3"},
    {0x1009, "MT27530 ConnectX-3"},
    {0x100a, "MT27531 ConnectX-3"},
    {0x100b, "MT27540 ConnectX-3"},
    {0x100c, "MT27541 ConnectX-3"},
    {0x100d, "MT27550 ConnectX-3"},
    {0x100e, "MT27551 ConnectX-3"},
    {0x100f, "MT27560 ConnectX-3"},
    {0x1010, "MT27561 ConnectX-3"},
};

// Part-number patterns of Ethernet-only cards. The ConnectX-3 EN cards share their PCI IDs
// (0x1003, 0x1007) with the VPI cards, so only the part number tells them apart.
struct EthernetOnlyParts {
    const char* pattern;
    const char* family;
};

const EthernetOnlyParts kEthernetOnlyParts[] = {
    // Mellanox, "ConnectX-3 Ethernet Single and Dual SFP+ Port Adapter Card User Manual"
    // (MCX311A-XCAT, MCX312A-XCBT, MCX312B-XCBT) and "... QSFP+ Port Adapter Card User
    // Manual" (MCX313A, MCX314A), 2012-2013. The VPI cards are MCX35x (MCX353A, MCX354A).
    {"MCX31*", "ConnectX-3 EN"},
    // Mellanox, "ConnectX-3 Ethernet Single and Dual SFP+ Ports Mezzanine Card User Manual for
    // Open Compute Project" (MCX341A-XCAN, MCX341A-XCBN, MCX342A-XCAN), 2013.
    {"MCX34*", "ConnectX-3 EN (OCP mezzanine)"},
    // Mellanox, ConnectX-2 EN adapter cards (MNPA19-XTR, 10GbE SFP+; MNPH29D-XTR): the EN
    // line's part numbers start MNP, the VPI line's MHQ/MHR/MHG.
    {"MNPA*", "ConnectX-2 EN"},
    {"MNPH*", "ConnectX-2 EN"},
};

} // namespace

std::string ethernetOnlyFamily(const std::string& part) {
    for (const EthernetOnlyParts& entry : kEthernetOnlyParts)
        if (!part.empty() && globMatches(entry.pattern, part))
            return entry.family;
    return {};
}

std::string modelName(unsigned device) {
    for (const Model& model : kModels)
        if (model.device == device)
            return model.name;
    char name[48];
    std::snprintf(name, sizeof name, "unknown mlx4 device 0x%04x", device);
    return name;
}

} // namespace mlx4
