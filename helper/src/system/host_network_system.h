// SPDX-License-Identifier: GPL-2.0-or-later
// The host network of the running system, behind the seam of decide/host_network.h.
#pragma once

#include "host_network.h"

#include <string>
#include <vector>

namespace mlx4 {

// The running system: /proc/net/route, /proc/net/ipv6_route, getifaddrs(), /proc/<pid>/fd and
// the environment.
class SystemHostNetwork : public HostNetwork {
public:
    std::vector<std::string> defaultRouteInterfaces() override;
    std::vector<InterfaceAddress> addresses() override;
    std::string sshLocalAddress() override;
    std::vector<DeviceUser> processesHolding(const std::vector<std::string>& devices,
                                             bool& complete) override;
};

} // namespace mlx4
