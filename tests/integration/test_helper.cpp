// SPDX-License-Identifier: GPL-2.0-or-later
// The built mlx4-porttype against umockdev testbeds: what it writes, prints and returns.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "machine.h"

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlx4::test;

TEST_CASE("apply --all sets every configured card and leaves the rest alone") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    m.bed.addCard(CardSpec(kCx2b));
    m.bed.addCard(CardSpec(kCx3, {"ib"}, 0x1003));
    m.bed.addCard(decoy());
    m.config(R"({"cards": {"0000:05:00.0": "eth", "07:00.0": ["eth"],
                           "0000:08:00.0": "eth"}})");
    RunResult r = m.run({"apply", "--all"});
    CHECK(r.status == 0);
    CHECK(m.bed.readPort(kCx2a, 1) == "eth\n");
    CHECK(m.bed.readPort(kCx2a, 2) == "eth\n");
    CHECK(m.bed.readPort(kCx3, 1) == "eth\n");
    CHECK(m.bed.readPort(kCx2b, 1) == "ib\n"); // not configured
    CHECK(m.bed.readPort(kDecoy, 1) == "ib\n");
    CHECK(contains(r.err, "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): ports "
                          "[ib, ib] -> [eth, eth]: switched as configured in " +
                              m.configDir + "/config.json:1"));
}

TEST_CASE("default applies to every card not named, and a drop-in overrides it per card") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    m.bed.addCard(CardSpec(kCx2b));
    m.config(R"({"default": "eth"})");
    m.config(R"({"cards": {"06:00.0": ["keep", "eth"]}})", "config.d/50-lab.json");
    CHECK(m.run({"apply", "--all"}).status == 0);
    CHECK(m.bed.readPort(kCx2a, 1) == "eth\n");
    CHECK(m.bed.readPort(kCx2b, 1) == "ib\n");
    CHECK(m.bed.readPort(kCx2b, 2) == "eth\n");
}

TEST_CASE("a card already as configured gets no write at all") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "auto (ib)"}));
    m.config(R"({"cards": {"05:00.0": ["eth", "auto"]}})");
    m.markUnwritten(kCx2a, 1);
    m.markUnwritten(kCx2a, 2);
    RunResult r = m.run({"apply", kCx2a});
    CHECK(r.status == 0);
    CHECK_FALSE(m.written(kCx2a, 1));
    CHECK_FALSE(m.written(kCx2a, 2));
    CHECK(contains(r.err, "are as configured; nothing written"));
    // Nothing to write needs no lock either: the lock directory is not even created.
    CHECK(access(m.runDir.c_str(), F_OK) != 0);
}

TEST_CASE("the bytes written are exactly the kernel's strings, newline included") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "eth"}));
    m.config(R"({"cards": {"05:00.0": ["eth", "ib"]}})");
    CHECK(m.run({"apply", "05:00.0"}).status == 0);
    CHECK(m.bed.readPort(kCx2a, 1) == "eth\n");
    CHECK(m.bed.readPort(kCx2a, 2) == "ib\n");
}

TEST_CASE("a port that reads back what no kernel prints is put back, and the log says so") {
    // The driver prints "auto (ib)" or "auto (eth)", never "auto" alone: a port that reads so
    // after the write is one the helper cannot trust, so it must restore the card. The kernel
    // model behind the files never says it; the fault shim makes port 1 read it once, after the
    // write.
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "eth"}));
    m.config(R"({"cards": {"05:00.0": ["auto", "ib"]}})");
    RunResult r = m.run({"apply", "05:00.0"},
                        "read|" + Machine::sysFile(kCx2a, "mlx4_port1") + "|text=auto\\n|w|1");
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(m.bed.readPort(kCx2a, 1) == "ib\n");
    CHECK(m.bed.readPort(kCx2a, 2) == "eth\n");
    CHECK(contains(r.err, "cannot set ports to [auto, ib] (" + m.configDir +
                              "/config.json:1): after writing, port 1 reads \"auto\", which is "
                              "not ib, eth, auto (ib) or auto (eth). The card was left as it was: "
                              "[ib, eth]"));
}

TEST_CASE("a configuration error writes nothing to any card and exits 2") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    m.bed.addCard(CardSpec(kCx2b));
    m.config(R"({"cards": {"05:00.0": "eth"}})");
    m.config("{\"cards\": {\"06:00.0\": \"ethh\"}}", "config.d/10-bad.json");
    m.markUnwritten(kCx2a, 1);
    RunResult r = m.run({"apply", "--all"});
    CHECK(r.status == 2);
    CHECK_FALSE(m.written(kCx2a, 1));
    CHECK(m.bed.readPort(kCx2a, 1) == "ib\n");
    CHECK(contains(r.err, m.configDir + "/config.d/10-bad.json:1:23: unknown port type \"ethh\""));
    CHECK(contains(r.err, "1 configuration error; no card was changed"));
}

TEST_CASE("a one-port card takes a one-port entry, and a longer list is an error for it alone") {
    Machine m;
    m.bed.addCard(CardSpec(kCx3, {"ib"}, 0x1003));
    m.bed.addCard(CardSpec(kCx2a));
    m.config(R"({"cards": {"07:00.0": ["eth", "eth"], "05:00.0": "eth"}})");
    RunResult r = m.run({"apply", "--all"});
    CHECK(r.status == 1);
    CHECK(m.bed.readPort(kCx3, 1) == "ib\n");
    CHECK(m.bed.readPort(kCx2a, 1) == "eth\n"); // the other card is still handled
    CHECK(contains(r.err, "the configuration lists 2 ports but the card has 1; the card was not "
                          "touched"));
}

TEST_CASE("a card whose driver has not created the port files yet has nothing to do") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {}));
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"apply", kCx2a});
    CHECK(r.status == 0);
    CHECK(contains(r.err, "has no port files yet"));
    CHECK_FALSE(m.bed.hasPort(kCx2a, 1));
}

TEST_CASE("a card with no driver bound has nothing to do, and another driver's device is refused") {
    Machine m;
    CardSpec unbound(kCx2a, {});
    unbound.driver = "";
    m.bed.addCard(unbound);
    m.bed.addCard(decoy());
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"apply", kCx2a});
    CHECK(r.status == 0);
    CHECK(contains(r.err, "no driver is bound yet"));
    r = m.run({"apply", kDecoy});
    CHECK(r.status == 1);
    CHECK(contains(r.err, "0000:08:00.0 is not a Mellanox card (vendor 0x8086)"));
    CHECK(m.bed.readPort(kDecoy, 1) == "ib\n");
}

TEST_CASE("an address with no device is an error, but --all with no card is not") {
    Machine m;
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"apply", "0000:42:00.0"});
    CHECK(r.status == 1);
    CHECK(contains(r.err, "there is no PCI device 0000:42:00.0"));
    CHECK(m.run({"apply", "--all"}).status == 0);
}

TEST_CASE("read-only port files (SR-IOV) fail only when a change is asked, with the way out") {
    Machine m;
    CardSpec sriov(kCx2a);
    sriov.readOnly = true;
    m.bed.addCard(sriov);
    m.bed.addCard(CardSpec(kCx2b));
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"apply", "--all"});
    CHECK(r.status == 1);
    CHECK(m.bed.readPort(kCx2a, 1) == "ib\n");
    CHECK(m.bed.readPort(kCx2b, 1) == "eth\n");
    CHECK(contains(r.err, "is read-only: the driver does that when SR-IOV is enabled"));
    CHECK(contains(r.err, "port_type_array"));
    m.config(R"({"default": "ib"})");
    CHECK(m.run({"apply", "--all"}).status == 0);
}

TEST_CASE("a port file that reads garbage is reported, and nothing is written") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "bogus"}));
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"apply", kCx2a});
    CHECK(r.status == 1);
    CHECK(m.bed.readPort(kCx2a, 1) == "ib\n");
    CHECK(contains(r.err, "port 2 reads \"bogus\", which is not ib, eth, auto (ib) or auto (eth); "
                          "nothing was written"));
}

TEST_CASE("--dry-run prints the plan and writes nothing") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    m.bed.addCard(CardSpec(kCx2b, {"eth", "eth"}));
    m.config(R"({"default": "eth"})");
    m.markUnwritten(kCx2a, 1);
    RunResult r = m.run({"apply", "--dry-run", "--all"});
    CHECK(r.status == 3); // it would write
    CHECK_FALSE(m.written(kCx2a, 1));
    CHECK(m.bed.readPort(kCx2a, 1) == "ib\n");
    CHECK(contains(r.out, "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): would "
                          "write; the card restarts"));
    CHECK(contains(r.out, "  port 1: ib -> eth\n  port 2: ib -> eth\n"));
    CHECK(contains(r.out, "0000:06:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): in sync, "
                          "nothing to write"));
}

TEST_CASE("status --json reports cards, ports, configured types and sync") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "auto (eth)"}));
    m.bed.addCard(CardSpec(kCx3, {"eth"}, 0x1003));
    m.bed.addCard(decoy());
    m.config(R"({"cards": {"05:00.0": ["eth", "auto"]}})");
    RunResult r = m.run({"status", "--json"});
    CHECK(r.status == 3); // 05:00.0 is not as configured
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["version"] == 1);
    REQUIRE(doc["cards"].size() == 2);
    auto first = doc["cards"][0];
    CHECK(first["address"] == "0000:05:00.0");
    CHECK(first["vendor"] == "0x15b3");
    CHECK(first["device"] == "0x673c");
    CHECK(first["model"] == "MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B");
    CHECK(first["state"] == "drift");
    CHECK(first["in_sync"] == false);
    // Port 1 is configured eth: the next step is apply, not loading mlx4_ib for the InfiniBand
    // it runs now, so no such note.
    CHECK(first["ports"][0] == nlohmann::json{{"port", 1},
                                              {"current", "ib"},
                                              {"configured", "eth"},
                                              {"in_sync", false},
                                              {"writable", true},
                                              {"netdev", nullptr},
                                              {"ib_device", nullptr},
                                              {"link", nullptr},
                                              {"speed_mbps", nullptr}});
    CHECK(first["ports"][1]["current"] == "auto (eth)");
    CHECK(first["ports"][1]["configured"] == "auto");
    CHECK(first["ports"][1]["in_sync"] == true);
    auto second = doc["cards"][1];
    CHECK(second["address"] == "0000:07:00.0");
    CHECK(second["state"] == "not_configured");
    CHECK(second["in_sync"] == true);
    CHECK(second["ports"][0]["configured"].is_null());
    // Nothing to compare a port with that is not configured.
    CHECK(second["ports"][0]["in_sync"].is_null());
}

TEST_CASE("status prints one row per card and port") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"ib", "eth"}));
    m.config(R"({"cards": {"05:00.0": ["eth", "keep"]}})");
    RunResult r = m.run({"status"});
    CHECK(r.status == 3);
    CHECK(contains(r.out, "ADDRESS       PORT  CURRENT  CONFIGURED  STATE"));
    CHECK(contains(r.out, "0000:05:00.0  1     ib       eth         drift"));
    CHECK(contains(r.out, "0000:05:00.0  2     eth      keep        drift"));
    CHECK(contains(r.out, "note: 0000:05:00.0: not as configured; mlx4-porttype apply "
                          "0000:05:00.0 sets it"));
}

TEST_CASE("check prints the effective mapping with where each entry comes from") {
    Machine m;
    m.config(R"({"default": "ib", "cards": {"05:00.0": "eth"}})");
    m.config(R"({"cards": {"0000:05:00.0": ["auto"]}})", "config.d/10-a.json");
    RunResult r = m.run({"check"});
    CHECK(r.status == 0);
    CHECK(
        contains(r.out, "  0000:05:00.0  auto        (" + m.configDir + "/config.d/10-a.json:1)"));
    CHECK(contains(r.out, "  other cards   ib          (" + m.configDir + "/config.json:1)"));
}

TEST_CASE("usage errors exit 2 and say what is wrong") {
    Machine m;
    std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{}, "no command given"},
        {{"apply"}, "apply needs either --all or one or more addresses"},
        {{"apply", "--all", "05:00.0"}, "apply needs either --all or one or more addresses"},
        {{"apply", "../../etc"}, "\"../../etc\" is not a PCI address"},
        {{"apply", "/sys/bus/pci/devices/0000:05:00.0"}, "is not a PCI address"},
        {{"apply", "5:0.0"}, "(did you mean 0000:05:00.0?)"},
        {{"apply", std::string(4096, '0')}, "...\" is not a PCI address"},
        {{"status", "--dry-run"}, "unknown option --dry-run for status"},
        {{"frobnicate"}, "unknown command \"frobnicate\""},
        {{"check", "05:00.0"}, "check takes no arguments"},
        {{"--config-dir"}, "--config-dir needs a value"},
    };
    for (const auto& testCase : cases) {
        const std::vector<std::string>& args = testCase.first;
        const std::string& message = testCase.second; // CAPTURE cannot take a structured binding
        CAPTURE(message);
        RunResult r = m.run(args);
        CHECK(r.status == 2);
        CHECK(contains(r.err, message));
        CHECK(r.err.size() < 400); // a 4 KiB argument is not echoed back whole
    }
}

TEST_CASE("--help and --version") {
    Machine m;
    RunResult r = m.run({"--help"});
    CHECK(r.status == 0);
    CHECK(contains(r.out, "apply [--dry-run] [--json] [--force] [--retry] (--all | ADDRESS...)"));
    CHECK(contains(r.out, "wait [--timeout SECONDS]"));
    r = m.run({"--version"});
    CHECK(r.status == 0);
    CHECK(r.out.rfind("mlx4-porttype ", 0) == 0);
}

TEST_CASE("--syslog keeps messages off stderr") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"--syslog", "apply", kCx2a});
    CHECK(r.status == 0);
    CHECK(r.err == "");
    CHECK(m.bed.readPort(kCx2a, 1) == "eth\n");
}

TEST_CASE("a lock file planted as a symlink is refused and nothing is written") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    m.config(R"({"default": "eth"})");
    mkdir(m.runDir.c_str(), 0755);
    REQUIRE(symlink("/tmp/elsewhere", (m.runDir + "/0000:05:00.0.lock").c_str()) == 0);
    RunResult r = m.run({"apply", kCx2a});
    CHECK(r.status == 1);
    CHECK(m.bed.readPort(kCx2a, 1) == "ib\n");
    CHECK(contains(r.err, "is a symbolic link; remove it"));
}

TEST_CASE("apply --all skips virtual functions as the rule does, and naming one still reports it") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    CardSpec vf("0000:05:00.1", {"ib", "ib"}, 0x1002);
    vf.readOnly = true;
    m.bed.addCard(vf);
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"apply", "--all"});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(m.bed.readPort(kCx2a, 1) == "eth\n");
    CHECK_FALSE(contains(r.err, "0000:05:00.1"));
    // Asked by address, the read-only files are the answer.
    RunResult named = m.run({"apply", "0000:05:00.1"});
    CHECK(named.status == 1);
    CHECK(contains(named.err, "is read-only"));
    CHECK(contains(named.err, "remove the num_vfs and probe_vf options of mlx4_core"));
}

TEST_CASE("auto: the dry run does not promise that writing it restarts nothing") {
    Machine m;
    m.bed.addCard(CardSpec(kCx2a));
    m.config(R"({"cards": {"0000:05:00.0": ["auto", "keep"]}})");
    RunResult dry = m.run({"apply", "--dry-run", kCx2a});
    CAPTURE(dry.out);
    CHECK(dry.status == 3); // it would write
    CHECK(contains(dry.out, "would write; auto restarts a card with DPDP and sense support at "
                            "once if a port senses the other protocol (other cards only accept "
                            "it)"));
    CHECK_FALSE(contains(dry.out, "no restart expected"));
    // Turning auto off changes no protocol: that one restarts nothing.
    m.bed.setPort(kCx2a, 1, "auto (ib)");
    m.config(R"({"cards": {"0000:05:00.0": ["ib", "keep"]}})");
    RunResult off = m.run({"apply", "--dry-run", kCx2a});
    CHECK(contains(off.out, "would write (auto-sensing off only; no restart expected)"));
}
