// SPDX-License-Identifier: GPL-2.0-or-later
// The message of a refused target: a first line with the verdict and one action (short enough
// for a journal line at 2 a.m.), then the details, among them the kernel's own line about the
// card where root could read it from the kernel log, and which case it was. Pure.
#pragma once

#include "port_type.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlx4 {

// The first line stays under this many characters.
constexpr size_t kVerdictLineLimit = 160;

// Why the driver refused a combination (mlx4_check_port_params(), __set_port_type() in the
// kernel's drivers/net/ethernet/mellanox/mlx4/main.c).
enum class RefusalCase {
    SamePortTypes,        // "Only same port types supported on this HCA": no DPDP
    PortTypeNotSupported, // "Requested port type for port N is not supported on this HCA"
    AutoNotSupported,     // "Auto sensing is not supported on this HCA"
    Unknown,              // no such line (not readable, rotated out, or kernels up to 3.4)
};

struct KernelRefusalLine {
    std::string text; // the message as the kernel logged it, "mlx4_core 0000:05:00.0: ..."
    RefusalCase which = RefusalCase::Unknown;
    int port = 0; // PortTypeNotSupported: the port named
};

// The message text of one /dev/kmsg record ("PRI,SEQ,TS,FLAGS;TEXT\n KEY=VALUE\n..."): TEXT,
// without the header and the dictionary lines; nothing if it is not such a record.
std::optional<std::string> kmsgRecordText(std::string_view record);

// The last refusal the driver logged for the card at `address` ("0000:05:00.0") among
// `messages` (oldest first), if any.
std::optional<KernelRefusalLine> lastKernelRefusal(const std::vector<std::string>& messages,
                                                   const std::string& address);

// What a refusal message is made of.
struct RefusalFacts {
    std::string address;           // "0000:05:00.0"
    std::string card;              // cardLabel(): address and model
    std::vector<PortState> before; // as the card was, and is again
    std::vector<PortType> target;  // what was refused
    std::string where;             // the entry's FILE:LINE
    int restarts = 0;              // what the attempt cost
    std::string reason;            // switching's explanation (every case it could be)
    bool remembered = false;       // udev events will not try it again
    bool kernelLogRead = false;    // the kernel log could be read (root)
    std::optional<KernelRefusalLine> kernelLine;
};

// The message, one line per element: [0] the verdict and one action, shorter than
// kVerdictLineLimit; the rest the details.
std::vector<std::string> refusalMessage(const RefusalFacts& facts);

// The dry run's warning for a target that mixes ib and eth on one card: empty when it does not.
std::string mixedTargetWarning(const std::vector<PortType>& target);

} // namespace mlx4
