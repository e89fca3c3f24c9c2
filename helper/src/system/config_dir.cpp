// SPDX-License-Identifier: GPL-2.0-or-later
// Reading the configuration directory: which files, whether they can be trusted, their bytes.
// The parsing and merging are config/config.cpp's (pure).
#include "config_dir.h"

#include "file_io.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlx4 {

namespace {

bool endsWith(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// ownership(), with the error for the configuration.
bool trusted(const struct stat& st, uid_t trustedUser, const std::string& path,
             std::vector<ConfigError>& errors) {
    Ownership owner = ownership(st, trustedUser);
    if (owner == Ownership::ForeignOwner) {
        errors.push_back({path,
                          {0, 0},
                          "refused: owned by uid " + std::to_string(st.st_uid) +
                              ", but only root may own the configuration (chown root " + path +
                              ")"});
        return false;
    }
    if (owner == Ownership::WritableByOthers) {
        errors.push_back({path,
                          {0, 0},
                          "refused: writable by group or others, so anyone could change what "
                          "root writes to the cards (chmod go-w " +
                              path + ")"});
        return false;
    }
    return true;
}

// Checks a directory; false if it is absent (nothing configured) or refused (error added).
bool usableDirectory(const std::string& dir, uid_t trustedUser, std::vector<ConfigError>& errors) {
    struct stat st;
    if (stat(dir.c_str(), &st) != 0) {
        if (errno == ENOENT)
            return false;
        errors.push_back({dir, {0, 0}, std::string("cannot open: ") + strerror(errno)});
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        errors.push_back({dir,
                          {0, 0},
                          "is not a directory; the configuration directory holds "
                          "config.json and config.d/"});
        return false;
    }
    return trusted(st, trustedUser, dir, errors);
}

// Reads a configuration file; false with an error added if it cannot be used. Without
// `trustedUser`, the owner and mode are not looked at (check --file).
bool readConfigFile(const std::string& path, std::optional<uid_t> trustedUser, std::string& text,
                    std::vector<ConfigError>& errors) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int error = errno;
        struct stat link;
        bool dangling = error == ENOENT && lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
        errors.push_back({path,
                          {0, 0},
                          std::string("cannot open: ") + strerror(error) +
                              (error == ELOOP ? " (a symbolic link loop?)"
                               : dangling     ? " (a symbolic link to a missing file)"
                                              : "")});
        return false;
    }
    // The file's type, owner and mode decide whether it is used at all: not knowing them is an
    // error like any other, never a reason to skip the file quietly.
    auto cannotStat = [&path, &errors](int error) {
        errors.push_back({path, {0, 0}, std::string("cannot stat: ") + strerror(error)});
    };
    struct stat st;
    bool ok = false;
    if (fstat(fd, &st) != 0)
        cannotStat(errno);
    else if (!S_ISREG(st.st_mode))
        errors.push_back({path, {0, 0}, "is not a regular file"});
    else
        ok = !trustedUser || trusted(st, *trustedUser, path, errors);
    text.clear();
    // Read one byte past the limit rather than trusting st_size: the file may grow meanwhile.
    char buffer[65536];
    while (ok) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            errors.push_back({path, {0, 0}, std::string("cannot read: ") + strerror(errno)});
            ok = false;
        } else if (got == 0) {
            break;
        } else {
            text.append(buffer, static_cast<size_t>(got));
            if (text.size() > kMaxConfigFileSize) {
                errors.push_back({path,
                                  {0, 0},
                                  "is larger than 1 MiB; a configuration needs a few hundred "
                                  "bytes per card"});
                ok = false;
            }
        }
    }
    // Editors and tools may rewrite the file in place while we read it; a document made of
    // the start of one version and the end of another was written by nobody.
    struct stat after;
    if (ok && fstat(fd, &after) != 0) {
        cannotStat(errno);
        ok = false;
    } else if (ok && (after.st_size != st.st_size || after.st_mtim.tv_sec != st.st_mtim.tv_sec ||
                      after.st_mtim.tv_nsec != st.st_mtim.tv_nsec ||
                      after.st_ctim.tv_sec != st.st_ctim.tv_sec ||
                      after.st_ctim.tv_nsec != st.st_ctim.tv_nsec)) {
        errors.push_back({path, {0, 0}, "changed while it was being read; run the command again"});
        ok = false;
    }
    close(fd);
    return ok;
}

// config.d/*.json in lexical order; editor backups, dpkg leftovers and hidden files are not
// configuration.
std::vector<std::string> dropInNames(const std::string& dir, std::vector<ConfigError>& errors) {
    std::vector<std::string> names;
    Directory handle = openDirectory(dir);
    if (!handle) {
        errors.push_back({dir, {0, 0}, std::string("cannot list: ") + strerror(errno)});
        return names;
    }
    while (struct dirent* entry = readdir(handle.get())) {
        std::string name = entry->d_name;
        if (name[0] != '.' && endsWith(name, ".json"))
            names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

std::vector<ConfigSource> readConfigSources(const std::string& dir, uid_t trustedUser,
                                            std::vector<ConfigError>& errors) {
    std::vector<std::string> paths;
    if (usableDirectory(dir, trustedUser, errors)) {
        // lstat, not access(): a dangling symbolic link is a configuration that cannot be
        // read (an error, as in config.d), not the absence of one.
        auto present = [](const std::string& path) {
            struct stat st;
            return lstat(path.c_str(), &st) == 0 || errno != ENOENT;
        };
        std::string main = dir + "/config.json";
        if (present(main))
            paths.push_back(main);
        std::string dropIns = dir + "/config.d";
        if (usableDirectory(dropIns, trustedUser, errors))
            for (const std::string& name : dropInNames(dropIns, errors))
                paths.push_back(dropIns + "/" + name);
        // Last: what `set` recorded comes after every file the admin wrote.
        std::string setFile = setFilePath(dir);
        if (present(setFile))
            paths.push_back(setFile);
    }
    std::vector<ConfigSource> sources;
    for (const std::string& path : paths) {
        std::string text;
        if (readConfigFile(path, trustedUser, text, errors))
            sources.push_back({path, std::move(text)});
    }
    return sources;
}

Config loadConfigDir(const std::string& dir, uid_t trustedUser, std::vector<ConfigError>& errors) {
    return buildConfig(readConfigSources(dir, trustedUser, errors), errors);
}

std::optional<ConfigFile> checkConfigFile(const std::string& path,
                                          std::vector<ConfigError>& errors) {
    std::string text;
    if (!readConfigFile(path, std::nullopt, text, errors))
        return std::nullopt;
    return parseConfigText(text, path, errors);
}

} // namespace mlx4
