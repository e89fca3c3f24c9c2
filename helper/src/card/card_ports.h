// SPDX-License-Identifier: GPL-2.0-or-later
// The seam between the switching logic and one card's mlx4_port<N> files: sysfs in the product,
// a model of the kernel's port-type logic in the tests.
#pragma once

#include "port_type.h"

#include <string>

namespace mlx4 {

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
};

} // namespace mlx4
