// SPDX-License-Identifier: GPL-2.0-or-later
// The control of tests/layers: a pure layer's own header compiles and links, so that the
// failures the other probes expect come from the layering and not from a broken probe.
#include "card_decision.h"
#include "plan.h"

int main() {
    return mlx4::makePlan(std::vector<mlx4::PortState>{}, {}).inSync() ? 0 : 1;
}
