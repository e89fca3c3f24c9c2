/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the two LD_PRELOAD libraries of the tests share (see preload.h). */
#define _GNU_SOURCE
#include "preload.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void preload_next(const char* shim, const char* name, void* function, size_t size) {
    void* symbol = dlsym(RTLD_NEXT, name);
    if (!symbol || size != sizeof symbol) {
        fprintf(stderr, "%s: no next %s\n", shim, name);
        abort();
    }
    memcpy(function, &symbol, size);
}

int preload_fd_path(int fd, char* path, size_t size) {
    char procPath[64];
    snprintf(procPath, sizeof procPath, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(procPath, path, size - 1);
    if (length < 0)
        return -1;
    if ((size_t)length >= size - 1) {
        errno = ENAMETOOLONG;
        return -1;
    }
    path[length] = '\0';
    return 0;
}

ssize_t preload_replace_file(const struct preload_io* io, const char* path, const void* data,
                             size_t count, mode_t mode) {
    char temp[4200];
    const char* slash = strrchr(path, '/');
    if (!slash) {
        errno = EINVAL;
        return -1;
    }
    snprintf(temp, sizeof temp, "%.*s/.preload-store-XXXXXX", (int)(slash - path), path);
    int out = mkstemp(temp);
    if (out < 0)
        return -1;
    ssize_t written = io->write(out, data, count);
    int error = written < 0 ? errno : 0;
    int ok = written >= 0 && fchmod(out, mode & 07777) == 0;
    if (!ok && !error)
        error = errno;
    if (io->close(out) != 0 && ok) {
        ok = 0;
        error = errno;
    }
    if (ok && rename(temp, path) != 0) {
        ok = 0;
        error = errno;
    }
    if (!ok) {
        unlink(temp);
        errno = error;
        return -1;
    }
    return written;
}
