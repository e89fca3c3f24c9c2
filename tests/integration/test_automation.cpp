// SPDX-License-Identifier: GPL-2.0-or-later
// The contracts automation relies on: exit status of status and apply --dry-run, the versioned
// JSON of apply, and wait, against the built helper on umockdev testbeds.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "machine.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

using namespace mlx4::test;

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

TEST_CASE("exit status: status and apply --dry-run say 0 in sync, 3 drift, 1 unreadable") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
    m.bed.addCard(CardSpec(kCx2b, {"ib", "ib"}));
    m.config(R"({"cards": {"05:00.0": "eth", "06:00.0": "eth"}})");
    SUBCASE("in sync: 0") {
        CHECK(m.run({"status", kCx2a}).status == 0);
        CHECK(m.run({"apply", "--dry-run", kCx2a}).status == 0);
    }
    SUBCASE("drift: 3, and a dry run writes nothing") {
        CHECK(m.run({"status"}).status == 3);
        CHECK(m.run({"status", "--json"}).status == 3);
        CHECK(m.run({"apply", "--dry-run", "--all"}).status == 3);
        CHECK(m.bed.readPort(kCx2b, 1) == "ib\n");
        // Applying removes the drift; the real apply itself exits 0.
        CHECK(m.run({"apply", "--all"}).status == 0);
        CHECK(m.run({"status"}).status == 0);
        CHECK(m.run({"apply", "--dry-run", "--all"}).status == 0);
    }
    SUBCASE("a card that cannot be read: 1, even with drift elsewhere") {
        m.bed.setPort(kCx2a, 1, "garbage");
        CHECK(m.run({"status"}).status == 1);
        CHECK(m.run({"apply", "--dry-run", "--all"}).status == 1);
    }
    SUBCASE("not configured, or no port files yet: 0") {
        m.config(R"({"cards": {"05:00.0": "eth"}})");
        CHECK(m.run({"status", kCx2b}).status == 0);
        CHECK(m.run({"apply", "--dry-run", kCx2b}).status == 0);
    }
    SUBCASE("usage or configuration error: 2") {
        CHECK(m.run({"status", "--timeout", "1"}).status == 2);
        m.config(R"({"cards": {"05:00.0": "ethh"}})");
        CHECK(m.run({"status"}).status == 2);
        CHECK(m.run({"apply", "--dry-run", "--all"}).status == 2);
    }
}

TEST_CASE("apply --json reports each card's result, restarts and message") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "ib"}));
    m.bed.addCard(CardSpec(kCx2b, {"eth", "eth"}));
    m.bed.addCard(CardSpec(kCx3, {"ib"}, 0x1003));
    m.bed.addCard(CardSpec("0000:09:00.0", {"ib"}, 0x1003));
    m.config(R"({"cards": {"05:00.0": "eth", "06:00.0": "eth", "09:00.0": ["eth", "ib"]}})");
    RunResult r = m.run({"apply", "--json", "--all"});
    CHECK(r.status == 1); // 09:00.0 has fewer ports than configured
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["version"] == 1);
    CHECK(doc["dry_run"] == false);
    REQUIRE(doc["cards"].size() == 4);
    auto first = doc["cards"][0];
    CHECK(first["address"] == "0000:05:00.0");
    CHECK(first["result"] == "changed");
    // Testbed files accept every write, as a card with DPDP does: one restart per port.
    CHECK(first["restarts"] == 2);
    CHECK(first["before"] == nlohmann::json{"ib", "ib"});
    CHECK(first["after"] == nlohmann::json{"eth", "eth"});
    CHECK(contains(first["message"], "switched as configured in"));
    CHECK(doc["cards"][1]["result"] == "unchanged");
    CHECK(doc["cards"][1]["restarts"] == 0);
    CHECK(doc["cards"][2]["address"] == "0000:07:00.0");
    CHECK(doc["cards"][2]["result"] == "skipped");
    CHECK(contains(doc["cards"][2]["message"], "not configured"));
    CHECK(doc["cards"][3]["result"] == "failed");
    CHECK(contains(doc["cards"][3]["message"], "lists 2 ports but the card has 1"));
    // The same messages still go to the log.
    CHECK(contains(r.err, "switched as configured in"));

    SUBCASE("again: nothing changes, so Ansible's changed_when sees no change") {
        m.config(R"({"cards": {"05:00.0": "eth", "06:00.0": "eth"}})");
        RunResult again = m.run({"apply", "--json", "--all"});
        CHECK(again.status == 0);
        // A named document: a loop over a member of a temporary would outlive it.
        auto document = nlohmann::json::parse(again.out);
        for (const auto& entry : document["cards"])
            CHECK(entry["result"] != "changed");
    }
    SUBCASE("a dry run says what would change and exits 3") {
        m.bed.setPort(kCx2a, 1, "ib");
        m.bed.setPort(kCx2a, 2, "ib");
        m.config(R"({"cards": {"05:00.0": "eth"}})");
        RunResult dry = m.run({"apply", "--json", "--dry-run", "05:00.0"});
        CHECK(dry.status == 3);
        auto plan = nlohmann::json::parse(dry.out);
        CHECK(plan["dry_run"] == true);
        CHECK(plan["cards"][0]["result"] == "changed");
        CHECK(plan["cards"][0]["restarts"] == 0);
        CHECK(m.bed.readPort(kCx2a, 1) == "ib\n");
    }
    SUBCASE("an address without a device is a failed entry") {
        RunResult missing = m.run({"apply", "--json", "0000:0a:00.0"});
        CHECK(missing.status == 1);
        auto entry = nlohmann::json::parse(missing.out)["cards"][0];
        CHECK(entry["address"] == "0000:0a:00.0");
        CHECK(entry["result"] == "failed");
        CHECK(contains(entry["message"], "there is no PCI device 0000:0a:00.0"));
    }
}

TEST_CASE("wait returns at once when there is nothing to wait for") {
    Machine m;
    auto start = std::chrono::steady_clock::now();
    SUBCASE("no card, nothing configured") {
        CHECK(m.run({"wait", "--timeout", "20"}).status == 0);
    }
    SUBCASE("configured, but no card") {
        m.config(R"({"default": "eth"})");
        CHECK(m.run({"wait", "--timeout", "20"}).status == 0);
    }
    SUBCASE("cards in sync, not configured, given to another driver, not VPI") {
        m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
        m.bed.addCard(CardSpec(kCx2b, {"ib", "ib"}));
        CardSpec vfio(kCx3, {}, 0x1003);
        vfio.driver = "vfio-pci";
        m.bed.addCard(vfio);
        CardSpec en("0000:09:00.0", {}, 0x6750); // ConnectX EN: no port type
        en.driver = "";
        m.bed.addCard(en);
        m.config(R"({"cards": {"05:00.0": "eth", "07:00.0": "eth", "09:00.0": "eth"}})");
        RunResult r = m.run({"-v", "wait", "--timeout", "20"});
        CHECK(r.status == 0);
        CHECK(contains(r.err, "every configured mlx4 VPI card is settled"));
        // Given to vfio-pci on purpose: not waited for, said once, and no warning.
        CHECK(contains(r.err, std::string(kCx3) + " (MT27500 ConnectX-3): not waited for: it is "
                                                  "bound to \"vfio-pci\", not mlx4_core"));
        CHECK_FALSE(contains(r.err, "warning"));
    }
    // "At once": far below the timeout (the bound is loose; this is not a benchmark).
    CHECK(secondsSince(start) < 10);
}

TEST_CASE("wait times out with exit 1 and says which cards are not ready, and why") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "ib"})); // not switched
    m.bed.addCard(CardSpec(kCx2b, {}));           // no port files yet
    CardSpec unbound(kCx3, {}, 0x1003);           // no driver yet
    unbound.driver = "";
    m.bed.addCard(unbound);
    m.config(R"({"default": "eth"})");
    m.markUnwritten(kCx2a, 1);
    auto start = std::chrono::steady_clock::now();
    RunResult r = m.run({"wait", "--timeout", "1"});
    CHECK(r.status == 1);
    CHECK(secondsSince(start) >= 1.0);
    CHECK(contains(r.err, "not ready after 1 s: 0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, "
                          "MHQH19B/MHQH29B): ports [ib, ib], configured [eth, eth] in " +
                              m.configDir + "/config.json:1: not switched yet"));
    CHECK(contains(r.err, "not ready after 1 s: 0000:06:00.0 (MT26428 ConnectX-2 VPI QDR, "
                          "MHQH19B/MHQH29B): has no port files yet"));
    CHECK(contains(r.err, "not ready after 1 s: 0000:07:00.0 (MT27500 ConnectX-3): not bound "
                          "to mlx4_core yet"));
    CHECK_FALSE(m.written(kCx2a, 1)); // wait never writes
    CHECK(m.bed.readPort(kCx2a, 1) == "ib\n");
}

TEST_CASE("wait returns as soon as the card becomes ready") {
    Machine m;
    CardSpec unbound(kCx2a, {});
    unbound.driver = "";
    m.bed.addCard(unbound);
    m.config(R"({"cards": {"05:00.0": ["eth", "ib"]}})");
    StartedProgram waiting = startWithPreload(
        {MLX4_PORTTYPE_BINARY, "--config-dir", m.configDir, "wait", "--timeout", "50"},
        {"MLX4_PORTTYPE_RUN_DIR=" + m.runDir});
    // The driver creates the files, then the udev rule switches the card.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    m.bed.bindDriver(kCx2a, {"ib", "ib"});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    m.bed.setPort(kCx2a, 1, "eth");
    RunResult r = finish(waiting);
    INFO(r.err);
    CHECK(r.status == 0);
}

TEST_CASE("wait does not wait for a card that can never reach its configuration") {
    Machine m;
    CardSpec readOnly(kCx2a, {"ib", "ib"});
    readOnly.readOnly = true; // SR-IOV: nothing can change it
    m.bed.addCard(readOnly);
    m.bed.addCard(CardSpec(kCx3, {"ib"}, 0x1003));
    m.config(R"({"cards": {"05:00.0": "eth", "07:00.0": ["eth", "eth"]}})");
    RunResult r = m.run({"wait", "--timeout", "20"});
    CHECK(r.status == 0);
    CHECK(contains(r.err, "warning: 0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): "
                          "cannot reach [eth, eth]: port 1 is read-only"));
    CHECK(contains(r.err, "the configuration lists 2 ports but the card has 1; the card was not "
                          "touched; not waiting for it"));
}

TEST_CASE("wait: usage") {
    Machine m;
    CHECK(m.run({"wait", "--timeout"}).status == 2);
    CHECK(m.run({"wait", "--timeout", "-1"}).status == 2);
    CHECK(m.run({"wait", "--timeout", "1.5"}).status == 2);
    CHECK(m.run({"wait", "--timeout", "86401"}).status == 2);
    RunResult r = m.run({"wait", kCx2a});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "wait takes no arguments"));
    CHECK(m.run({"wait", "--timeout=0"}).status == 0);
}

namespace {

// udev's database marks `initialized` as processed by udev, as udevd does once its add event
// is handled, and no other device. Where umockdev leaves the database to the system's
// /run/udev/data, the helper runs in a private mount namespace with a /run of its own (root).
void useUdevDatabase(Machine& m, const std::vector<std::string>& initialized) {
    if (!Testbed::systemUdevDatabase()) {
        for (const std::string& address : initialized)
            m.bed.addUdevDatabaseEntry("+pci:" + address, "I:1\n");
        return;
    }
    std::string script = "mount -t tmpfs tmpfs /run && mkdir -p /run/udev/data";
    for (const std::string& address : initialized)
        script += " && echo I:1 > /run/udev/data/+pci:" + address;
    m.launcher = {"unshare", "-m", "--", "sh", "-c", script + " && exec \"$@\"", "sh"};
}

} // namespace

TEST_CASE("wait does not wait for a card no driver will take, and says why once") {
    Machine m;
    m.config(R"({"default": "eth"})");
    CardSpec card(kCx2a, {});
    card.driver = "";
    SUBCASE("driver_override names another driver, mlx4_core loaded") {
        card.driverOverride = "vfio-pci";
        m.bed.loadModule("mlx4_core");
    }
    SUBCASE("no driver, processed by udev, mlx4_core not loaded") {}
    m.bed.addCard(card);
    useUdevDatabase(m, {kCx2a});
    auto start = std::chrono::steady_clock::now();
    RunResult r = m.run({"wait", "--timeout", "20"});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    std::string said = std::string(kCx2a) + " (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): not "
                                            "waited for: ";
    CHECK(r.err.find(said) != std::string::npos);
    CHECK(r.err.find(said) == r.err.rfind(said)); // once, not at every look
    CHECK((contains(r.err, "its driver_override names \"vfio-pci\"") ||
           contains(r.err, "udev has processed it and mlx4_core is not loaded")));
    CHECK(secondsSince(start) < 10);
}

TEST_CASE("wait waits for a card without driver while mlx4_core is loaded or udev has not "
          "processed it") {
    Machine m;
    m.config(R"({"default": "eth"})");
    CardSpec card(kCx2a, {});
    card.driver = "";
    m.bed.addCard(card);
    SUBCASE("mlx4_core loaded, processed by udev") {
        m.bed.loadModule("mlx4_core");
        useUdevDatabase(m, {kCx2a});
    }
    SUBCASE("mlx4_core not loaded, not processed by udev yet") {
        useUdevDatabase(m, {});
    }
    RunResult r = m.run({"wait", "--timeout", "1"});
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "not ready after 1 s: " + std::string(kCx2a)));
    CHECK_FALSE(contains(r.err, "not waited for"));
}
