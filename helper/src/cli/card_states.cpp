// SPDX-License-Identifier: GPL-2.0-or-later
// The facts a card's state is decided from (card_state.h), as the system shows them: its
// driver, its lock, the refusal recorded for it; and the notes that say why it is in its state.
#include "card_lock.h"
#include "cards.h"
#include "device_table.h"
#include "log.h"
#include "refusal_memory.h"
#include "sysfs.h"
#include "text.h"

#include <algorithm>

namespace mlx4 {

Binding bindingOf(const CardInfo& card) {
    if (!card.driver.empty())
        return card.driver == "mlx4_core" ? Binding::Mlx4Core : Binding::Other;
    if (!card.driverOverride.empty() && card.driverOverride != "mlx4_core")
        return Binding::Other;
    return Binding::None;
}

CardFacts cardFacts(const ConfiguredCard& card, const CardReading* reading,
                    const RunContext& context,
                    const Config& /*config: refusals are keyed by the wanted types now*/) {
    CardFacts facts;
    facts.mellanox = card.card.vendor == kMellanoxVendor;
    facts.binding = bindingOf(card.card);
    facts.ethernetOnly = !ethernetOnlyName(card).empty();
    facts.virtualFunction = deviceKind(card.card.device) == DeviceKind::virtualFunction;
    facts.conflict = card.match.conflict != nullptr;
    // An entry may name the card but its identity could not be read (Config::match).
    facts.identityKnown = card.match.hidden == nullptr;
    facts.entry = entryKind(card.entry());
    facts.entryAsksIb = entryAsksIb(card.entry());
    facts.portFiles = card.card.portCount > 0 || !card.card.portProblem.empty();
    facts.helperRefuses = card.problem() != nullptr;
    if (facts.binding == Binding::Mlx4Core && isMlx4Card(card.card))
        facts.lockHeld = cardLockHeld(context.runDir, card.card.address);
    if (reading && !reading->ports.empty()) {
        facts.readable = reading->problem().empty();
        facts.writable = true;
        for (const PortReading& port : reading->ports)
            facts.writable &= port.writable;
        if (const std::vector<PortWant>* wants = card.wants(); wants && *facts.readable) {
            CardPlan plan = makePlan(*reading, *wants);
            facts.planInSync = plan.inSync();
            facts.refusalRecorded =
                !facts.planInSync &&
                earlierRefusal(context.runDir, card.card.address, plan, *wants).has_value();
        }
    }
    return facts;
}

bool collectStatusCards(const Options& options, std::vector<CardInfo>& cards) {
    if (!options.addresses.empty())
        return collectCards(options, cards);
    std::string problem;
    // A card passed through to a VM is bound to vfio-pci; the devices of other Mellanox drivers
    // (mlx5) are not ours.
    for (CardInfo& device : findMellanoxDevices(problem))
        if (deviceKind(device.device) || device.driver == "mlx4_core")
            cards.push_back(std::move(device));
    if (!problem.empty()) {
        logError(problem);
        return false;
    }
    return true;
}

std::vector<PciAddress> mellanoxAddresses() {
    std::string problem;
    std::vector<PciAddress> present;
    for (const CardInfo& device : findMellanoxDevices(problem))
        present.push_back(device.address);
    return present;
}

} // namespace mlx4
