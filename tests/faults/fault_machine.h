// SPDX-License-Identifier: GPL-2.0-or-later
// A test machine for fault tests: testbed, configuration, lock directory and the fault shim.
#pragma once

#include "testbed.h"

#include <string>
#include <vector>

namespace mlx4::test {

// One write() the shim saw going to a file under /sys.
struct LoggedWrite {
    long pid = 0;
    std::string path;   // as the helper named it: /sys/devices/pci0000:00/<address>/mlx4_port<N>
    std::string bytes;  // with the newline written as \n
    std::string result; // "ok" or an errno name
};

class FaultMachine {
public:
    FaultMachine();
    ~FaultMachine();
    FaultMachine(const FaultMachine&) = delete;
    FaultMachine& operator=(const FaultMachine&) = delete;

    // Writes DIR/name (name may be "config.d/x.json"), creating the directories.
    void config(const std::string& text, const std::string& name = "config.json");

    // Runs the helper with --config-dir, under LD_PRELOAD="shim:umockdev-preload", with
    // MLX4_FAULTS=faults and the write log on. Killed after 60 s (status 128+SIGALRM).
    RunResult run(std::vector<std::string> args, const std::string& faults = "");

    // Starts what run() runs, without waiting: for tests that run several at once.
    StartedProgram start(std::vector<std::string> args, const std::string& faults = "");

    std::vector<LoggedWrite> writes() const; // every write logged so far
    std::vector<LoggedWrite> writesTo(const std::string& address) const;
    void clearWrites();

private:
    std::vector<std::string> argv(std::vector<std::string> args) const;
    std::vector<std::string> environment(const std::string& faults) const;

public:
    // "/sys/devices/pci0000:00/<address>/<file>", as the helper and the shim name it.
    static std::string sysFile(const std::string& address, const std::string& file);

    Testbed bed;
    std::string dir;       // scratch directory, removed at the end
    std::string configDir; // DIR/etc
    std::string runDir;    // DIR/run, given as MLX4_PORTTYPE_RUN_DIR
    std::string writeLog;  // DIR/writes.log
    // More NAME=VALUE variables for the helper, e.g. the ACTION, DEVPATH and SUBSYSTEM udevd
    // gives a RUN program.
    std::vector<std::string> extraEnvironment;
};

CardSpec mlx4Card(const std::string& address, std::vector<std::string> ports = {"ib", "ib"});

bool contains(const std::string& text, const std::string& part);

} // namespace mlx4::test
