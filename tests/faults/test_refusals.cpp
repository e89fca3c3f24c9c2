// SPDX-License-Identifier: GPL-2.0-or-later
// What the helper does after the kernel refused a target, or the firmware failed a switch: it
// says so with what it cost, and udev events do not try a refused target again until the
// configuration or the card changes.
#include "machine.h"

#include <doctest/doctest.h>
#include <string>
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

TEST_CASE("a refused target is not tried again at udev events until the card or the "
          "configuration changes, and an admin's apply always tries") {
    Machine m;
    m.bed.addCard(CardSpec(kCard));
    m.config(R"({"default": "eth"})");

    // An admin's apply: refused, reported with its cost, remembered.
    RunResult r = m.run({"apply", kCard}, refuseAll());
    CAPTURE(r.err);
    CHECK(r.status == 1);
    // No line in the kernel log about it: the verdict says where to look.
    CHECK(contains(r.err, "error: 0000:05:00.0: the kernel refused ports [eth, eth]; see why: "
                          "journalctl -k | grep 0000:05:00.0\n"));
    CHECK(contains(r.err, std::string(kLabel) + ", configured in " + m.configDir +
                              "/config.json:1: left as it was, [ib, ib]; the attempt cost no "
                              "device restart"));
    CHECK(contains(r.err, "udev events do not try this again until the configuration "
                          "changes or the driver binds the card anew; mlx4-porttype apply "
                          "0000:05:00.0 does"));
    CHECK(recordExists(m));

    SUBCASE("change and add events: not tried, said once, exit 1") {
        for (const char* action : {"change", "add"}) {
            CAPTURE(action);
            m.clearWrites();
            m.extraEnvironment = udevEvent(action);
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
                                  "apply 0000:05:00.0` to try again"));
        CHECK(m.writesTo(kCard).empty());
    }
    SUBCASE("a bind event is a new probe: tried again") {
        m.clearWrites();
        m.extraEnvironment = udevEvent("bind");
        CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
        CHECK_FALSE(m.writesTo(kCard).empty());
    }
    SUBCASE("an admin's apply: tried again") {
        m.clearWrites();
        CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
        CHECK_FALSE(m.writesTo(kCard).empty());
    }
    SUBCASE("an edited configuration: tried again at the next event") {
        m.config("{ \"default\": \"eth\" } // edited");
        m.clearWrites();
        m.extraEnvironment = udevEvent("change");
        CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
        CHECK_FALSE(m.writesTo(kCard).empty());
    }
    SUBCASE("the driver probed the card again (new port files): tried again") {
        m.bed.unbindDriver(kCard);
        m.bed.bindDriver(kCard, {"ib", "ib"});
        m.clearWrites();
        m.extraEnvironment = udevEvent("change");
        CHECK(m.run({"apply", kCard}, refuseAll()).status == 1);
        CHECK_FALSE(m.writesTo(kCard).empty());
    }
    SUBCASE("another start state: tried") {
        m.bed.setPort(kCard, 2, "eth");
        m.clearWrites();
        m.extraEnvironment = udevEvent("change");
        m.run({"apply", kCard}, refuseAll());
        CHECK_FALSE(m.writesTo(kCard).empty());
    }
    SUBCASE("once the target is reached the record goes") {
        CHECK(m.run({"apply", kCard}).status == 0);
        CHECK(m.bed.readPort(kCard, 1) == "eth\n");
        CHECK_FALSE(recordExists(m));
    }
}

TEST_CASE("a refused write after which a port runs another protocol is a failed switch") {
    Machine m;
    // The firmware fails SET_PORT for port 1 with a status the driver maps to EINVAL; the driver
    // has set port 1's type before that command and leaves the device unregistered.
    CardSpec card(kCard);
    card.kernel = "dpdp firmware-fails-port=1";
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
        "0000:05:00.0: the kernel refused this configuration earlier; udev events leave the card "
        "alone until the configuration changes or the driver binds it anew; run mlx4-porttype "
        "apply 0000:05:00.0 to try again";
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
          "reports the udev event's skip") {
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
    CHECK(contains(json.out, "\"result\": \"skipped\""));
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
