// SPDX-License-Identifier: GPL-2.0-or-later
// One writer per card: udev and an admin may run apply at the same time.
#pragma once

#include "address.h"

#include <memory>
#include <string>
#include <sys/types.h>

namespace mlx4 {

// How long apply waits for another run to finish with a card. udev kills a RUN program after
// its event timeout (180 s by default); a switch itself blocks in write() until the card has
// restarted, usually a second but sometimes much longer. Waiting at most half the timeout
// leaves the other half for our own switch, and a holder stuck for 90 s is stuck.
constexpr int kLockWaitSeconds = 90;

class CardLock {
public:
    // Waits up to `waitSeconds` for the exclusive lock on RUN_DIR/<address>.lock. nullptr with
    // `problem` set if the directory is not trustworthy, the lock file cannot be used, or
    // another process still holds it (then nothing must be written to the card). The run
    // directory follows the configuration's rules: a directory, not a symbolic link, owned by
    // root or `trustedUser`, writable by nobody else; otherwise anyone could hold every lock.
    static std::unique_ptr<CardLock> acquire(const std::string& runDir, const PciAddress& address,
                                             uid_t trustedUser, int waitSeconds,
                                             std::string& problem);
    ~CardLock();
    CardLock(const CardLock&) = delete;
    CardLock& operator=(const CardLock&) = delete;

private:
    explicit CardLock(int fd) : fd_(fd) {}
    int fd_;
};

// Whether another process holds the card's lock now (the udev rule's run switching it). False
// when there is no lock file or it cannot be opened: nobody can hold it then.
bool cardLockHeld(const std::string& runDir, const PciAddress& address);

} // namespace mlx4
