// SPDX-License-Identifier: GPL-2.0-or-later
// The cards in sysfs, through libudev (the only code that uses libudev): finds PCI devices,
// reads their identity, and reads and writes their mlx4_port<N> files. interfaces.h reads
// what else sysfs says of a card; host_network_system.h reads /proc.
#pragma once

#include "card_info.h"
#include "card_ports.h"
#include "identity.h"

#include <optional>
#include <string>
#include <vector>

namespace mlx4 {

// Every PCI device of vendor 0x15b3 bound to mlx4_core, in address order. On failure of
// libudev itself, `problem` says why.
std::vector<CardInfo> findMlx4Cards(std::string& problem);

// Every PCI device of vendor 0x15b3, whatever its driver (or none), in address order.
std::vector<CardInfo> findMellanoxDevices(std::string& problem);

// The PCI device at `address`, whatever its vendor and driver; nullopt if there is none.
std::optional<CardInfo> findPciDevice(const PciAddress& address, std::string& problem);

// Whether the kernel module `name` is loaded (built in counts: /sys/module/<name> exists).
bool isModuleLoaded(const std::string& name);

// What tells one probe of the card by the driver from the next: the inode number of its
// mlx4_port1 file. The driver creates the file at every probe, and kernfs numbers new nodes
// cyclically (since 4.14, the minimum kernel), so a re-bound card has a new number. Empty if the
// file cannot be looked at.
std::string probeIdentity(const CardInfo& card);

// Reads what `needs` asks of the card's identity: config space for the Device Serial Number,
// the VPD, and the attributes of its InfiniBand device (found through the card, whatever it is
// named). Config space is read only along its extended capability chain and the VPD only up to
// the end of its read-only resource. What cannot be read stays unknown, with the reason in
// guidUnknown, serialUnknown or partUnknown; `needsRoot` is set when config space or the VPD
// were refused or cut short, as they are for users other than root.
CardIdentity readCardIdentity(const CardInfo& card, IdentityNeeds needs);

// Whether udev has processed the network interface `name` of `card` (net/<name> under the PCI
// device): its database has it, so it carries its final (predictable) name. nullopt: there is
// no such interface.
std::optional<bool> netdevInitialized(const CardInfo& card, const std::string& name);

// The port files of one card in sysfs.
class SysfsCardPorts : public CardPorts {
public:
    explicit SysfsCardPorts(const CardInfo& card) : card_(card) {}

    int portCount() const override { return card_.portCount; }
    int readPort(int port, std::string& text) override;
    bool isWritable(int port) override;
    int writePort(int port, PortType type) override;
    CardPresence presentInterfaces() override; // interfaces.cpp: read with the interfaces

private:
    std::string path(int port) const;
    int openPort(int port, int flags) const; // a file descriptor, or -errno (EXDEV: not sysfs)
    const CardInfo& card_;
};

} // namespace mlx4
