// SPDX-License-Identifier: GPL-2.0-or-later
#include "card_interfaces.h"

namespace mlx4 {

const NetInterface* CardInterfaces::ethernetOf(int port) const {
    for (const NetInterface& netdev : netdevs)
        if (netdev.port == port && netdev.type != kNetTypeInfiniband)
            return &netdev;
    return nullptr;
}

const IbPortInfo* CardInterfaces::ibPortOf(int port) const {
    for (const IbPortInfo& info : ibPorts)
        if (info.port == port)
            return &info;
    return nullptr;
}

} // namespace mlx4
