// SPDX-License-Identifier: GPL-2.0-or-later
// Reading the configuration from its directory, with the trust checks on every file and
// directory (sshd's rule); the text of the files goes to buildConfig().
#pragma once

#include "config.h"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace mlx4 {

// The largest file accepted; a configuration is a few hundred bytes per card.
constexpr size_t kMaxConfigFileSize = 1024 * 1024;

// Reads DIR/config.json, DIR/config.d/*.json (lexical order; other names are ignored), then
// DIR/set.json, so that what `set` recorded comes after every file the admin wrote. A missing
// DIR or one without config files is an empty configuration. Files and directories writable by
// group or others, or owned by anyone but root and `trustedUser`, are refused.
std::vector<ConfigSource> readConfigSources(const std::string& dir, uid_t trustedUser,
                                            std::vector<ConfigError>& errors);

// readConfigSources(), then buildConfig().
Config loadConfigDir(const std::string& dir, uid_t trustedUser, std::vector<ConfigError>& errors);

// One file on its own, wherever it is and whoever owns it (check --file: a file about to be
// installed): read, parsed and checked as the loader does. nullopt if it cannot be read.
std::optional<ConfigFile> checkConfigFile(const std::string& path,
                                          std::vector<ConfigError>& errors);

} // namespace mlx4
