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
