// SPDX-License-Identifier: GPL-2.0-or-later
// The identity parsers on the byte layout of real cards: the Device Serial Number behind AER,
// strict VPD with its checksum, GUID spellings, part-number globs, Ethernet-only parts.
#include "card_bytes.h"
#include "device_table.h"
#include "identity.h"
#include "text.h"

#include <cerrno>
#include <doctest/doctest.h>
#include <string>

using namespace mlx4;
using mlx4::test::ConfigSpaceSpec;
using mlx4::test::kDumpGuid;
using mlx4::test::VpdSpec;

namespace {

const uint8_t* bytesOf(const std::string& text) {
    return reinterpret_cast<const uint8_t*>(text.data());
}

SerialNumberReading dsn(const std::string& config) {
    return readDeviceSerialNumber(memoryReader(bytesOf(config), config.size()));
}

SerialNumberReading dsnOf(const ConfigSpaceSpec& spec) {
    return dsn(mlx4::test::configSpace(spec));
}

VpdReading vpd(const std::string& bytes) {
    return readVpd(memoryReader(bytesOf(bytes), bytes.size()));
}

// A reader that counts what it is asked for, and fails with `error` from offset `failAt`.
struct CountingReader {
    std::string bytes;
    size_t failAt = ~size_t{0};
    long error = -EIO;
    size_t read = 0;

    ByteReader reader() {
        return [this](size_t offset, uint8_t* out, size_t length) -> long {
            if (offset + length > failAt)
                return error;
            long got = memoryReader(bytesOf(bytes), bytes.size())(offset, out, length);
            read += static_cast<size_t>(got);
            return got;
        };
    }
};

} // namespace

TEST_CASE("the Device Serial Number is found behind the AER capability, as on a ConnectX-2") {
    SerialNumberReading serial = dsnOf({});
    REQUIRE(serial.known == Known::value);
    CHECK(serial.value == kDumpGuid);
    CHECK(formatGuid(serial.value) == "0002:c903:000c:c89a");
}

TEST_CASE("config space is read only along the capability chain") {
    CountingReader counting{mlx4::test::configSpace({})};
    REQUIRE(readDeviceSerialNumber(counting.reader()).known == Known::value);
    // The AER header, the DSN header and the serial: 16 of 4096 bytes.
    CHECK(counting.read == 16);
}

TEST_CASE("no Device Serial Number: no capability, no extended capabilities, never programmed") {
    ConfigSpaceSpec spec;
    spec.serialNumber.reset();
    SerialNumberReading serial = dsnOf(spec);
    CHECK(serial.known == Known::none);
    CHECK(serial.why == "config space has no Device Serial Number capability");

    spec.serialNumber = 0;
    serial = dsnOf(spec);
    CHECK(serial.known == Known::none);
    CHECK(serial.why.find("never programmed") != std::string::npos);

    // A conventional PCI device: 256 bytes, no extended capabilities.
    spec = ConfigSpaceSpec{};
    spec.readable = 256;
    CHECK(dsnOf(spec).known == Known::none);

    std::string empty = mlx4::test::configSpace({});
    for (size_t i = 0x100; i < empty.size(); ++i)
        empty[i] = 0;
    CHECK(dsn(empty).known == Known::none);
}

TEST_CASE("an unknown Device Serial Number: all ones, 64 bytes, a loop, a broken or failing list") {
    ConfigSpaceSpec spec;
    spec.serialNumber = ~uint64_t{0};
    SerialNumberReading serial = dsnOf(spec);
    CHECK(serial.known == Known::unknown);
    CHECK(serial.why.find("all ones") != std::string::npos);

    // What a user without root reads: the first 64 bytes only.
    spec = ConfigSpaceSpec{};
    spec.readable = 64;
    serial = dsnOf(spec);
    CHECK(serial.known == Known::unknown);
    CHECK(serial.needsRoot);
    CHECK(serial.why.find("only root") != std::string::npos);

    // A capability cut off by the end of what was read.
    spec.readable = 0x150;
    serial = dsnOf(spec);
    CHECK(serial.known == Known::unknown);
    CHECK(serial.why.find("runs past config space") != std::string::npos);

    // AER pointing at itself: the walk ends, and says the list loops.
    std::string looped = mlx4::test::configSpace({});
    looped[0x102] = 0x01;
    looped[0x103] = 0x10; // next = 0x100
    serial = dsn(looped);
    CHECK(serial.known == Known::unknown);
    CHECK(serial.why.find("loops") != std::string::npos);

    // The whole extended space reads all ones (the card does not answer).
    std::string ones = mlx4::test::configSpace({});
    for (size_t i = 0x100; i < ones.size(); ++i)
        ones[i] = '\xff';
    serial = dsn(ones);
    CHECK(serial.known == Known::unknown);
    CHECK(serial.why.find("all ones") != std::string::npos);

    // A next pointer into the standard header.
    std::string inside = mlx4::test::configSpace({});
    inside[0x103] = 0x04; // next = 0x40
    inside[0x102] = 0x01;
    CHECK(dsn(inside).known == Known::unknown);

    CountingReader failing{mlx4::test::configSpace({}), 0x148};
    serial = readDeviceSerialNumber(failing.reader());
    CHECK(serial.known == Known::unknown);
    CHECK(serial.why == "cannot read config space: Input/output error");
    failing = CountingReader{mlx4::test::configSpace({}), 0, -EACCES};
    CHECK(readDeviceSerialNumber(failing.reader()).needsRoot);
}

TEST_CASE("VPD of a real card parses into product, PN, EC, SN and V0") {
    VpdReading reading = vpd(mlx4::test::vpdImage({}));
    REQUIRE_MESSAGE(reading.serial == Known::value, reading.why);
    CHECK(reading.part == Known::value);
    CHECK(reading.facts.product == "KESTREL QDR");
    CHECK(reading.facts.part == "MHQH19B-XTR");
    CHECK(reading.facts.change == "A3");
    CHECK(reading.facts.serial == "MT1037X01146");
    CHECK(reading.facts.vendor0 == "PCIeGen2 x8");
}

TEST_CASE("the VPD is read only up to the end of its read-only resource") {
    VpdSpec spec;
    spec.readWrite = 4000; // a ConnectX-3's read-write areas
    spec.readable = 4096;
    CountingReader counting{mlx4::test::vpdImage(spec)};
    VpdReading reading = readVpd(counting.reader());
    CHECK(reading.serial == Known::value);
    // Identifier string (3 + 11) and read-only resource (3 + 54) and nothing more.
    CHECK(counting.read == 71);

    // Neither the read-write resource nor the end tag is needed.
    spec = VpdSpec{};
    spec.endTag = false;
    std::string noEnd = mlx4::test::vpdImage(spec);
    CHECK(vpd(noEnd).serial == Known::value);
    CountingReader cut{noEnd.substr(0, 71)};
    CHECK(readVpd(cut.reader()).part == Known::value);
}

TEST_CASE("a bad byte in a field nobody matches on keeps PN and SN") {
    VpdSpec spec;
    spec.vendor0Bytes = std::string("PCIe\x01\xfe", 6);
    VpdReading reading = vpd(mlx4::test::vpdImage(spec));
    CHECK(reading.serial == Known::value);
    CHECK(reading.part == Known::value);
    CHECK(reading.facts.part == "MHQH19B-XTR");
    CHECK(reading.facts.vendor0.empty());

    // A bad byte in SN leaves the serial unknown, the part number known.
    spec = VpdSpec{};
    spec.serial = std::string("MT\x01", 3);
    reading = vpd(mlx4::test::vpdImage(spec));
    CHECK(reading.serial == Known::unknown);
    CHECK(reading.part == Known::value);
    CHECK(reading.why.find("SN") != std::string::npos);
}

TEST_CASE("the first PN and SN count, as the kernel's pci_vpd_find_ro_info_keyword()") {
    VpdSpec spec;
    spec.vendor0 = "x";
    std::string image = mlx4::test::vpdImage(spec);
    // Rename V0 to PN: a second PN, after the first.
    size_t v0 = image.find("V0");
    image[v0] = 'P';
    image[v0 + 1] = 'N';
    size_t checksum = image.find("RV") + 3; // kept right for the renamed bytes
    image[checksum] = static_cast<char>(image[checksum] + ('V' - 'P') + ('0' - 'N'));
    VpdReading reading = vpd(image);
    REQUIRE(reading.part == Known::value);
    CHECK(reading.facts.part == "MHQH19B-XTR");
}

TEST_CASE("VPD without a read-only resource is none, a broken one unknown") {
    CHECK(vpd("").serial == Known::none);
    std::string idOnly = std::string("\x82\x02\x00"
                                     "ab"
                                     "\x78",
                                     6);
    VpdReading none = vpd(idOnly);
    CHECK(none.serial == Known::none);
    CHECK(none.part == Known::none);
    CHECK(none.facts.product == "ab");

    VpdSpec spec;
    spec.badChecksum = true;
    VpdReading reading = vpd(mlx4::test::vpdImage(spec));
    CHECK(reading.serial == Known::unknown);
    CHECK(reading.part == Known::unknown);
    CHECK(reading.why.find("bad checksum") != std::string::npos);

    std::string whole = mlx4::test::vpdImage({});
    reading = vpd(whole.substr(0, 20));
    CHECK(reading.serial == Known::unknown);
    CHECK(reading.why.find("cut short") != std::string::npos);

    reading = vpd(std::string(256, '\xff'));
    CHECK(reading.serial == Known::unknown);
    CHECK(reading.why.find("identifier string") != std::string::npos);

    // No RV at all: the read-only resource ends after V0.
    std::string noRv = whole;
    size_t rv = noRv.find("RV");
    noRv[rv] = 'Y';
    noRv[rv + 1] = '0';
    reading = vpd(noRv);
    CHECK(reading.serial == Known::unknown);
    CHECK(reading.why == "the VPD has no RV keyword, so no checksum");

    CountingReader failing{whole, 8};
    reading = readVpd(failing.reader());
    CHECK(reading.part == Known::unknown);
    CHECK(reading.why == "the VPD cannot be read: Input/output error");
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
