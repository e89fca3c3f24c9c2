// SPDX-License-Identifier: GPL-2.0-or-later
// One writer per card: udev and an admin may run apply at the same time.
#include "card_lock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlx4 {

std::unique_ptr<CardLock> CardLock::acquire(const std::string& runDir, const PciAddress& address,
                                            std::string& problem) {
    if (mkdir(runDir.c_str(), 0755) != 0 && errno != EEXIST) {
        problem = "cannot create the lock directory " + runDir + ": " + strerror(errno);
        return nullptr;
    }
    std::string path = runDir + "/" + address.str() + ".lock";
    // O_NOFOLLOW: a planted symlink must not make root create or lock some other file.
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        int error = errno;
        problem = "cannot open the lock file " + path + ": " + strerror(error) +
                  (error == ELOOP ? " (it is a symbolic link; remove it)" : "");
        return nullptr;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        problem = "the lock file " + path + " is not a regular file; remove it";
        return nullptr;
    }
    int locked;
    do
        locked = flock(fd, LOCK_EX);
    while (locked != 0 && errno == EINTR);
    if (locked != 0) {
        problem = "cannot lock " + path + ": " + strerror(errno);
        close(fd);
        return nullptr;
    }
    return std::unique_ptr<CardLock>(new CardLock(fd));
}

CardLock::~CardLock() {
    close(fd_);
}

} // namespace mlx4
