// SPDX-License-Identifier: GPL-2.0-or-later
// Holds back SIGTERM, SIGINT and SIGHUP while a card is being switched: dying between two port
// writes would leave the kernel's staged type behind (a later manual write is then refused) or
// the card half switched. udev may send SIGTERM at its event timeout; an admin presses Ctrl-C.
#pragma once

#include <string>

namespace mlx4 {

class DeferredSignals {
public:
    // Blocks the signals. `card` names the card for the message logged if one arrives.
    explicit DeferredSignals(std::string card);
    // Unblocks them. If one arrived meanwhile, logs that the card was finished first and then
    // ends the process by that signal, as it would have without the deferral.
    ~DeferredSignals();
    DeferredSignals(const DeferredSignals&) = delete;
    DeferredSignals& operator=(const DeferredSignals&) = delete;

private:
    std::string card_;
};

} // namespace mlx4
