// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: PCI address parsing (command line arguments and configuration keys), and how a
// message shows such a value.
#include "address.h"
#include "fuzz_check.h"
#include "text.h"

#include <string_view>

using namespace mlx4;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto address = parsePciAddress(text);
    std::string guess = guessPciAddress(text);
    if (address) {
        // The kernel's spelling parses back to the same card, and is what a guess says.
        std::string spelled = address->str();
        FUZZ_CHECK(spelled.size() >= 12 && spelled.size() <= 16);
        auto again = parsePciAddress(spelled);
        FUZZ_CHECK(again && *again == *address);
        FUZZ_CHECK(guess == spelled);
        FUZZ_CHECK((text.size() >= 12 && text.size() <= 16) || text.size() == 7);
    }
    if (!guess.empty()) {
        // A suggestion is always something the strict parser accepts.
        FUZZ_CHECK(parsePciAddress(guess).has_value());
    }
    // Quoted, any input is one line of valid UTF-8 without a control character, and bounded.
    std::string shown = quote(text);
    FUZZ_CHECK(shown.size() <= 2 + 4 * kShownValueBytes + 3);
    for (size_t i = 0; i < shown.size(); ++i) {
        auto byte = static_cast<unsigned char>(shown[i]);
        FUZZ_CHECK(byte >= 0x20 && byte != 0x7f);
        FUZZ_CHECK(!(byte == 0xc2 && i + 1 < shown.size() &&
                     static_cast<unsigned char>(shown[i + 1]) <= 0x9f));
    }
    // Valid UTF-8: every lead byte is followed by as many continuation bytes as it announces.
    bool validUtf8 = true;
    for (size_t i = 0; i < shown.size() && validUtf8;) {
        auto byte = static_cast<unsigned char>(shown[i]);
        size_t length = byte < 0x80                    ? 1
                        : byte >= 0xc2 && byte <= 0xdf ? 2
                        : byte >= 0xe0 && byte <= 0xef ? 3
                        : byte >= 0xf0 && byte <= 0xf4 ? 4
                                                       : 0;
        validUtf8 = length > 0 && i + length <= shown.size();
        for (size_t k = 1; validUtf8 && k < length; ++k)
            validUtf8 = (static_cast<unsigned char>(shown[i + k]) & 0xc0) == 0x80;
        i += length;
    }
    FUZZ_CHECK(validUtf8);
    return 0;
}
