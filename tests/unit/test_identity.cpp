// SPDX-License-Identifier: GPL-2.0-or-later
// The identity parsers on the byte layout of real cards: the Device Serial Number behind AER,
// strict VPD with its checksum, GUID spellings, part-number globs, Ethernet-only parts.
#include "card_bytes.h"
#include "device_table.h"
#include "identity.h"
#include "text.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;
using mlx4::test::ConfigSpaceSpec;
using mlx4::test::kDumpGuid;
using mlx4::test::VpdSpec;

namespace {

std::optional<uint64_t> dsn(const std::string& config, std::string& problem) {
    return parseDeviceSerialNumber(reinterpret_cast<const uint8_t*>(config.data()), config.size(),
                                   problem);
}

std::optional<uint64_t> dsnOf(const ConfigSpaceSpec& spec, std::string& problem) {
    return dsn(mlx4::test::configSpace(spec), problem);
}

std::optional<VpdFacts> vpd(const std::string& bytes, std::string& problem) {
    return parseVpd(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), problem);
}

} // namespace

TEST_CASE("the Device Serial Number is found behind the AER capability, as on a ConnectX-2") {
    std::string problem;
    auto serial = dsnOf({}, problem);
    REQUIRE(serial);
    CHECK(*serial == kDumpGuid);
    CHECK(formatGuid(*serial) == "0002:c903:000c:c89a");
}

TEST_CASE("no Device Serial Number: missing capability, 0, all-ones, 64 bytes, a loop") {
    std::string problem;
    ConfigSpaceSpec spec;
    spec.serialNumber.reset();
    CHECK_FALSE(dsnOf(spec, problem));
    CHECK(problem == "config space has no Device Serial Number capability");

    spec.serialNumber = 0;
    CHECK_FALSE(dsnOf(spec, problem));
    CHECK(problem.find("never programmed") != std::string::npos);
    spec.serialNumber = ~uint64_t{0};
    CHECK_FALSE(dsnOf(spec, problem));
    CHECK(problem.find("ffff:ffff:ffff:ffff") != std::string::npos);

    // What a user without root reads: the first 64 bytes only.
    spec = ConfigSpaceSpec{};
    spec.readable = 64;
    CHECK_FALSE(dsnOf(spec, problem));
    CHECK(problem.find("only root") != std::string::npos);

    // A capability cut off by the end of what was read.
    spec.readable = 0x150;
    CHECK_FALSE(dsnOf(spec, problem));
    CHECK(problem.find("runs past config space") != std::string::npos);

    // AER pointing at itself: the walk ends instead of looping forever.
    std::string looped = mlx4::test::configSpace({});
    looped[0x102] = 0x01;
    looped[0x103] = 0x10; // next = 0x100
    CHECK_FALSE(dsn(looped, problem));
}

TEST_CASE("VPD of a real card parses into product, PN, EC, SN and V0") {
    std::string problem;
    auto facts = vpd(mlx4::test::vpdImage({}), problem);
    REQUIRE_MESSAGE(facts, problem);
    CHECK(facts->product == "KESTREL QDR");
    CHECK(facts->part == "MHQH19B-XTR");
    CHECK(facts->change == "A3");
    CHECK(facts->serial == "MT1037X01146");
    CHECK(facts->vendor0 == "PCIeGen2 x8");
}

TEST_CASE("a VPD with a bad checksum, cut short, missing or malformed is unknown") {
    std::string problem;
    VpdSpec spec;
    spec.badChecksum = true;
    CHECK_FALSE(vpd(mlx4::test::vpdImage(spec), problem));
    CHECK(problem.find("bad checksum") != std::string::npos);

    std::string whole = mlx4::test::vpdImage({});
    CHECK_FALSE(vpd(whole.substr(0, 20), problem));
    CHECK(problem.find("cut short") != std::string::npos);
    size_t endTag = whole.find_last_of('\x78');
    CHECK_FALSE(vpd(whole.substr(0, endTag), problem));
    CHECK(problem == "the VPD ends without an end tag");

    CHECK_FALSE(vpd("", problem));
    CHECK_FALSE(vpd(std::string(256, '\xff'), problem)); // no VPD: the kernel reads all-ones
    CHECK(problem.find("identifier string") != std::string::npos);

    // A checksum that is right for bytes that are not printable: still refused.
    spec = VpdSpec{};
    spec.serial = std::string("MT\x01", 3);
    CHECK_FALSE(vpd(mlx4::test::vpdImage(spec), problem));
    CHECK(problem.find("SN") != std::string::npos);

    // No RV at all: the read-only resource ends after V0.
    std::string noRv = whole;
    size_t rv = noRv.find("RV");
    noRv[rv] = 'Y';
    noRv[rv + 1] = '0';
    CHECK_FALSE(vpd(noRv, problem));
    CHECK(problem == "the VPD has no RV keyword, so no checksum");
}

TEST_CASE("every spelling of a GUID people copy from their tools") {
    for (const char* text : {"0002:c903:000c:c89a", "0x0002c903000cc89a", "0X0002C903000CC89A",
                             "00-02-c9-03-00-0c-c8-9a", "0002c903000cc89a", "0002:C903:000C:C89A"})
        CHECK_MESSAGE(parseGuid(text) == kDumpGuid, text);
    for (const char* text : {"", "0002:c903:000c:c89", "0002:c903:000c:c89a0", "2c903000cc89a",
                             "0x2c903000cc89a", "00:02:c9:03:00:0c:c8:9a", "0002-c903-000c-c89a",
                             "0002:c903:000c-c89a", "g002c903000cc89a", " 0002c903000cc89a"})
        CHECK_FALSE_MESSAGE(parseGuid(text).has_value(), text);
}

TEST_CASE("part-number globs match like the shell, ignoring case") {
    CHECK(globMatches("MHQH29B-*", "MHQH29B-XTR"));
    CHECK(globMatches("mhqh29b-*", "MHQH29B-XTR"));
    CHECK(globMatches("MHQH?9B-XTR", "MHQH19B-XTR"));
    CHECK(globMatches("*", ""));
    CHECK(globMatches("*-X*R", "MHQH29B-XTR"));
    CHECK_FALSE(globMatches("MHQH29B-*", "MHQH19B-XTR"));
    CHECK_FALSE(globMatches("MHQH29B", "MHQH29B-XTR"));
    CHECK_FALSE(globMatches("?", ""));
}

TEST_CASE("Ethernet-only part numbers are known, VPI ones are not") {
    CHECK(ethernetOnlyFamily("MCX312A-XCBT") == "ConnectX-3 EN");
    CHECK(ethernetOnlyFamily("mcx311a-xcat") == "ConnectX-3 EN");
    CHECK(ethernetOnlyFamily("MNPA19-XTR") == "ConnectX-2 EN");
    CHECK(ethernetOnlyFamily("MCX354A-FCBT").empty());
    CHECK(ethernetOnlyFamily("MHQH29B-XTR").empty());
    CHECK(ethernetOnlyFamily("").empty());
}
