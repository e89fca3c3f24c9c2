// SPDX-License-Identifier: GPL-2.0-or-later
#include "card_decision.h"

#include "device_table.h"
#include "text.h"

#include <cstdio>

namespace mlx4 {

namespace {

// Two entries of one rank name the card with different port types: it is not touched.
std::string conflictProblem(const CardInfo& card, const ConfigMatch& match) {
    return cardLabel(card) + ": " + match.entry->key + " (" + match.entry->where() + ") and " +
           match.conflict->key + " (" + match.conflict->where() +
           ") both name this card, with different port types (" + match.entry->spec.str() +
           " and " + match.conflict->spec.str() +
           "); the card was not touched. Remove one entry or make them agree";
}

} // namespace

std::string cardLabel(const CardInfo& card) {
    return card.address.str() + " (" + modelName(card.device) + ")";
}

bool isMlx4Card(const CardInfo& card) {
    return card.vendor == kMellanoxVendor && card.driver == "mlx4_core";
}

CardDecision decideCard(const CardInfo& card, const ConfigMatch& match) {
    if (card.vendor != kMellanoxVendor) {
        return RefuseCard{card.address.str() + " is not a Mellanox card (vendor " +
                          (card.vendor == kNoId ? quote(card.vendorText) : hexId(card.vendor)) +
                          ")"};
    }
    if (card.driver.empty())
        return LeaveCard{"no driver is bound yet; the port types are set when mlx4_core binds it"};
    if (card.driver != "mlx4_core")
        return RefuseCard{card.address.str() + " is driven by " + quote(card.driver) +
                          ", not mlx4_core; only mlx4 cards have a port type to set"};
    if (match.conflict)
        return RefuseCard{conflictProblem(card, match)};
    if (!card.portProblem.empty())
        return RefuseCard{cardLabel(card) + " " + card.portProblem};
    if (card.portCount == 0)
        return LeaveCard{"has no port files yet (the driver is still starting it); the port "
                         "types are set when it has finished"};
    if (!match.entry)
        return LeaveCard{"not configured; left as it is"};
    std::string problem;
    auto wants = wantsForCard(match.entry->spec, card.portCount, problem);
    if (!wants)
        return RefuseCard{cardLabel(card) + ": " + match.entry->where() + ": " + problem +
                          "; the card was not touched"};
    return SetPorts{*wants};
}

PortWant configuredWant(const PortSpec& spec, int port) {
    if (spec.allPorts)
        return spec.wants.front();
    size_t index = static_cast<size_t>(port - 1);
    return index < spec.wants.size() ? spec.wants[index] : PortWant::Keep;
}

} // namespace mlx4
