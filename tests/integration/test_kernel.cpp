// SPDX-License-Identifier: GPL-2.0-or-later
// The built helper against the kernel model (tests/kernel/kernel_shim.cpp) behind the testbed's
// port files: what the driver refuses, stages, senses and restarts, end to end.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "machine.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4::test;

namespace {

const std::string kLabel = "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";

CardSpec cardWithKernel(const std::string& kernel, std::vector<std::string> ports = {"ib", "ib"}) {
    CardSpec card(kCx2a, std::move(ports));
    card.kernel = kernel;
    return card;
}

std::vector<std::string> results(const std::vector<LoggedWrite>& writes) {
    std::vector<std::string> list;
    for (const LoggedWrite& write : writes)
        list.push_back(write.path.substr(write.path.rfind('/') + 1) + " " + write.bytes + " " +
                       write.result);
    return list;
}

bool anyStaged(const KernelCard& card) {
    for (const KernelPortState& port : card.ports)
        if (port.staged)
            return true;
    return false;
}

} // namespace

TEST_CASE("a card without DPDP refuses mixed types: the helper puts back what the kernel staged") {
    Machine m;
    m.bed.addCard(cardWithKernel("no-dpdp"));
    m.config(R"({"cards": {"05:00.0": ["eth", "ib"]}})");
    RunResult r = m.run({"apply", kCx2a});
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(m.ports(kCx2a) == "ib,ib");
    // Both target writes refused ("Only same port types supported on this HCA"), then each
    // port's own type written back, which the driver accepts without a restart.
    CHECK(results(m.writesTo(kCx2a)) ==
          std::vector<std::string>{"mlx4_port1 eth\\n EOPNOTSUPP", "mlx4_port2 ib\\n EOPNOTSUPP",
                                   "mlx4_port1 ib\\n ok", "mlx4_port2 ib\\n ok"});
    // The verdict and one action first, short; the kernel's own line and its case after it.
    const std::string verdict = "mlx4-porttype: error: 0000:05:00.0: the kernel refused ports "
                                "[eth, ib]; configure both ports alike: this card's firmware "
                                "lacks DPDP\n";
    CHECK(contains(r.err, verdict));
    CHECK(verdict.size() - std::string("mlx4-porttype: error: \n").size() < 160);
    CHECK(contains(r.err, verdict + "mlx4-porttype: kernel: mlx4_core 0000:05:00.0: Only same "
                                    "port types supported on this HCA, SET_PORT_TYPE refused\n"));
    CHECK(contains(r.err, "options mlx4_core port_type_array=2,1"));
    CHECK(contains(r.err, "does not check that option against DPDP"));
    CHECK(contains(r.err, "left as it was, [ib, ib]; the attempt cost no device restart"));
    KernelCard kernel = m.kernel(kCx2a);
    CHECK_FALSE(anyStaged(kernel)); // the restore cleared them: the next writer starts clean
    CHECK(kernel.counters.restarts == 0);
}

TEST_CASE("a card without DPDP switches both ports in one restart: the first write is staged") {
    Machine m;
    m.bed.addCard(cardWithKernel("no-dpdp"));
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"apply", kCx2a});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(m.ports(kCx2a) == "eth,eth");
    CHECK(results(m.writesTo(kCx2a)) ==
          std::vector<std::string>{"mlx4_port1 eth\\n EOPNOTSUPP", "mlx4_port2 eth\\n ok"});
    CHECK(contains(r.err, kLabel + ": ports [ib, ib] -> [eth, eth]: switched as configured"));
    CHECK(m.kernel(kCx2a).counters.restarts == 1);
}

TEST_CASE("auto on a card with DPDP and sense support reads back what the port sensed") {
    Machine m;
    m.bed.addCard(cardWithKernel("dpdp sense links=eth,-"));
    m.config(R"({"cards": {"05:00.0": ["auto", "keep"]}})");
    RunResult r = m.run({"apply", kCx2a});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(m.bed.readPort(kCx2a, 1) == "auto (eth)\n");
    CHECK(m.bed.readPort(kCx2a, 2) == "ib\n");
    CHECK(contains(r.err, kLabel + ": ports [ib, ib] -> [auto (eth), ib]"));
    CHECK(m.kernel(kCx2a).counters.restarts == 1);
    // And status shows it as configured.
    CHECK(m.run({"status", kCx2a}).status == 0);
}

TEST_CASE("an older kernel refuses with EINVAL, and the helper takes it as a refusal too") {
    Machine m;
    m.bed.addCard(cardWithKernel("no-dpdp era=4.6"));
    m.config(R"({"cards": {"05:00.0": ["ib", "eth"]}})");
    RunResult r = m.run({"apply", kCx2a});
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(m.ports(kCx2a) == "ib,ib");
    // Port 1 is written too (ib over ib: accepted, nothing changes); port 2's eth is refused and
    // stays staged, so putting port 1 back is refused as well, and port 2's own type clears all.
    CHECK(results(m.writesTo(kCx2a)) ==
          std::vector<std::string>{"mlx4_port1 ib\\n ok", "mlx4_port2 eth\\n EINVAL",
                                   "mlx4_port1 ib\\n EINVAL", "mlx4_port2 ib\\n ok"});
    CHECK(contains(r.err, "left as it was, [ib, ib]; the attempt cost no device restart"));
    CHECK_FALSE(anyStaged(m.kernel(kCx2a)));
}
