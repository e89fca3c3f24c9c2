// SPDX-License-Identifier: GPL-2.0-or-later
// What each port is now, as an interface: its netdev or IB device, link and speed, for
// `status` (pure: works on what interfaces.h read).
#pragma once

#include "card_interfaces.h"
#include "port_type.h"

#include <optional>
#include <string>
#include <string_view>

namespace mlx4 {

struct PortLink {
    int port = 0;
    std::optional<PortType> running; // Ib or Eth; nullopt: the port file was unreadable
    std::string netdev;              // an Ethernet port's netdev; empty: none
    std::string ibDevice;            // an InfiniBand port's IB device; empty: none
    std::optional<bool> up;          // nullopt: unknown
    // The state in the port's own words, for the LINK column: a netdev's operstate ("up",
    // "down", ...), an IB port's state ("active", "init", "down", ...); empty: unknown.
    std::string state;
    std::optional<int> speedMbps; // only while the link is up
    std::string note;             // what is missing and what to do, e.g. "mlx4_en is not loaded:
                                  // modprobe mlx4_en"; empty: nothing to say
};

// What port `port` of the card is now. `running` is the protocol mlx4_port<N> reads (Ib or
// Eth; nullopt when it could not be read: nothing is looked up then).
PortLink portLink(const CardInterfaces& card, int port, std::optional<PortType> running);

// The INTERFACE column: "enp5s0", "mlx4_0/2", or "-".
std::string interfaceColumn(const PortLink& link);
// The LINK column: "up 10 Gb/s", "active 40 Gb/s", "down", "init 40 Gb/s", or "-".
std::string linkColumn(const PortLink& link);

// "10 Gb/s", "2.5 Gb/s", "100 Mb/s".
std::string formatSpeed(int mbps);
// An IB port's rate as sysfs prints it ("40 Gb/sec (4X QDR)", "2.5 Gb/sec (1X SDR)") in Mb/s;
// nullopt for anything else.
std::optional<int> parseIbRate(std::string_view rate);

} // namespace mlx4
