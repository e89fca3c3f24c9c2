// SPDX-License-Identifier: GPL-2.0-or-later
// The command line: apply, status, check, wait (verbs.h has the table).
#pragma once

namespace mlx4 {

// The contract, documented in mlx4-porttype(8), EXIT STATUS.
enum ExitStatus {
    kExitOk = 0,         // every addressed card is as configured (or has nothing to do)
    kExitCardFailed = 1, // at least one card could not be set or read; wait: timed out
    kExitUsage = 2,      // usage or configuration error: nothing was written
    kExitDrift = 3,      // status, apply --dry-run: all read, at least one not as configured
};

int runCommandLine(int argc, char** argv);

} // namespace mlx4
