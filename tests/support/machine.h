// SPDX-License-Identifier: GPL-2.0-or-later
// A simulated machine for the tests of the built helper: a umockdev testbed with cards, a
// configuration and lock directory of its own, and the helper run against them under the
// kernel model's and the fault shim's preload libraries.
#pragma once

#include "kernel_card.h"
#include "test_text.h"
#include "testbed.h"

#include <string>
#include <utility>
#include <vector>

namespace mlx4::test {

// One write() the fault shim saw going to a file under /sys.
struct LoggedWrite {
    long pid = 0;
    std::string path;   // as the helper named it: /sys/devices/pci0000:00/<address>/mlx4_port<N>
    std::string bytes;  // with the newline written as \n
    std::string result; // "ok" or an errno name
};

class Machine {
public:
    Machine();
    ~Machine();
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    // Writes DIR/etc/name (name may be "config.d/x.json"), creating the directories.
    void config(const std::string& text, const std::string& name = "config.json");

    // Runs the helper (MLX4_PORTTYPE_BINARY) with --config-dir, under
    // LD_PRELOAD="fault shim:kernel shim:umockdev-preload", with MLX4_FAULTS=faults (none: the
    // fault shim only logs writes) and this machine's lock directory. Killed after 60 s
    // (status 128+SIGALRM).
    RunResult run(std::vector<std::string> args, const std::string& faults = "");

    // Starts what run() runs, without waiting: for tests that run several at once.
    StartedProgram start(std::vector<std::string> args, const std::string& faults = "");

    // Writes DIR/helper, a shell script that runs the helper as run() does (the preload
    // libraries, the testbed, this machine's directories and extraEnvironment) with the
    // script's own arguments, and returns its path: for runs that do not start from this
    // process, such as through ssh and sudo, whose env_reset drops the variables.
    std::string helperScript(const std::string& faults = "") const;

    std::vector<LoggedWrite> writes() const; // every write logged so far
    std::vector<LoggedWrite> writesTo(const std::string& address) const;
    void clearWrites();

    // Sets the port file's time far in the past, so that any write shows as a new mtime.
    void markUnwritten(const std::string& address, int port);
    bool written(const std::string& address, int port);

    // "eth,ib": what the card's two port files hold, without their newlines.
    std::string ports(const std::string& address) const;

    // What the kernel model keeps for a card added with a kernel: its ports' driver state
    // (empty before the first write) and what writes cost (restarts, firmware failures).
    KernelCard kernel(const std::string& address) const;

    // "/sys/devices/pci0000:00/<address>/<file>", as the helper and the shims name it.
    static std::string sysFile(const std::string& address, const std::string& file);

    Testbed bed;
    std::string dir;       // scratch directory, removed at the end
    std::string configDir; // DIR/etc
    std::string runDir;    // DIR/run, given as MLX4_PORTTYPE_RUN_DIR
    std::string writeLog;  // DIR/writes.log
    // Run the helper with a terminal (a pseudo-terminal) as its stdin, as an admin types it.
    bool atTerminal = false;
    // More NAME=VALUE variables for the helper, e.g. the ACTION, DEVPATH and SUBSYSTEM udevd
    // gives a RUN program.
    std::vector<std::string> extraEnvironment;
    // A program and its arguments the helper is started through (it ends with exec "$@"), e.g.
    // to run it in a private mount namespace; empty: none.
    std::vector<std::string> launcher;

private:
    // Fails the test if the output of status --json or apply --json does not match its schema.
    void checkSchema(const std::vector<std::string>& args, const RunResult& result) const;
    std::vector<std::string> argv(std::vector<std::string> args) const;
    std::vector<std::string> environment(const std::string& faults) const;
};

// The cards most tests put on a machine.
inline const char* const kCx2a = "0000:05:00.0";
inline const char* const kCx2b = "0000:06:00.0";
inline const char* const kCx3 = "0000:07:00.0";
inline const char* const kDecoy = "0000:08:00.0";

// Not Mellanox, but with an attribute named like ours: must never be touched.
CardSpec decoy();

// An interface of this machine with an IPv4 address, and the address: what the helper's
// getifaddrs() sees too. A card's netdev given this name carries that address, so an SSH
// session to it runs over the card, without the test touching the machine's network.
std::pair<std::string, std::string> anIpv4Interface();

} // namespace mlx4::test
