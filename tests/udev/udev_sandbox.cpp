// SPDX-License-Identifier: GPL-2.0-or-later
// A private mount namespace for udevadm and systemd-udevd under test.
#include "udev_sandbox.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sched.h>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/mount.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace mlx4::test {

namespace {

// Every directory systemd-udevd 252 reads rules from (CONF_PATHS("udev/rules.d"); /lib only with
// split-usr, a symlink to /usr/lib on merged-usr Debian).
const char* const kRulesDirs[] = {"/etc/udev/rules.d", "/run/udev/rules.d",
                                  "/usr/local/lib/udev/rules.d", "/usr/lib/udev/rules.d",
                                  "/lib/udev/rules.d"};

bool inSandbox = false;

std::string errnoText(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

void mountTmpfs(const std::string& target, const char* options) {
    if (mount("tmpfs", target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
        throw std::runtime_error(errnoText("mount tmpfs on " + target));
}

void bindMount(const std::string& source, const std::string& target) {
    if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
        throw std::runtime_error(errnoText("bind mount " + source + " on " + target));
}

// Replaces /dev with a tmpfs that holds only the nodes every program may open. Nothing under test
// can reach a real device, and /dev/log is free for the test to listen on.
void mountPrivateDev() {
    const std::string staging = "/run/mlx4-test-dev"; // /run is already a private tmpfs
    fs::create_directories(staging);
    if (mount("tmpfs", staging.c_str(), "tmpfs", MS_NOSUID, "mode=0755") != 0)
        throw std::runtime_error(errnoText("mount tmpfs on " + staging));
    for (const char* name : {"null", "zero", "full", "random", "urandom"}) {
        const std::string node = std::string("/dev/") + name;
        if (!fs::exists(node))
            continue;
        writeFile(staging + "/" + name, "");
        bindMount(node, staging + "/" + name);
    }
    fs::create_directory_symlink("/proc/self/fd", staging + "/fd");
    fs::create_symlink("/proc/self/fd/0", staging + "/stdin");
    fs::create_symlink("/proc/self/fd/1", staging + "/stdout");
    fs::create_symlink("/proc/self/fd/2", staging + "/stderr");
    if (mount(staging.c_str(), "/dev", nullptr, MS_MOVE, nullptr) != 0)
        throw std::runtime_error(errnoText("move " + staging + " to /dev"));
    rmdir(staging.c_str());
}

} // namespace

void skipTest(const std::string& why) {
    std::fprintf(stderr, "SKIP: %s\n", why.c_str());
    std::fflush(nullptr);
    std::_Exit(kSkipExitCode);
}

void enterUdevSandbox() {
    if (geteuid() != 0)
        skipTest("needs root: udevd and udevadm run in a private mount namespace");
    if (unshare(CLONE_NEWNS) != 0)
        skipTest(errnoText("no private mount namespace (unshare CLONE_NEWNS)"));
    // Without this, the mounts below would propagate back to the host's namespace.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        skipTest(errnoText("cannot make / private in the new mount namespace"));
    if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
        skipTest(errnoText("cannot mount tmpfs (no CAP_SYS_ADMIN?)"));

    // Nothing under test may reach the real devices; preloaded processes read the testbed instead.
    mountTmpfs("/sys", "mode=0755");
    mountPrivateDev();

    // Hide the system's rules; each real directory is hidden once even if reached by two names.
    std::set<fs::path> hidden;
    for (const char* dir : kRulesDirs) {
        std::error_code ec;
        fs::path real = fs::canonical(dir, ec);
        if (ec || !fs::is_directory(real) || !hidden.insert(real).second)
            continue;
        mountTmpfs(real.string(), "mode=0755");
    }
    fs::create_directories("/run/udev/rules.d");
    inSandbox = true;
}

void runUnderUmockdevPreload(char** argv) {
    const std::string library = "libumockdev-preload.so.0";
    const char* preload = std::getenv("LD_PRELOAD");
    if (preload && std::strstr(preload, library.c_str()))
        return;
    std::string value = library;
    if (preload && *preload)
        value += std::string(":") + preload;
    setenv("LD_PRELOAD", value.c_str(), 1);
    execv("/proc/self/exe", argv);
    std::fprintf(stderr, "cannot re-execute with %s: %s\n", library.c_str(), std::strerror(errno));
    std::exit(1);
}

void installRule(const std::string& fileName, const std::string& text) {
    writeFile("/run/udev/rules.d/" + fileName, text);
}

void mountDirectoryAt(const std::string& source, const std::string& dir,
                      const std::string& scratchDir) {
    fs::path target(dir);
    if (!fs::exists(target)) {
        fs::path parent = target.parent_path();
        while (!fs::exists(parent))
            parent = parent.parent_path();
        // An overlay on / would hide /proc, /sys, /run and /dev of this namespace.
        if (parent == "/")
            skipTest("cannot show a test configuration at " + dir + ": no parent of it exists");
        // An overlay makes the parent writable in this namespace; the writes land in scratch.
        fs::path scratch(scratchDir);
        fs::create_directories(scratch / "upper");
        fs::create_directories(scratch / "work");
        std::string options = "lowerdir=" + parent.string() +
                              ",upperdir=" + (scratch / "upper").string() +
                              ",workdir=" + (scratch / "work").string();
        if (mount("overlay", parent.c_str(), "overlay", 0, options.c_str()) != 0)
            skipTest(
                errnoText("cannot create " + dir + " through an overlay on " + parent.string()));
        fs::create_directories(target);
    }
    bindMount(source, dir);
}

TempDir::TempDir() {
    if (!inSandbox)
        throw std::logic_error("TempDir mounts a tmpfs: create it after enterUdevSandbox()");
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/mlx4-udev-test.XXXXXX";
    if (mkdtemp(templ.data()) == nullptr)
        throw std::runtime_error(errnoText("mkdtemp " + templ));
    path_ = templ;
    mountTmpfs(path_, "mode=0755");
}

TempDir::~TempDir() {
    // Detaching the tmpfs drops its contents and every mount below it at once.
    umount2(path_.c_str(), MNT_DETACH);
    rmdir(path_.c_str());
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

} // namespace mlx4::test
