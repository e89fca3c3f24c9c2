// SPDX-License-Identifier: GPL-2.0-or-later
// What a switch says when the kernel does not reach the target: the texts of switching.cpp, and
// the facts about one round of writes they are made from. Internal to the decide layer.
#pragma once

#include "port_type.h"

#include <string>
#include <vector>

namespace mlx4 {

struct WriteRound {
    std::vector<int> errors;  // per port written, 0 = accepted
    int failedPort = 0;       // first port with an error other than a refusal, 0 if none
    int switchFailedPort = 0; // an error after which a running type moved or interfaces went
};

// strerror() with the errno's name: "Invalid argument (EINVAL)".
std::string errnoText(int error);
// Whether `types` has both ib and eth; whether it asks auto of a port.
bool mixesProtocols(const std::vector<PortType>& types);
bool asksAuto(const std::vector<PortType>& types);

// Why the kernel did not reach `targets`, in words an admin can act on.
std::string explainFailure(const WriteRound& round, const std::vector<PortType>& targets);
// The firmware failed a switch: what moved, what it means. (How to recover is the caller's.)
std::string explainSwitchFailure(const std::vector<PortState>& was,
                                 const std::vector<PortState>& now, const WriteRound& round);
// Said of a refused attempt when the card had no interface whose loss would have shown a
// failed switch.
extern const char kInterfacesUnchecked[];

} // namespace mlx4
