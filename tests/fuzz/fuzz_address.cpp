// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: PCI address parsing (command line arguments and configuration keys).
#include "address.h"
#include "fuzz_check.h"

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
    return 0;
}
