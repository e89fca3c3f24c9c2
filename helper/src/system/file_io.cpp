// SPDX-License-Identifier: GPL-2.0-or-later
#include "file_io.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace mlx4 {

Ownership ownership(const struct stat& st, uid_t trustedUser) {
    if (st.st_uid != 0 && st.st_uid != trustedUser)
        return Ownership::ForeignOwner;
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return Ownership::WritableByOthers;
    return Ownership::Trusted;
}

int readFile(const std::string& path, size_t limit, std::string& content) {
    content.clear();
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno;
    char buffer[4096];
    int error = 0;
    while (content.size() < limit) {
        ssize_t got = read(fd, buffer, std::min(sizeof buffer, limit - content.size()));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            error = errno;
        if (got <= 0)
            break;
        content.append(buffer, static_cast<size_t>(got));
    }
    close(fd);
    return error;
}

std::optional<std::string> readValue(const std::string& path) {
    std::string text;
    if (readFile(path, 256, text) != 0)
        return std::nullopt;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

std::string readLine(const std::string& path) {
    return readValue(path).value_or("");
}

Directory openDirectory(const std::string& path) {
    return Directory(opendir(path.c_str()), closedir);
}

std::vector<std::string> listDirectory(const std::string& path) {
    std::vector<std::string> names;
    Directory directory = openDirectory(path);
    if (!directory)
        return names;
    while (struct dirent* entry = readdir(directory.get()))
        if (entry->d_name[0] != '.')
            names.push_back(entry->d_name);
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace mlx4
