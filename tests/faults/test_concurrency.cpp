// SPDX-License-Identifier: GPL-2.0-or-later
// Many `apply --all` at once on the same cards: writes to a card never interleave between
// processes, and every card ends as configured.
#include "machine.h"

#include <doctest/doctest.h>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

using namespace mlx4::test;

namespace {

const char* const kAddresses[] = {"0000:05:00.0", "0000:06:00.0", "0000:07:00.0"};

// The processes whose writes to one card are not one contiguous block each: a pid that
// writes, is followed by another pid, and writes again.
std::set<long> interleaved(const std::vector<LoggedWrite>& writes) {
    std::set<long> finished, broken;
    long current = 0;
    for (const LoggedWrite& write : writes) {
        if (write.pid == current)
            continue;
        if (finished.count(write.pid))
            broken.insert(write.pid);
        if (current)
            finished.insert(current);
        current = write.pid;
    }
    return broken;
}

} // namespace

TEST_CASE("the interleaving check itself sees interleaved writes") {
    std::vector<LoggedWrite> writes{{1, "a", "", "ok"}, {2, "a", "", "ok"}, {1, "a", "", "ok"}};
    CHECK(interleaved(writes) == std::set<long>{1});
    writes = {{1, "a", "", "ok"}, {1, "a", "", "ok"}, {2, "a", "", "ok"}};
    CHECK(interleaved(writes).empty());
}

TEST_CASE("8 concurrent apply --all never interleave writes on a card and end as configured") {
    constexpr int kProcesses = 8;
    Machine m;
    for (const char* address : kAddresses)
        m.bed.addCard(CardSpec(address, {"ib", "ib"}));
    // Port 2 stays ib on the middle card: a plan of writes to both ports, then one to keep.
    m.config(R"({"default": "eth", "cards": {"06:00.0": ["eth", "ib"]}})");
    // Each write takes 100 ms, as a real port change takes about a second: a process without
    // the lock would start writing a card while another is still in the middle of it.
    std::string faults = "write|/sys/devices/pci0000:00/*/mlx4_port*|sleep=100";
    std::vector<StartedProgram> programs;
    for (int i = 0; i < kProcesses; ++i)
        programs.push_back(m.start({"apply", "--all"}, faults));
    for (StartedProgram& program : programs) {
        RunResult r = finish(program);
        CAPTURE(r.err);
        CHECK(r.status == 0);
    }

    std::set<long> writers;
    for (const std::string address : kAddresses) {
        CAPTURE(address);
        auto writes = m.writesTo(address);
        CHECK_FALSE(writes.empty());
        CHECK(interleaved(writes).empty());
        for (const LoggedWrite& write : writes) {
            CHECK(write.result == "ok");
            writers.insert(write.pid);
        }
        // Whoever came second found the card in sync and wrote nothing: one writer per card.
        std::set<long> cardWriters;
        for (const LoggedWrite& write : writes)
            cardWriters.insert(write.pid);
        CHECK(cardWriters.size() == 1);
    }
    CHECK(m.bed.readPort("0000:05:00.0", 1) == "eth\n");
    CHECK(m.bed.readPort("0000:05:00.0", 2) == "eth\n");
    CHECK(m.bed.readPort("0000:06:00.0", 1) == "eth\n");
    CHECK(m.bed.readPort("0000:06:00.0", 2) == "ib\n");
    CHECK(m.bed.readPort("0000:07:00.0", 2) == "eth\n");
    MESSAGE("processes that wrote: " << writers.size() << " of " << kProcesses);

    // Run again: every card is in sync, so not one write.
    m.clearWrites();
    CHECK(m.run({"apply", "--all"}).status == 0);
    CHECK(m.writes().empty());
}
