// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: what a mlx4_port<N> file reads, and the configuration's port words.
#include "fuzz_check.h"
#include "port_type.h"

#include <string>
#include <string_view>

using namespace mlx4;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto state = parsePortState(text)) {
        // Only the four strings the driver prints, with or without the newline.
        std::string shown = formatPortState(*state);
        FUZZ_CHECK(text == shown || text == shown + "\n");
        FUZZ_CHECK(parsePortState(shown) == state);
        FUZZ_CHECK(state->active != PortType::Auto);
        // Writing back what a port reads keeps it as it is.
        PortType keep = typeToWrite(*state);
        FUZZ_CHECK(kernelWriteString(keep).back() == '\n');
        FUZZ_CHECK(satisfies(*state, PortWant::Keep));
        FUZZ_CHECK(satisfies(*state, *parsePortWant(portTypeName(keep))));
    }
    if (auto want = parsePortWant(text))
        FUZZ_CHECK(portWantName(*want) == text);
    return 0;
}
