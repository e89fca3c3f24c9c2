// SPDX-License-Identifier: GPL-2.0-or-later
#include "context.h"

#include "build_config.h"
#include "card_lock.h"

#include <cstdlib>

namespace mlx4 {

namespace {

std::string runDirectory() {
    const char* dir = std::getenv("MLX4_PORTTYPE_RUN_DIR");
    return dir && *dir ? dir : MLX4_DEFAULT_RUN_DIR;
}

// The bound on the lock wait: kLockWaitSeconds, or less for tests
// (MLX4_PORTTYPE_LOCK_WAIT=SECONDS; it cannot make the wait longer).
int lockWaitSeconds() {
    const char* text = std::getenv("MLX4_PORTTYPE_LOCK_WAIT");
    if (!text || !*text)
        return kLockWaitSeconds;
    char* end = nullptr;
    long seconds = std::strtol(text, &end, 10);
    return *end == '\0' && seconds >= 0 && seconds < kLockWaitSeconds ? static_cast<int>(seconds)
                                                                      : kLockWaitSeconds;
}

std::string udevAction() {
    const char* action = std::getenv("ACTION");
    if (!action || !*action || !std::getenv("DEVPATH") || !std::getenv("SUBSYSTEM"))
        return "";
    return action;
}

} // namespace

RunContext readRunContext() {
    const char* synthetic = std::getenv("SYNTH_UUID");
    return {runDirectory(), lockWaitSeconds(), udevAction(), synthetic && *synthetic};
}

} // namespace mlx4
