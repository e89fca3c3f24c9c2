// SPDX-License-Identifier: GPL-2.0-or-later
// Which events the installed rule acts on, as the real `udevadm test` sees them on umockdev cards,
// with the project's rule as the only rule.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_text.h"
#include "testbed.h"
#include "udev_sandbox.h"

#include <umockdev.h>

#include <cstdio>
#include <string>
#include <vector>

// From CMake: the rule as installed (MLX4_RULE_INSTALLED_FORM) with the helper path its RUN names
// (MLX4_HELPER_PATH), and the build-tree copy (MLX4_RULE_BUILD_TREE) naming MLX4_HELPER_BUILT.
#ifndef MLX4_RULE_INSTALLED_FORM
#error "MLX4_RULE_INSTALLED_FORM must name the configured rule"
#endif

using namespace mlx4::test;

namespace {

const std::string kRuleFile = "/run/udev/rules.d/90-mlx4-porttype.rules";

std::string expectedRun(const std::string& address) {
    return MLX4_HELPER_PATH " --syslog apply " + address;
}

// The program a line of `udevadm test` output says udev would run, or "" for any other line.
// systemd 252 prints "run: 'COMMAND'"; systemd 257 prints "RUN{program} : COMMAND" under
// "Queued commands:" (and "RUN{builtin} : ..." for builtins, which this rule has none of).
std::string queuedProgram(std::string line) {
    line.erase(0, line.find_first_not_of(" \t"));
    const std::string old = "run: '", current = "RUN{program} : ";
    if (startsWith(line, old) && line.size() > old.size() && line.back() == '\'')
        return line.substr(old.size(), line.size() - old.size() - 1);
    if (startsWith(line, current))
        return line.substr(current.size());
    return "";
}

// A testbed in a sandbox that holds the installed rule and nothing else.
class RuleBench {
public:
    RuleBench() : sandbox_(), bed_() {}

    Testbed& bed() { return bed_; }

    // The programs `udevadm test` would run for the device at `syspath`. Fails the test if udevadm
    // failed, read any other rules file, or complained about ours.
    std::vector<std::string> runLines(const std::string& syspath, const std::string& action) {
        RunResult result = runWithPreload({"udevadm", "test", "--action=" + action, syspath});
        INFO("udevadm test --action=", action, " ", syspath, "\nstderr:\n", result.err);
        REQUIRE(result.status == 0);

        std::vector<std::string> rulesRead;
        for (const std::string& line : lines(result.err)) {
            const std::string reading = "Reading rules file: ";
            if (startsWith(line, reading))
                rulesRead.push_back(line.substr(reading.size()));
            // Diagnostics about a rules file start with its name ("FILE:LINE Invalid key ...");
            // traces of rules that ran start with the device name instead.
            CHECK_MESSAGE(!startsWith(line, kRuleFile), "udevadm complains: ", line);
        }
        CHECK(rulesRead == std::vector<std::string>{kRuleFile});

        std::vector<std::string> runs;
        for (const std::string& line : lines(result.out))
            if (std::string program = queuedProgram(line); !program.empty())
                runs.push_back(program);
        return runs;
    }

    // Adds `card` to the testbed and runs `udevadm test` for it. udevadm takes the event's
    // properties from the card's uevent file: `properties` are added there.
    std::vector<std::string> runLines(const CardSpec& card, const std::string& action,
                                      const std::vector<std::string>& properties = {}) {
        bed_.addCard(card);
        bed_.addUeventProperties(card.address, properties);
        return runLines(Testbed::sysPath(card.address), action);
    }

    // The same for the event the kernel would send: add and change synthetic (coldplug replay,
    // udevadm trigger), which is how they reach a bound card; bind and the rest as they are.
    std::vector<std::string> runLinesTypical(const CardSpec& card, const std::string& action) {
        bool synthetic = action == "add" || action == "change";
        return runLines(card, action, synthetic ? kSyntheticEvent : std::vector<std::string>{});
    }

private:
    struct Sandbox {
        Sandbox() {
            enterUdevSandbox();
            installRule("90-mlx4-porttype.rules", readFile(MLX4_RULE_INSTALLED_FORM));
        }
    };
    Sandbox sandbox_; // first: the testbed must be created inside the namespace
    Testbed bed_;
};

// A new address per card, as each test case puts several cards on one testbed.
std::string address(std::size_t index) {
    char text[32];
    std::snprintf(text, sizeof text, "0000:%02zx:00.0", index + 1);
    return text;
}

std::string hex(unsigned id) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%04x", id);
    return text;
}

const std::vector<unsigned> kVpiDevices = {0x6340, 0x634a, 0x6354, 0x6732, 0x673c, 0x6746, 0x1003,
                                           0x1005, 0x1006, 0x1007, 0x1008, 0x1009, 0x100a, 0x100b,
                                           0x100c, 0x100d, 0x100e, 0x100f, 0x1010};
const std::vector<unsigned> kEthernetOnlyDevices = {0x6368, 0x6750, 0x6372, 0x675a, 0x6764, 0x676e};
const std::vector<unsigned> kVirtualFunctions = {0x1002, 0x1004};

} // namespace

TEST_CASE("runs the helper on bind, coldplug add and trigger change of a ConnectX-2 VPI and a "
          "ConnectX-3") {
    RuleBench bench;
    std::size_t index = 0;
    for (unsigned device : {0x673c, 0x1003}) {
        for (const char* action : {"bind", "add", "change"}) {
            CardSpec spec(address(index++), {"ib", "ib"}, device);
            INFO("device ", hex(device), " action ", action);
            CHECK(bench.runLinesTypical(spec, action) ==
                  std::vector<std::string>{expectedRun(spec.address)});
        }
    }
}

TEST_CASE("ignores a real add or change: only bind, or a synthetic add or change, is trusted") {
    RuleBench bench;
    std::size_t index = 0;
    // A real hotplug add can show DRIVER=mlx4_core while the probe still runs; a real change is
    // the kernel's own (PCI error recovery sends ERROR_EVENT=).
    const std::vector<std::pair<std::string, std::vector<std::string>>> realEvents = {
        {"add", {}}, {"change", {}}, {"change", {"ERROR_EVENT=BEGIN_RECOVERY"}}};
    for (const auto& event : realEvents) {
        // Named copies, not a structured binding: clang (C++17) cannot capture one in INFO.
        const std::string& action = event.first;
        const std::vector<std::string>& properties = event.second;
        CardSpec spec(address(index++));
        INFO("action ", action, " with ", properties.size(), " extra properties");
        CHECK(bench.runLines(spec, action, properties).empty());
    }
    // The same events made synthetic (a UUID given to udevadm trigger --uuid, or none) run it.
    for (const std::string uuid : {"0", "4f9a4c4e-2b8c-4c59-9a53-3bd2f4f0e5c1"}) {
        for (const char* action : {"add", "change"}) {
            CardSpec spec(address(index++));
            INFO("action ", action, " SYNTH_UUID=", uuid);
            CHECK(bench.runLines(spec, action, {"SYNTH_UUID=" + uuid}) ==
                  std::vector<std::string>{expectedRun(spec.address)});
        }
    }
}

TEST_CASE("runs the helper for every VPI device ID") {
    RuleBench bench;
    for (std::size_t i = 0; i < kVpiDevices.size(); ++i) {
        CardSpec spec(address(i), {"ib", "ib"}, kVpiDevices[i]);
        INFO("device ", hex(spec.device));
        CHECK(bench.runLines(spec, "bind") == std::vector<std::string>{expectedRun(spec.address)});
    }
}

TEST_CASE("does nothing on remove and unbind") {
    RuleBench bench;
    CardSpec spec(address(0));
    bench.bed().addCard(spec);
    for (const char* action : {"remove", "unbind"}) {
        INFO("action ", action);
        CHECK(bench.runLines(Testbed::sysPath(spec.address), action).empty());
    }
}

TEST_CASE("ignores an add that comes before the driver probes, real or synthetic") {
    RuleBench bench;
    CardSpec spec(address(0));
    spec.driver.clear();
    spec.ports.clear();
    CHECK(bench.runLines(spec, "add").empty());
    spec.address = address(1);
    CHECK(bench.runLinesTypical(spec, "add").empty());
}

TEST_CASE("ignores Ethernet-only ConnectX EN cards") {
    RuleBench bench;
    for (std::size_t i = 0; i < kEthernetOnlyDevices.size(); ++i) {
        CardSpec spec(address(i), {"ib", "ib"}, kEthernetOnlyDevices[i]);
        INFO("device ", hex(spec.device));
        CHECK(bench.runLines(spec, "bind").empty());
    }
}

TEST_CASE("ignores virtual functions") {
    RuleBench bench;
    for (std::size_t i = 0; i < kVirtualFunctions.size(); ++i) {
        CardSpec spec(address(i), {"ib", "ib"}, kVirtualFunctions[i]);
        spec.readOnly = true;
        INFO("device ", hex(spec.device));
        CHECK(bench.runLines(spec, "bind").empty());
    }
}

TEST_CASE("ignores other vendors, even with a VPI device ID") {
    RuleBench bench;
    CardSpec spec(address(0));
    spec.vendor = 0x8086;
    CHECK(bench.runLines(spec, "bind").empty());
}

TEST_CASE("ignores a card bound to another driver") {
    RuleBench bench;
    std::size_t index = 0;
    for (const char* driver : {"vfio-pci", "pci-stub"}) {
        for (const char* action : {"bind", "add", "change"}) {
            CardSpec spec(address(index++));
            spec.driver = driver;
            spec.ports.clear();
            INFO("driver ", driver, " action ", action);
            CHECK(bench.runLinesTypical(spec, action).empty());
        }
    }
}

TEST_CASE("ignores the net and InfiniBand devices that a port switch re-creates") {
    RuleBench bench;
    CardSpec spec(address(0));
    bench.bed().addCard(spec);
    // A name with slashes puts the device below the card; umockdev checks a parent argument on
    // the real file system, which this process does not see through the preload.
    const std::string card =
        Testbed::sysPath(spec.address).substr(std::string("/sys/devices/").size());
    gchar* ib = umockdev_testbed_add_device(bench.bed().raw(), "infiniband",
                                            (card + "/infiniband/mlx4_0").c_str(), nullptr, nullptr,
                                            nullptr);
    gchar* net =
        umockdev_testbed_add_device(bench.bed().raw(), "net", (card + "/net/ib0").c_str(), nullptr,
                                    "type", "32", nullptr, "INTERFACE", "ib0", nullptr);
    REQUIRE(ib != nullptr);
    REQUIRE(net != nullptr);
    for (const char* child : {ib, net}) {
        for (const char* action : {"add", "remove", "change"}) {
            INFO(child, " action ", action);
            CHECK(bench.runLines(child, action).empty());
        }
    }
    g_free(ib);
    g_free(net);
}

TEST_CASE(
    "the build-tree copy of the rule differs from the installed one only in the helper path") {
    std::string installed = readFile(MLX4_RULE_INSTALLED_FORM);
    std::string buildTree = readFile(MLX4_RULE_BUILD_TREE);
    const std::string built = MLX4_HELPER_BUILT;
    std::size_t at = buildTree.find(built);
    REQUIRE(at != std::string::npos);
    buildTree.replace(at, built.size(), MLX4_HELPER_PATH);
    CHECK(buildTree.find(built) == std::string::npos);
    CHECK(buildTree == installed);
}
