// SPDX-License-Identifier: GPL-2.0-or-later
// wait and udev's database: an in-sync card's Ethernet port is settled once udev has processed
// its interface. Where umockdev leaves the database to the system's /run/udev/data (before
// 0.17.18; Testbed::addUdevDatabaseEntry), this program runs in a private mount namespace with
// its own /run/udev (root only; otherwise it exits 77, which ctest reports as skipped).
#define DOCTEST_CONFIG_IMPLEMENT
#include "machine.h"
#include "test_text.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

using namespace mlx4::test;

namespace {

constexpr int kSkipExitCode = 77;

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

} // namespace

TEST_CASE("wait returns once udev's database has the card's Ethernet interface") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "ib"}));
    m.config(R"({"cards": {"05:00.0": ["eth", "ib"]}})");
    m.bed.loadModule("mlx4_en");
    m.bed.addNetdev(kCx2a, NetdevSpec());
    // What the kernel gives a netdev: its subsystem and its index, by which udev keys its
    // database ("n7").
    const std::string dir = m.bed.rootDir() + Testbed::netdevSysPath(kCx2a, "enp5s0");
    writeFile(dir + "/uevent", "INTERFACE=enp5s0\nIFINDEX=7\n");
    writeFile(dir + "/ifindex", "7\n");
    REQUIRE(symlink("/sys/class/net", (dir + "/subsystem").c_str()) == 0);
    RunResult before = m.run({"wait", "--timeout", "1"});
    CHECK(before.status == 1);
    CHECK(contains(before.err, "port 1: its network interface is not processed by udev yet"));
    // What udevd writes once it has processed the interface's add event.
    m.bed.addUdevDatabaseEntry("n7", "I:1000000\nE:ID_NET_NAME_PATH=enp5s0\n");
    RunResult after = m.run({"wait", "--timeout", "5"});
    CAPTURE(after.err);
    CHECK(after.status == 0);
}

int main(int argc, char** argv) {
    if (!Testbed::systemUdevDatabase())
        return doctest::Context(argc, argv).run();
    // A /run/udev of our own, seen by the helpers this process starts: the real database is
    // neither read nor written.
    if (getuid() != 0 || unshare(CLONE_NEWNS) != 0 ||
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        std::printf("skipped: needs root and a private mount namespace (%s)\n",
                    std::strerror(errno));
        return kSkipExitCode;
    }
    std::filesystem::create_directories("/run/udev");
    if (mount("tmpfs", "/run/udev", "tmpfs", 0, "mode=0755") != 0) {
        std::printf("skipped: cannot mount a tmpfs on /run/udev (%s)\n", std::strerror(errno));
        return kSkipExitCode;
    }
    return doctest::Context(argc, argv).run();
}
