/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the two LD_PRELOAD libraries of the tests (tests/faults/fault_shim.c and
 * tests/kernel/kernel_shim.cpp) both need: the next library's definition of a function, the
 * path behind a file descriptor, and a sysfs store's atomic replacement of a testbed file. */
#ifndef MLX4_TESTS_PRELOAD_H
#define MLX4_TESTS_PRELOAD_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The next library's `name` (umockdev's, then libc's), copied into the function pointer at
 * `function` (`size` bytes: ISO C has no cast from dlsym()'s object pointer to a function
 * pointer; copying the bytes is POSIX's way). Aborts, naming `shim`, if there is none. */
void preload_next(const char* shim, const char* name, void* function, size_t size);

/* The path `fd` is open as (readlink of /proc/self/fd/FD) into `path`: 0, or -1 with errno. */
int preload_fd_path(int fd, char* path, size_t size);

/* The functions of the next library a store uses, so that the shims' own wrappers are not
 * entered again. */
struct preload_io {
    ssize_t (*write)(int, const void*, size_t);
    int (*close)(int);
};

/* Replaces the file `path` by one holding exactly `count` bytes of `data`, with mode `mode`: a
 * new file in the same directory renamed over it, as a sysfs store is atomic (a reader sees the
 * old text or the new). Returns the bytes written, or -1 with errno. */
ssize_t preload_replace_file(const struct preload_io* io, const char* path, const void* data,
                             size_t count, mode_t mode);

#ifdef __cplusplus
}
#endif

#endif
