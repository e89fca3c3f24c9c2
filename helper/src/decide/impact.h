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

// Whether the guard below is asked at all: only an admin at a terminal, never udev, a script
// or the journal, and not when told --force.
bool guardApplies(bool stdinIsTerminal, bool toSyslog, bool fromUdev, bool force);

// Why an interactive restart of the card is refused: it would cut the default route or the SSH
// session this runs in (an interface of the card, or one resting on it, carries it). The
// message names the card (`cardLabel`, as messages show it), the interface and the reason, and
// asks for --force. Empty: nothing to refuse.
std::string restartRefusal(const std::string& cardLabel, const CardInterfaces& card,
                           const HostFacts& host);

// After the switch, for each netdev that was a bridge or bond port and came back without its
// master, and each interface stacked on one (a VLAN) that is gone: what ifupdown leaves undone
// and how to do it. `before` was read before the restart, `after` once it returned.
std::vector<std::string> afterRestartNotices(const CardInterfaces& before,
                                             const CardInterfaces& after);

} // namespace mlx4
