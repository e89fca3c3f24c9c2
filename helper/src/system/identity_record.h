// SPDX-License-Identifier: GPL-2.0-or-later
// What root runs read of a card's identity, recorded for runs that cannot read it: config space
// past 64 bytes and the VPD are root's only, and `status` is often run by a monitoring user.
#pragma once

#include "identity.h"
#include "sysfs.h"

#include <optional>
#include <string>

namespace mlx4 {

// Records what `identity` holds that was read in full (parts that are unknown are left out) for
// the card's current probe, as RUNDIR/identity/ADDRESS, readable by all; parts an earlier record
// of the same probe holds and this run did not read are kept. False, with `problem`, if it
// could not be written.
bool recordIdentity(const std::string& runDir, const CardInfo& card, const CardIdentity& identity,
                    std::string& problem);

// Completes `identity`, read by a run without root, from the record of the card's current probe:
// each part the run could not read and the record holds. A record is trusted only if it is a
// regular file owned by root that no one else can write, in a directory likewise. Parts left
// unknown get the reason (no record, an untrusted one, another probe).
void completeFromRecord(const std::string& runDir, const CardInfo& card, CardIdentity& identity);

} // namespace mlx4
