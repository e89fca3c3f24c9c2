// SPDX-License-Identifier: GPL-2.0-or-later
// applyCard() against the kernel model, for every card variant, start state and target.
//
// The expectations come from the model alone, not from the switching code: for each variant the
// test builds the graph of driver states the sysfs writes can lead to (each write is an edge that
// costs the restarts it causes), and a shortest-path search from the start state says whether a
// target can be reached at all and with how few device restarts.
#include "kernel_model.h"
#include "switching.h"

#include <doctest/doctest.h>

#include <array>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace mlx4;
using namespace mlx4::test;

namespace {

constexpr PortType writableTypes[] = {PortType::Ib, PortType::Eth, PortType::Auto};
constexpr PortWant allWants[] = {PortWant::Ib, PortWant::Eth, PortWant::Auto, PortWant::Keep};

// Failures reported in full per test case; the rest are only counted.
constexpr int detailedFailures = 20;

std::vector<PortType> typesSupportedBy(PortSupport support) {
    switch (support) {
    case PortSupport::IbOnly:
        return {PortType::Ib};
    case PortSupport::EthOnly:
        return {PortType::Eth};
    case PortSupport::Both:
        break;
    }
    return {PortType::Ib, PortType::Eth};
}

// Every card the model can describe: one or two ports, each supporting ib, eth or both; DPDP
// on or off; sense support on or off; every kernel era; writable or read-only. Where a port can
// really sense (both types, DPDP, sense support), every cable it could sense is tried too.
std::vector<CardVariant> allVariants() {
    const PortSupport supports[] = {PortSupport::IbOnly, PortSupport::EthOnly, PortSupport::Both};
    const SensedLink links[] = {SensedLink::Nothing, SensedLink::Ib, SensedLink::Eth};
    std::vector<CardVariant> variants;
    for (int ports : {1, 2})
        for (PortSupport one : supports)
            for (PortSupport two : supports) {
                if (ports == 1 && two != PortSupport::Both)
                    continue; // port 2 does not exist
                for (bool dpdp : {false, true})
                    for (bool sense : {false, true})
                        for (KernelEra era : {KernelEra::Linux3_4, KernelEra::Linux3_6,
                                              KernelEra::Linux4_9, KernelEra::Linux5_2})
                            for (bool readOnly : {false, true})
                                for (SensedLink linkOne : links)
                                    for (SensedLink linkTwo : links) {
                                        CardVariant variant;
                                        variant.ports = ports;
                                        variant.support = {one, two};
                                        variant.dpdp = dpdp;
                                        variant.senseSupport = sense;
                                        variant.era = era;
                                        variant.readOnly = readOnly;
                                        variant.links = {linkOne, linkTwo};
                                        bool senses = dpdp && sense;
                                        bool linkMatters[2] = {senses && one == PortSupport::Both,
                                                               senses && ports == 2 &&
                                                                   two == PortSupport::Both};
                                        if ((!linkMatters[0] && linkOne != SensedLink::Nothing) ||
                                            (!linkMatters[1] && linkTwo != SensedLink::Nothing))
                                            continue;
                                        variants.push_back(variant);
                                    }
            }
    return variants;
}

// A small integer per driver state, to index the search.
int portCode(const KernelPortState& port) {
    int staged = port.staged ? 1 + int(*port.staged) : 0;
    return (int(port.active) * 3 + int(port.possible)) * 4 + staged;
}

int stateKey(const std::vector<KernelPortState>& ports) {
    int key = 0;
    for (const KernelPortState& port : ports)
        key = key * 24 + portCode(port);
    return key;
}

// The driver states a variant's card can be in, and the writes between them.
struct StateGraph {
    struct Edge {
        int port;
        PortType written;
        int to;
        int restarts; // 0 or 1
    };
    struct Node {
        std::vector<KernelPortState> ports;
        std::vector<PortState> readback;
        bool staged = false;
        std::vector<Edge> edges;
    };
    std::vector<Node> nodes;
};

// Where a card starts: every combination of supported types the driver accepts (the check every
// write and the sensing work apply; the facts say a card without DPDP never runs mixed types),
// each port on a fixed type or, where the port may sense, on auto (firmware default_sense).
// Everything writes can lead to from there is a possible state too, refused writes included.
StateGraph buildGraph(CardVariant variant) {
    variant.readOnly = false; // explore by writing; a read-only twin starts in the same states
    std::vector<std::vector<KernelPortState>> seeds;
    for (PortType one : typesSupportedBy(variant.support[0]))
        for (PortType two : typesSupportedBy(variant.support[1])) {
            std::vector<PortType> running{one, two};
            running.resize(size_t(variant.ports));
            // Ask the model whether the driver accepts this combination: writing the running
            // types back is accepted exactly when the combination passes its check.
            std::vector<KernelPortState> fixed;
            for (PortType type : running)
                fixed.push_back({type, type, {}});
            KernelModel probe(variant, fixed);
            bool accepted = true;
            for (int port = 1; port <= variant.ports; ++port)
                accepted &= probe.writePort(port, running[size_t(port - 1)]) == 0;
            if (!accepted || probe.restarts() != 0)
                continue;
            // mlx4_dev_cap(): a port on auto from the start runs what SENSE_PORT found, if
            // anything.
            bool senses = variant.dpdp && variant.senseSupport;
            for (int autoMask = 0; autoMask < (1 << variant.ports); ++autoMask) {
                std::vector<KernelPortState> seed = fixed;
                bool possible = true;
                for (size_t i = 0; i < size_t(variant.ports); ++i) {
                    if (!(autoMask & (1 << i)))
                        continue;
                    possible &= senses && variant.support[i] == PortSupport::Both;
                    seed[i].possible = PortType::Auto;
                    if (variant.links[i] == SensedLink::Ib)
                        possible &= seed[i].active == PortType::Ib;
                    if (variant.links[i] == SensedLink::Eth)
                        possible &= seed[i].active == PortType::Eth;
                }
                if (possible)
                    seeds.push_back(seed);
            }
        }

    StateGraph graph;
    std::map<int, int> indexOf;
    std::deque<int> pending;
    auto add = [&](const std::vector<KernelPortState>& ports) {
        auto [it, inserted] = indexOf.emplace(stateKey(ports), int(graph.nodes.size()));
        if (inserted) {
            KernelModel model(variant, ports);
            graph.nodes.push_back({ports, model.readAll(), model.hasStagedType(), {}});
            pending.push_back(it->second);
        }
        return it->second;
    };
    for (const auto& seed : seeds)
        add(seed);
    while (!pending.empty()) {
        int from = pending.front();
        pending.pop_front();
        for (int port = 1; port <= variant.ports; ++port)
            for (PortType type : writableTypes) {
                KernelModel model(variant, graph.nodes[size_t(from)].ports);
                model.writePort(port, type);
                int to = add(model.ports());
                graph.nodes[size_t(from)].edges.push_back({port, type, to, model.restarts()});
            }
    }
    return graph;
}

// The writes a tool may make on its way to `wants`: per port, the type it wants there or the
// type the port has now (to put it back). For a port wanted on auto, ib and eth too, because
// auto keeps the running type where the port cannot sense, so reaching "auto (eth)" from ib takes
// an eth first. Other writes are out: auto on a port not wanted on auto hands the port to the
// sensing logic, whose outcome depends on cables the tool cannot see, and a type wanted on
// neither end is a detour. Tricks the kernel allows with such writes (see the report) are not
// something a tool can rely on, so they do not count towards the fewest restarts.
using AllowedWrites = std::vector<std::array<bool, 3>>;

AllowedWrites allowedWrites(const std::vector<PortState>& now, const std::vector<PortWant>& wants) {
    AllowedWrites allowed(now.size(), {false, false, false});
    for (size_t i = 0; i < now.size(); ++i) {
        PortType current = now[i].automatic ? PortType::Auto : now[i].active;
        allowed[i][size_t(current)] = true;
        switch (wants[i]) {
        case PortWant::Ib:
            allowed[i][size_t(PortType::Ib)] = true;
            break;
        case PortWant::Eth:
            allowed[i][size_t(PortType::Eth)] = true;
            break;
        case PortWant::Auto:
            allowed[i] = {true, true, true};
            break;
        case PortWant::Keep:
            // Keeping a port on auto is wanting it on auto: it may take the other port's type
            // on the way, as it must on a card that needs both ports alike.
            if (now[i].automatic)
                allowed[i] = {true, true, true};
            break;
        }
    }
    return allowed;
}

// Fewest restarts from `start` to every node using only `allowed` writes (0-1 breadth-first
// search); -1 where unreachable.
std::vector<int> fewestRestarts(const StateGraph& graph, int start, const AllowedWrites& allowed) {
    std::vector<int> restarts(graph.nodes.size(), -1);
    std::vector<bool> done(graph.nodes.size(), false);
    std::deque<std::pair<int, int>> queue{{start, 0}};
    while (!queue.empty()) {
        auto [node, cost] = queue.front();
        queue.pop_front();
        if (done[size_t(node)])
            continue;
        done[size_t(node)] = true;
        restarts[size_t(node)] = cost;
        for (const StateGraph::Edge& edge : graph.nodes[size_t(node)].edges) {
            if (done[size_t(edge.to)] || !allowed[size_t(edge.port - 1)][size_t(edge.written)])
                continue;
            if (edge.restarts == 0)
                queue.push_front({edge.to, cost});
            else
                queue.push_back({edge.to, cost + edge.restarts});
        }
    }
    return restarts;
}

// What the configuration asks of one port, decided here rather than by the code under test:
// keep means the port stays as it reads now; auto is met by "auto (ib)" and "auto (eth)".
bool meets(const PortState& now, PortWant want, const PortState& before) {
    switch (want) {
    case PortWant::Ib:
        return !now.automatic && now.active == PortType::Ib;
    case PortWant::Eth:
        return !now.automatic && now.active == PortType::Eth;
    case PortWant::Auto:
        return now.automatic;
    case PortWant::Keep:
        return before.automatic ? now.automatic : now == before;
    }
    return false;
}

bool meetsAll(const std::vector<PortState>& now, const std::vector<PortWant>& wants,
              const std::vector<PortState>& before) {
    for (size_t i = 0; i < now.size(); ++i)
        if (!meets(now[i], wants[i], before[i]))
            return false;
    return true;
}

std::vector<std::vector<PortWant>> allTargets(int ports) {
    std::vector<std::vector<PortWant>> targets;
    for (PortWant one : allWants) {
        if (ports == 1) {
            targets.push_back({one});
            continue;
        }
        for (PortWant two : allWants)
            targets.push_back({one, two});
    }
    return targets;
}

const char* outcomeName(ApplyOutcome outcome) {
    switch (outcome) {
    case ApplyOutcome::InSync:
        return "InSync";
    case ApplyOutcome::Planned:
        return "Planned";
    case ApplyOutcome::Switched:
        return "Switched";
    case ApplyOutcome::ReadFailed:
        return "ReadFailed";
    case ApplyOutcome::ReadOnly:
        return "ReadOnly";
    case ApplyOutcome::Refused:
        return "Refused";
    case ApplyOutcome::LeftChanged:
        return "LeftChanged";
    }
    return "?";
}

std::string wantsText(const std::vector<PortWant>& wants) {
    std::string text = "(";
    for (size_t i = 0; i < wants.size(); ++i)
        text += (i ? ", " : "") + std::string(portWantName(wants[i]));
    return text + ")";
}

// Which start states a test case covers: "settled" ones (nothing staged, each port's possible
// type is its running type or auto), as a card is after the driver probed it or after any
// successful write; or the others, which a refused write by some other tool leaves behind.
enum class Starts { Settled, LeftByRefusedWrites };

bool isSettled(const StateGraph::Node& node) {
    if (node.staged)
        return false;
    for (const KernelPortState& port : node.ports)
        if (port.possible != PortType::Auto && port.possible != port.active)
            return false;
    return true;
}

// The driver's sensing work runs every few seconds on DPDP cards, so a card waits for the next
// event in a state that work leaves alone.
bool isStable(const CardVariant& variant, const StateGraph::Node& node) {
    KernelModel card(variant, node.ports);
    return !card.senseTick();
}

// The recipe writes the ports in ascending order, as issue 2 prescribes; on every kernel from 3.6
// that takes the fewest restarts. It can take one more in two cases, known and accepted:
// - kernels up to 3.4 with DPDP accept (ib, eth) on the way from (eth, eth) to (ib, ib), where
//   writing port 2 first would have been refused and staged;
// - on a DPDP card with sensing, a port that is or becomes auto takes the protocol sensing gives
//   it (mlx4_do_sense_ports), which may follow the other port's switch with a restart of its
//   own; the write order cannot foresee what the cables say.
bool mayTakeOneMore(const CardVariant& variant, const std::vector<PortState>& start,
                    const std::vector<PortWant>& wants) {
    if (variant.era == KernelEra::Linux3_4)
        return true;
    bool anyAuto = false;
    for (const PortState& port : start)
        anyAuto |= port.automatic;
    for (PortWant want : wants)
        anyAuto |= want == PortWant::Auto;
    return variant.dpdp && variant.senseSupport && anyAuto;
}

struct Tally {
    long cases = 0;  // (variant, start, target) combinations run
    long passed = 0; // of those, the ones where every expectation held
    long reachable = 0;
    long unreachable = 0;
    long inSync = 0;
    long readOnly = 0;
};

// Which expectations a test case checks: what the card ends as (and that nothing is written
// when nothing may be), or how many restarts it took to get there.
enum class Check { Outcome, Restarts };

// Runs applyCard() for every variant, start state of the given kind, and target, once for real
// and once as a dry run, and checks it against the model's expectations.
Tally runAll(Starts which, Check check) {
    Tally tally;
    int failures = 0;
    for (const CardVariant& variant : allVariants()) {
        StateGraph graph = buildGraph(variant);
        for (size_t start = 0; start < graph.nodes.size(); ++start) {
            const StateGraph::Node& from = graph.nodes[start];
            if (isSettled(from) != (which == Starts::Settled) || !isStable(variant, from))
                continue;
            for (const std::vector<PortWant>& wants : allTargets(variant.ports)) {
                ++tally.cases;
                std::vector<int> restartsTo =
                    fewestRestarts(graph, int(start), allowedWrites(from.readback, wants));
                bool configured = meetsAll(from.readback, wants, from.readback);
                std::optional<int> fewest;
                for (size_t node = 0; node < graph.nodes.size(); ++node) {
                    const StateGraph::Node& to = graph.nodes[node];
                    int cost = restartsTo[node];
                    if (cost < 0 || to.staged || !meetsAll(to.readback, wants, from.readback))
                        continue;
                    if (!fewest || cost < *fewest)
                        fewest = cost;
                }

                // Whether the card can be brought back to read as it did with nothing staged. Not
                // always: a refused write may have left a port on auto in a combination that
                // every write then re-checks and refuses.
                bool cleanReturn = false;
                for (size_t node = 0; node < graph.nodes.size(); ++node) {
                    const StateGraph::Node& to = graph.nodes[node];
                    cleanReturn |=
                        restartsTo[node] >= 0 && !to.staged && to.readback == from.readback;
                }

                std::vector<std::string> problems;
                auto expect = [&problems, check](bool ok, const std::string& what) {
                    if (!ok && check == Check::Outcome)
                        problems.push_back(what);
                };
                auto expectRestarts = [&problems, check](bool ok, const std::string& what) {
                    if (!ok && check == Check::Restarts)
                        problems.push_back(what);
                };

                KernelModel card(variant, from.ports);
                ApplyResult result = applyCard(card, wants, false);
                std::string expected;
                if (configured) {
                    ++tally.inSync;
                    expected = "InSync with zero writes";
                    expect(result.outcome == ApplyOutcome::InSync, "outcome InSync");
                    expect(card.writes() == 0, "zero writes");
                    expect(card.ports() == from.ports, "card untouched");
                } else if (variant.readOnly) {
                    ++tally.readOnly;
                    expected = "ReadOnly with zero writes";
                    expect(result.outcome == ApplyOutcome::ReadOnly, "outcome ReadOnly");
                    expect(card.writes() == 0, "zero writes");
                    expect(card.ports() == from.ports, "card untouched");
                    expect(!result.reason.empty(), "a reason");
                } else if (fewest) {
                    ++tally.reachable;
                    expected = "Switched with " + std::to_string(*fewest) + " restart(s)";
                    expect(result.outcome == ApplyOutcome::Switched, "outcome Switched");
                    expect(meetsAll(card.readAll(), wants, from.readback), "target reached");
                    expect(!card.hasStagedType(), "no staged type left");
                    // Counted only where the target was reached; the other test case reports
                    // the rest.
                    if (result.outcome == ApplyOutcome::Switched) {
                        if (mayTakeOneMore(variant, from.readback, wants))
                            expectRestarts(card.restarts() <= *fewest + 1,
                                           "at most one restart more than the fewest");
                        else
                            expectRestarts(card.restarts() == *fewest, "fewest restarts");
                    }
                } else {
                    ++tally.unreachable;
                    expected = "Refused, card as before";
                    expect(result.outcome == ApplyOutcome::Refused, "outcome Refused");
                    expect(!result.reason.empty(), "a reason");
                    if (cleanReturn) {
                        expected += ", nothing staged";
                        expect(!card.hasStagedType(), "no staged type left");
                    }
                    // A settled card must come back exactly, possible types included; a card
                    // with leftovers of someone else's refused write must read as before.
                    if (which == Starts::Settled)
                        expect(card.ports() == from.ports, "port and possible types as before");
                    else
                        expect(card.readAll() == from.readback, "reads as before");
                }
                expect(result.writes == card.writes(), "ApplyResult.writes counts the writes");
                // What leaves no trace in sysfs cannot be counted: types staged by an earlier
                // writer, kernels up to 3.6, which stage a
                // type before checking it, later ones refuse a type a port does not support
                // without staging it, and a card that senses can restart and be put back
                // within one write. The count is exact for ports that run both types, on
                // kernels from 4.9, without sensing: VPI cards as they usually are.
                bool singleTypePort = false;
                for (int i = 0; i < variant.ports; ++i)
                    singleTypePort |= variant.support[size_t(i)] != PortSupport::Both;
                bool traceless = which != Starts::Settled || variant.era == KernelEra::Linux3_4 ||
                                 variant.era == KernelEra::Linux3_6 || singleTypePort ||
                                 (variant.dpdp && variant.senseSupport);
                if (!traceless)
                    expect(result.restarts == card.restarts(), "ApplyResult.restarts (" +
                                                                   std::to_string(result.restarts) +
                                                                   ") counts the device restarts");

                KernelModel dryCard(variant, from.ports);
                ApplyResult dry = applyCard(dryCard, wants, true);
                ApplyOutcome dryOutcome = configured         ? ApplyOutcome::InSync
                                          : variant.readOnly ? ApplyOutcome::ReadOnly
                                                             : ApplyOutcome::Planned;
                expect(dry.outcome == dryOutcome,
                       std::string("dry run: outcome ") + outcomeName(dryOutcome));
                expect(dryCard.writes() == 0 && dry.writes == 0, "dry run: zero writes");
                expect(dryCard.ports() == from.ports, "dry run: card untouched");

                if (problems.empty()) {
                    ++tally.passed;
                    continue;
                }
                if (++failures > detailedFailures)
                    continue;
                std::ostringstream message;
                message << "variant: " << variant.describe() << "\nstart: " << describe(from.ports)
                        << "\ntarget: " << wantsText(wants) << "\nexpected: " << expected
                        << "\ngot: " << outcomeName(result.outcome) << ", "
                        << describe(card.ports()) << ", " << card.restarts() << " restart(s), "
                        << card.writes() << " write(s), reason \"" << result.reason
                        << "\"; dry run " << outcomeName(dry.outcome) << ", " << dryCard.writes()
                        << " write(s)\nfailed:";
                for (const std::string& problem : problems)
                    message << " [" << problem << "]";
                FAIL_CHECK(message.str());
            }
        }
    }
    return tally;
}

} // namespace

TEST_CASE("switching: settled starts end as the kernel allows") {
    Tally tally = runAll(Starts::Settled, Check::Outcome);
    // The sweep must really cover every kind of case.
    CHECK(tally.reachable > 0);
    CHECK(tally.unreachable > 0);
    CHECK(tally.inSync > 0);
    CHECK(tally.readOnly > 0);
    CHECK(tally.passed == tally.cases);
}

TEST_CASE("switching: settled starts reach their targets with the fewest restarts") {
    Tally tally = runAll(Starts::Settled, Check::Restarts);
    CHECK(tally.reachable > 0);
    CHECK(tally.passed == tally.cases);
}

// No restart count here: the staged types are invisible in sysfs, so no tool can pick the write
// order that suits them.
TEST_CASE("switching: starts with types left staged by a refused write end as the kernel "
          "allows") {
    Tally tally = runAll(Starts::LeftByRefusedWrites, Check::Outcome);
    CHECK(tally.reachable > 0);
    CHECK(tally.unreachable > 0);
    CHECK(tally.passed == tally.cases);
}

// The words the admin reads when the kernel refuses a target, for the usual causes.
TEST_CASE("switching: a refused target is explained in words an admin can act on") {
    const PortState ib{PortType::Ib, false};

    SUBCASE("mixed types on a card without DPDP") {
        CardVariant noDpdp;
        KernelModel card(noDpdp, {ib, ib});
        ApplyResult result = applyCard(card, {PortWant::Eth, PortWant::Ib});
        CHECK(result.outcome == ApplyOutcome::Refused);
        CHECK(result.reason ==
              "the kernel refused [eth, ib]: this card accepts only the same type on both ports "
              "(its firmware lacks the DPDP capability; kernels up to 3.4 also refuse port 1 eth "
              "with port 2 ib); configure both ports alike");
    }
    SUBCASE("auto on a card that cannot sense") {
        CardVariant noSense;
        noSense.ports = 1;
        KernelModel card(noSense, {ib});
        ApplyResult result = applyCard(card, {PortWant::Auto});
        CHECK(result.outcome == ApplyOutcome::Refused);
        CHECK(result.reason == "the kernel refused auto: this card or its firmware cannot sense "
                               "the port type; configure ib or eth");
    }
    SUBCASE("a type the only port does not support") {
        CardVariant ibOnly;
        ibOnly.ports = 1;
        ibOnly.support = {PortSupport::IbOnly, PortSupport::IbOnly};
        KernelModel card(ibOnly, {ib});
        ApplyResult result = applyCard(card, {PortWant::Eth});
        CHECK(result.outcome == ApplyOutcome::Refused);
        CHECK(result.reason == "the kernel refused [eth]: port 1 does not support it");
    }
}
