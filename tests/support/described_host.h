// SPDX-License-Identifier: GPL-2.0-or-later
// The host's network as a test describes it: the seam's other side, so that the guard and the
// impact list are tested without reading the machine's own routes, addresses and processes.
#pragma once

#include "host_network.h"

#include <string>
#include <vector>

namespace mlx4::test {

class DescribedHost : public HostNetwork {
public:
    std::vector<std::string> defaultRoutes;
    std::vector<InterfaceAddress> interfaceAddresses;
    std::string sshLocal;
    std::vector<DeviceUser> users; // filtered by the devices asked for
    bool usersComplete = true;

    std::vector<std::string> defaultRouteInterfaces() override { return defaultRoutes; }
    std::vector<InterfaceAddress> addresses() override { return interfaceAddresses; }
    std::string sshLocalAddress() override { return sshLocal; }
    std::vector<DeviceUser> processesHolding(const std::vector<std::string>& devices,
                                             bool& complete) override {
        complete = usersComplete;
        std::vector<DeviceUser> found;
        for (const DeviceUser& user : users)
            for (const std::string& device : devices)
                if (user.device == device)
                    found.push_back(user);
        return found;
    }
};

} // namespace mlx4::test
