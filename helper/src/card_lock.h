// SPDX-License-Identifier: GPL-2.0-or-later
// One writer per card: udev and an admin may run apply at the same time.
#pragma once

#include "address.h"

#include <memory>
#include <string>

namespace mlx4 {

class CardLock {
public:
    // Waits for the exclusive lock on RUN_DIR/<address>.lock. nullptr with `problem` set if
    // the lock file cannot be used (then nothing must be written to the card).
    static std::unique_ptr<CardLock> acquire(const std::string& runDir, const PciAddress& address,
                                             std::string& problem);
    ~CardLock();
    CardLock(const CardLock&) = delete;
    CardLock& operator=(const CardLock&) = delete;

private:
    explicit CardLock(int fd) : fd_(fd) {}
    int fd_;
};

} // namespace mlx4
