// SPDX-License-Identifier: GPL-2.0-or-later
// The file through which the kernel shim keeps one card's driver state between processes.
//
// A testbed card that has a kernel behind its port files has a file
// $UMOCKDEV_DIR/mlx4-kernel/<address> (Testbed::kernelCardPath()). The testbed writes its first
// line from CardSpec::kernel, the card's variant:
//   card: device=0x673c dpdp sense era=5.5 support=both,ib-only links=-,eth firmware-fails-port=1
// (one line; each word optional: no-dpdp, no-sense, era=3.4|3.6|4.6|5.5, support=both|ib-only|
// eth-only per port, links=-|ib|eth|up per port, firmware-fails-port=0|1|2, read-only; the shim
// adds ports=, counted from the port files at each write). The shim adds what the driver keeps
// and counts, after each write:
//   port1: active=ib possible=eth staged=eth
//   counters: restarts=1 writes=2 firmware-failures=0 registered=yes
#pragma once

#include "kernel_model.h"

#include <optional>
#include <string>
#include <vector>

namespace mlx4::test {

struct KernelCard {
    CardVariant variant;
    // Empty until the shim first saved the card: the port files tell the start.
    std::vector<KernelPortState> ports;
    KernelCounters counters;
};

// Parses a card file. On a word it does not know, returns nothing and says which in `error`.
std::optional<KernelCard> parseKernelCard(const std::string& text, std::string& error);
std::string formatKernelCard(const KernelCard& card);

// The variant's words, for the card: line (without ports= and device=, which the testbed adds).
std::optional<CardVariant> parseVariantWords(const std::string& words, std::string& error);

} // namespace mlx4::test
