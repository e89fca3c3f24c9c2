// SPDX-License-Identifier: GPL-2.0-or-later
// Writing the configuration: set.json replaced atomically, one `set` or `unset` at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace mlx4 {

// Held while one `set` or `unset` reads set.json, checks the result, writes it and applies it:
// two runs at once would otherwise each write the file without the other's entry.
class ConfigDirLock {
public:
    // Creates DIR (mode 0755) if it is missing, then waits for the exclusive flock() on it.
    // nullptr with `problem` (naming DIR and the errno) if it cannot.
    static std::unique_ptr<ConfigDirLock> acquire(const std::string& dir, std::string& problem);
    ~ConfigDirLock();
    ConfigDirLock(const ConfigDirLock&) = delete;
    ConfigDirLock& operator=(const ConfigDirLock&) = delete;

private:
    explicit ConfigDirLock(int fd) : fd_(fd) {}
    int fd_;
};

// Replaces the file at `path` with `text`, mode 0644: written to a new file in the same
// directory, synced, then renamed over `path`, so that a reader (udev, the boot unit) sees the
// old file or the new one, never a part, even after a crash. A symbolic link or anything but a
// regular file at `path` is refused, not followed. False with `problem` (naming the file and
// the errno) if nothing was replaced.
bool replaceFileAtomically(const std::string& path, std::string_view text, std::string& problem);

} // namespace mlx4
