// SPDX-License-Identifier: GPL-2.0-or-later
// The switching plan: what changes, and whether the card restarts for it.
#include "switching.h"

#include <doctest/doctest.h>

using namespace mlx4;

namespace {
const PortState ib{PortType::Ib, false}, eth{PortType::Eth, false}, autoIb{PortType::Ib, true};
}

TEST_CASE("a card that already matches is in sync") {
    CHECK(makePlan({eth, eth}, {PortWant::Eth, PortWant::Eth}).inSync());
    CHECK(makePlan({autoIb, eth}, {PortWant::Auto, PortWant::Keep}).inSync());
}

TEST_CASE("keep targets the port's current type, auto included") {
    CardPlan plan = makePlan({autoIb, ib}, {PortWant::Keep, PortWant::Eth});
    CHECK_FALSE(plan.inSync());
    CHECK(plan.targets() == std::vector<PortType>{PortType::Auto, PortType::Eth});
    CHECK_FALSE(plan.ports[0].changes);
    CHECK(plan.ports[1].changes);
    CHECK(plan.ports[1].changesProtocol());
}

TEST_CASE("turning auto-sensing on is a change, but not a protocol change") {
    CardPlan plan = makePlan({ib}, {PortWant::Auto});
    CHECK(plan.ports[0].changes);
    CHECK_FALSE(plan.ports[0].changesProtocol());
    CHECK(makePlan({autoIb}, {PortWant::Ib}).ports[0].changes);
}

namespace {
PortReading readable(int port, PortState state, bool writable = true) {
    return {port, state, "", writable};
}
} // namespace

TEST_CASE("a plan made from a reading with an unreadable port has no ports and says why") {
    CardReading reading{{readable(1, ib), {2, std::nullopt, "cannot read port 2: EIO", true}}};
    CardPlan plan = makePlan(reading, {PortWant::Eth, PortWant::Eth});
    CHECK(plan.ports.empty());
    CHECK(plan.problem == "cannot read port 2: EIO");
    ApplyResult outcome = planOutcome(plan);
    CHECK(outcome.outcome == ApplyOutcome::ReadFailed);
    CHECK(outcome.reason == plan.problem);
}

TEST_CASE("the plan's outcome before any write: in sync, planned, or read-only") {
    CardReading both{{readable(1, ib), readable(2, ib)}};
    CHECK(planOutcome(makePlan(both, {PortWant::Ib, PortWant::Keep})).outcome ==
          ApplyOutcome::InSync);
    ApplyResult planned = planOutcome(makePlan(both, {PortWant::Eth, PortWant::Eth}));
    CHECK(planned.outcome == ApplyOutcome::Planned);
    CHECK(planned.before == std::vector<PortState>{ib, ib});
    CHECK(planned.target == std::vector<PortType>{PortType::Eth, PortType::Eth});

    // A switch writes every port, so a read-only port 2 stops a change of port 1 alone.
    CardReading readOnly{{readable(1, ib), readable(2, ib, false)}};
    CardPlan plan = makePlan(readOnly, {PortWant::Eth, PortWant::Keep});
    CHECK(plan.readOnlyPort() == 2);
    ApplyResult refused = planOutcome(plan);
    CHECK(refused.outcome == ApplyOutcome::ReadOnly);
    CHECK(refused.reason.rfind("port 2 is read-only", 0) == 0);
    // In sync, read-only files do not matter: nothing is written.
    CHECK(planOutcome(makePlan(readOnly, {PortWant::Ib, PortWant::Ib})).outcome ==
          ApplyOutcome::InSync);
}

TEST_CASE("whether the writes restart the card, and whether they newly ask a port to sense") {
    CardPlan toEth = makePlan({ib, ib}, {PortWant::Eth, PortWant::Keep});
    CHECK(toEth.restartsCard());
    CHECK_FALSE(toEth.setsAuto());
    CardPlan sense = makePlan({ib, ib}, {PortWant::Auto, PortWant::Keep});
    CHECK_FALSE(sense.restartsCard());
    CHECK(sense.setsAuto());
    CHECK_FALSE(makePlan({autoIb, ib}, {PortWant::Auto, PortWant::Keep}).setsAuto());
}
