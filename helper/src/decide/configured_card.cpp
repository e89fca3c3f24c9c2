// SPDX-License-Identifier: GPL-2.0-or-later
#include "configured_card.h"

#include "device_table.h"

namespace mlx4 {

const std::vector<PortWant>* ConfiguredCard::wants() const {
    const SetPorts* set = std::get_if<SetPorts>(&decision);
    return set ? &set->wants : nullptr;
}

const std::string* ConfiguredCard::problem() const {
    const RefuseCard* refuse = std::get_if<RefuseCard>(&decision);
    return refuse ? &refuse->problem : nullptr;
}

const std::string* ConfiguredCard::leftBecause() const {
    const LeaveCard* leave = std::get_if<LeaveCard>(&decision);
    return leave ? &leave->reason : nullptr;
}

bool awaitsMlx4(const CardInfo& card) {
    return card.vendor == kMellanoxVendor && deviceKind(card.device) && card.driver.empty() &&
           (card.driverOverride.empty() || card.driverOverride == "mlx4_core");
}

ConfiguredCard configureCard(const CardInfo& card, const CardIdentity& identity,
                             const Config& config, const std::vector<CardIdentity>& others) {
    ConfiguredCard configured{card, identity, {}, LeaveCard{}};
    configured.identity.address = card.address;
    // Only a Mellanox card bound to mlx4_core has port types; no entry configures anything else.
    // A card of the driver's table that no driver has bound yet is matched too: whether it is
    // configured tells pending from not configured.
    if (isMlx4Card(card) || awaitsMlx4(card))
        configured.match = config.match(configured.identity, others);
    configured.decision = decideCard(card, configured.match);
    return configured;
}

} // namespace mlx4
