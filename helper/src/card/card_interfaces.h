// SPDX-License-Identifier: GPL-2.0-or-later
// What a card's ports are as interfaces: its network devices under net/ and its InfiniBand
// device under infiniband/ (plain data; system/interfaces.h reads it from sysfs).
#pragma once

#include "card_ports.h"

#include <optional>
#include <string>
#include <vector>

namespace mlx4 {

// ARPHRD_* values of a netdev's `type`: what mlx4_en registers, and what IPoIB does.
constexpr int kNetTypeEthernet = 1;
constexpr int kNetTypeInfiniband = 32;

// One network device of the card (net/<name>/ under the PCI device): mlx4_en's Ethernet ports,
// and IPoIB's interfaces while a port runs InfiniBand.
struct NetInterface {
    std::string name;
    // The card's port, 1 or 2: dev_port + 1 (mlx4_en sets dev_port since 3.15); on kernels
    // without a dev_port file, dev_id + 1 (what mlx4_en set before). 0: not known.
    int port = 0;
    int type = 0;                    // ARPHRD_*; 0: unreadable
    std::string operstate;           // "up", "down", "lowerlayerdown", ...; empty: unreadable
    std::optional<int> speedMbps;    // nullopt: unreadable, or unknown (-1) while the link is down
    std::string macAddress;          // `address`
    std::string master;              // the bridge or bond it is a port of (`master`); empty: none
    std::string masterKind;          // "bridge", "bond" or empty (another kind, or no master)
    std::vector<std::string> uppers; // stacked on it besides its master (VLANs, macvlans):
                                     // `upper_*`; the kernel deletes VLANs with their device
    std::vector<std::string> above;  // everything that rests on it, transitively: its master,
                                     // its uppers, theirs (vmbr0 on bond0 on enp5s0), by name
};

// One port of the card's InfiniBand device (infiniband/<dev>/ports/<n>/), raw as sysfs shows it.
struct IbPortInfo {
    int port = 0;
    std::string state;     // "4: ACTIVE"; empty: unreadable
    std::string physState; // "5: LinkUp"
    std::string rate;      // "40 Gb/sec (4X QDR)"
    std::string linkLayer; // "InfiniBand" or "Ethernet" (RoCE on an Ethernet port)
};

struct CardInterfaces {
    std::vector<NetInterface> netdevs; // every netdev under the card, by name
    std::string ibDevice;              // "mlx4_0", or what rdma-core renamed it to; empty: none
    std::vector<IbPortInfo> ibPorts;   // by port number
    // The verbs character devices of the IB device ("/dev/infiniband/uverbs0"), found through
    // the card's infiniband_verbs/ directory.
    std::vector<std::string> verbsDevices;
    // Whether the modules that make the interfaces are loaded (/sys/module/<name>; a built-in
    // mlx4_en or mlx4_ib shows there too, as both have parameters).
    bool mlx4EnLoaded = false;
    bool mlx4IbLoaded = false;

    // The Ethernet netdev of `port` (not an IPoIB one); nullptr: none.
    const NetInterface* ethernetOf(int port) const;
    // The IB device's `port`; nullptr: no IB device, or it has no such port.
    const IbPortInfo* ibPortOf(int port) const;
};

// Which ports have an Ethernet netdev (by dev_port, not by name) and whether there is an
// InfiniBand device: what a restart takes away and brings back.
CardPresence presenceOf(const CardInterfaces& interfaces);

} // namespace mlx4
