// SPDX-License-Identifier: GPL-2.0-or-later
#include "card_interfaces.h"

#include <algorithm>

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

CardPresence presenceOf(const CardInterfaces& interfaces) {
    CardPresence presence;
    for (const NetInterface& netdev : interfaces.netdevs)
        if (netdev.port > 0 && netdev.type != kNetTypeInfiniband &&
            std::find(presence.netdevPorts.begin(), presence.netdevPorts.end(), netdev.port) ==
                presence.netdevPorts.end())
            presence.netdevPorts.push_back(netdev.port);
    std::sort(presence.netdevPorts.begin(), presence.netdevPorts.end());
    presence.ibDevice = !interfaces.ibDevice.empty();
    return presence;
}

} // namespace mlx4
