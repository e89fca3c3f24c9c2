// SPDX-License-Identifier: GPL-2.0-or-later
// Writing the configuration: set.json replaced atomically, one `set` or `unset` at a time.
#include "config_write.h"

#include "text.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlx4 {

namespace {

std::string errnoText(int error) {
    return strerror(error);
}

// write() until all of `text` is written.
bool writeAll(int fd, std::string_view text) {
    while (!text.empty()) {
        ssize_t done = write(fd, text.data(), text.size());
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return false;
        text.remove_prefix(static_cast<size_t>(done));
    }
    return true;
}

} // namespace

std::unique_ptr<ConfigDirLock> ConfigDirLock::acquire(const std::string& dir,
                                                      std::string& problem) {
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        problem =
            "cannot create the configuration directory " + escaped(dir) + ": " + errnoText(errno);
        return nullptr;
    }
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        problem =
            "cannot open the configuration directory " + escaped(dir) + ": " + errnoText(errno);
        return nullptr;
    }
    int result;
    do
        result = flock(fd, LOCK_EX);
    while (result != 0 && errno == EINTR);
    if (result != 0) {
        problem =
            "cannot lock the configuration directory " + escaped(dir) + ": " + errnoText(errno);
        close(fd);
        return nullptr;
    }
    return std::unique_ptr<ConfigDirLock>(new ConfigDirLock(fd));
}

ConfigDirLock::~ConfigDirLock() {
    close(fd_); // releases the lock
}

bool replaceFileAtomically(const std::string& path, std::string_view text, std::string& problem) {
    struct stat st;
    if (lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            problem = escaped(path) +
                      " is a symbolic link; it is written only as a file of its "
                      "own, so remove the link (rm " +
                      escaped(path) + ") and run the command again";
            return false;
        }
        if (!S_ISREG(st.st_mode)) {
            problem = escaped(path) + " is not a regular file; remove it and run the command again";
            return false;
        }
    } else if (errno != ENOENT) {
        problem = "cannot look at " + escaped(path) + ": " + errnoText(errno);
        return false;
    }
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    // Hidden, and not *.json: no reader takes the half-written file for configuration.
    std::string temporary = dir + (slash == std::string::npos ? "/" : "") + "." + name + ".XXXXXX";
    int fd = mkostemp(temporary.data(), O_CLOEXEC);
    if (fd < 0) {
        problem = "cannot create a file in " + escaped(dir) + " to write " + escaped(path) + ": " +
                  errnoText(errno);
        return false;
    }
    auto fail = [&](const std::string& what) {
        int error = errno;
        if (fd >= 0)
            close(fd);
        unlink(temporary.c_str());
        problem = what + ": " + errnoText(error) + "; " + escaped(path) + " was not changed";
        return false;
    };
    if (!writeAll(fd, text))
        return fail("cannot write " + escaped(temporary));
    if (fchmod(fd, 0644) != 0)
        return fail("cannot set the mode of " + escaped(temporary));
    if (fsync(fd) != 0)
        return fail("cannot sync " + escaped(temporary));
    int closed = close(fd);
    fd = -1;
    if (closed != 0)
        return fail("cannot write " + escaped(temporary));
    if (rename(temporary.c_str(), path.c_str()) != 0)
        return fail("cannot rename " + escaped(temporary) + " to " + escaped(path));
    // The rename itself reaches the disk with the directory.
    int dirFd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0 || fsync(dirFd) != 0) {
        int error = errno;
        if (dirFd >= 0)
            close(dirFd);
        problem = escaped(path) +
                  " was replaced, but its directory could not be synced: " + errnoText(error);
        return false;
    }
    close(dirFd);
    return true;
}

} // namespace mlx4
