// SPDX-License-Identifier: GPL-2.0-or-later
// A JSON document that remembers where each value and key stands in the file.
#include "json_document.h"

#include "text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace mlx4 {

namespace {

// Offset of the first byte that is not valid UTF-8, or npos.
size_t findInvalidUtf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        unsigned codepoint = 0;
        size_t length = utf8Length(text.substr(i), codepoint);
        if (length == 0)
            return i;
        i += length;
    }
    return std::string_view::npos;
}

// Maps byte offsets to line and column (columns count characters, not bytes). Tokens are
// looked up in file order, so it carries on from the last answer instead of recounting.
class PositionMap {
public:
    explicit PositionMap(std::string_view text) : text_(text) {}

    SourcePos at(size_t offset) const {
        if (offset < offset_) {
            offset_ = 0;
            pos_ = SourcePos{};
        }
        for (; offset_ < offset && offset_ < text_.size(); ++offset_) {
            if (text_[offset_] == '\n') {
                ++pos_.line;
                pos_.column = 1;
            } else if ((static_cast<unsigned char>(text_[offset_]) & 0xc0) != 0x80) {
                ++pos_.column;
            }
        }
        return pos_;
    }

private:
    std::string_view text_;
    mutable size_t offset_ = 0;
    mutable SourcePos pos_;
};

// Replaces comments by spaces, byte for byte, keeping newlines, so offsets stay valid.
bool blankComments(std::string& text, size_t& unterminatedAt) {
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            for (; i < text.size() && text[i] != '\n'; ++i)
                text[i] = ' ';
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            size_t end = text.find("*/", i + 2);
            if (end == std::string::npos) {
                unterminatedAt = i;
                return false;
            }
            for (; i < end + 2; ++i)
                if (text[i] != '\n')
                    text[i] = ' ';
            --i;
        }
    }
    return true;
}

// Builds the tree from nlohmann's SAX events. nlohmann reports no positions for values, but
// its events come in token order, so a cursor that steps over the same text token by token
// knows where each one starts.
//
// The tree is built bottom-up: an open array or object is held by value on a stack, and it
// goes to its parent only once it is complete. Nothing points into a container that is still
// growing.
class TreeBuilder : public nlohmann::json_sax<nlohmann::json> {
public:
    TreeBuilder(std::string_view text, const PositionMap& positions, std::vector<JsonError>& errors)
        : text_(text), positions_(positions), errors_(errors) {}

    // The document, once the parse succeeded.
    JsonNode takeRoot() { return std::move(root_); }

    bool null() override { return addScalar(JsonNode::Kind::Null); }
    bool boolean(bool) override { return addScalar(JsonNode::Kind::Boolean); }
    bool number_integer(number_integer_t) override { return addScalar(JsonNode::Kind::Number); }
    bool number_unsigned(number_unsigned_t) override { return addScalar(JsonNode::Kind::Number); }
    bool number_float(number_float_t, const string_t&) override {
        return addScalar(JsonNode::Kind::Number);
    }
    bool string(string_t& value) override {
        JsonNode node;
        node.kind = JsonNode::Kind::String;
        node.pos = positions_.at(nextToken());
        node.text = value;
        place(std::move(node));
        return true;
    }
    bool binary(binary_t&) override { return false; }

    bool start_object(std::size_t) override { return open(JsonNode::Kind::Object); }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(JsonNode::Kind::Array); }
    bool end_array() override { return close(); }

    bool key(string_t& name) override {
        Open& object = open_.back();
        size_t start = nextToken();
        SourcePos pos = positions_.at(start);
        // A map per open object: searching the members would be quadratic in the cards.
        auto [first, isNew] = object.keyLines.emplace(name, pos.line);
        if (!isNew) {
            errors_.push_back({pos, "duplicate key " + quote(name) + " (first on line " +
                                        std::to_string(first->second) + ")"});
            // The later value is parsed but dropped: the error stops the load anyway.
            object.dropValue = true;
            return true;
        }
        object.key = name;
        object.keyPos = pos;
        return true;
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& error) override {
        std::string message = error.what();
        // "[json.exception.out_of_range.406] ..." names nlohmann's internals, not the file.
        if (message.rfind("[json.exception.", 0) == 0 && message.find("] ") != std::string::npos)
            message.erase(0, message.find("] ") + 2);
        // nlohmann's text is "[json.exception...] parse error at line L, column C: what";
        // keep the "what" and put our own position in front.
        size_t colon = message.find(": ");
        if (message.rfind("parse error", 0) == 0 && colon != std::string::npos)
            message = message.substr(colon + 2);
        // "last read: '...'" repeats the file back in nlohmann's escapes; the position says it.
        size_t lastRead = message.find("; last read: ");
        if (lastRead != std::string::npos) {
            size_t end = message.find("'", message.find("'", lastRead) + 1);
            message.erase(lastRead, end == std::string::npos ? end : end + 1 - lastRead);
        }
        errors_.push_back(
            {positions_.at(offendingToken(position)), "JSON syntax error: " + message});
        return false;
    }

private:
    // An array or object whose end has not been read yet.
    struct Open {
        JsonNode node;
        std::unordered_map<std::string, int> keyLines; // an object's keys so far, and their line
        std::string key;                               // an object's key awaiting its value
        SourcePos keyPos;
        bool dropValue = false; // the key awaiting its value was a duplicate
    };

    static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

    // Where the token starting at `start` ends: a string, one structural character, or a
    // literal or number (up to the next delimiter).
    size_t tokenEnd(size_t start) const {
        size_t end = start;
        char c = text_[end];
        if (c == '"') {
            for (++end; end < text_.size() && text_[end] != '"'; ++end)
                if (text_[end] == '\\')
                    ++end;
            return std::min(end + 1, text_.size());
        }
        if (std::string_view("{}[],:").find(c) != std::string_view::npos)
            return end + 1;
        while (end < text_.size() && !isSpace(text_[end]) &&
               std::string_view(",:]}").find(text_[end]) == std::string_view::npos)
            ++end;
        return std::max(end, start + 1);
    }

    // Skips what separates tokens and steps over the next token; returns its start.
    size_t nextToken() {
        while (cursor_ < text_.size() &&
               (isSpace(text_[cursor_]) || text_[cursor_] == ',' || text_[cursor_] == ':'))
            ++cursor_;
        size_t start = cursor_;
        if (cursor_ < text_.size())
            cursor_ = tokenEnd(cursor_);
        return start;
    }

    // nlohmann reports how many bytes it read; the last one made no sense. Step from the last
    // good token to the token holding that byte. A literal is named even when the bad byte is
    // the one just after it ("tru}"), since that byte is where nlohmann saw the literal end.
    size_t offendingToken(size_t bytesRead) const {
        size_t offending = bytesRead > 0 ? bytesRead - 1 : 0;
        size_t i = cursor_;
        for (;;) {
            while (i < text_.size() && isSpace(text_[i]))
                ++i;
            if (i >= text_.size() || i > offending)
                return std::min(i, offending);
            size_t end = tokenEnd(i);
            bool literal = std::string_view("\"{}[],:").find(text_[i]) == std::string_view::npos;
            if (offending < end || (literal && offending == end))
                return i;
            i = end;
        }
    }

    bool addScalar(JsonNode::Kind kind) {
        JsonNode node;
        node.kind = kind;
        size_t start = nextToken();
        node.pos = positions_.at(start);
        node.text = std::string(text_.substr(start, cursor_ - start));
        place(std::move(node));
        return true;
    }

    // Gives a complete value to its place: the root, the next element of the innermost open
    // array, or the value of the key the innermost open object read last.
    void place(JsonNode&& node) {
        if (open_.empty()) {
            root_ = std::move(node);
            return;
        }
        Open& parent = open_.back();
        if (parent.node.kind == JsonNode::Kind::Array) {
            parent.node.items.push_back(std::move(node));
        } else if (parent.dropValue) {
            parent.dropValue = false;
        } else {
            parent.node.members.push_back({std::move(parent.key), parent.keyPos, std::move(node)});
        }
    }

    bool open(JsonNode::Kind kind) {
        if (open_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
            errors_.push_back(
                {positions_.at(nextToken()), "nested more than " + std::to_string(kMaxJsonDepth) +
                                                 " levels deep; a configuration needs at most 4"});
            return false;
        }
        Open container;
        container.node.kind = kind;
        container.node.pos = positions_.at(nextToken());
        open_.push_back(std::move(container));
        return true;
    }

    bool close() {
        nextToken();
        JsonNode complete = std::move(open_.back().node);
        open_.pop_back();
        place(std::move(complete));
        return true;
    }

    std::string_view text_;
    const PositionMap& positions_;
    std::vector<JsonError>& errors_;
    std::vector<Open> open_; // the open arrays and objects, outermost first
    JsonNode root_;
    size_t cursor_ = 0;
};

} // namespace

bool parseJsonDocument(std::string_view input, JsonNode& root, std::vector<JsonError>& errors) {
    size_t errorsBefore = errors.size();
    // A byte order mark is harmless; drop it so that columns match what an editor shows.
    if (input.substr(0, 3) == "\xEF\xBB\xBF")
        input.remove_prefix(3);
    PositionMap positions(input);

    size_t bad = findInvalidUtf8(input);
    if (bad != std::string_view::npos) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(input[bad]));
        errors.push_back({positions.at(bad), std::string("the file is not valid UTF-8 (byte ") +
                                                 byte + "); save it as UTF-8"});
        return false;
    }
    // nlohmann's lexer takes a NUL byte for the end of the input and would ignore the rest.
    size_t nul = input.find('\0');
    if (nul != std::string_view::npos) {
        errors.push_back(
            {positions.at(nul), "the file contains a NUL byte; it is not a text file"});
        return false;
    }
    if (input.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        errors.push_back({positions.at(0), "the file is empty; write {} to configure nothing"});
        return false;
    }
    std::string text(input);
    size_t unterminated = 0;
    if (!blankComments(text, unterminated)) {
        errors.push_back({positions.at(unterminated), "a /* comment is never closed with */"});
        return false;
    }

    TreeBuilder builder(text, positions, errors);
    bool parsed = nlohmann::json::sax_parse(text, &builder, nlohmann::json::input_format_t::json,
                                            /*strict=*/true);
    if (!parsed && errors.size() == errorsBefore)
        errors.push_back({SourcePos{}, "the file could not be parsed as JSON"});
    if (errors.size() != errorsBefore)
        return false;
    root = builder.takeRoot();
    return true;
}

std::string_view describeKind(JsonNode::Kind kind) {
    switch (kind) {
    case JsonNode::Kind::Null:
        return "null";
    case JsonNode::Kind::Boolean:
        return "true/false";
    case JsonNode::Kind::Number:
        return "a number";
    case JsonNode::Kind::String:
        return "a string";
    case JsonNode::Kind::Array:
        return "an array";
    case JsonNode::Kind::Object:
        return "an object";
    }
    return "a value";
}

} // namespace mlx4
