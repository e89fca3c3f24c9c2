// SPDX-License-Identifier: GPL-2.0-or-later
// The configuration: DIR/config.json, DIR/config.d/*.json, then DIR/set.json, validated strictly
// and merged.
#pragma once

#include "address.h"
#include "identity.h"
#include "json_document.h"
#include "port_type.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlx4 {

// mlx4 cards have at most two ports (MLX4_MAX_PORTS in the driver).
constexpr int kMaxPorts = 2;

// What one entry asks of a card's ports: one type for all of them, or a list (port 1 first).
struct PortSpec {
    std::vector<PortWant> wants;
    bool allPorts = false; // a single string: applies to every port

    std::string str() const; // "eth" or "eth,keep"
    bool operator==(const PortSpec& o) const { return wants == o.wants && allPorts == o.allPorts; }
    bool operator!=(const PortSpec& o) const { return !(*this == o); }
};

// Where an entry was written, for messages and `check`.
struct ConfigEntry {
    PortSpec spec;
    std::string file;
    SourcePos pos;
    std::string key; // the card it names, spelled plainly: "0000:05:00.0", "guid:0002:c903:...",
                     // "serial:MT1037X01146", "part:MHQH29B-*" or "default"

    std::string where() const; // "FILE:LINE"
};

// The entries of one file (or, merged, of all files), by what they name. A card is named by
// its slot (PCI address), as a unit (guid: the Device Serial Number or node GUID; serial: the
// VPD serial number) or as a model (part: a glob over the VPD part number).
struct CardEntries {
    std::optional<ConfigEntry> defaultEntry;
    std::map<PciAddress, ConfigEntry> cards;    // slots
    std::map<uint64_t, ConfigEntry> guids;      // units
    std::map<std::string, ConfigEntry> serials; // units, keyed in upper case
    std::map<std::string, ConfigEntry> parts;   // models, keyed by the pattern in upper case

    // Any entry besides `default`.
    bool namesCards() const {
        return !cards.empty() || !guids.empty() || !serials.empty() || !parts.empty();
    }
};

struct ConfigFile : CardEntries {
    std::string path;
};

struct ConfigError {
    std::string file;
    SourcePos pos;
    std::string message;

    std::string str() const; // "FILE:LINE:COLUMN: message"
};

// Which entry configures a card. `conflict` is set when two entries of the same rank match it
// with different port types: the card is then not touched.
struct ConfigMatch {
    ConfigMatch() = default;
    ConfigMatch(const ConfigEntry* matched, const ConfigEntry* conflicting)
        : entry(matched), conflict(conflicting) {}

    const ConfigEntry* entry = nullptr; // nullptr: the card is left alone
    const ConfigEntry* conflict = nullptr;
    // An entry that may name the card but cannot be matched, because the card's identity of its
    // kind is unknown, and that would win over `entry`: the card is then not touched.
    const ConfigEntry* hidden = nullptr;
    std::string hiddenWhy; // why that part of the identity is unknown
};

// The merged configuration: later files replace `default` and whole entries with the same key.
struct Config : CardEntries {
    std::vector<std::string> files; // in the order they were read

    // The entry for a card, by precedence: a unit (guid:, serial:) beats a slot (address),
    // which beats a model (part:), which beats default. Only what was read of the card counts.
    ConfigMatch match(const CardIdentity& identity) const;

    // The same, and `hidden`: an entry "could name" the card when its key is of a kind the
    // card's identity is unknown for (CardIdentity::guidUnknown, serialUnknown, partUnknown) and,
    // for guid: and serial:, it names no card of `others` whose identity of that kind is known
    // (GUIDs and serials are unique; part numbers are not). `others`: what was read of the other
    // cards present.
    ConfigMatch match(const CardIdentity& identity, const std::vector<CardIdentity>& others) const;

    // What must be read from a card to match it: nothing for addresses and default.
    IdentityNeeds identityNeeds() const {
        return {!guids.empty(), !serials.empty() || !parts.empty()};
    }
};

// Parses one file's text (pure: no file system). Errors are appended to `errors`.
ConfigFile parseConfigText(std::string_view text, const std::string& path,
                           std::vector<ConfigError>& errors);

Config mergeConfigFiles(const std::vector<ConfigFile>& files);

// The file `mlx4-porttype set` and `unset` own, in the configuration directory.
constexpr const char kSetFileName[] = "set.json";

// DIR/set.json.
std::string setFilePath(const std::string& dir);

// One configuration file as read: its path and its text.
struct ConfigSource {
    std::string path;
    std::string text;
};

// Parses and merges the files in the order given (pure): what loadConfigDir() does with what
// readConfigSources() read, and what `set` does with the configuration it is about to write.
Config buildConfig(const std::vector<ConfigSource>& sources, std::vector<ConfigError>& errors);

// "; did you mean \"default\"?" when `word` is a near miss of one of `candidates` (case aside),
// else empty: the loader's suggestion, for words from elsewhere (the command line).
std::string didYouMeanSuffix(std::string_view word, const std::vector<std::string>& candidates);

// The wants for each of a card's `portCount` ports. A list shorter than the card keeps the
// remaining ports; a longer one is an error (returned in `problem`).
std::optional<std::vector<PortWant>> wantsForCard(const PortSpec& spec, int portCount,
                                                  std::string& problem);

} // namespace mlx4
