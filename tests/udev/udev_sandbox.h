// SPDX-License-Identifier: GPL-2.0-or-later
// A private mount namespace in which udev tools see only the rules a test gives them, a /run of
// their own and no real sysfs, so that they can run as root next to the system's udev.
#pragma once

#include <string>

namespace mlx4::test {

// ctest's SKIP_RETURN_CODE for the udev tests.
constexpr int kSkipExitCode = 77;

// Prints why and exits with kSkipExitCode: the test cannot run here, which is not a pass.
[[noreturn]] void skipTest(const std::string& why);

// Moves this process into a private mount namespace and, inside it only: mounts an empty tmpfs on
// /run (udevd's control socket, database and queue), on /sys (a process that misses the umockdev
// preload sees no real device) and on every udev rules directory, replaces /dev with null, zero,
// full, random and urandom (so /dev/log is the test's to listen on), and creates
// /run/udev/rules.d for installRule(). Skips the test if not root or namespaces are not available.
// Call before any thread exists: unshare(CLONE_NEWNS) refuses multi-threaded processes.
void enterUdevSandbox();

// Testbed::uevent() looks the device up with libudev in the calling process, so that process must
// see the testbed as /sys too: re-executes the program with the umockdev preload library unless it
// already runs with it. Call first thing in main().
void runUnderUmockdevPreload(char** argv);

// Puts a rules file into /run/udev/rules.d, the only rules directory left.
void installRule(const std::string& fileName, const std::string& text);

// Shows the directory `source` at `dir` (absolute), in this mount namespace only: how a test puts
// its configuration where the helper looks by default. If `dir` does not exist, its nearest
// existing parent gets an overlay whose writable layer is `scratch` (on tmpfs), so that nothing is
// created on the real file system.
void mountDirectoryAt(const std::string& source, const std::string& dir,
                      const std::string& scratch);

// A fresh directory under $TMPDIR (or /tmp) with a tmpfs on it, so that whatever a test mounts
// below it goes away with it. Only inside enterUdevSandbox().
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& text);

} // namespace mlx4::test
