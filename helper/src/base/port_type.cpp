// SPDX-License-Identifier: GPL-2.0-or-later
// Port types as the mlx4 driver prints and accepts them, and as the configuration names them.
#include "port_type.h"

namespace mlx4 {

std::optional<PortState> parsePortState(std::string_view text) {
    if (!text.empty() && text.back() == '\n')
        text.remove_suffix(1);
    // show_port_type() in the driver prints exactly one of these four.
    if (text == "ib")
        return PortState{PortType::Ib, false};
    if (text == "eth")
        return PortState{PortType::Eth, false};
    if (text == "auto (ib)")
        return PortState{PortType::Ib, true};
    if (text == "auto (eth)")
        return PortState{PortType::Eth, true};
    return std::nullopt;
}

std::string formatPortState(const PortState& state) {
    std::string active(portTypeName(state.active));
    return state.automatic ? "auto (" + active + ")" : active;
}

std::string formatPortStates(const std::vector<PortState>& states) {
    std::string list;
    for (const PortState& state : states)
        list += (list.empty() ? "" : ", ") + formatPortState(state);
    return "[" + list + "]";
}

std::string formatPortTypes(const std::vector<PortType>& types) {
    std::string list;
    for (PortType type : types)
        list += (list.empty() ? "" : ", ") + std::string(portTypeName(type));
    return "[" + list + "]";
}

std::string_view kernelWriteString(PortType type) {
    // set_port_type() compares with strcmp(), newline included.
    switch (type) {
    case PortType::Ib:
        return "ib\n";
    case PortType::Eth:
        return "eth\n";
    case PortType::Auto:
        return "auto\n";
    }
    return "";
}

std::string_view portTypeName(PortType type) {
    std::string_view written = kernelWriteString(type);
    return written.substr(0, written.size() - 1);
}

std::string_view portWantName(PortWant want) {
    switch (want) {
    case PortWant::Ib:
        return "ib";
    case PortWant::Eth:
        return "eth";
    case PortWant::Auto:
        return "auto";
    case PortWant::Keep:
        return "keep";
    }
    return "";
}

std::optional<PortWant> parsePortWant(std::string_view word) {
    for (PortWant want : {PortWant::Ib, PortWant::Eth, PortWant::Auto, PortWant::Keep})
        if (word == portWantName(want))
            return want;
    return std::nullopt;
}

PortType typeToWrite(const PortState& state) {
    return state.automatic ? PortType::Auto : state.active;
}

bool satisfies(const PortState& state, PortWant want) {
    switch (want) {
    case PortWant::Keep:
        return true;
    case PortWant::Auto:
        return state.automatic;
    case PortWant::Ib:
        return !state.automatic && state.active == PortType::Ib;
    case PortWant::Eth:
        return !state.automatic && state.active == PortType::Eth;
    }
    return false;
}

} // namespace mlx4
