// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel's own answer to "which interface does this traffic leave through", and the list
// of its interfaces with their kind, over rtnetlink (device access; libmnl stays in the .cpp).
// Asking the kernel covers what names and /proc/net/route do not show: every table of policy
// routing, every nexthop of a multipath (ECMP) route, and whatever rules pick for one flow.
#pragma once

#include "host_network.h" // LinkInfo

#include <string>
#include <vector>

namespace mlx4 {

// The interfaces every unicast default route (0.0.0.0/0 and ::/0) of every routing table
// leaves through, each nexthop of a multipath route included. False, with `problem` saying
// why, when the kernel could not be asked or a route's interface cannot be told (a nexthop
// object shown without its interface).
bool defaultRouteInterfaces(std::vector<std::string>& names, std::string& problem);

// The interface the kernel sends a TCP segment from `source`:`sourcePort` to
// `destination`:`destinationPort` through, as `ip route get` answers; "lo" for a destination on
// this host. False, with `problem`, when it cannot be told.
bool routeInterface(const std::string& destination, int destinationPort, const std::string& source,
                    int sourcePort, std::string& name, std::string& problem);

// Every interface of this network namespace.
bool listLinks(std::vector<LinkInfo>& links, std::string& problem);

} // namespace mlx4
