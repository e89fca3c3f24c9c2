// SPDX-License-Identifier: GPL-2.0-or-later
// mlx4-porttype: sets the port types of Mellanox mlx4 VPI cards from a per-card configuration.
#include "cli.h"

int main(int argc, char** argv) {
    return mlx4::runCommandLine(argc, argv);
}
