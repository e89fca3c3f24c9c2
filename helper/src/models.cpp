// SPDX-License-Identifier: GPL-2.0-or-later
// Names and kinds of the PCI devices the mlx4 driver binds, from mlx4_devices.def.
#include "models.h"

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

} // namespace

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
