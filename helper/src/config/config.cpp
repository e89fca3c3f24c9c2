// SPDX-License-Identifier: GPL-2.0-or-later
// The configuration: DIR/config.json, DIR/config.d/*.json, then DIR/set.json, validated strictly
// and merged.
#include "config.h"

#include "text.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace mlx4 {

namespace {

using Kind = JsonNode::Kind;

size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string upper(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return result;
}

// The closest of `candidates` to a mistyped `word`, case aside, or empty if none is close.
std::string closestWord(std::string_view word, const std::vector<std::string>& candidates) {
    std::string folded = lower(word);
    std::string best;
    size_t bestDistance = folded.size() <= 3 ? 1 : 2;
    for (const std::string& candidate : candidates) {
        size_t distance = editDistance(folded, candidate);
        if (distance <= bestDistance && (best.empty() || distance < editDistance(folded, best)))
            best = candidate;
    }
    return best == word ? "" : best;
}

std::string didYouMean(const std::string& word) {
    return word.empty() ? "" : "; did you mean \"" + word + "\"?";
}

// "; did you mean ...?" for a mistyped key, or nothing.
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
    return didYouMean(closestWord(word, candidates));
}

// The same for a port type. People write the protocols' long names too; those are port types
// only, never suggestions for a key.
std::string portTypeSuggestion(std::string_view word) {
    std::string folded = lower(word);
    if (folded == "ethernet" || folded == "en" || folded == "roce")
        return didYouMean("eth");
    if (folded == "infiniband" || folded == "ipoib")
        return didYouMean("ib");
    return suggestion(word, {"ib", "eth", "auto", "keep"});
}

// Turns one file's JSON tree into its entries. Every value is checked; each problem becomes an
// error and the check goes on, so that one run reports all of them.
class ConfigValidator {
public:
    ConfigValidator(const std::string& path, std::vector<ConfigError>& errors)
        : path_(path), errors_(errors) {}

    void error(SourcePos pos, std::string message) {
        errors_.push_back({path_, pos, std::move(message)});
    }

    std::optional<PortWant> portWant(const JsonNode& node) {
        if (node.kind != Kind::String) {
            error(node.pos, "a port type must be a string (\"ib\", \"eth\", \"auto\" or \"keep\"), "
                            "not " +
                                std::string(describeKind(node.kind)));
            return std::nullopt;
        }
        auto want = parsePortWant(node.text);
        if (!want)
            error(node.pos, "unknown port type " + quote(node.text) +
                                ": use \"ib\", \"eth\", \"auto\" or \"keep\"" +
                                portTypeSuggestion(node.text));
        return want;
    }

    // A string, an array of strings, or {"ports": one of those}.
    std::optional<PortSpec> portSpec(const JsonNode& node, bool objectAllowed = true) {
        PortSpec spec;
        if (node.kind == Kind::String) {
            auto want = portWant(node);
            if (!want)
                return std::nullopt;
            spec.wants.push_back(*want);
            spec.allPorts = true;
            return spec;
        }
        if (node.kind == Kind::Array) {
            if (node.items.empty()) {
                error(node.pos, "an empty port list configures nothing; list the ports "
                                "(port 1 first) or remove the entry");
                return std::nullopt;
            }
            if (node.items.size() > static_cast<size_t>(kMaxPorts)) {
                error(node.items[kMaxPorts].pos, "lists " + std::to_string(node.items.size()) +
                                                     " ports; mlx4 cards have at most " +
                                                     std::to_string(kMaxPorts));
                return std::nullopt;
            }
            bool ok = true;
            for (const JsonNode& item : node.items) {
                auto want = portWant(item);
                ok &= want.has_value();
                if (want)
                    spec.wants.push_back(*want);
            }
            return ok ? std::optional<PortSpec>(spec) : std::nullopt;
        }
        if (node.kind == Kind::Object && objectAllowed) {
            const JsonNode* ports = nullptr;
            bool ok = true;
            for (const JsonMember& member : node.members) {
                if (member.key == "ports") {
                    ports = &member.value;
                } else {
                    error(member.keyPos, "unknown key " + quote(member.key) +
                                             " in a card entry: the only key is \"ports\"" +
                                             suggestion(member.key, {"ports"}));
                    ok = false;
                }
            }
            if (!ports) {
                if (ok)
                    error(node.pos, "a card entry written as an object needs \"ports\"");
                return std::nullopt;
            }
            auto inner = portSpec(*ports, false);
            return ok ? inner : std::nullopt;
        }
        error(node.pos, std::string(objectAllowed ? "expected a port type (\"eth\"), a list "
                                                    "([\"eth\", \"ib\"]) or {\"ports\": ...}"
                                                  : "expected a port type (\"eth\") or a list "
                                                    "([\"eth\", \"ib\"])") +
                            ", not " + std::string(describeKind(node.kind)));
        return std::nullopt;
    }

    // A unit or model key's value after "guid:", "serial:" or "part:": printable, no spaces.
    bool keyValue(const JsonMember& member, std::string_view value, const char* what) {
        bool ok = !value.empty() && value.size() <= 255;
        for (char c : value)
            ok &= c > 0x20 && c < 0x7f;
        if (!ok)
            error(member.keyPos, "malformed card key " + quote(member.key) + ": write " + what);
        return ok;
    }

    // Remembers the line of each key; false (with an error) if this file named it already.
    template <typename Key>
    bool firstTime(std::map<Key, int>& lineOf, const Key& key, const JsonMember& member) {
        auto earlier = lineOf.find(key);
        if (earlier != lineOf.end()) {
            error(member.keyPos, quote(member.key) + " is the same card as the entry on line " +
                                     std::to_string(earlier->second) + "; keep one of them");
            return false;
        }
        lineOf[key] = member.keyPos.line;
        return true;
    }

    void cards(const JsonNode& node, ConfigFile& file) {
        if (node.kind != Kind::Object) {
            error(node.pos, "\"cards\" must be an object keyed by PCI address, guid:, serial: "
                            "or part:, not " +
                                std::string(describeKind(node.kind)));
            return;
        }
        // Every key seen, valid entry or not, in the form that compares equal for one card.
        std::map<PciAddress, int> addressLine;
        std::map<uint64_t, int> guidLine;
        std::map<std::string, int> serialLine, partLine;
        for (const JsonMember& member : node.members) {
            std::string_view key = member.key;
            size_t colon = key.find(':');
            std::string kind(key.substr(0, colon == std::string_view::npos ? 0 : colon));
            std::string_view value =
                key.substr(kind.size() + 1 > key.size() ? key.size() : kind.size() + 1);
            auto add = [&](auto& entries, const auto& index, std::string shown) {
                if (auto spec = portSpec(member.value))
                    entries[index] = ConfigEntry{*spec, path_, member.keyPos, std::move(shown)};
            };
            if (kind == "guid") {
                auto guid = parseGuid(value);
                if (!guid) {
                    error(member.keyPos, "malformed GUID " + quote(member.key) +
                                             ": write guid: and 16 hex digits, as "
                                             "0002:c903:000c:c89a, 0x0002c903000cc89a, "
                                             "00-02-c9-03-00-0c-c8-9a or 0002c903000cc89a");
                    continue;
                }
                if (*guid == 0 || *guid == ~uint64_t{0}) {
                    error(member.keyPos, quote(member.key) +
                                             " is the GUID of a card whose GUID was never "
                                             "programmed, which matches no card; use its "
                                             "address or serial:");
                    continue;
                }
                if (firstTime(guidLine, *guid, member))
                    add(file.guids, *guid, "guid:" + formatGuid(*guid));
            } else if (kind == "serial" || kind == "part") {
                bool serial = kind == "serial";
                if (!keyValue(member, value,
                              serial ? "serial: and the serial number, as status shows it "
                                       "(serial:MT1037X01146)"
                                     : "part: and a part number, * and ? as wildcards "
                                       "(part:MHQH29B-*)"))
                    continue;
                std::string folded = upper(value);
                if (firstTime(serial ? serialLine : partLine, folded, member))
                    add(serial ? file.serials : file.parts, folded, member.key);
            } else if (!kind.empty() &&
                       kind.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
                error(member.keyPos, "unknown kind of card key " + quote(member.key) +
                                         ": name a card by its PCI address, guid:, serial: or "
                                         "part:" +
                                         suggestion(kind, {"guid", "serial", "part"}));
            } else if (auto address = parsePciAddress(key)) {
                if (firstTime(addressLine, *address, member))
                    add(file.cards, *address, address->str());
            } else {
                std::string guess = guessPciAddress(member.key);
                error(member.keyPos,
                      "malformed PCI address " + quote(member.key) +
                          ": write DDDD:BB:DD.F or BB:DD.F in hex, as lspci -D shows it" +
                          (guess.empty() ? "" : "; did you mean \"" + guess + "\"?"));
            }
        }
    }

    void document(const JsonNode& root, ConfigFile& file) {
        if (root.kind != Kind::Object) {
            error(root.pos, "the configuration must be a JSON object such as "
                            "{\"cards\": {\"0000:05:00.0\": \"eth\"}}, not " +
                                std::string(describeKind(root.kind)));
            return;
        }
        for (const JsonMember& member : root.members) {
            if (member.key == "default") {
                if (auto spec = portSpec(member.value))
                    file.defaultEntry = ConfigEntry{*spec, path_, member.keyPos, "default"};
            } else if (member.key == "cards") {
                cards(member.value, file);
            } else {
                error(member.keyPos, "unknown key " + quote(member.key) +
                                         ": the top level has only \"default\" and \"cards\"" +
                                         suggestion(member.key, {"default", "cards"}));
            }
        }
    }

private:
    const std::string& path_;
    std::vector<ConfigError>& errors_;
};

} // namespace

std::string didYouMeanSuffix(std::string_view word, const std::vector<std::string>& candidates) {
    return suggestion(word, candidates);
}

std::string PortSpec::str() const {
    std::string text;
    for (PortWant want : wants)
        text += (text.empty() ? "" : ",") + std::string(portWantName(want));
    return text;
}

std::string ConfigError::str() const {
    if (pos.line == 0)
        return file + ": " + message;
    return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " +
           message;
}

std::string ConfigEntry::where() const {
    return file + ":" + std::to_string(pos.line);
}

namespace {

// The first of the entries of one rank, and the first that asks something else of the card.
ConfigMatch firstOf(const std::vector<const ConfigEntry*>& entries) {
    ConfigMatch match;
    for (const ConfigEntry* entry : entries) {
        if (!match.entry)
            match.entry = entry;
        else if (!match.conflict && entry->spec != match.entry->spec)
            match.conflict = entry;
    }
    return match;
}

ConfigMatch onlyEntry(const ConfigEntry* entry) {
    ConfigMatch match;
    match.entry = entry;
    return match;
}

template <typename Key>
void addFound(const std::map<Key, ConfigEntry>& entries, const Key& key,
              std::vector<const ConfigEntry*>& found) {
    auto entry = entries.find(key);
    if (entry != entries.end() &&
        std::find(found.begin(), found.end(), &entry->second) == found.end())
        found.push_back(&entry->second);
}

} // namespace

ConfigMatch Config::match(const CardIdentity& identity) const {
    std::vector<const ConfigEntry*> units;
    if (identity.serialNumber)
        addFound(guids, *identity.serialNumber, units);
    if (identity.nodeGuid)
        addFound(guids, *identity.nodeGuid, units);
    if (!identity.vpd.serial.empty())
        addFound(serials, upper(identity.vpd.serial), units);
    if (!units.empty())
        return firstOf(units);
    auto slot = cards.find(identity.address);
    if (slot != cards.end())
        return onlyEntry(&slot->second);
    std::vector<const ConfigEntry*> models;
    if (!identity.vpd.part.empty())
        for (const auto& [pattern, entry] : parts)
            if (globMatches(pattern, identity.vpd.part))
                models.push_back(&entry);
    if (!models.empty())
        return firstOf(models);
    return onlyEntry(defaultEntry ? &*defaultEntry : nullptr);
}

namespace {

// Precedence of what an entry names: a unit, a slot, a model, every card.
enum class Rank { none, other, model, slot, unit };

Rank rankOf(const Config& config, const ConfigEntry* entry) {
    if (!entry)
        return Rank::none;
    if (config.defaultEntry && entry == &*config.defaultEntry)
        return Rank::other;
    for (const auto& [address, slot] : config.cards)
        if (entry == &slot)
            return Rank::slot;
    for (const auto& [pattern, model] : config.parts)
        if (entry == &model)
            return Rank::model;
    return Rank::unit;
}

// Whether a card other than `identity`'s has a known GUID or VPD serial that `entry` names.
bool namesAnotherKnownCard(const CardIdentity& identity, const std::vector<CardIdentity>& others,
                           const std::optional<uint64_t>& guid, const std::string& serial) {
    for (const CardIdentity& other : others) {
        if (other.address == identity.address)
            continue;
        if (guid && other.guidUnknown.empty() &&
            (other.serialNumber == guid || other.nodeGuid == guid))
            return true;
        if (!serial.empty() && other.serialUnknown.empty() && upper(other.vpd.serial) == serial)
            return true;
    }
    return false;
}

} // namespace

ConfigMatch Config::match(const CardIdentity& identity,
                          const std::vector<CardIdentity>& others) const {
    ConfigMatch found = match(identity);
    Rank rank = rankOf(*this, found.entry);
    // An entry that may name the card, had its identity been read: one of a higher rank, or of
    // the same rank asking something else (a conflict it may be), leaves the card alone.
    auto hides = [&](const ConfigEntry& entry, Rank entryRank, const std::string& why) {
        if (found.hidden || entryRank < rank ||
            (entryRank == rank && found.entry && entry.spec == found.entry->spec))
            return;
        found.hidden = &entry;
        found.hiddenWhy = why;
    };
    if (!identity.guidUnknown.empty())
        for (const auto& [guid, entry] : guids)
            if (!namesAnotherKnownCard(identity, others, guid, {}))
                hides(entry, Rank::unit, identity.guidUnknown);
    if (!identity.serialUnknown.empty())
        for (const auto& [serial, entry] : serials)
            if (!namesAnotherKnownCard(identity, others, std::nullopt, serial))
                hides(entry, Rank::unit, identity.serialUnknown);
    if (!identity.partUnknown.empty())
        for (const auto& [pattern, entry] : parts)
            hides(entry, Rank::model, identity.partUnknown);
    return found;
}

ConfigFile parseConfigText(std::string_view text, const std::string& path,
                           std::vector<ConfigError>& errors) {
    ConfigFile file;
    file.path = path;
    JsonNode root;
    std::vector<JsonError> syntaxErrors;
    if (!parseJsonDocument(text, root, syntaxErrors)) {
        for (JsonError& error : syntaxErrors)
            errors.push_back({path, error.pos, std::move(error.message)});
        return file;
    }
    ConfigValidator(path, errors).document(root, file);
    return file;
}

Config mergeConfigFiles(const std::vector<ConfigFile>& files) {
    Config config;
    for (const ConfigFile& file : files) {
        config.files.push_back(file.path);
        if (file.defaultEntry)
            config.defaultEntry = file.defaultEntry;
        for (const auto& [address, entry] : file.cards)
            config.cards[address] = entry;
        for (const auto& [guid, entry] : file.guids)
            config.guids[guid] = entry;
        for (const auto& [serial, entry] : file.serials)
            config.serials[serial] = entry;
        for (const auto& [pattern, entry] : file.parts)
            config.parts[pattern] = entry;
    }
    return config;
}

Config buildConfig(const std::vector<ConfigSource>& sources, std::vector<ConfigError>& errors) {
    std::vector<ConfigFile> files;
    for (const ConfigSource& source : sources)
        files.push_back(parseConfigText(source.text, source.path, errors));
    return mergeConfigFiles(files);
}

std::string setFilePath(const std::string& dir) {
    return dir + "/" + kSetFileName;
}

std::optional<std::vector<PortWant>> wantsForCard(const PortSpec& spec, int portCount,
                                                  std::string& problem) {
    std::vector<PortWant> wants(static_cast<size_t>(portCount), PortWant::Keep);
    if (spec.allPorts) {
        std::fill(wants.begin(), wants.end(), spec.wants.front());
        return wants;
    }
    if (spec.wants.size() > wants.size()) {
        problem = "the configuration lists " + std::to_string(spec.wants.size()) +
                  " ports but the card has " + std::to_string(portCount);
        return std::nullopt;
    }
    std::copy(spec.wants.begin(), spec.wants.end(), wants.begin());
    return wants;
}

} // namespace mlx4
