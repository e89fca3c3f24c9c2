// SPDX-License-Identifier: GPL-2.0-or-later
// The refusal message: a short first line with the verdict and one action, the kernel's own
// line and its case after it.
#include "refusal_message.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;

namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

const char kSameTypes[] =
    "mlx4_core 0000:05:00.0: Only same port types supported on this HCA, SET_PORT_TYPE refused";

RefusalFacts mixedRefusal() {
    RefusalFacts facts;
    facts.address = "0000:05:00.0";
    facts.card = "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";
    facts.before = {{PortType::Ib, false}, {PortType::Ib, false}};
    facts.target = {PortType::Ib, PortType::Eth};
    facts.where = "/etc/mlx4-porttype/config.d/a-rather-long-file-name-for-this-host.json:12";
    facts.restarts = 0;
    facts.reason = "the kernel refused [ib, eth]; its log names the case: ... (a long list)";
    facts.remembered = true;
    facts.kernelLogRead = true;
    return facts;
}

} // namespace

TEST_CASE("a /dev/kmsg record's text, without header and dictionary") {
    CHECK(kmsgRecordText(std::string("3,1234,5678901,-;") + kSameTypes +
                         "\n SUBSYSTEM=pci\n DEVICE=+pci:0000:05:00.0\n") ==
          std::string(kSameTypes));
    CHECK(kmsgRecordText("6,1,2,c;hello") == std::string("hello"));
    CHECK_FALSE(kmsgRecordText("no header here"));
    CHECK_FALSE(kmsgRecordText(";text"));
    CHECK_FALSE(kmsgRecordText("x,1,2,-;text"));
}

TEST_CASE("the kernel's last refusal line for the card, and its case") {
    std::vector<std::string> log = {
        "mlx4_core 0000:05:00.0: Auto sensing is not supported on this HCA. Set only 'eth' or "
        "'ib' for both ports (should be the same)",
        "mlx4_core 0000:06:00.0: Requested port type for port 2 is not supported on this HCA",
        kSameTypes,
        "mlx4_en: 0000:05:00.0: Port 1: Link Up",
    };
    auto line = lastKernelRefusal(log, "0000:05:00.0");
    REQUIRE(line);
    CHECK(line->which == RefusalCase::SamePortTypes);
    CHECK(line->text == kSameTypes);
    auto other = lastKernelRefusal(log, "0000:06:00.0");
    REQUIRE(other);
    CHECK(other->which == RefusalCase::PortTypeNotSupported);
    CHECK(other->port == 2);
    log.pop_back();
    log.pop_back();
    log.erase(log.begin() + 1);
    auto autoLine = lastKernelRefusal(log, "0000:05:00.0");
    REQUIRE(autoLine);
    CHECK(autoLine->which == RefusalCase::AutoNotSupported);
    CHECK_FALSE(lastKernelRefusal(log, "0000:07:00.0"));
    CHECK_FALSE(lastKernelRefusal({}, "0000:05:00.0"));
}

TEST_CASE("first line: the verdict and one action, under 160 characters") {
    RefusalFacts facts = mixedRefusal();
    facts.kernelLine = KernelRefusalLine{kSameTypes, RefusalCase::SamePortTypes, 0};
    std::vector<std::string> lines = refusalMessage(facts);
    REQUIRE(lines.size() >= 3);
    CHECK(lines[0].size() < kVerdictLineLimit);
    CHECK(has(lines[0], "0000:05:00.0: the kernel refused ports [ib, eth]"));
    CHECK(has(lines[0], "configure both ports alike"));
    // The kernel's own line, then the case and what can be done about it.
    CHECK(lines[1] == std::string("kernel: ") + kSameTypes);
    CHECK(has(lines[2], "DPDP"));
    CHECK(has(lines[2], "options mlx4_core port_type_array=1,2"));
    CHECK(has(lines[2], "does not check that option against DPDP"));
    // Where, what it cost, and what udev does next, on the later lines.
    CHECK(has(lines[3], facts.where));
    CHECK(has(lines[3], "[ib, ib]"));
    CHECK(has(lines.back(), "mlx4-porttype apply --retry 0000:05:00.0"));
}

TEST_CASE("each kernel case gets its own action") {
    RefusalFacts facts = mixedRefusal();
    facts.target = {PortType::Ib, PortType::Ib};
    facts.kernelLine = KernelRefusalLine{
        "mlx4_core 0000:05:00.0: Requested port type for port 2 is not supported on this HCA",
        RefusalCase::PortTypeNotSupported, 2};
    std::string first = refusalMessage(facts)[0];
    CHECK(has(first, "port 2 cannot run ib"));
    CHECK(first.size() < kVerdictLineLimit);
    facts.target = {PortType::Auto, PortType::Auto};
    facts.kernelLine->which = RefusalCase::AutoNotSupported;
    CHECK(has(refusalMessage(facts)[0], "configure ib or eth, not auto"));
}

TEST_CASE("without the kernel's line: where to look, and switching's list of cases after it") {
    RefusalFacts facts = mixedRefusal();
    std::vector<std::string> lines = refusalMessage(facts);
    CHECK(has(lines[0], "journalctl -k | grep 0000:05:00.0"));
    CHECK(lines[0].size() < kVerdictLineLimit);
    CHECK(lines[1] == facts.reason);
    facts.kernelLogRead = false;
    CHECK(has(refusalMessage(facts)[0], "run as root"));
}

TEST_CASE("the dry run warns of a mixed target only") {
    CHECK(has(mixedTargetWarning({PortType::Ib, PortType::Eth}), "DPDP"));
    CHECK(has(mixedTargetWarning({PortType::Eth, PortType::Ib}), "firmware"));
    CHECK(mixedTargetWarning({PortType::Eth, PortType::Eth}).empty());
    CHECK(mixedTargetWarning({PortType::Auto, PortType::Ib}).empty());
    CHECK(mixedTargetWarning({PortType::Ib}).empty());
}
