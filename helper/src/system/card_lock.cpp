// SPDX-License-Identifier: GPL-2.0-or-later
// One writer per card: udev and an admin may run apply at the same time.
#include "card_lock.h"

#include "file_io.h"
#include "log.h"
#include "text.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace mlx4 {

namespace {

// Creates the run directory if it is missing, and checks it as the configuration directory
// is checked. Empty if it can be used, else why not.
std::string checkRunDir(const std::string& runDir, uid_t trustedUser) {
    if (mkdir(runDir.c_str(), 0755) != 0 && errno != EEXIST)
        return "cannot create the lock directory " + escaped(runDir) + ": " + strerror(errno);
    struct stat st;
    if (lstat(runDir.c_str(), &st) != 0)
        return "cannot use the lock directory " + escaped(runDir) + ": " + strerror(errno);
    if (S_ISLNK(st.st_mode))
        return "the lock directory " + escaped(runDir) + " is a symbolic link; remove it";
    if (!S_ISDIR(st.st_mode))
        return "the lock directory " + escaped(runDir) + " is not a directory; remove it";
    Ownership owner = ownership(st, trustedUser);
    if (owner == Ownership::ForeignOwner)
        return "refused the lock directory " + escaped(runDir) + ": owned by uid " +
               std::to_string(st.st_uid) + ", but only root may own it (chown root " +
               escaped(runDir) + ")";
    if (owner == Ownership::WritableByOthers)
        return "refused the lock directory " + escaped(runDir) +
               ": writable by group or others, so anyone could hold a card's lock (chmod go-w " +
               escaped(runDir) + ")";
    return "";
}

// Who holds the flock() on the file open as `fd`, from /proc/locks ("1: FLOCK ADVISORY WRITE
// PID MAJ:MIN:INODE 0 EOF"), as "pid 1234 (mlx4-porttype)"; empty if it cannot be told.
std::string lockHolder(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return "";
    char id[64];
    std::snprintf(id, sizeof id, "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
                  static_cast<unsigned long>(st.st_ino));
    std::ifstream locks("/proc/locks");
    for (std::string line; std::getline(locks, line);) {
        std::istringstream fields(line);
        std::string number, kind, mode, access, pid, file;
        fields >> number >> kind;
        if (kind == "->") // a waiter, not a holder
            continue;
        fields >> mode >> access >> pid >> file;
        if (kind != "FLOCK" || file != id)
            continue;
        std::string name;
        std::getline(std::ifstream("/proc/" + pid + "/comm"), name);
        return "pid " + pid + (name.empty() ? "" : " (" + escaped(name) + ")");
    }
    return "";
}

} // namespace

std::unique_ptr<CardLock> CardLock::acquire(const std::string& runDir, const PciAddress& address,
                                            uid_t trustedUser, int waitSeconds,
                                            std::string& problem) {
    problem = checkRunDir(runDir, trustedUser);
    if (!problem.empty())
        return nullptr;
    std::string path = runDir + "/" + address.str() + ".lock";
    // O_NOFOLLOW: a planted symlink must not make root create or lock some other file.
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        int error = errno;
        problem = "cannot open the lock file " + escaped(path) + ": " + strerror(error) +
                  (error == ELOOP ? " (it is a symbolic link; remove it)" : "");
        return nullptr;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        problem = "the lock file " + escaped(path) + " is not a regular file; remove it";
        return nullptr;
    }
    // Polled rather than blocking, so that the wait has an end; a tenth of a second is nothing
    // next to a card restart.
    const long pollMs = 100;
    std::string holder;
    for (long waited = 0;; waited += pollMs) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return std::unique_ptr<CardLock>(new CardLock(fd));
        if (errno != EWOULDBLOCK && errno != EINTR) {
            problem = "cannot lock " + escaped(path) + ": " + strerror(errno);
            close(fd);
            return nullptr;
        }
        if (waited == 0) {
            holder = lockHolder(fd);
            logInfo(address.str() + ": waiting up to " + std::to_string(waitSeconds) + " s for " +
                    (holder.empty() ? "another process" : holder) +
                    ", which is changing this card");
        }
        if (waited >= waitSeconds * 1000L)
            break;
        const timespec pause{0, pollMs * 1000000L};
        nanosleep(&pause, nullptr);
    }
    std::string now = lockHolder(fd);
    close(fd);
    std::string pid = now.empty() ? "" : now.substr(4, now.find(' ', 4) - 4);
    problem = "gave up after " + std::to_string(waitSeconds) +
              " s: " + (now.empty() ? std::string("another process") : now) +
              " holds the card's lock " + escaped(path) +
              " (another run still switching the card, or stuck); see what it "
              "is doing (" +
              (pid.empty() ? std::string("fuser -v ") + escaped(path)
                           : "ps -o pid,etime,args -p " + pid) +
              "), then run the apply again";
    return nullptr;
}

CardLock::~CardLock() {
    close(fd_);
}

bool cardLockHeld(const std::string& runDir, const PciAddress& address) {
    std::string path = runDir + "/" + address.str() + ".lock";
    int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return false;
    // A shared lock is refused only while a writer holds the exclusive one; taken, it is
    // released at once by close().
    bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd);
    return held;
}

} // namespace mlx4
