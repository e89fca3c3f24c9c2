// SPDX-License-Identifier: GPL-2.0-or-later
// Names and kinds of the PCI devices the mlx4 driver binds, from mlx4_devices.def.
#include "device_table.h"

#include "text.h"

#include <cstdio>

namespace mlx4 {

namespace {

struct Model {
    unsigned device;
    DeviceKind kind;
    const char* name;
};

const Model kModels[] = {
#define MLX4_DEVICE(id, kind, name) {id, DeviceKind::kind, name},
#include "mlx4_devices.def"
#undef MLX4_DEVICE
};

const Model* findModel(unsigned device) {
    for (const Model& model : kModels)
        if (model.device == device)
            return &model;
    return nullptr;
}

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
    if (const Model* model = findModel(device))
        return model->name;
    char name[48];
    std::snprintf(name, sizeof name, "unknown mlx4 device 0x%04x", device);
    return name;
}

std::optional<DeviceKind> deviceKind(unsigned device) {
    if (const Model* model = findModel(device))
        return model->kind;
    return std::nullopt;
}

} // namespace mlx4
