// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the positioned JSON reader (comments, BOM, UTF-8 checks, duplicate keys, depth).
#include "fuzz_check.h"
#include "json_document.h"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>

using namespace mlx4;

namespace {

// Every position lies inside the text: 1-based, and no further than its last line.
void checkPosition(const SourcePos& pos, int lines) {
    FUZZ_CHECK(pos.line >= 1 && pos.line <= lines);
    FUZZ_CHECK(pos.column >= 1);
}

void checkTree(const JsonNode& node, int depth, int lines) {
    checkPosition(node.pos, lines);
    FUZZ_CHECK(depth <= kMaxJsonDepth);
    if (node.kind != JsonNode::Kind::Array)
        FUZZ_CHECK(node.items.empty());
    if (node.kind != JsonNode::Kind::Object)
        FUZZ_CHECK(node.members.empty());
    for (const JsonNode& item : node.items)
        checkTree(item, depth + 1, lines);
    std::set<std::string> keys;
    for (const JsonMember& member : node.members) {
        FUZZ_CHECK(keys.insert(member.key).second); // duplicates are errors, never kept
        checkPosition(member.keyPos, lines);
        checkTree(member.value, depth + 1, lines);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    JsonNode root;
    std::vector<JsonError> errors;
    bool parsed = parseJsonDocument(text, root, errors);
    FUZZ_CHECK(parsed == errors.empty());
    for (const JsonError& error : errors) {
        checkPosition(error.pos, lines);
        FUZZ_CHECK(!error.message.empty());
    }
    if (parsed)
        checkTree(root, 1, lines);
    return 0;
}
