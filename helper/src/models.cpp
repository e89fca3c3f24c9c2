// SPDX-License-Identifier: GPL-2.0-or-later
// Names of the PCI devices the mlx4 driver binds (mlx4_pci_table in the kernel's mlx4 main.c).
#include "models.h"

#include <cstdio>

namespace mlx4 {

namespace {

struct Model {
    unsigned device;
    const char* name;
    bool vpi;
};

const Model kModels[] = {
    {0x6340, "MT25408 ConnectX VPI SDR", true},
    {0x634a, "MT25418 ConnectX VPI DDR", true},
    {0x6354, "MT25428 ConnectX VPI QDR", true},
    {0x6732, "MT26418 ConnectX VPI DDR", true},
    {0x673c, "MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B", true},
    {0x6746, "MT26438 ConnectX-2 VPI Virtualization+", true},
    {0x6368, "MT25448 ConnectX EN", false},
    {0x6750, "MT26448 ConnectX EN", false},
    {0x6372, "MT25458 ConnectX EN 10GBASE-T", false},
    {0x675a, "MT26458 ConnectX EN 10GBASE-T", false},
    {0x6764, "MT26468 ConnectX EN", false},
    {0x676e, "MT26478 ConnectX EN 40GigE", false},
    {0x1002, "MT25400 ConnectX-2 virtual function", false},
    {0x1003, "MT27500 ConnectX-3", true},
    {0x1004, "MT27500 ConnectX-3 virtual function", false},
    {0x1005, "MT27510 ConnectX-3", true},
    {0x1006, "MT27511 ConnectX-3", true},
    {0x1007, "MT27520 ConnectX-3 Pro", true},
    {0x1008, "MT27521 ConnectX-3", true},
    {0x1009, "MT27530 ConnectX-3", true},
    {0x100a, "MT27531 ConnectX-3", true},
    {0x100b, "MT27540 ConnectX-3", true},
    {0x100c, "MT27541 ConnectX-3", true},
    {0x100d, "MT27550 ConnectX-3", true},
    {0x100e, "MT27551 ConnectX-3", true},
    {0x100f, "MT27560 ConnectX-3", true},
    {0x1010, "MT27561 ConnectX-3", true},
};

} // namespace

bool isVpiCard(unsigned device) {
    for (const Model& model : kModels)
        if (model.device == device)
            return model.vpi;
    return false;
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
