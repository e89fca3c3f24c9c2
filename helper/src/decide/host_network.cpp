// SPDX-License-Identifier: GPL-2.0-or-later
// What the host's network looks like beyond sysfs: what the seam's answers come to.
#include "host_network.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

namespace mlx4 {

std::optional<SshSession> sshConnectionSession(std::string_view sshConnection) {
    std::istringstream fields{std::string(sshConnection)};
    std::string client, clientPort, server, serverPort, extra;
    if (!(fields >> client >> clientPort >> server >> serverPort) || (fields >> extra))
        return std::nullopt;
    auto port = [](const std::string& text) {
        return text.empty() || text.size() > 5 ||
                       text.find_first_not_of("0123456789") != std::string::npos
                   ? -1
                   : std::atoi(text.c_str());
    };
    if (port(clientPort) < 0 || port(serverPort) < 0)
        return std::nullopt;
    // sshd prints a link-local address with its scope ("fe80::1%eth0").
    return SshSession{server.substr(0, server.find('%')), port(serverPort),
                      client.substr(0, client.find('%')), port(clientPort)};
}

std::vector<OvsDatapath> ovsDatapathsAmong(const std::vector<LinkInfo>& links,
                                           const std::vector<std::string>& names) {
    std::vector<OvsDatapath> datapaths;
    for (const LinkInfo& datapath : links) {
        // The datapath and its bridges' internal ports are all of kind openvswitch; the
        // datapath is the one the others are ports of.
        bool isDatapath = datapath.kind == "openvswitch" &&
                          std::any_of(links.begin(), links.end(), [&](const LinkInfo& other) {
                              return other.master == datapath.index;
                          });
        if (!isDatapath || std::find(names.begin(), names.end(), datapath.name) == names.end())
            continue;
        std::set<int> carried{datapath.index};
        for (bool grew = true; grew;) {
            grew = false;
            for (const LinkInfo& link : links)
                if (!carried.count(link.index) &&
                    (carried.count(link.master) || carried.count(link.link))) {
                    carried.insert(link.index);
                    grew = true;
                }
        }
        OvsDatapath found{datapath.name, {}};
        for (const LinkInfo& link : links)
            if (link.index != datapath.index && carried.count(link.index))
                found.carries.push_back(link.name);
        datapaths.push_back(found);
    }
    return datapaths;
}

HostFacts gatherHostFacts(HostNetwork& host, const CardInterfaces& card) {
    HostFacts facts;
    std::string problem;
    if (!host.defaultRouteInterfaces(facts.defaultRouteInterfaces, problem))
        facts.unseen.push_back("the default routes: " + problem);
    facts.addresses = host.addresses();
    std::vector<SshSession> sessions;
    if (!host.sshSessions(sessions, problem))
        facts.unseen.push_back("the SSH sessions: " + problem);
    for (const SshSession& session : sessions) {
        RoutedSshSession routed{session, {}};
        if (!host.replyInterface(session, routed.replyInterface, problem))
            facts.unseen.push_back("the route to SSH client " + session.clientAddress + ": " +
                                   problem);
        facts.sshSessions.push_back(routed);
    }
    // Whatever the card's netdevs are ports of, or rest on, may be an OVS datapath.
    std::vector<std::string> names;
    for (const NetInterface& netdev : card.netdevs) {
        names.push_back(netdev.name);
        names.insert(names.end(), netdev.above.begin(), netdev.above.end());
    }
    std::vector<LinkInfo> links;
    if (!host.links(links, problem))
        facts.unseen.push_back("the interfaces' kinds (Open vSwitch): " + problem);
    facts.ovsDatapaths = ovsDatapathsAmong(links, names);
    facts.verbsUsers = host.processesHolding(card.verbsDevices, facts.verbsUsersComplete);
    return facts;
}

} // namespace mlx4
