// SPDX-License-Identifier: GPL-2.0-or-later
// Reading the configuration from its directory, with the trust checks on every file and
// directory (sshd's rule); the text of each file goes to parseConfigText().
#pragma once

#include "config.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace mlx4 {

// The largest file accepted; a configuration is a few hundred bytes per card.
constexpr size_t kMaxConfigFileSize = 1024 * 1024;

// Reads DIR/config.json and DIR/config.d/*.json (lexical order; other names are ignored).
// A missing DIR or one without config files is an empty configuration. Files and directories
// writable by group or others, or owned by anyone but root and `trustedUser`, are refused.
Config loadConfigDir(const std::string& dir, uid_t trustedUser, std::vector<ConfigError>& errors);

} // namespace mlx4
