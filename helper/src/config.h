// SPDX-License-Identifier: GPL-2.0-or-later
// The configuration: DIR/config.json then DIR/config.d/*.json, validated strictly and merged.
#pragma once

#include "address.h"
#include "json_document.h"
#include "port_type.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace mlx4 {

// mlx4 cards have at most two ports (MLX4_MAX_PORTS in the driver).
constexpr int kMaxPorts = 2;

// What one entry asks of a card's ports: one type for all of them, or a list (port 1 first).
struct PortSpec {
    std::vector<PortWant> wants;
    bool allPorts = false; // a single string: applies to every port

    std::string str() const; // "eth" or "eth,keep"
};

// Where an entry was written, for messages and `check`.
struct ConfigEntry {
    PortSpec spec;
    std::string file;
    SourcePos pos;
};

struct ConfigFile {
    std::string path;
    std::optional<ConfigEntry> defaultEntry;
    std::map<PciAddress, ConfigEntry> cards;
};

struct ConfigError {
    std::string file;
    SourcePos pos;
    std::string message;

    std::string str() const; // "FILE:LINE:COLUMN: message"
};

// The merged configuration: later files replace `default` and whole card entries.
struct Config {
    std::vector<std::string> files; // in the order they were read
    std::optional<ConfigEntry> defaultEntry;
    std::map<PciAddress, ConfigEntry> cards;
    // Of the files' names and contents (loadConfigDir() only): another value means the
    // configuration was edited.
    std::string fingerprint;

    // The entry that applies to the card, or nullptr when the card is left alone.
    const ConfigEntry* entryFor(const PciAddress& address) const;
};

// Parses one file's text (pure: no file system). Errors are appended to `errors`.
ConfigFile parseConfigText(std::string_view text, const std::string& path,
                           std::vector<ConfigError>& errors);

Config mergeConfigFiles(const std::vector<ConfigFile>& files);

// The largest file accepted; a configuration is a few hundred bytes per card.
constexpr size_t kMaxConfigFileSize = 1024 * 1024;

// Reads DIR/config.json and DIR/config.d/*.json (lexical order; other names are ignored).
// A missing DIR or one without config files is an empty configuration. Files and directories
// writable by group or others, or owned by anyone but root and `trustedUser`, are refused.
Config loadConfigDir(const std::string& dir, uid_t trustedUser, std::vector<ConfigError>& errors);

// The wants for each of a card's `portCount` ports. A list shorter than the card keeps the
// remaining ports; a longer one is an error (returned in `problem`).
std::optional<std::vector<PortWant>> wantsForCard(const PortSpec& spec, int portCount,
                                                  std::string& problem);

// The closest of `candidates` to a mistyped `word`, or empty if none is close.
std::string closestWord(std::string_view word, const std::vector<std::string>& candidates);

} // namespace mlx4
