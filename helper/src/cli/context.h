// SPDX-License-Identifier: GPL-2.0-or-later
// What the environment tells a run, read once at the start: where the locks and refusal records
// live, how long to wait for a lock, and the udev event the run is for.
#pragma once

#include <string>

namespace mlx4 {

struct RunContext {
    std::string runDir;  // MLX4_PORTTYPE_RUN_DIR, else the built-in run directory
    int lockWaitSeconds; // kLockWaitSeconds, or less for tests (MLX4_PORTTYPE_LOCK_WAIT)
    // The ACTION of the udev event this run is for: udevd gives a RUN program the event's
    // ACTION, DEVPATH and SUBSYSTEM in its environment. Empty when an admin runs the command.
    std::string udevAction;
    // The event carries SYNTH_UUID: written to the device's uevent file (coldplug, udevadm
    // trigger), not sent by the kernel; a synthetic bind is no new probe of the card.
    bool syntheticEvent = false;
};

RunContext readRunContext();

} // namespace mlx4
