// SPDX-License-Identifier: GPL-2.0-or-later
// Every JSON document the helper prints, built in json_output.cpp and nowhere else: the
// contract of schema/apply.schema.json and schema/status.schema.json, reviewed in one place.
#pragma once

#include "cards.h"
#include "port_link.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace mlx4 {

// apply --json (schema/apply.schema.json).
void printApplyJson(const std::vector<CardReport>& reports, bool dryRun);

// status --json (schema/status.schema.json).
// `unmatched`: address entries that match no card present; `portTypeArray`: the module
// option's value, empty when it is not set.
void printStatusJson(const std::vector<CardRow>& rows,
                     const std::vector<const ConfigEntry*>& unmatched,
                     const std::string& portTypeArray);

// The status --json members of one port, in this order: "netdev" (name or null), "ib_device"
// (name or null), "link" ("up", "down" or null), "speed_mbps" (integer or null).
nlohmann::ordered_json portLinkJson(const PortLink& link);

} // namespace mlx4
