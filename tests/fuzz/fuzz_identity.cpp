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
    std::string problem;
    if (auto serial = parseDeviceSerialNumber(data, size, problem)) {
        // Unprogrammed serials are never a card's identity, and every serial spells back.
        FUZZ_CHECK(*serial != 0 && *serial != ~uint64_t{0});
        FUZZ_CHECK(parseGuid(formatGuid(*serial)) == *serial);
        FUZZ_CHECK(size > 0x100);
    } else {
        FUZZ_CHECK(!problem.empty());
    }

    problem.clear();
    if (auto vpd = parseVpd(data, size, problem)) {
        for (const std::string* field :
             {&vpd->product, &vpd->part, &vpd->change, &vpd->serial, &vpd->vendor0})
            for (char c : *field)
                FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
    } else {
        FUZZ_CHECK(problem.rfind("the VPD ", 0) == 0);
    }

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
