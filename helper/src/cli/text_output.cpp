// SPDX-License-Identifier: GPL-2.0-or-later
#include "text_output.h"

#include "device_table.h"
#include "ethernet_speed.h"
#include "refusal_message.h"
#include "text.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace mlx4 {

namespace {

void printColumns(const std::vector<std::vector<std::string>>& table) {
    std::vector<size_t> width(table.front().size(), 0);
    for (const auto& line : table)
        for (size_t i = 0; i < line.size(); ++i)
            width[i] = std::max(width[i], line[i].size());
    for (const auto& line : table) {
        std::string text;
        for (size_t i = 0; i < line.size(); ++i)
            text += line[i] +
                    (i + 1 < line.size() ? std::string(width[i] - line[i].size() + 2, ' ') : "");
        std::printf("%s\n", text.c_str());
    }
}

std::string shown(const std::string& text) {
    return text.empty() ? "-" : text;
}

std::string guidText(const std::optional<uint64_t>& guid) {
    return guid ? formatGuid(*guid) : std::string();
}

// "slot config.json:5", "guid 50-rack.json:3": which kind of entry configures a card, and
// where, short enough for the identity table (the whole path is in check and the JSON).
std::string configuredByColumn(const ConfigEntry* entry) {
    if (!entry)
        return "-";
    static const char* const kKinds[] = {"-", "slot", "unit", "part", "default"};
    std::string kind = kKinds[static_cast<int>(entryKind(entry))];
    if (entryKind(entry) == EntryKind::Unit)
        kind = entry->key.substr(0, entry->key.find(':'));
    // The file's name, its middle left out when long: the table stays within 100 columns.
    std::string file = entry->file.substr(entry->file.rfind('/') + 1);
    constexpr size_t kMaxFileName = 16;
    if (file.size() > kMaxFileName)
        file = file.substr(0, 7) + "..." + file.substr(file.size() - 6);
    return kind + " " + file + ":" + std::to_string(entry->pos.line);
}

// The same note for both ports ("mlx4_en is not loaded") is said once for the card.
void addLinkNotes(const CardRow& row, std::vector<std::string>& notes) {
    std::vector<std::pair<std::string, std::vector<int>>> linkNotes;
    for (const PortRow& port : row.ports) {
        if (!port.reading.problem.empty())
            notes.push_back(cardLabel(row.card.card) + ": " + port.reading.problem);
        if (port.link.note.empty())
            continue;
        auto same = std::find_if(linkNotes.begin(), linkNotes.end(),
                                 [&](const auto& note) { return note.first == port.link.note; });
        if (same == linkNotes.end())
            linkNotes.push_back({port.link.note, {port.reading.port}});
        else
            same->second.push_back(port.reading.port);
    }
    for (const auto& [note, ports] : linkNotes) {
        std::string which = ports.size() == 1 ? " port " + std::to_string(ports.front())
                                              : " ports " + std::to_string(ports.front()) +
                                                    " and " + std::to_string(ports.back());
        notes.push_back(row.card.card.address.str() + which + ": " + note);
    }
}

} // namespace

void printIdentityTable(const std::vector<ConfiguredCard>& cards) {
    if (cards.empty())
        return;
    // 100 columns: the product string and the PSID are in status --json.
    std::vector<std::vector<std::string>> table{
        {"ADDRESS", "PART", "SERIAL", "GUID", "FIRMWARE", "CONFIGURED BY"}};
    std::vector<std::string> notes;
    for (const ConfiguredCard& card : cards) {
        const CardIdentity& identity = card.identity;
        auto orUnknown = [](const std::string& why, const std::string& text) {
            return why.empty() ? shown(text) : std::string("unknown");
        };
        std::string guid = orUnknown(identity.guidUnknown, guidText(identity.guid()));
        // The two are equal on the cards seen so far, but nothing guarantees it.
        if (identity.serialNumber && identity.nodeGuid &&
            identity.serialNumber != identity.nodeGuid)
            notes.push_back(card.card.address.str() + ": node_guid " +
                            formatGuid(*identity.nodeGuid) +
                            " differs from the Device Serial Number " + guid);
        // A conflict shows both entries, not the one that sorts first.
        std::string configuredBy = card.match.conflict ? "conflict: " + entryText(*card.entry()) +
                                                             ", " + entryText(*card.match.conflict)
                                                       : configuredByColumn(card.entry());
        table.push_back({card.card.address.str(),
                         orUnknown(identity.partUnknown, identity.vpd.part),
                         orUnknown(identity.serialUnknown, identity.vpd.serial), guid,
                         shown(escaped(identity.firmware)), configuredBy});
        // A refused card says why in its note below the port table.
        if (identity.anyUnknown() && !card.problem())
            notes.push_back(card.card.address.str() +
                            ": identity partly unknown: " + identity.unknownReasons());
    }
    printColumns(table);
    for (const std::string& note : notes)
        std::printf("note: %s\n", note.c_str());
    std::printf("\n");
}

void printStatusTable(const std::vector<CardRow>& rows) {
    std::vector<std::vector<std::string>> table{
        {"ADDRESS", "PORT", "CURRENT", "CONFIGURED", "STATE", "INTERFACE", "LINK"}};
    std::vector<std::string> notes;
    for (const CardRow& row : rows) {
        std::string address = row.card.card.address.str();
        std::string state(cardStateWords(row.state));
        if (row.ports.empty())
            table.push_back({address, "-", "-", "-", state, "-", "-"});
        for (const PortRow& port : row.ports) {
            table.push_back(
                {address, std::to_string(port.reading.port),
                 port.reading.state ? formatPortState(*port.reading.state) : "unreadable",
                 port.configured.empty() ? "-" : port.configured, state, interfaceColumn(port.link),
                 linkColumn(port.link)});
        }
        addLinkNotes(row, notes);
        if (row.state == CardState::OtherDriver || row.state == CardState::EthernetOnly ||
            (row.state == CardState::Failed && !row.stateNote.empty()))
            notes.push_back(row.stateNote);
        else if (row.card.problem())
            notes.push_back(*row.card.problem());
        else if (!row.refused.empty())
            notes.push_back(row.refused);
        else if (!row.ports.empty() && !row.ports.front().reading.writable)
            notes.push_back(address + ": port files are read-only (SR-IOV or a virtual function)");
        else if (!row.stateNote.empty())
            notes.push_back(row.stateNote);
        // What Ethernet runs at, for a card configured or running Ethernet somewhere: the
        // surprise of a 40 Gb/s InfiniBand card that gives 10 Gb/s.
        bool ethernet = std::any_of(row.ports.begin(), row.ports.end(), [](const PortRow& port) {
            return port.configured == "eth" ||
                   (port.reading.state && port.reading.state->active == PortType::Eth);
        });
        std::string speed = ethernetSpeed(row.card.card.device, row.card.identity.vpd.part);
        if (ethernet && !speed.empty() && row.state != CardState::OtherDriver)
            notes.push_back(address + ": this card's Ethernet runs at " + speed);
    }
    if (rows.empty()) {
        std::printf("no mlx4 card found\n");
        return;
    }
    printColumns(table);
    for (const std::string& note : notes)
        std::printf("note: %s\n", note.c_str());
}

void printPlan(const ConfiguredCard& card, const CardPlan& plan, const RestartImpact* impact) {
    std::string verdict =
        plan.inSync() ? "in sync, nothing to write"
        : plan.restartsCard()
            ? "would write; the card restarts and its network and InfiniBand interfaces go "
              "away until it is back"
        : plan.setsAuto()
            ? "would write; auto restarts a card with DPDP and sense support at once if a port "
              "senses the other protocol (other cards only accept it)"
            : "would write (auto-sensing off only; no restart expected)";
    std::printf("%s: %s\n", cardLabel(card.card).c_str(), verdict.c_str());
    std::printf("  configured by %s (%s)\n", card.entry()->key.c_str(),
                card.entry()->where().c_str());
    if (!plan.inSync())
        if (std::string warning = mixedTargetWarning(plan.targets()); !warning.empty())
            std::printf("  warning: %s\n", warning.c_str());
    // The surprise this project started from: a QDR card's Ethernet is 10 Gb/s.
    bool toEthernet = std::any_of(plan.ports.begin(), plan.ports.end(), [](const PortPlan& port) {
        return port.changesProtocol() && port.target == PortType::Eth;
    });
    std::string speed = ethernetSpeed(card.card.device, card.identity.vpd.part);
    if (toEthernet)
        std::printf("  in Ethernet mode this card runs at %s\n",
                    speed.empty() ? "a speed its model does not tell (see its part number)"
                                  : speed.c_str());
    for (const PortPlan& port : plan.ports) {
        std::string target =
            port.want == PortWant::Keep ? "keep" : std::string(portTypeName(port.target));
        if (port.changes)
            std::printf("  port %d: %s -> %s\n", port.port, formatPortState(port.current).c_str(),
                        target.c_str());
        else
            std::printf("  port %d: %s (configured %s)\n", port.port,
                        formatPortState(port.current).c_str(),
                        std::string(portWantName(port.want)).c_str());
    }
    if (impact) {
        std::printf("  a restart takes down, until the card is back:\n");
        for (const std::string& line : impact->lines)
            std::printf("    %s\n", line.c_str());
        if (!impact->guardVerdict.empty())
            std::printf("  the guard: %s\n", impact->guardVerdict.c_str());
    }
}

void printMapping(const Config& config) {
    std::printf("configuration files, in the order read:\n");
    for (const std::string& file : config.files)
        std::printf("  %s\n", file.c_str());
    std::printf("effective mapping:\n");
    for (const auto& [address, entry] : config.cards)
        std::printf("  %s  %-10s  (%s)\n", address.str().c_str(), entry.spec.str().c_str(),
                    entry.where().c_str());
    // Units, then models.
    std::vector<const ConfigEntry*> entries;
    for (const auto& [guid, entry] : config.guids)
        entries.push_back(&entry);
    for (const auto& [serial, entry] : config.serials)
        entries.push_back(&entry);
    for (const auto& [pattern, entry] : config.parts)
        entries.push_back(&entry);
    for (const ConfigEntry* entry : entries)
        std::printf("  %s  %-10s  (%s)\n", entry->key.c_str(), entry->spec.str().c_str(),
                    entry->where().c_str());
    if (config.defaultEntry)
        std::printf("  %-12s  %-10s  (%s)\n", "other cards",
                    config.defaultEntry->spec.str().c_str(), config.defaultEntry->where().c_str());
    else
        std::printf("  other cards are left as they are (no \"default\")\n");
}

} // namespace mlx4
