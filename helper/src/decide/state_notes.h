// SPDX-License-Identifier: GPL-2.0-or-later
// What status, wait and apply say of a card in its state (card_state.h), where nothing else
// says it (pure).
#pragma once

#include "card_state.h"
#include "config.h"
#include "configured_card.h"

#include <string>

namespace mlx4 {

// Whether `entry` asks ib of a port.
bool entryAsksIb(const ConfigEntry* entry);
// "MT26448 ConnectX EN", "MCX312A-XCBT, ConnectX-3 EN" for an Ethernet-only card; else empty.
std::string ethernetOnlyName(const ConfiguredCard& card);
// Why a card is in `state`, where no other note says it; empty where there is nothing to say.
std::string stateNote(const ConfiguredCard& card, CardState state);
// The note for a card whose target the kernel refused earlier: what to do.
std::string refusedNote(const CardInfo& card);

} // namespace mlx4
