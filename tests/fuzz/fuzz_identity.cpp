// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: what is read from a card to identify it (config space, VPD) and the GUID and
// part-number spellings of configuration keys. The same bytes go to every parser.
#include "fuzz_check.h"
#include "identity.h"
#include "text.h"

#include <string>
#include <string_view>

using namespace mlx4;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The parsers ask for a few bytes at a time, never for nothing.
    ByteReader input = memoryReader(data, size);
    ByteReader watched = [&](size_t offset, uint8_t* out, size_t length) -> long {
        FUZZ_CHECK(length > 0 && length <= 64);
        return input(offset, out, length);
    };
    SerialNumberReading serial = readDeviceSerialNumber(watched);
    if (serial.known == Known::value) {
        // Unprogrammed serials are never a card's identity, and every serial spells back.
        FUZZ_CHECK(serial.value != 0 && serial.value != ~uint64_t{0});
        FUZZ_CHECK(parseGuid(formatGuid(serial.value)) == serial.value);
        FUZZ_CHECK(size > 0x100);
    } else {
        FUZZ_CHECK(!serial.why.empty());
    }

    VpdReading vpd = readVpd(watched);
    for (const std::string* field : {&vpd.facts.product, &vpd.facts.part, &vpd.facts.change,
                                     &vpd.facts.serial, &vpd.facts.vendor0})
        for (char c : *field)
            FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
    // A field is a value only with text, and whatever is not a value says why.
    FUZZ_CHECK((vpd.serial == Known::value) == !vpd.facts.serial.empty());
    FUZZ_CHECK((vpd.part == Known::value) == !vpd.facts.part.empty());
    if (vpd.serial != Known::value || vpd.part != Known::value)
        FUZZ_CHECK(vpd.why.rfind("the VPD ", 0) == 0 || vpd.serial == Known::none ||
                   vpd.part == Known::none);
    // A value needs the checksum, which covers the start of the input.
    if (vpd.serial == Known::value || vpd.part == Known::value)
        FUZZ_CHECK(size >= 3 && data[0] == 0x82);

    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto guid = parseGuid(text))
        FUZZ_CHECK(parseGuid(formatGuid(*guid)) == *guid);
    // A pattern and a text, split at the first NUL: a match must end, and trivial ones hold.
    size_t split = text.find('\0');
    std::string_view pattern = text.substr(0, split);
    std::string_view subject = split == std::string_view::npos ? "" : text.substr(split + 1);
    globMatches(pattern, subject);
    FUZZ_CHECK(globMatches("*", subject));
    if (pattern.find('*') == std::string_view::npos)
        FUZZ_CHECK(globMatches(pattern, pattern));
    return 0;
}
