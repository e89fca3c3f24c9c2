// SPDX-License-Identifier: GPL-2.0-or-later
// LD_PRELOAD shim that makes chosen open/read/write calls fail or lie, and logs writes.
//
// Stack it before umockdev's preload: LD_PRELOAD="fault_shim.so:libumockdev-preload.so.0".
// It then sees the paths the program asked for (/sys/...), and passes every call it does not
// fault on to the next library (umockdev, which redirects /sys to its testbed).
//
// MLX4_FAULTS holds rules separated by ';', each OP|GLOB|ACTION[|SKIP[|TIMES]]:
//   OP      open (any open), openw (open for writing), read, write, fstat, fstatfs
//   GLOB    fnmatch(3) pattern for the path as given to open()
//   ACTION  an errno name (ENOENT, ENODEV, ENXIO, EIO, EBUSY, EACCES, EPERM, EINVAL, EOPNOTSUPP);
//           text=STRING (read: the file reads STRING, "\n" written as \n);
//           sleep=MS (write: wait, then write);
//           replace=PATH (read: after this read, overwrite the file in place with PATH's
//           content, as a concurrent editor would);
//           notsysfs (fstatfs: the file is on tmpfs, not sysfs; umockdev's preload answers
//           SYSFS_MAGIC for its testbed);
//           signal=NAME (write: after the write, the process gets SIGTERM, SIGINT or SIGHUP,
//           as from udev's event timeout or Ctrl-C between two port writes)
//   SKIP    let this many matching calls pass first (default 0), counted per process; or "w":
//           the rule holds only once the program has opened a matching path for writing (the
//           device vanishes, or starts to read garbage, just as it is written)
//   TIMES   the rule answers this many matching calls, then lets them pass (default: all)
// A write to a file under /sys that is not faulted replaces the file atomically (a new file
// renamed over it), as a sysfs store is atomic: a concurrent reader sees the old value or the
// new one; unless the kernel shim (kernel_shim.cpp), stacked after this one, owns the file: then
// the write goes on to it, and it answers as the driver. (A testbed file opened with O_TRUNC would
// read empty until the write; so would one truncated with ftruncate(), which the shim therefore
// skips for those files.) MLX4_FAULTS_LOG names a file that gets one line per write() to a path
// under /sys:
//   PID<TAB>PATH<TAB>BYTES<TAB>RESULT   (BYTES with \n escaped, RESULT "ok" or an errno name)
// The shim keeps its state in plain arrays: the helper is single-threaded.
#define _GNU_SOURCE
#include "preload.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

enum { kMaxRules = 16, kMaxFds = 1024, kTextMax = 256 };

enum Op { OpOpen, OpOpenWrite, OpRead, OpWrite, OpFstat, OpFstatfs };
enum Action { ActError, ActText, ActSleep, ActReplace, ActNotSysfs, ActSignal };

struct Rule {
    enum Op op;
    char glob[512];
    enum Action action;
    int error;
    long sleepMs;
    int signal;
    char text[kTextMax];
    char replacePath[512];
    long skip;
    long times; // 0: no limit
    long seen;
    int afterWrite; // SKIP "w": active once a matching path was opened for writing
    int armed;
};

struct FdState {
    char* path;     // as given to open(); NULL if not tracked
    int sysfsStore; // opened for writing under /sys: writes replace the file atomically
    int textServed; // a text= rule already answered a read of this fd
};

static struct Rule rules[kMaxRules];
static int ruleCount;
static int configured;
static struct FdState fds[kMaxFds];

static int (*realOpen)(const char*, int, ...);
static int (*realOpen64)(const char*, int, ...);
static ssize_t (*realRead)(int, void*, size_t);
static ssize_t (*realWrite)(int, const void*, size_t);
static int (*realClose)(int);
static int (*realFstat)(int, struct stat*);
static int (*realFstatfs)(int, struct statfs*);
static int (*realFtruncate)(int, off_t);
static int (*kernelShimOwns)(int); // NULL without the kernel shim

static const struct {
    const char* name;
    int value;
} errnoNames[] = {
    {"ENOENT", ENOENT}, {"ENODEV", ENODEV}, {"ENXIO", ENXIO},
    {"EIO", EIO},       {"EBUSY", EBUSY},   {"EACCES", EACCES},
    {"EPERM", EPERM},   {"EINVAL", EINVAL}, {"EOPNOTSUPP", EOPNOTSUPP},
};

static const char* errnoName(int value) {
    for (size_t i = 0; i < sizeof errnoNames / sizeof errnoNames[0]; ++i)
        if (errnoNames[i].value == value)
            return errnoNames[i].name;
    return "error";
}

static void fail(const char* what, const char* rule) {
    fprintf(stderr, "fault_shim: %s in rule \"%s\"\n", what, rule);
    abort();
}

// Copies `source` to `target`, turning the two characters \n into a newline.
static void unescape(char* target, size_t size, const char* source) {
    size_t n = 0;
    for (; *source && n + 1 < size; ++source) {
        if (source[0] == '\\' && source[1] == 'n') {
            target[n++] = '\n';
            ++source;
        } else {
            target[n++] = *source;
        }
    }
    target[n] = '\0';
}

static void parseRule(char* text) {
    if (ruleCount == kMaxRules)
        fail("too many rules", text);
    struct Rule* rule = &rules[ruleCount++];
    memset(rule, 0, sizeof *rule);
    char* fields[5] = {0};
    int count = 0;
    for (char *save = NULL, *field = strtok_r(text, "|", &save); field && count < 5;
         field = strtok_r(NULL, "|", &save))
        fields[count++] = field;
    if (count < 3)
        fail("need OP|GLOB|ACTION", text);
    if (strcmp(fields[0], "open") == 0)
        rule->op = OpOpen;
    else if (strcmp(fields[0], "openw") == 0)
        rule->op = OpOpenWrite;
    else if (strcmp(fields[0], "read") == 0)
        rule->op = OpRead;
    else if (strcmp(fields[0], "write") == 0)
        rule->op = OpWrite;
    else if (strcmp(fields[0], "fstat") == 0)
        rule->op = OpFstat;
    else if (strcmp(fields[0], "fstatfs") == 0)
        rule->op = OpFstatfs;
    else
        fail("unknown OP", fields[0]);
    snprintf(rule->glob, sizeof rule->glob, "%s", fields[1]);
    const char* action = fields[2];
    if (strncmp(action, "text=", 5) == 0) {
        rule->action = ActText;
        unescape(rule->text, sizeof rule->text, action + 5);
    } else if (strncmp(action, "sleep=", 6) == 0) {
        rule->action = ActSleep;
        rule->sleepMs = atol(action + 6);
    } else if (strcmp(action, "notsysfs") == 0) {
        rule->action = ActNotSysfs;
    } else if (strncmp(action, "signal=", 7) == 0) {
        rule->action = ActSignal;
        rule->signal = strcmp(action + 7, "SIGTERM") == 0  ? SIGTERM
                       : strcmp(action + 7, "SIGINT") == 0 ? SIGINT
                       : strcmp(action + 7, "SIGHUP") == 0 ? SIGHUP
                                                           : 0;
        if (rule->signal == 0)
            fail("unknown signal", action);
    } else if (strncmp(action, "replace=", 8) == 0) {
        rule->action = ActReplace;
        snprintf(rule->replacePath, sizeof rule->replacePath, "%s", action + 8);
    } else {
        rule->action = ActError;
        for (size_t i = 0; i < sizeof errnoNames / sizeof errnoNames[0]; ++i)
            if (strcmp(action, errnoNames[i].name) == 0)
                rule->error = errnoNames[i].value;
        if (rule->error == 0)
            fail("unknown ACTION", action);
    }
    rule->afterWrite = count >= 4 && strcmp(fields[3], "w") == 0;
    rule->skip = count >= 4 && !rule->afterWrite ? atol(fields[3]) : 0;
    rule->times = count == 5 ? atol(fields[4]) : 0;
}

static void lookUp(const char* name, void* function, size_t size) {
    preload_next("fault_shim", name, function, size);
}

static void setup(void) {
    if (configured)
        return;
    configured = 1;
    lookUp("open", &realOpen, sizeof realOpen);
    lookUp("open64", &realOpen64, sizeof realOpen64);
    lookUp("read", &realRead, sizeof realRead);
    lookUp("write", &realWrite, sizeof realWrite);
    lookUp("close", &realClose, sizeof realClose);
    lookUp("fstat", &realFstat, sizeof realFstat);
    lookUp("fstatfs", &realFstatfs, sizeof realFstatfs);
    lookUp("ftruncate", &realFtruncate, sizeof realFtruncate);
    void* owns = dlsym(RTLD_DEFAULT, "mlx4_kernel_shim_owns");
    memcpy(&kernelShimOwns, &owns, sizeof kernelShimOwns);
    const char* env = getenv("MLX4_FAULTS");
    if (!env || !*env)
        return;
    char* copy = strdup(env);
    for (char *save = NULL, *text = strtok_r(copy, ";", &save); text;
         text = strtok_r(NULL, ";", &save))
        parseRule(text);
    free(copy);
}

// The first rule for `op` whose pattern matches `path` and whose skip count is used up.
static struct Rule* match(enum Op op, const char* path) {
    if (!path)
        return NULL;
    for (int i = 0; i < ruleCount; ++i) {
        struct Rule* rule = &rules[i];
        if (rule->op != op || fnmatch(rule->glob, path, 0) != 0)
            continue;
        if (rule->afterWrite && !rule->armed)
            continue;
        if (rule->seen++ < rule->skip)
            continue;
        if (rule->times && rule->seen - rule->skip > rule->times)
            continue;
        return rule;
    }
    return NULL;
}

static struct FdState* stateOf(int fd) {
    return fd >= 0 && fd < kMaxFds ? &fds[fd] : NULL;
}

static void forget(int fd) {
    struct FdState* state = stateOf(fd);
    if (state) {
        free(state->path);
        memset(state, 0, sizeof *state);
    }
}

static void appendLog(const char* path, const void* buffer, size_t count, const char* result) {
    const char* logPath = getenv("MLX4_FAULTS_LOG");
    if (!logPath || !*logPath || strncmp(path, "/sys/", 5) != 0)
        return;
    char line[1024];
    int n = snprintf(line, sizeof line, "%ld\t%s\t", (long)getpid(), path);
    const char* bytes = buffer;
    for (size_t i = 0; i < count && n < (int)sizeof line - 32; ++i)
        n += bytes[i] == '\n' ? snprintf(line + n, sizeof line - (size_t)n, "\\n")
                              : snprintf(line + n, sizeof line - (size_t)n, "%c", bytes[i]);
    n += snprintf(line + n, sizeof line - (size_t)n, "\t%s\n", result);
    int fd = realOpen(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        // One write() of one short line with O_APPEND: lines of several processes never mix.
        if (realWrite(fd, line, (size_t)n) < 0)
            perror("fault_shim: log");
        realClose(fd);
    }
}

static void sleepMs(long ms) {
    struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0 && errno == EINTR) {
    }
}

// Overwrites the file open as `fd` in place (same inode) with the content of `source`.
static void replaceContent(int fd, const char* source) {
    char target[4096], buffer[65536];
    int found = preload_fd_path(fd, target, sizeof target);
    int in = realOpen(source, O_RDONLY | O_CLOEXEC);
    if (found != 0 || in < 0) {
        perror("fault_shim: replace");
        abort();
    }
    int out = realOpen(target, O_WRONLY | O_TRUNC | O_CLOEXEC);
    for (ssize_t got; out >= 0 && (got = realRead(in, buffer, sizeof buffer)) > 0;)
        if (realWrite(out, buffer, (size_t)got) != got)
            abort();
    realClose(in);
    if (out >= 0)
        realClose(out);
}

// Arms the "w" rules whose pattern matches a path being opened for writing.
static void armAfterWrite(const char* path) {
    for (int i = 0; i < ruleCount; ++i)
        if (rules[i].afterWrite && fnmatch(rules[i].glob, path, 0) == 0)
            rules[i].armed = 1;
}

// Replaces the file open as `fd` by one holding exactly `buffer`, with the same mode (see
// preload_replace_file()).
static ssize_t storeAtomically(int fd, const void* buffer, size_t count) {
    char target[4096];
    struct stat st;
    if (preload_fd_path(fd, target, sizeof target) != 0 || realFstat(fd, &st) != 0)
        return -1;
    struct preload_io io = {realWrite, realClose};
    return preload_replace_file(&io, target, buffer, count, st.st_mode);
}

static int wrapOpen(int (*next)(const char*, int, ...), const char* path, int flags, mode_t mode) {
    int writing = (flags & O_ACCMODE) != O_RDONLY;
    if (writing && path)
        armAfterWrite(path);
    struct Rule* rule = match(OpOpen, path);
    if (!rule && writing)
        rule = match(OpOpenWrite, path);
    if (rule && rule->action == ActError) {
        errno = rule->error;
        return -1;
    }
    // Writes under /sys replace the whole file when they happen (see storeAtomically), so a
    // refused write leaves the file as it was, and nothing reads it empty meanwhile.
    int sysfsStore = writing && path && strncmp(path, "/sys/", 5) == 0;
    if (sysfsStore)
        flags &= ~O_TRUNC;
    int fd = next(path, flags, mode);
    struct FdState* state = stateOf(fd);
    if (state && path) {
        forget(fd);
        state->path = strdup(path);
        state->sysfsStore = sysfsStore && !(kernelShimOwns && kernelShimOwns(fd));
    }
    return fd;
}

int open(const char* path, int flags, ...) {
    setup();
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list args;
        va_start(args, flags);
        mode = (mode_t)va_arg(args, int);
        va_end(args);
    }
    return wrapOpen(realOpen, path, flags, mode);
}

int open64(const char* path, int flags, ...) {
    setup();
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list args;
        va_start(args, flags);
        mode = (mode_t)va_arg(args, int);
        va_end(args);
    }
    return wrapOpen(realOpen64, path, flags, mode);
}

// A binary built with _FORTIFY_SOURCE, as Debian builds its packages, calls these instead of
// open() when the flags are not a compile-time constant (glibc's bits/fcntl2.h), and
// __read_chk() instead of read() when the buffer's size is known (bits/unistd.h). The shim has
// to see what the packaged helper calls, not only what a plain build calls.
int __open_2(const char* path, int flags);
int __open64_2(const char* path, int flags);
ssize_t __read_chk(int fd, void* buffer, size_t count, size_t size);

int __open_2(const char* path, int flags) {
    setup();
    return wrapOpen(realOpen, path, flags, 0);
}

int __open64_2(const char* path, int flags) {
    setup();
    return wrapOpen(realOpen64, path, flags, 0);
}

ssize_t __read_chk(int fd, void* buffer, size_t count, size_t size) {
    if (count > size)
        abort(); // what glibc's own check does: a buffer overflow, never a fault we inject
    return read(fd, buffer, count);
}

ssize_t read(int fd, void* buffer, size_t count) {
    setup();
    struct FdState* state = stateOf(fd);
    struct Rule* rule = state ? match(OpRead, state->path) : NULL;
    if (rule && rule->action == ActError) {
        errno = rule->error;
        return -1;
    }
    if (rule && rule->action == ActText) {
        if (state->textServed)
            return 0;
        state->textServed = 1;
        size_t length = strlen(rule->text);
        if (length > count)
            length = count;
        memcpy(buffer, rule->text, length);
        return (ssize_t)length;
    }
    ssize_t got = realRead(fd, buffer, count);
    if (rule && rule->action == ActReplace && got > 0)
        replaceContent(fd, rule->replacePath);
    return got;
}

ssize_t write(int fd, const void* buffer, size_t count) {
    setup();
    struct FdState* state = stateOf(fd);
    const char* path = state ? state->path : NULL;
    struct Rule* rule = path ? match(OpWrite, path) : NULL;
    if (rule && rule->action == ActSleep)
        sleepMs(rule->sleepMs);
    if (rule && rule->action == ActError) {
        appendLog(path, buffer, count, errnoName(rule->error));
        errno = rule->error;
        return -1;
    }
    ssize_t written = state && state->sysfsStore ? storeAtomically(fd, buffer, count)
                                                 : realWrite(fd, buffer, count);
    int error = errno;
    if (path)
        appendLog(path, buffer, count, written < 0 ? errnoName(error) : "ok");
    errno = error;
    if (rule && rule->action == ActSignal)
        raise(rule->signal);
    return written;
}

int fstat(int fd, struct stat* buffer) {
    setup();
    struct FdState* state = stateOf(fd);
    struct Rule* rule = state ? match(OpFstat, state->path) : NULL;
    if (rule && rule->action == ActError) {
        errno = rule->error;
        return -1;
    }
    return realFstat(fd, buffer);
}

int fstat64(int fd, struct stat64* buffer) {
    // glibc's 64-bit ABI: the same structure under another name.
    return fstat(fd, (struct stat*)buffer);
}

int fstatfs(int fd, struct statfs* buffer) {
    setup();
    struct FdState* state = stateOf(fd);
    struct Rule* rule = state ? match(OpFstatfs, state->path) : NULL;
    int result = realFstatfs(fd, buffer);
    if (result == 0 && rule && rule->action == ActNotSysfs)
        buffer->f_type = TMPFS_MAGIC;
    return result;
}

int fstatfs64(int fd, struct statfs64* buffer) {
    // glibc's 64-bit ABI: the same structure under another name.
    return fstatfs(fd, (struct statfs*)buffer);
}

int ftruncate(int fd, off_t length) {
    setup();
    struct FdState* state = stateOf(fd);
    if (state && state->sysfsStore)
        return 0; // the store replaces the whole file when it is written
    return realFtruncate(fd, length);
}

int close(int fd) {
    setup();
    forget(fd);
    return realClose(fd);
}
