// SPDX-License-Identifier: GPL-2.0-or-later
// A simulated machine for the integration tests: a umockdev testbed with cards, and a
// configuration and lock directory of its own; the built helper runs against it.
#pragma once

#include "testbed.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace mlx4::test {

// A machine: a testbed, a configuration directory and a lock directory of its own.
class Machine {
public:
    Machine() {
        char name[] = "/tmp/mlx4-integration-XXXXXX";
        REQUIRE(mkdtemp(name));
        dir_ = name;
        chmod(dir_.c_str(), 0755);
        configDir = dir_ + "/etc";
        runDir = dir_ + "/run";
    }
    ~Machine() {
        std::error_code ignored; // a destructor cannot fail a test
        std::filesystem::remove_all(dir_, ignored);
    }

    void config(const std::string& text, const std::string& name = "config.json") {
        mkdir(configDir.c_str(), 0755);
        mkdir((configDir + "/config.d").c_str(), 0755);
        std::ofstream(configDir + "/" + name) << text;
    }

    // The helper under test (MLX4_PORTTYPE_BINARY), with this machine's directories.
    RunResult run(std::vector<std::string> args) {
        args.insert(args.begin(), {MLX4_PORTTYPE_BINARY, "--config-dir", configDir});
        return mlx4::test::runWithPreload(args, {"MLX4_PORTTYPE_RUN_DIR=" + runDir});
    }

    // Sets the port file's time far in the past, so that any write shows as a new mtime.
    void markUnwritten(const std::string& address, int port) {
        struct timespec old[2] = {{1000, 0}, {1000, 0}};
        std::string path = bed.filePath(address, "mlx4_port" + std::to_string(port));
        REQUIRE(utimensat(AT_FDCWD, path.c_str(), old, 0) == 0);
    }
    bool written(const std::string& address, int port) {
        struct stat st;
        REQUIRE(stat(bed.filePath(address, "mlx4_port" + std::to_string(port)).c_str(), &st) == 0);
        return st.st_mtim.tv_sec != 1000;
    }

    // "eth,ib": what the card's two port files hold, without their newlines.
    std::string ports(const std::string& address) {
        std::string one = bed.readPort(address, 1), two = bed.readPort(address, 2);
        return one.substr(0, one.size() - 1) + "," + two.substr(0, two.size() - 1);
    }

    Testbed bed;
    std::string configDir;
    std::string runDir;

private:
    std::string dir_;
};

inline const char* const kCx2a = "0000:05:00.0";
inline const char* const kCx2b = "0000:06:00.0";
inline const char* const kCx3 = "0000:07:00.0";
inline const char* const kDecoy = "0000:08:00.0";

inline CardSpec card(const char* address, std::vector<std::string> ports = {"ib", "ib"},
                     unsigned device = 0x673c) {
    CardSpec spec;
    spec.address = address;
    spec.ports = std::move(ports);
    spec.device = device;
    return spec;
}

inline CardSpec decoy() {
    // Not Mellanox, but with an attribute named like ours: must never be touched.
    CardSpec spec = card(kDecoy, {"ib"}, 0x1533);
    spec.vendor = 0x8086;
    spec.driver = "igb";
    return spec;
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace mlx4::test
