// SPDX-License-Identifier: GPL-2.0-or-later
// What a udev event reads of a card's identity: nothing for a configuration of addresses and
// default; config space for guid: keys; the VPD for serial: and part: keys. The shim makes
// those files fail to open, so that any read of them shows in the helper's debug output.
#include "card_bytes.h"
#include "machine.h"

#include <doctest/doctest.h>

using namespace mlx4::test;

namespace {

const char* const kAddress = "0000:05:00.0";
const char* const kIdentityFaults = "open|*/config|EIO;open|*/vpd|EIO";

void addRealCard(Machine& m) {
    CardSpec card(kAddress);
    card.config = configSpace({});
    card.vpd = vpdImage({});
    m.bed.addCard(card);
}

} // namespace

TEST_CASE("an address-only configuration reads neither config space nor the VPD") {
    Machine m;
    addRealCard(m);
    m.config(R"({"default": "ib", "cards": {"0000:05:00.0": "eth"}})");
    RunResult r = m.run({"-v", "apply", kAddress}, kIdentityFaults);
    CHECK(r.status == 0);
    CHECK_FALSE(contains(r.err, "identity partly unknown"));
    CHECK(m.writesTo(kAddress).size() == 2);
}

TEST_CASE("guid: keys read config space but not the VPD, part: keys the VPD") {
    Machine m;
    addRealCard(m);
    m.config(R"({"cards": {"guid:0002c903000cc89a": "eth"}})");
    RunResult r = m.run({"-v", "apply", kAddress}, kIdentityFaults);
    CHECK(contains(r.err, "identity partly unknown: cannot read config space: Input/output "
                          "error"));
    CHECK_FALSE(contains(r.err, "cannot read the VPD"));
    m.config(R"({"cards": {"part:MHQH19B-*": "eth"}})");
    r = m.run({"-v", "apply", kAddress}, kIdentityFaults);
    CHECK(contains(r.err, "identity partly unknown: cannot read the VPD: Input/output error"));
    CHECK_FALSE(contains(r.err, "cannot read config space"));
    // Unreadable, the card may be what either entry names: it is left alone, and that is an
    // error, not "not configured".
    CHECK(r.status == 1);
    CHECK(contains(r.err, "identity unknown, so the card was not touched: part:MHQH19B-*"));
    CHECK(m.writesTo(kAddress).empty());
}

TEST_CASE("an unreadable VPD leaves a card a part: entry may name alone, not handed to default") {
    Machine m;
    addRealCard(m);
    m.config(R"({"default": "ib", "cards": {"part:MHQH19B-*": "eth"}})");
    m.bed.setPort(kAddress, 1, "eth\n");
    m.bed.setPort(kAddress, 2, "eth\n");
    RunResult r = m.run({"apply", "--json", kAddress}, "open|*/vpd|EIO");
    CHECK(r.status == 1);
    CHECK(contains(r.out, "\"result\": \"failed\""));
    CHECK(contains(r.out, "Why unknown: cannot read the VPD: Input/output error"));
    CHECK(m.writesTo(kAddress).empty());
}
