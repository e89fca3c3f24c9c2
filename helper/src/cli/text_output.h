// SPDX-License-Identifier: GPL-2.0-or-later
// The text the verbs print on stdout: tables, the dry run's plan, check's mapping. (The JSON
// documents are json_output.h's; messages to the log are the verbs'.)
#pragma once

#include "cards.h"

#include <string>
#include <vector>

namespace mlx4 {

// Above the port table: who each card is, and which entry configures it.
void printIdentityTable(const std::vector<ConfiguredCard>& cards);

// status's port table and its notes.
void printStatusTable(const std::vector<CardRow>& rows);

// apply --dry-run for one card to be set: the verdict, the entry, each port, and what a restart
// takes down (`impact`, if it may restart).
void printPlan(const ConfiguredCard& card, const CardPlan& plan, const RestartImpact* impact);

// check: the files read and the effective mapping.
void printMapping(const Config& config);

} // namespace mlx4
