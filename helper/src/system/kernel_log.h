// SPDX-License-Identifier: GPL-2.0-or-later
// What the kernel says outside sysfs: its log (the driver's reason for a refusal) and the
// mlx4_core module option port_type_array. Device access; plain data out.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mlx4 {

// The kernel log's messages, oldest first, from /dev/kmsg (root, or CAP_SYSLOG where
// kernel.dmesg_restrict is set). nullopt when it cannot be read.
std::optional<std::vector<std::string>> readKernelMessages();

// The value of /sys/module/mlx4_core/parameters/port_type_array ("1,2"), or empty when the
// option is not set (all "0": the firmware's default), mlx4_core is not loaded, or the file
// cannot be read.
std::string portTypeArrayOption();

// What a set port_type_array means for the cards, for status: empty for an empty `value`.
std::string portTypeArrayNote(const std::string& value);

} // namespace mlx4
