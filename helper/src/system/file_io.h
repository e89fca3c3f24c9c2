// SPDX-License-Identifier: GPL-2.0-or-later
// The small I/O chores of the system layer, each done once: reading a small file or a one-line
// attribute, and listing a directory (its handle closed by RAII).
#pragma once

#include <cstddef>
#include <dirent.h>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace mlx4 {

// sshd's rule for files and directories that decide what root does: only root (or
// `trustedUser`, the user running us) may own them, and nobody else may write them.
enum class Ownership {
    Trusted,
    ForeignOwner,     // owned by another user
    WritableByOthers, // writable by group or others
};
Ownership ownership(const struct stat& st, uid_t trustedUser);

// Reads up to `limit` bytes of a file into `content`; 0, or the errno value of the failure.
int readFile(const std::string& path, size_t limit, std::string& content);

// A one-line attribute without its trailing newline (and spaces); nullopt if it cannot be read
// (sysfs answers some, such as a down interface's speed, with an error instead of a value).
std::optional<std::string> readValue(const std::string& path);
// The same, empty when it cannot be read.
std::string readLine(const std::string& path);

// An open directory, closed when it goes.
using Directory = std::unique_ptr<DIR, int (*)(DIR*)>;
// nullptr (with errno set) if it cannot be opened.
Directory openDirectory(const std::string& path);

// The names in a directory but "." and ".." and other hidden ones, sorted; empty if it cannot
// be read.
std::vector<std::string> listDirectory(const std::string& path);

} // namespace mlx4
