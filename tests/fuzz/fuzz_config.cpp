// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the configuration loader and validator (guid:, serial:, part: keys too), drop-in
// merging included. The input is split at each 0x1e byte (a control character no valid file
// contains) into up to four files: config.json and three drop-ins, parsed and merged as the
// helper does.
#include "config.h"
#include "fuzz_check.h"

#include <string>
#include <string_view>
#include <vector>

using namespace mlx4;

namespace {

// The entry that configures the card at `address` when nothing else of it is known: its own
// entry, else default.
const mlx4::ConfigEntry* entryFor(const mlx4::Config& config, const mlx4::PciAddress& address) {
    mlx4::CardIdentity identity;
    identity.address = address;
    return config.match(identity).entry;
}

std::vector<std::string_view> splitFiles(std::string_view input) {
    std::vector<std::string_view> files;
    while (files.size() < 3) {
        size_t cut = input.find('\x1e');
        if (cut == std::string_view::npos)
            break;
        files.push_back(input.substr(0, cut));
        input.remove_prefix(cut + 1);
    }
    files.push_back(input);
    return files;
}

// A file with only the entries of `file`, written in the canonical forms.
std::string canonicalText(const ConfigFile& file) {
    auto spec = [](const PortSpec& s) {
        if (s.allPorts)
            return "\"" + s.str() + "\"";
        std::string list;
        for (PortWant want : s.wants)
            list += (list.empty() ? "\"" : ", \"") + std::string(portWantName(want)) + "\"";
        return "[" + list + "]";
    };
    std::string text = "{";
    if (file.defaultEntry)
        text += "\"default\": " + spec(file.defaultEntry->spec) + ", ";
    text += "\"cards\": {";
    bool first = true;
    auto add = [&](const ConfigEntry& entry) {
        std::string key;
        for (char c : entry.key)
            key += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        text += (first ? "\"" : ", \"") + key + "\": " + spec(entry.spec);
        first = false;
    };
    for (const auto& [address, entry] : file.cards)
        add(entry);
    for (const auto* entries : {&file.serials, &file.parts})
        for (const auto& [folded, entry] : *entries)
            add(entry);
    for (const auto& [guid, entry] : file.guids)
        add(entry);
    return text + "}}";
}

void checkSpec(const PortSpec& spec) {
    FUZZ_CHECK(!spec.wants.empty() && spec.wants.size() <= static_cast<size_t>(kMaxPorts));
    FUZZ_CHECK(!spec.allPorts || spec.wants.size() == 1);
    for (int ports = 1; ports <= kMaxPorts; ++ports) {
        std::string problem;
        auto wants = wantsForCard(spec, ports, problem);
        FUZZ_CHECK(wants.has_value() == problem.empty());
        FUZZ_CHECK(!wants || wants->size() == static_cast<size_t>(ports));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<ConfigFile> files;
    std::vector<ConfigError> allErrors;
    for (std::string_view text : splitFiles(input)) {
        std::string path = "/etc/mlx4-porttype/config.d/" + std::to_string(files.size()) + ".json";
        std::vector<ConfigError> errors;
        ConfigFile file = parseConfigText(text, path, errors);
        for (const ConfigError& error : errors) {
            FUZZ_CHECK(error.file == path && !error.message.empty());
            FUZZ_CHECK(error.str().rfind(path + ":", 0) == 0);
        }
        if (errors.empty()) {
            // What was understood, written plainly, reads back as the same entries.
            std::vector<ConfigError> again;
            ConfigFile reread = parseConfigText(canonicalText(file), path, again);
            FUZZ_CHECK(again.empty());
            FUZZ_CHECK(reread.cards.size() == file.cards.size());
            FUZZ_CHECK(reread.guids.size() == file.guids.size());
            FUZZ_CHECK(reread.serials.size() == file.serials.size());
            FUZZ_CHECK(reread.parts.size() == file.parts.size());
            for (const auto& [guid, entry] : file.guids)
                FUZZ_CHECK(reread.guids.at(guid).spec.str() == entry.spec.str());
            FUZZ_CHECK(reread.defaultEntry.has_value() == file.defaultEntry.has_value());
            for (const auto& [address, entry] : file.cards)
                FUZZ_CHECK(reread.cards.at(address).spec.str() == entry.spec.str());
        }
        allErrors.insert(allErrors.end(), errors.begin(), errors.end());
        files.push_back(std::move(file));
    }

    Config config = mergeConfigFiles(files);
    FUZZ_CHECK(config.files.size() == files.size());
    // A card's entry, and the default, come from the last file that has one.
    for (const auto& [address, entry] : config.cards) {
        const ConfigFile* last = nullptr;
        for (const ConfigFile& file : files)
            if (file.cards.count(address))
                last = &file;
        FUZZ_CHECK(last && last->path == entry.file);
        FUZZ_CHECK(entryFor(config, address) == &entry);
        checkSpec(entry.spec);
    }
    if (config.defaultEntry) {
        const ConfigFile* last = nullptr;
        for (const ConfigFile& file : files)
            if (file.defaultEntry)
                last = &file;
        FUZZ_CHECK(last && last->path == config.defaultEntry->file);
        checkSpec(config.defaultEntry->spec);
    }
    // Unit and model entries too come from the last file with that key.
    for (const auto& [guid, entry] : config.guids) {
        const ConfigFile* last = nullptr;
        for (const ConfigFile& file : files)
            if (file.guids.count(guid))
                last = &file;
        FUZZ_CHECK(last && last->path == entry.file);
        FUZZ_CHECK(entry.key == "guid:" + formatGuid(guid));
        checkSpec(entry.spec);
    }
    size_t named = 0;
    for (const ConfigFile& file : files)
        named += file.cards.size();
    FUZZ_CHECK(config.cards.size() <= named);
    return 0;
}
