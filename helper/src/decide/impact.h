// SPDX-License-Identifier: GPL-2.0-or-later
// What a restart of a card takes down, whether an admin at a terminal should be stopped before
// it, and what to do afterwards (pure: works on what interfaces.h and host_network.h gathered).
#pragma once

#include "card_interfaces.h"
#include "host_network.h"

#include <string>
#include <vector>

namespace mlx4 {

// One line per interface the restart takes down, ready to print or log: every netdev of the
// card (both ports; `changingPorts` lists the ports whose type changes, the others are marked
// unchanged) with its addresses, its bridge or bond and what is stacked on it, then the IB
// device with the processes using it. IPv6 link-local addresses are left out (every interface
// has one). Never empty: a card without interfaces gets a line saying so.
std::vector<std::string> restartImpact(const CardInterfaces& card, const HostFacts& host,
                                       const std::vector<int>& changingPorts);

// Whether the guard below is asked at all: every run but udev events and --syslog runs (the
// boot unit; neither has a session to cut), unless told --force. A terminal does not matter:
// `ssh host sudo mlx4-porttype apply --all` and Ansible have none and cut as much.
bool guardApplies(bool toSyslog, bool fromUdev, bool force);

// Why restarting the card could cut the host off, one reason each: a default route (of any
// table, any nexthop) or an SSH session (anyone's: it comes in on an address of, or its replies
// leave through, an interface of the card or one resting on it, an Open vSwitch datapath over
// the card included); or what could not be looked at, since then nobody can vouch for it.
// Empty: nothing to refuse.
std::vector<std::string> guardReasons(const CardInterfaces& card, const HostFacts& host);

// The guard's verdict for the dry run, what apply without --dry-run would do: it lets the
// restart through, refuses it (with guardReasons()), is overridden by --force, or is not
// `asked` (a udev event or the boot unit).
std::string guardVerdict(const CardInterfaces& card, const HostFacts& host, bool asked, bool force);

// The refusal of a restart for guardReasons(): it names the card (`cardLabel`, as messages
// show it) and the reasons, and asks for --force. Empty: nothing to refuse.
std::string restartRefusal(const std::string& cardLabel, const CardInterfaces& card,
                           const HostFacts& host);

// After the switch, what ifupdown leaves undone and how to do it: for each netdev that was a
// bridge or bond port or carried VLANs, matched with what came back by its port (dev_port;
// `before` and `after` are both read under the card's PCI device), not by name: mlx4_en
// registers eth%d and udev renames it later, so a name may not be known yet, and then the
// notice says what to check once it is. `ethernetPortsAfter`: the ports that run Ethernet after
// the switch (a netdev of a port that left Ethernet is gone for good).
std::vector<std::string> afterRestartNotices(const CardInterfaces& before,
                                             const CardInterfaces& after,
                                             const std::vector<int>& ethernetPortsAfter);

} // namespace mlx4
