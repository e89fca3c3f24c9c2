// SPDX-License-Identifier: GPL-2.0-or-later
// Reading a card's port files through the CardPorts seam (declared in switching.h).
#include "switching.h"

#include "switching_messages.h"
#include "text.h"

#include <cerrno>

namespace mlx4 {

std::optional<PortState> readPortState(CardPorts& card, int port, std::string& problem) {
    std::string text;
    if (int error = card.readPort(port, text)) {
        problem = "cannot read port " + std::to_string(port) + ": " + errnoText(error) +
                  (error == ELOOP || error == EXDEV
                       ? " (its mlx4_port" + std::to_string(port) +
                             " is not the driver's sysfs file; refusing to use it)"
                       : "");
        return std::nullopt;
    }
    auto state = parsePortState(text);
    if (!state) {
        std::string_view shown = text;
        if (!shown.empty() && shown.back() == '\n')
            shown.remove_suffix(1);
        problem = "port " + std::to_string(port) + " reads " + quote(shown, 40) +
                  ", which is not ib, eth, auto (ib) or auto (eth)";
    }
    return state;
}

CardReading readCard(CardPorts& card, const std::vector<int>& ports) {
    CardReading reading;
    for (int port : ports) {
        PortReading read;
        read.port = port;
        read.state = readPortState(card, port, read.problem);
        read.writable = card.isWritable(port);
        reading.ports.push_back(read);
    }
    return reading;
}

CardReading readCard(CardPorts& card) {
    std::vector<int> ports;
    for (int port = 1; port <= card.portCount(); ++port)
        ports.push_back(port);
    return readCard(card, ports);
}

} // namespace mlx4
