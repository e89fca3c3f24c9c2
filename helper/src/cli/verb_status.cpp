// SPDX-License-Identifier: GPL-2.0-or-later
// status: each card present (or named), its identity, and each port: current, configured, in
// sync, interface and link; as a table or as JSON.
#include "cards.h"
#include "cli.h"
#include "interfaces.h"
#include "json_output.h"
#include "refusal_memory.h"
#include "switching.h"
#include "sysfs.h"
#include "text_output.h"

namespace mlx4 {

namespace {

std::string refusedNote(const CardInfo& card) {
    return card.address.str() +
           ": the kernel refused this configuration earlier; udev events and the boot unit "
           "leave the card alone until its configured types change or the driver binds it "
           "anew; run `mlx4-porttype apply --retry " +
           card.address.str() + "` to try again";
}

CardRow statusRow(const ConfiguredCard& card, const RunContext& context) {
    CardRow row{card, {}, CardStatus::Left, {}};
    SysfsCardPorts ports(card.card);
    // The ports that are there, by number: a card with mlx4_port1 and mlx4_port3 has no port 2.
    CardReading reading = readCard(ports, card.card.ports);
    CardInterfaces interfaces;
    if (isMlx4Card(card.card) && !reading.ports.empty())
        interfaces = readCardInterfaces(card.card);
    const std::vector<PortWant>* wants = card.wants();
    for (const PortReading& port : reading.ports) {
        PortWant want = PortWant::Keep;
        if (wants)
            want = (*wants)[static_cast<size_t>(port.port - 1)];
        else if (card.entry())
            want = configuredWant(card.entry()->spec, port.port);
        std::optional<PortType> running;
        if (port.state)
            running = port.state->active;
        // A conflict shows as such, not as the types of the entry that sorts first.
        std::string configured = card.match.conflict ? kConflict
                                 : card.entry()      ? std::string(portWantName(want))
                                                     : "";
        row.ports.push_back({port, configured, portInSync(card, port, want),
                             portLink(interfaces, port.port, running)});
    }
    row.status = cardStatus(card, reading);
    if (wants && earlierRefusal(context.runDir, card.card.address, makePlan(reading, *wants), *wants))
        row.refused = refusedNote(card.card);
    return row;
}

} // namespace

int runStatus(const Options& options, const RunContext& context) {
    Config config;
    if (!loadConfig(options, config))
        return kExitUsage;
    std::vector<CardInfo> cards;
    bool ok = collectCards(options, cards);
    std::vector<CardRow> rows;
    bool drift = false;
    for (const CardInfo& card : cards) {
        rows.push_back(statusRow(
            readConfiguredCard(card, config, context.runDir, IdentityNeeds{true, true, true}),
            context));
        CardStatus status = rows.back().status;
        ok &= status != CardStatus::Refused && status != CardStatus::Unreadable;
        drift |= !inSync(status);
    }
    std::vector<ConfiguredCard> configured;
    for (const CardRow& row : rows)
        configured.push_back(row.card);
    if (options.json) {
        printStatusJson(rows);
    } else {
        printIdentityTable(configured);
        printStatusTable(rows);
    }
    noteIdentityNeedsRoot(configured);
    return !ok ? kExitCardFailed : drift ? kExitDrift : kExitOk;
}

} // namespace mlx4
