// SPDX-License-Identifier: GPL-2.0-or-later
// LD_PRELOAD library that puts the kernel model (kernel_model.*, next to it) behind a
// testbed's mlx4_port<N> files, so that the built helper, and the helper udevd runs, meet the
// driver's reactions: staging, refusals, the other port following, "auto (eth)", restarts.
//
// Stack it before umockdev's preload (and after the fault shim, if any):
//   LD_PRELOAD="fault_shim.so:kernel_shim.so:libumockdev-preload.so.0"
// It sees the paths the program asked for (/sys/...). A port file belongs to the kernel model
// when its card has a card file, $UMOCKDEV_DIR/mlx4-kernel/<address> (kernel_card.h); the files
// of any other card stay plain testbed files.
//
// A write() to such a port file is the driver's store: under an exclusive lock on the card file
// (the driver's port mutex, across processes), the shim loads the card's state, hands the bytes
// to KernelModel::writeRaw(), saves the state, and replaces each port file whose text changed
// with what show_port_type() prints now (a new file renamed over it: a reader sees the old text
// or the new one). The write returns the model's errno. Reads need no help: the files always
// hold what the driver prints. Opening for writing fails with EACCES on a card in
// multi-function mode, as for a sysfs file without a store; O_TRUNC and ftruncate() do nothing
// to a port file, as on sysfs.
// A refused write that the driver logs (mlx4_err()) adds a record to $UMOCKDEV_DIR/mlx4-kernel/kmsg
// in /dev/kmsg's format, and /dev/kmsg opened for reading is that file: the helper quotes the
// driver's line from it as from the real kernel log.
// When a write leaves the device unregistered (a switch the firmware failed), the card's
// interfaces go: its net/ and infiniband/ directories move into the card file's directory, and
// come back when a later switch registers the device again (the model does not make or remove
// interfaces for the types; tests add the ones they need).
// A test that sets a port file itself stands for a change the model did not see: where a file
// does not read what the saved state prints, the state of that port starts again from the file
// (nothing staged).
#include "kernel_card.h"
#include "preload.h"
#include "testbed.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlx4;
using namespace mlx4::test;

namespace {

constexpr int kMaxFds = 1024;

// A port file the program has open for writing; plain data, so that the table needs no constructor.
struct OpenPort {
    int port;          // 0: the fd is not a kernel-model port file
    char address[64];  // the card's directory name
    char cardDir[512]; // the card's directory in the testbed, as /proc/self/fd shows it
};

OpenPort openPorts[kMaxFds];
bool configured;

int (*realOpen)(const char*, int, ...);
int (*realOpen64)(const char*, int, ...);
ssize_t (*realRead)(int, void*, size_t);
ssize_t (*realWrite)(int, const void*, size_t);
int (*realClose)(int);
int (*realFtruncate)(int, off_t);

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "kernel_shim: %s\n", what.c_str());
    std::abort();
}

// The next library's definition of `name` (the fault shim's caller sees ours; we see
// umockdev's, then libc's).
template <typename Function> void lookUp(const char* name, Function& function) {
    preload_next("kernel_shim", name, &function, sizeof function);
}

void setup() {
    if (configured)
        return;
    configured = true;
    lookUp("open", realOpen);
    lookUp("open64", realOpen64);
    lookUp("read", realRead);
    lookUp("write", realWrite);
    lookUp("close", realClose);
    lookUp("ftruncate", realFtruncate);
}

OpenPort* entryOf(int fd) {
    return fd >= 0 && fd < kMaxFds && openPorts[fd].port ? &openPorts[fd] : nullptr;
}

// The port number if `path` names a file .../<address>/mlx4_port<N>, else 0; `address` gets
// the directory's name.
int portOfPath(const char* path, std::string& address) {
    if (!path || std::strncmp(path, "/sys/", 5) != 0)
        return 0;
    const char* name = std::strrchr(path, '/');
    if (!name || std::strncmp(name + 1, "mlx4_port", 9) != 0)
        return 0;
    const char* digits = name + 10;
    if (*digits < '1' || *digits > '9' || digits[1] != '\0')
        return 0;
    const char* start = name;
    while (start > path && start[-1] != '/')
        --start;
    address.assign(start, name);
    return *digits - '0';
}

std::string cardFile(const std::string& address) {
    const char* root = std::getenv("UMOCKDEV_DIR");
    return root && *root ? std::string(root) + "/" + kKernelCardDir + "/" + address : std::string();
}

// The kernel log the cards' refusals go to.
std::string kmsgFile() {
    const char* root = std::getenv("UMOCKDEV_DIR");
    return root && *root ? std::string(root) + "/" + kKernelCardDir + "/kmsg" : std::string();
}

// Appends what dev_err() logs for the card at `address`, as /dev/kmsg shows a record: level 3
// (KERN_ERR), its sequence number, and the device in the dictionary lines.
void logKernelLine(const std::string& address, const std::string& line) {
    std::string path = kmsgFile();
    int fd = realOpen(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    struct stat info {};
    fstat(fd, &info);
    std::string record = "3," + std::to_string(info.st_size) + ",0,-;mlx4_core " + address + ": " +
                         line + "\n SUBSYSTEM=pci\n DEVICE=+pci:" + address + "\n";
    if (realWrite(fd, record.data(), record.size()) != ssize_t(record.size()))
        std::fprintf(stderr, "kernel shim: cannot log to %s\n", path.c_str());
    realClose(fd);
}

std::string readAll(int fd) {
    std::string text;
    char buffer[4096];
    for (ssize_t got; (got = realRead(fd, buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<size_t>(got));
    return text;
}

std::string readFile(const std::string& path) {
    int fd = realOpen(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return "";
    std::string text = readAll(fd);
    realClose(fd);
    return text;
}

// Replaces `path` by a file holding `text`, with the same mode.
void storeAtomically(const std::string& path, const std::string& text) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        fail("stat " + path + ": " + std::strerror(errno));
    preload_io io{realWrite, realClose};
    if (preload_replace_file(&io, path.c_str(), text.data(), text.size(), st.st_mode) < 0)
        fail("cannot store " + path + ": " + std::strerror(errno));
}

// mlx4_unregister_device() and mlx4_register_device(): the card's interface directories go
// to, and come back from, a directory next to the card file.
void moveInterfaces(const std::string& cardDir, const std::string& cardFilePath, bool registered) {
    std::string away = cardFilePath + ".unregistered";
    if (!registered && mkdir(away.c_str(), 0755) != 0 && errno != EEXIST)
        fail("mkdir " + away + ": " + std::strerror(errno));
    for (const char* name : {"net", "infiniband", "infiniband_verbs"}) {
        std::string there = cardDir + "/" + name, hidden = away + "/" + name;
        const std::string& from = registered ? hidden : there;
        const std::string& to = registered ? there : hidden;
        if (access(from.c_str(), F_OK) == 0 && rename(from.c_str(), to.c_str()) != 0)
            fail("cannot move " + from + ": " + std::strerror(errno));
    }
}

// The state of each port: what was saved, unless its file says otherwise.
std::vector<KernelPortState> currentPorts(const KernelCard& card,
                                          const std::vector<std::string>& files) {
    std::vector<KernelPortState> ports = card.ports;
    ports.resize(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
        std::string saved;
        if (i < card.ports.size())
            KernelModel(card.variant, card.ports).readPort(int(i) + 1, saved);
        if (saved == files[i] && i < card.ports.size())
            continue;
        std::optional<PortState> state = parsePortState(files[i]);
        PortType active = state ? state->active : PortType::Ib;
        ports[i] = {active, state && state->automatic ? PortType::Auto : active, {}};
    }
    return ports;
}

// The driver's store for mlx4_port<port>: 0 or an errno value.
int kernelStore(const OpenPort& open, std::string_view bytes) {
    std::string path = cardFile(open.address);
    int lock = realOpen(path.c_str(), O_RDWR | O_CLOEXEC);
    if (lock < 0 || flock(lock, LOCK_EX) != 0)
        fail("cannot lock " + path + ": " + std::strerror(errno));
    std::string error;
    std::optional<KernelCard> card = parseKernelCard(readAll(lock), error);
    if (!card)
        fail(path + ": " + error);

    // The port files the driver created tell the number of ports (a test may add the second
    // while the card "probes").
    std::vector<std::string> paths, files;
    for (int port = 1;; ++port) {
        std::string portPath = std::string(open.cardDir) + "/mlx4_port" + std::to_string(port);
        if (access(portPath.c_str(), F_OK) != 0)
            break;
        paths.push_back(portPath);
        files.push_back(readFile(portPath));
    }
    if (paths.empty() || paths.size() > 2)
        fail(std::string(open.cardDir) + ": the kernel model runs cards with 1 or 2 ports");
    card->variant.ports = int(paths.size());
    if (card->ports.size() != paths.size())
        card->ports.clear(); // another probe: the files tell the start
    KernelModel model(card->variant, currentPorts(*card, files), card->counters);
    int result = model.writeRaw(open.port, bytes);
    if (result != 0 && !model.lastLogLine().empty())
        logKernelLine(open.address, model.lastLogLine());

    for (int port = 1; port <= card->variant.ports; ++port) {
        std::string text;
        model.readPort(port, text);
        if (text != files[size_t(port) - 1] || (port == open.port && result == 0))
            storeAtomically(paths[size_t(port) - 1], text);
    }
    if (model.registered() != card->counters.registered)
        moveInterfaces(open.cardDir, path, model.registered());
    card->ports = model.ports();
    card->counters = model.counters();
    std::string saved = formatKernelCard(*card);
    if (realFtruncate(lock, 0) != 0 ||
        pwrite(lock, saved.data(), saved.size(), 0) != ssize_t(saved.size()))
        fail("cannot save " + path + ": " + std::strerror(errno));
    realClose(lock); // releases the lock
    return result;
}

int wrapOpen(int (*next)(const char*, int, ...), const char* path, int flags, mode_t mode) {
    if (std::strcmp(path, "/dev/kmsg") == 0 && !kmsgFile().empty()) {
        // Readable, as for root, even before anything was logged.
        int fd = next(kmsgFile().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
            lseek(fd, 0, SEEK_SET);
        return fd;
    }
    // Reads need nothing: the files hold what the driver prints.
    std::string address;
    int port = (flags & O_ACCMODE) != O_RDONLY ? portOfPath(path, address) : 0;
    std::string card = port ? cardFile(address) : std::string();
    if (card.empty() || access(card.c_str(), F_OK) != 0)
        return next(path, flags, mode);

    std::string error;
    std::optional<KernelCard> parsed = parseKernelCard(readFile(card), error);
    if (!parsed)
        fail(card + ": " + error);
    // Multi-function mode: the driver creates the files without a store method.
    if (parsed->variant.readOnly) {
        errno = EACCES;
        return -1;
    }
    int fd = next(path, flags & ~O_TRUNC, mode);
    if (fd < 0 || fd >= kMaxFds)
        return fd;
    char target[512];
    if (preload_fd_path(fd, target, sizeof target) != 0 ||
        address.size() >= sizeof openPorts[fd].address)
        return fd;
    *std::strrchr(target, '/') = '\0';
    OpenPort& entry = openPorts[fd];
    entry.port = port;
    std::snprintf(entry.address, sizeof entry.address, "%s", address.c_str());
    std::snprintf(entry.cardDir, sizeof entry.cardDir, "%s", target);
    return fd;
}

mode_t modeArgument(int flags, va_list args) {
    return flags & (O_CREAT | O_TMPFILE) ? static_cast<mode_t>(va_arg(args, int)) : 0;
}

} // namespace

extern "C" {

// Whether a write to `fd` goes to the kernel model: the fault shim then leaves the store to us.
int mlx4_kernel_shim_owns(int fd);
int mlx4_kernel_shim_owns(int fd) {
    return entryOf(fd) != nullptr;
}

int open(const char* path, int flags, ...) {
    setup();
    va_list args;
    va_start(args, flags);
    mode_t mode = modeArgument(flags, args);
    va_end(args);
    return wrapOpen(realOpen, path, flags, mode);
}

int open64(const char* path, int flags, ...) {
    setup();
    va_list args;
    va_start(args, flags);
    mode_t mode = modeArgument(flags, args);
    va_end(args);
    return wrapOpen(realOpen64, path, flags, mode);
}

// What a binary built with _FORTIFY_SOURCE calls instead of open() when the flags are not a
// compile-time constant (glibc's bits/fcntl2.h), as Debian builds the helper.
int __open_2(const char* path, int flags);
int __open64_2(const char* path, int flags);

int __open_2(const char* path, int flags) {
    setup();
    return wrapOpen(realOpen, path, flags, 0);
}

int __open64_2(const char* path, int flags) {
    setup();
    return wrapOpen(realOpen64, path, flags, 0);
}

ssize_t write(int fd, const void* buffer, size_t count) {
    setup();
    const OpenPort* open = entryOf(fd);
    if (!open)
        return realWrite(fd, buffer, count);
    int error = kernelStore(*open, std::string_view(static_cast<const char*>(buffer), count));
    if (error) {
        errno = error;
        return -1;
    }
    return static_cast<ssize_t>(count);
}

int ftruncate(int fd, off_t length) {
    setup();
    if (entryOf(fd))
        return 0; // a sysfs attribute keeps its value
    return realFtruncate(fd, length);
}

int close(int fd) {
    setup();
    if (fd >= 0 && fd < kMaxFds)
        openPorts[fd].port = 0;
    return realClose(fd);
}

} // extern "C"
