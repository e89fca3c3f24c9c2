// SPDX-License-Identifier: GPL-2.0-or-later
// Port types as the mlx4 driver prints and accepts them, and as the configuration names them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlx4 {

// A type that can be written to mlx4_port<N>.
enum class PortType { Ib, Eth, Auto };

// What the configuration asks of one port: a type, or leave it as it is.
enum class PortWant { Ib, Eth, Auto, Keep };

// What mlx4_port<N> reads back: the active protocol, and whether the port is on auto-sensing.
struct PortState {
    PortType active = PortType::Ib; // Ib or Eth, never Auto
    bool automatic = false;

    bool operator==(const PortState& other) const {
        return active == other.active && automatic == other.automatic;
    }
    bool operator!=(const PortState& other) const { return !(*this == other); }
};

// Parses what the kernel prints: "ib", "eth", "auto (ib)", "auto (eth)", each with or without
// its trailing newline. Anything else is not a state we understand: nullopt.
std::optional<PortState> parsePortState(std::string_view text);

// "ib", "eth", "auto (ib)", "auto (eth)" (no newline).
std::string formatPortState(const PortState& state);

// A card's ports for messages, port 1 first: "[ib, auto (eth)]" and "[eth, auto]".
std::string formatPortStates(const std::vector<PortState>& states);
std::string formatPortTypes(const std::vector<PortType>& types);

// The exact bytes the kernel compares with strcmp(): "ib\n", "eth\n", "auto\n".
std::string_view kernelWriteString(PortType type);

// "ib", "eth", "auto".
std::string_view portTypeName(PortType type);
// "ib", "eth", "auto", "keep".
std::string_view portWantName(PortWant want);
std::optional<PortWant> parsePortWant(std::string_view word);

// The type to write so that a port ends in `state` (auto stays auto).
PortType typeToWrite(const PortState& state);

// True when a port in `state` already satisfies `want` (auto matches "auto (ib)" and "auto (eth)").
bool satisfies(const PortState& state, PortWant want);

} // namespace mlx4
