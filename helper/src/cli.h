// SPDX-License-Identifier: GPL-2.0-or-later
// The command line: apply, status, check.
#pragma once

namespace mlx4 {

enum ExitStatus {
    kExitOk = 0,         // every addressed card is as configured (or has nothing to do)
    kExitCardFailed = 1, // at least one card could not be set or read
    kExitUsage = 2,      // usage or configuration error: nothing was written
};

int runCommandLine(int argc, char** argv);

} // namespace mlx4
