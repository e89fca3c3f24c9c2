// SPDX-License-Identifier: GPL-2.0-or-later
// A JSON document that remembers where each value and key stands in the file, so that
// configuration errors can name FILE:LINE:COLUMN. nlohmann_json does the parsing; comments
// (// and /* */) are allowed because people write these files by hand.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlx4 {

struct SourcePos {
    int line = 1;   // 1-based
    int column = 1; // 1-based, in characters
};

struct JsonMember;

struct JsonNode {
    enum class Kind { Null, Boolean, Number, String, Array, Object };
    Kind kind = Kind::Null;
    SourcePos pos;
    std::string text;                // a string's value; a number's or literal's spelling
    std::vector<JsonNode> items;     // array elements
    std::vector<JsonMember> members; // object members in file order, without duplicates
};

struct JsonMember {
    std::string key;
    SourcePos keyPos;
    JsonNode value;
};

struct JsonError {
    SourcePos pos;
    std::string message;
};

// The configuration needs four levels; anything much deeper is a mistake, and refusing it
// early keeps recursion over the tree bounded.
constexpr int kMaxJsonDepth = 16;

// Parses `text` (UTF-8, an optional BOM, comments allowed). Returns false with at least one
// error if the text is not a valid document; duplicate keys are errors too.
bool parseJsonDocument(std::string_view text, JsonNode& root, std::vector<JsonError>& errors);

// Kind names for messages: "a string", "an array", ...
std::string_view describeKind(JsonNode::Kind kind);

} // namespace mlx4
