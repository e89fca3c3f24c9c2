// SPDX-License-Identifier: GPL-2.0-or-later
#include "json_output.h"

#include "device_table.h"
#include "ethernet_speed.h"
#include "text.h"

#include <cstdio>

namespace mlx4 {

namespace {

nlohmann::ordered_json stringOrNull(const std::string& text) {
    return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(text);
}

std::string guidText(const std::optional<uint64_t>& guid) {
    return guid ? formatGuid(*guid) : std::string();
}

nlohmann::ordered_json portStatesJson(const std::vector<PortState>& states) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const PortState& state : states)
        list.push_back(formatPortState(state));
    return list;
}

void addIdentityJson(const ConfiguredCard& configured, nlohmann::ordered_json& card) {
    const CardIdentity& identity = configured.identity;
    card["guid"] = stringOrNull(guidText(identity.guid()));
    card["node_guid"] = stringOrNull(guidText(identity.nodeGuid));
    card["serial"] = stringOrNull(identity.vpd.serial);
    card["part"] = stringOrNull(identity.vpd.part);
    card["product"] = stringOrNull(identity.vpd.product);
    card["psid"] = stringOrNull(identity.psid);
    card["firmware"] = stringOrNull(identity.firmware);
    // A conflict has no one source: both entries are shown.
    const ConfigMatch& match = configured.match;
    card["source"] = configured.entry() && !match.conflict
                         ? nlohmann::ordered_json(configured.entry()->where())
                         : nullptr;
    if (match.conflict)
        card["conflict"] = {entryText(*match.entry), entryText(*match.conflict)};
    if (identity.anyUnknown())
        card["identity_unknown"] = identity.unknownReasons();
    if (std::string warning = ethernetOnlyWarning(configured); !warning.empty())
        card["warning"] = warning;
}

nlohmann::ordered_json statusPortJson(const PortRow& port) {
    nlohmann::ordered_json entry;
    entry["port"] = port.reading.port;
    entry["current"] = port.reading.state
                           ? nlohmann::ordered_json(formatPortState(*port.reading.state))
                           : nlohmann::ordered_json();
    if (!port.reading.problem.empty())
        entry["error"] = port.reading.problem;
    // A conflict configures nothing: the card says which entries disagree.
    entry["configured"] = port.configured == kConflict ? nullptr : stringOrNull(port.configured);
    entry["in_sync"] = port.match ? nlohmann::ordered_json(*port.match) : nlohmann::ordered_json();
    entry["writable"] = port.reading.writable;
    entry.update(portLinkJson(port.link));
    if (!port.link.note.empty())
        entry["note"] = port.link.note;
    return entry;
}

// Prints a JSON document. Paths and kernel strings need not be UTF-8; JSON must be: invalid
// UTF-8 in a value is replaced, never fatal.
void printJson(const nlohmann::ordered_json& document) {
    std::printf(
        "%s\n",
        document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
}

} // namespace

void printApplyJson(const std::vector<CardReport>& reports, bool dryRun) {
    nlohmann::ordered_json cards = nlohmann::ordered_json::array();
    for (const CardReport& report : reports) {
        nlohmann::ordered_json card;
        card["address"] = report.address;
        if (!report.model.empty())
            card["model"] = report.model;
        card["result"] = std::string(cardResultName(report.result));
        card["restarts"] = report.restarts;
        card["message"] = report.message;
        card["before"] = portStatesJson(report.before);
        card["after"] = portStatesJson(report.after);
        cards.push_back(card);
    }
    nlohmann::ordered_json document;
    document["version"] = 1;
    document["dry_run"] = dryRun;
    document["cards"] = cards;
    printJson(document);
}

void printStatusJson(const std::vector<CardRow>& rows,
                     const std::vector<const ConfigEntry*>& unmatched,
                     const std::string& portTypeArray) {
    nlohmann::ordered_json cards = nlohmann::ordered_json::array();
    for (const CardRow& row : rows) {
        const CardInfo& info = row.card.card;
        nlohmann::ordered_json card;
        card["address"] = info.address.str();
        card["vendor"] = hexId(info.vendor);
        card["device"] = hexId(info.device);
        card["model"] = modelName(info.device);
        card["state"] = std::string(cardStateName(row.state));
        card["in_sync"] = inSync(row.status);
        if (std::string speed = ethernetSpeed(info.device, row.card.identity.vpd.part);
            !speed.empty())
            card["ethernet_speed"] = speed;
        card["ports"] = nlohmann::ordered_json::array();
        for (const PortRow& port : row.ports)
            card["ports"].push_back(statusPortJson(port));
        addIdentityJson(row.card, card);
        std::string problem = row.card.problem() ? *row.card.problem() : row.refused;
        if (const std::string* reason = row.card.leftBecause())
            problem = *reason;
        if (!row.stateNote.empty() &&
            (row.state == CardState::OtherDriver || row.state == CardState::EthernetOnly ||
             row.state == CardState::Failed))
            problem = row.stateNote;
        if (!problem.empty())
            card["note"] = problem;
        cards.push_back(card);
    }
    nlohmann::ordered_json document;
    document["version"] = 1;
    document["cards"] = cards;
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (const ConfigEntry* entry : unmatched)
        entries.push_back({{"key", entry->key}, {"file", entry->file}, {"line", entry->pos.line}});
    document["unmatched_entries"] = entries;
    document["port_type_array"] = stringOrNull(portTypeArray);
    printJson(document);
}

nlohmann::ordered_json portLinkJson(const PortLink& link) {
    nlohmann::ordered_json members = nlohmann::ordered_json::object();
    members["netdev"] = stringOrNull(link.netdev);
    members["ib_device"] = stringOrNull(link.ibDevice);
    members["link"] =
        link.up ? nlohmann::ordered_json(*link.up ? "up" : "down") : nlohmann::ordered_json();
    members["speed_mbps"] =
        link.speedMbps ? nlohmann::ordered_json(*link.speedMbps) : nlohmann::ordered_json();
    return members;
}

} // namespace mlx4
