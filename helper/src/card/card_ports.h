// SPDX-License-Identifier: GPL-2.0-or-later
// The seam between the switching logic and one card's mlx4_port<N> files: sysfs in the product,
// a model of the kernel's port-type logic in the tests.
#pragma once

#include "port_type.h"

#include <string>
#include <vector>

namespace mlx4 {

// Which of the card's interfaces exist, by port: what a restart removes and registers again.
// Matched by port, never by name: mlx4_en registers eth%d and udev renames it only later.
struct CardPresence {
    std::vector<int> netdevPorts; // ports with an Ethernet netdev (its dev_port + 1), ascending
    bool ibDevice = false;        // the card has an InfiniBand device

    bool empty() const { return netdevPorts.empty() && !ibDevice; }
    // Whether an interface of `before` is missing here.
    bool lostSince(const CardPresence& before) const;
};

class CardPorts {
public:
    virtual ~CardPorts() = default;

    // Number of mlx4_port<N> files; ports are numbered 1..portCount().
    virtual int portCount() const = 0;

    // Reads mlx4_port<port> into `text` (raw, newline included). Returns 0 or an errno value.
    virtual int readPort(int port, std::string& text) = 0;

    // Whether the file's mode lets anyone write it. The driver makes the files 0444 in
    // multi-function mode (SR-IOV, VFs); root passes access(W_OK) there, so only the mode tells.
    virtual bool isWritable(int port) = 0;

    // Writes kernelWriteString(type) to mlx4_port<port> in a single write(). Returns 0 or the
    // errno of open() or write(), which is the kernel's answer.
    virtual int writePort(int port, PortType type) = 0;

    // The card's interfaces as they are now. A switch the firmware fails can leave every type
    // as it was and the card without them (docs/kernel-behaviour.md).
    virtual CardPresence presentInterfaces() = 0;
};

inline bool CardPresence::lostSince(const CardPresence& before) const {
    for (int port : before.netdevPorts) {
        bool found = false;
        for (int now : netdevPorts)
            found |= now == port;
        if (!found)
            return true;
    }
    return before.ibDevice && !ibDevice;
}

} // namespace mlx4
