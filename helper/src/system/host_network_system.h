// SPDX-License-Identifier: GPL-2.0-or-later
// The host network of the running system, behind the seam of decide/host_network.h.
#pragma once

#include "host_network.h"

#include <string>
#include <vector>

namespace mlx4 {

// The running system: rtnetlink (route_lookup.h), getifaddrs(), /proc/net/tcp{,6},
// /proc/<pid>/fd and /proc/<pid>/exe, and SSH_CONNECTION for a session that sshd's sockets do
// not show (an SSH server other than OpenSSH's).
class SystemHostNetwork : public HostNetwork {
public:
    bool defaultRouteInterfaces(std::vector<std::string>& names, std::string& problem) override;
    std::vector<InterfaceAddress> addresses() override;
    bool sshSessions(std::vector<SshSession>& sessions, std::string& problem) override;
    bool replyInterface(const SshSession& session, std::string& name,
                        std::string& problem) override;
    bool links(std::vector<LinkInfo>& links, std::string& problem) override;
    std::vector<DeviceUser> processesHolding(const std::vector<std::string>& devices,
                                             bool& complete) override;
};

} // namespace mlx4
