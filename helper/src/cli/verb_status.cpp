// SPDX-License-Identifier: GPL-2.0-or-later
// status: each card present (or named), its state (card_state.h) and identity, and each port:
// current, configured, interface and link; as a table or as JSON. Exits with the worst state.
#include "cards.h"
#include "cli.h"
#include "interfaces.h"
#include "json_output.h"
#include "kernel_log.h"
#include "switching.h"
#include "sysfs.h"
#include "text_output.h"
#include "unmatched_entries.h"

#include <cstdio>

namespace mlx4 {

namespace {

CardRow statusRow(const ConfiguredCard& card, const RunContext& context, const Config& config) {
    CardRow row{card, {}, CardStatus::Left, {}, CardState::NotConfigured, {}};
    SysfsCardPorts ports(card.card);
    // The ports that are there, by number: a card with mlx4_port1 and mlx4_port3 has no port 2.
    CardReading reading = readCard(ports, card.card.ports);
    CardInterfaces interfaces;
    if (isMlx4Card(card.card) && !reading.ports.empty())
        interfaces = readCardInterfaces(card.card);
    row.state = cardState(cardFacts(card, &reading, context, config));
    row.stateNote = stateNote(card, row.state);
    // Only a card whose state compares ports with a configuration has ports to compare.
    bool compared = row.state == CardState::InSync || row.state == CardState::Drift ||
                    row.state == CardState::Refused || row.state == CardState::Failed;
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
        PortRow portRow{port, configured, portInSync(card, port, want), std::nullopt,
                        portLink(interfaces, port.port, running)};
        if (compared && port.state && want != PortWant::Keep && card.entry())
            portRow.match = satisfies(*port.state, want);
        // A port configured for the other protocol needs apply, not the module of the
        // protocol it runs now.
        if (port.state && (want == PortWant::Ib || want == PortWant::Eth) &&
            !satisfies(*port.state, want))
            portRow.link.note.clear();
        row.ports.push_back(portRow);
    }
    row.status = cardStatus(card, reading);
    if (row.state == CardState::Refused)
        row.refused = refusedNote(card.card);
    return row;
}

} // namespace

int runStatus(const Options& options, const RunContext& context) {
    Config config;
    // A broken configuration is reported first; the cards are still listed, so that their
    // addresses can be looked up to fix it.
    bool configOk = loadConfig(options, config);
    std::vector<CardInfo> cards;
    bool ok = collectStatusCards(options, cards);
    std::vector<CardRow> rows;
    std::vector<CardState> states;
    for (const CardInfo& card : cards) {
        rows.push_back(statusRow(
            readConfiguredCard(card, config, context.runDir, IdentityNeeds{true, true, true}),
            context, config));
        states.push_back(rows.back().state);
    }
    std::vector<ConfiguredCard> configured;
    for (const CardRow& row : rows)
        configured.push_back(row.card);
    // Address entries whose slot holds no card: the admin's expectation for it is not met.
    std::vector<const ConfigEntry*> unmatched;
    if (options.addresses.empty() && configOk) {
        std::vector<PciAddress> present;
        for (const CardInfo& card : cards)
            present.push_back(card.address);
        unmatched = unmatchedAddressEntries(config, present);
    }
    const std::string portTypeArray = portTypeArrayOption();
    if (options.json) {
        printStatusJson(rows, unmatched, portTypeArray);
    } else {
        printIdentityTable(configured);
        printStatusTable(rows);
        for (const ConfigEntry* entry : unmatched)
            std::printf("note: %s\n", unmatchedAddressMessage(*entry).c_str());
        if (std::string note = portTypeArrayNote(portTypeArray); !note.empty())
            std::printf("note: %s\n", note.c_str());
    }
    noteIdentityNeedsRoot(configured);
    if (!configOk)
        return kExitUsage;
    int status = worstExitStatus(states);
    if (!unmatched.empty())
        status = worseExitStatus(status, kExitDrift);
    return !ok ? kExitCardFailed : status;
}

} // namespace mlx4
