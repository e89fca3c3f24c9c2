// SPDX-License-Identifier: GPL-2.0-or-later
// What the helper does after the kernel refused a target, or the firmware failed a switch: it
// says so with what it cost, and unattended runs do not try a refused target again until the
// card's configured types change or the driver binds it anew.
#include "machine.h"

#include <dirent.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlx4::test;

namespace {

const char* const kCard = "0000:05:00.0";
const char* const kLabel = "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";

// Every write to the card's port files is refused, as by a card that cannot run the target.
std::string refuseAll() {
    return "write|" + Machine::sysFile(kCard, "mlx4_port[12]") + "|EINVAL";
}

// What udevd puts in a RUN program's environment for an event of the card.
std::vector<std::string> udevEvent(const std::string& action) {
    return {"ACTION=" + action, "DEVPATH=/devices/pci0000:00/" + std::string(kCard),
            "SUBSYSTEM=pci"};
}

bool recordExists(const Machine& m) {
    return access((m.runDir + "/" + kCard + ".refused").c_str(), F_OK) == 0;
}

} // namespace

TEST_CASE("a refused target is tried again only by an admin at a terminal, apply --retry, a "
          "real bind or another configured target") {
    Machine m;
    m.bed.addCard(CardSpec(kCard));
    m.config(R"({"default": "eth"})");

    // An admin's apply: refused, reported with its cost, remembered.
    m.atTerminal = true;
    RunResult r = m.run({"apply", kCard}, refuseAll());
    m.atTerminal = false;
    CAPTURE(r.err);
    CHECK(r.status == 1);
    // No line in the kernel log about it: the verdict says where to look.
    CHECK(contains(r.err, "error: 0000:05:00.0: the kernel refused ports [eth, eth]; see why: "
                          "journalctl -k | grep 0000:05:00.0\n"));
    CHECK(contains(r.err, std::string(kLabel) + ", configured in " + m.configDir +
                              "/config.json:1: left as it was, [ib, ib]; the attempt cost no "
                              "device restart"));
    CHECK(contains(r.err, "udev events and the boot unit do not try this again until the card's "
                          "configured types change or the driver binds the card anew; run "
                          "`mlx4-porttype apply --retry 0000:05:00.0` to try again"));
    CHECK(recordExists(m));

    SUBCASE("change and add events: not tried, said once, exit 1") {
        for (const char* action : {"change", "add"}) {
            CAPTURE(action);
            m.clearWrites();
            m.extraEnvironment = udevEvent(action);
            m.extraEnvironment.push_back("SYNTH_UUID=0");
            RunResult again = m.run({"--syslog", "apply", kCard}, refuseAll());
            CHECK(again.status == 1);
            CHECK(m.writesTo(kCard).empty());
        }
        // The message, on stderr this time.
        m.extraEnvironment = udevEvent("change");
        RunResult again = m.run({"apply", kCard}, refuseAll());
        CAPTURE(again.err);
        CHECK(again.status == 1);
        CHECK(contains(again.err, std::string(kLabel) +
                                      ": refused earlier: ports [ib, ib] -> "
                                      "[eth, eth] (" +
                                      m.configDir +
                                      "/config.json:1): the kernel refused [eth, "
                                      "eth]"));
        CHECK(contains(again.err, "; not tried again at this change event; run `mlx4-porttype "
                                  "apply --retry 0000:05:00.0` to try again"));
        CHECK(m.writesTo(kCard).empty());
    }
    SUBCASE("the boot unit (apply --all without a terminal or an event): not tried") {
        m.clearWrites();
        RunResult again = m.run({"--syslog", "apply", "--all"}, refuseAll());
        CHECK(again.status == 1);
        CHECK(m.writesTo(kCard).empty());
        RunResult plain = m.run({"apply", kCard}, refuseAll());
        CAPTURE(plain.err);
        CHECK(contains(plain.err, "; not tried again by a run without a terminal; run "
                                  "`mlx4-porttype apply --retry 0000:05:00.0` to try again"));
        CHECK(m.writesTo(kCard).empty());
    }
    SUBCASE("a synthetic bind (udevadm trigger --action=bind) is no new probe: not tried") {
        m.clearWrites();
        m.extraEnvironment = udevEvent("bind");
        m.extraEnvironment.push_back("SYNTH_UUID=0");
        CHECK(m.run({"--syslog", "apply", kCard}, refuseAll()).status == 1);
        CHECK(m.writesTo(kCard).empty());
        CHECK(recordExists(m));
    }
    SUBCASE("a bind from the kernel is a new probe: tried again") {
        m.clearWrites();
        m.extraEnvironment = udevEvent("bind");
        CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
        CHECK_FALSE(m.writesTo(kCard).empty());
    }
    SUBCASE("an admin's apply at a terminal: tried again") {
        m.clearWrites();
        m.atTerminal = true;
        CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
        CHECK_FALSE(m.writesTo(kCard).empty());
    }
    SUBCASE("apply --retry: tried again") {
        m.clearWrites();
        CHECK(m.run({"apply", "--retry", kCard}, refuseAll()).status == 1);
        CHECK_FALSE(m.writesTo(kCard).empty());
    }
    SUBCASE("an edit that leaves the card's target as it was: not tried") {
        m.config("{ \"default\": \"eth\" } // edited");
        m.clearWrites();
        m.extraEnvironment = udevEvent("change");
        CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
        CHECK(m.writesTo(kCard).empty());
    }
    SUBCASE("another configured target: tried at the next event") {
        m.config(R"({"cards": {"0000:05:00.0": ["eth", "keep"]}})");
        m.clearWrites();
        m.extraEnvironment = udevEvent("change");
        CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
        CHECK_FALSE(m.writesTo(kCard).empty());
    }
    SUBCASE("an internal restart (port files made anew, no bind): not tried") {
        m.bed.unbindDriver(kCard);
        m.bed.bindDriver(kCard, {"ib", "ib"});
        m.clearWrites();
        m.extraEnvironment = udevEvent("change");
        m.extraEnvironment.push_back("SYNTH_UUID=0");
        CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
        CHECK(m.writesTo(kCard).empty());
    }
    SUBCASE("another start state: still not tried") {
        m.bed.setPort(kCard, 2, "eth");
        m.clearWrites();
        m.extraEnvironment = udevEvent("change");
        m.run({"apply", kCard}, refuseAll());
        CHECK(m.writesTo(kCard).empty());
    }
    SUBCASE("once the target is reached the record goes") {
        CHECK(m.run({"apply", "--retry", kCard}).status == 0);
        CHECK(m.bed.readPort(kCard, 1) == "eth\n");
        CHECK_FALSE(recordExists(m));
    }
}

TEST_CASE("an event that waited for the card's lock does not retry what the run before it had "
          "refused") {
    Machine m;
    m.bed.addCard(CardSpec(kCard));
    m.config(R"({"default": "eth"})");
    // A record as the run holding the lock leaves it: made by a refused run, kept aside.
    REQUIRE(m.run({"apply", "--retry", kCard}, refuseAll()).status == 1);
    const std::string record = m.runDir + "/" + kCard + ".refused";
    const std::string aside = m.dir + "/refused.aside";
    REQUIRE(rename(record.c_str(), aside.c_str()) == 0);

    // The run before holds the lock; the event reads the card (no record yet) and waits.
    const std::string lockPath = m.runDir + "/" + kCard + ".lock";
    int lock = open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(lock >= 0);
    REQUIRE(flock(lock, LOCK_EX) == 0);
    m.clearWrites();
    m.extraEnvironment = udevEvent("change");
    m.extraEnvironment.push_back("SYNTH_UUID=0");
    StartedProgram event = m.start({"--syslog", "apply", kCard}, refuseAll());
    // Waiting: the helper (not the child before its exec, which still has this process's lock
    // descriptor) has the lock file open.
    bool waiting = false;
    for (int i = 0; i < 3000 && !waiting; ++i) {
        std::string proc = "/proc/" + std::to_string(event.pid);
        char exe[4096];
        ssize_t exeLength = readlink((proc + "/exe").c_str(), exe, sizeof exe - 1);
        bool isHelper = exeLength > 0 && std::string(exe, size_t(exeLength)) ==
                                             std::filesystem::canonical(MLX4_PORTTYPE_BINARY);
        std::string fdDir = proc + "/fd";
        if (DIR* dir = isHelper ? opendir(fdDir.c_str()) : nullptr) {
            while (dirent* entry = readdir(dir)) {
                char target[4096];
                ssize_t length = readlinkat(dirfd(dir), entry->d_name, target, sizeof target - 1);
                if (length > 0 && std::string(target, size_t(length)) == lockPath)
                    waiting = true;
            }
            closedir(dir);
        }
        if (!waiting)
            usleep(10000);
    }
    REQUIRE(waiting);
    // The run before is done: its record is there, the lock free.
    REQUIRE(rename(aside.c_str(), record.c_str()) == 0);
    close(lock);
    RunResult r = finish(event);
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(m.writesTo(kCard).empty());
}

TEST_CASE("a refused write after which a port runs another protocol is a failed switch") {
    Machine m;
    // Port 1 to eth makes the driver send SET_PORT for port 2, which stays ib (none for an
    // Ethernet port); the firmware fails it with a status the driver maps to EINVAL. The driver
    // has set port 1's type before that command and leaves the device unregistered.
    CardSpec card(kCard);
    card.kernel = "dpdp firmware-fails-port=2";
    m.bed.addCard(card);
    m.config(R"({"default": "eth"})");
    std::string port1 = Machine::sysFile(kCard, "mlx4_port1");
    RunResult r = m.run({"apply", kCard});
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK_FALSE(contains(r.err, "switched as configured"));
    CHECK(contains(r.err, std::string(kLabel) + ": switching ports to [eth, eth] (" + m.configDir +
                              "/config.json:1) failed: writing port 1 failed with Invalid "
                              "argument (EINVAL) although port 1 now runs another protocol"));
    CHECK(contains(r.err, "The card now runs [eth, ib] (was [ib, ib]) and its network and "
                          "InfiniBand interfaces may be gone; the attempt cost 1 device restart. "
                          "To recover, switch it again (mlx4-porttype apply 0000:05:00.0, or "
                          "another configuration) or re-bind its driver"));
    // Nothing more was written: not port 2, and no putting back.
    auto writes = m.writesTo(kCard);
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].path == port1);
    // A failed switch is not a refusal to remember.
    CHECK_FALSE(recordExists(m));
    CHECK(m.bed.readPort(kCard, 1) == "eth\n");
    CHECK_FALSE(m.kernel(kCard).counters.registered);
}

TEST_CASE("a firmware failure that moves no type is a failed switch, seen by the interfaces") {
    Machine m;
    // (ib, ib) -> (ib, eth): port 1 stays ib, so the driver sends its SET_PORT first; the
    // firmware fails it, the loop stops before port 2's type is set, and the card's interfaces
    // are gone (the kernel shim moves them out of the testbed).
    CardSpec card(kCard);
    card.kernel = "dpdp firmware-fails-port=1";
    m.bed.addCard(card);
    m.bed.addIbPort(kCard, "mlx4_0", IbPortSpec{});
    m.config(R"({"cards": {"0000:05:00.0": ["ib", "eth"]}})");
    const std::string ibDir = m.bed.rootDir() + "/sys/devices/pci0000:00/" + kCard + "/infiniband";
    REQUIRE(access(ibDir.c_str(), F_OK) == 0);
    RunResult r = m.run({"apply", kCard});
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(access(ibDir.c_str(), F_OK) != 0);
    CHECK(contains(r.err, std::string(kLabel) + ": switching ports to [ib, eth] (" + m.configDir +
                              "/config.json:1) failed: writing port 2 failed with Invalid "
                              "argument (EINVAL) and the card's network and InfiniBand "
                              "interfaces are gone although no port changed its type"));
    CHECK(contains(r.err, "the attempt cost 1 device restart. To recover"));
    CHECK_FALSE(contains(r.err, "left as it was"));
    CHECK_FALSE(recordExists(m));
    CHECK(m.ports(kCard) == "ib,ib");
    CHECK_FALSE(m.kernel(kCard).counters.registered);
}

TEST_CASE("a refusal on a card without interfaces to compare says they could not be checked") {
    Machine m;
    CardSpec card(kCard);
    card.kernel = "dpdp support=both,ib-only";
    m.bed.addCard(card);
    m.config(R"({"cards": {"0000:05:00.0": ["ib", "eth"]}})");
    RunResult r = m.run({"apply", kCard});
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "the card's interfaces could not be checked (it had no network or "
                          "InfiniBand interface to compare"));
}

TEST_CASE("auto that the card accepts is reported with what sensing needs") {
    Machine m;
    // Without DPDP the driver never senses: auto is accepted, reads "auto (ib)", changes nothing.
    CardSpec card(kCard);
    card.kernel = "no-dpdp";
    m.bed.addCard(card);
    m.config(R"({"cards": {"0000:05:00.0": ["auto", "keep"]}})");
    RunResult r = m.run({"apply", kCard});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.err, std::string(kLabel) + ": ports [ib, ib] -> [auto (ib), ib]: accepted; "
                                                "this card senses only with DPDP and sense "
                                                "support (the driver lists both when loaded "
                                                "with modprobe mlx4_core debug_level=1); "
                                                "switched as configured in "));
}

TEST_CASE("a write that fails for another reason than a refusal is not remembered") {
    Machine m;
    m.bed.addCard(CardSpec(kCard));
    m.config(R"({"default": "eth"})");
    RunResult r =
        m.run({"apply", kCard}, "write|" + Machine::sysFile(kCard, "mlx4_port1") + "|EIO");
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "The card was left as it was: [ib, ib]; the attempt cost no device "
                          "restart"));
    CHECK_FALSE(contains(r.err, "udev events do not try this again"));
    CHECK_FALSE(recordExists(m));
}

TEST_CASE("status tells a card whose target was refused earlier") {
    Machine m;
    m.bed.addCard(CardSpec(kCard));
    m.config(R"({"default": "eth"})");
    const std::string note =
        "0000:05:00.0: the kernel refused this configuration earlier; udev events and the boot "
        "unit leave the card alone until its configured types change or the driver binds it "
        "anew; run `mlx4-porttype apply --retry 0000:05:00.0` to try again";
    CHECK_FALSE(contains(m.run({"status"}).out, note));
    CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
    RunResult table = m.run({"status"});
    CAPTURE(table.out);
    CHECK(contains(table.out, "note: " + note));
    RunResult json = m.run({"status", "--json"});
    CHECK(contains(json.out, "\"note\": \"" + note + "\""));
    // Another configuration is another target: no longer "refused earlier".
    m.config(R"({"default": "ib"})");
    CHECK_FALSE(contains(m.run({"status"}).out, "refused this configuration earlier"));
}

TEST_CASE("wait counts a card whose target was refused earlier as settled, and apply --json "
          "reports the udev event's refusal") {
    Machine m;
    m.bed.addCard(CardSpec(kCard));
    m.config(R"({"default": "eth"})");

    // Before any attempt the card is not as configured: wait gives up after its timeout.
    RunResult before = m.run({"wait", "--timeout", "1"});
    CAPTURE(before.err);
    CHECK(before.status == 1);
    CHECK(contains(before.err, "not ready after 1 s: " + std::string(kLabel)));

    REQUIRE(m.run({"apply", kCard}, refuseAll()).status == 1);
    REQUIRE(recordExists(m));
    RunResult after = m.run({"wait", "--timeout", "30"});
    CAPTURE(after.err);
    CHECK(after.status == 0);
    CHECK(contains(after.err, "every configured mlx4 VPI card is settled"));

    m.extraEnvironment = udevEvent("change");
    RunResult json = m.run({"apply", "--json", kCard}, refuseAll());
    CAPTURE(json.out);
    CHECK(json.status == 1);
    // Not "skipped", which means nothing to do: the card is not as configured.
    CHECK(contains(json.out, "\"result\": \"refused\""));
    CHECK(contains(json.out, "refused earlier"));
}

TEST_CASE("a refusal record that another user could have planted is ignored") {
    Machine m;
    m.bed.addCard(CardSpec(kCard));
    m.config(R"({"default": "eth"})");
    REQUIRE(m.run({"apply", kCard}, refuseAll()).status == 1);
    REQUIRE(recordExists(m));
    const std::string record = m.runDir + "/" + kCard + ".refused";

    SUBCASE("owned by another user") {
        if (geteuid() != 0) {
            MESSAGE("as a user the record cannot be given away; checked as root");
            return;
        }
        REQUIRE(chown(record.c_str(), 65534, 65534) == 0);
    }
    SUBCASE("writable by others") {
        REQUIRE(chmod(record.c_str(), 0666) == 0);
    }
    m.clearWrites();
    m.extraEnvironment = udevEvent("change");
    CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
    CHECK_FALSE(m.writesTo(kCard).empty()); // tried again, not skipped
}
