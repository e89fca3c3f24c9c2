// SPDX-License-Identifier: GPL-2.0-or-later
// The commands set and unset: a port type chosen without editing JSON, recorded in set.json and
// applied to the cards concerned, in the order that writes nothing when anything is wrong.
#pragma once

#include "address.h"
#include "config.h"
#include "set_file.h"

#include <functional>
#include <string>
#include <vector>

namespace mlx4 {

struct SetRequest {
    std::string configDir;
    SetEntry entry; // for unset, the KEY only
    bool unset = false;
    bool noApply = false;
    bool dryRun = false;
    bool force = false;
    bool useSyslog = false; // the guard is not asked of runs to the journal
    bool fromUdev = false;  // nor of udev events
};

// Applies `config` (the one just written) to the cards at `addresses` as `apply ADDRESS...`
// does, with the same guard, messages and outcome, or with `dryRun` shows its plan as
// `apply --dry-run` does; returns apply's exit status.
using ApplyCards =
    std::function<int(const Config& config, const std::vector<PciAddress>& addresses, bool dryRun)>;

// Runs set or unset; returns the exit status (mlx4-porttype(8), EXIT STATUS).
int runSetCommand(const SetRequest& request, const ApplyCards& apply);

} // namespace mlx4
