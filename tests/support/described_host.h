// SPDX-License-Identifier: GPL-2.0-or-later
// The host's network as a test describes it: the seam's other side, so that the guard and the
// impact list are tested without reading the machine's own routes, addresses and processes.
#pragma once

#include "host_network.h"

#include <string>
#include <utility>
#include <vector>

namespace mlx4::test {

class DescribedHost : public HostNetwork {
public:
    std::vector<std::string> defaultRoutes;
    std::vector<InterfaceAddress> interfaceAddresses;
    std::vector<SshSession> sessions;
    // The interface the kernel would answer each client through, by client address.
    std::vector<std::pair<std::string, std::string>> replyRoutes;
    std::vector<LinkInfo> linkList;
    std::string routesProblem;     // non-empty: the default routes cannot be told
    std::vector<DeviceUser> users; // filtered by the devices asked for
    bool usersComplete = true;

    bool defaultRouteInterfaces(std::vector<std::string>& names, std::string& problem) override {
        names = defaultRoutes;
        problem = routesProblem;
        return routesProblem.empty();
    }
    std::vector<InterfaceAddress> addresses() override { return interfaceAddresses; }
    bool sshSessions(std::vector<SshSession>& found, std::string&) override {
        found = sessions;
        return true;
    }
    bool replyInterface(const SshSession& session, std::string& name,
                        std::string& problem) override {
        for (const auto& [client, interface] : replyRoutes)
            if (client == session.clientAddress) {
                name = interface;
                return true;
            }
        problem = "no route described";
        return false;
    }
    bool links(std::vector<LinkInfo>& found, std::string&) override {
        found = linkList;
        return true;
    }
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
