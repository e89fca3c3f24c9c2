// SPDX-License-Identifier: GPL-2.0-or-later
// The positioned JSON reader: every value and key knows its line and column.
#include "json_document.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;

namespace {

std::vector<JsonError> errorsOf(const std::string& text) {
    JsonNode root;
    std::vector<JsonError> errors;
    CHECK_FALSE(parseJsonDocument(text, root, errors));
    REQUIRE_FALSE(errors.empty());
    return errors;
}

} // namespace

TEST_CASE("keys and values carry their position, comments and CRLF included") {
    std::string text = "// hand-written\r\n{\r\n  \"cards\": { /* lab */ \"05:00.0\": [\"eth\",\r\n"
                       "    \"ib\"] }\r\n}\r\n";
    JsonNode root;
    std::vector<JsonError> errors;
    REQUIRE(parseJsonDocument(text, root, errors));
    REQUIRE(root.kind == JsonNode::Kind::Object);
    CHECK(root.pos.line == 2);
    const JsonMember& cards = root.members.at(0);
    CHECK(cards.key == "cards");
    CHECK(cards.keyPos.line == 3);
    CHECK(cards.keyPos.column == 3);
    const JsonMember& card = cards.value.members.at(0);
    CHECK(card.key == "05:00.0");
    CHECK(card.keyPos.column == 24);
    CHECK(card.value.items.at(1).text == "ib");
    CHECK(card.value.items.at(1).pos.line == 4);
    CHECK(card.value.items.at(1).pos.column == 5);
}

TEST_CASE("columns count characters, and a BOM is not one") {
    JsonNode root;
    std::vector<JsonError> errors;
    REQUIRE(parseJsonDocument("\xEF\xBB\xBF{\"\xC3\xA9\xC3\xA9\": 1, \"x\": 2}", root, errors));
    CHECK(root.members.at(1).keyPos.column == 11);
}

TEST_CASE("syntax errors point at the offending character") {
    auto errors = errorsOf("{\n  \"cards\": {,}\n}");
    CHECK(errors[0].pos.line == 2);
    CHECK(errors[0].pos.column == 13);
    CHECK(errors[0].message.find("JSON syntax error") == 0);
}

TEST_CASE("a broken literal is named where it starts, trailing text where it stands") {
    auto errors = errorsOf("{\"default\": tru}");
    CHECK(errors[0].pos.column == 13);
    CHECK(errors[0].message ==
          "JSON syntax error: syntax error while parsing value - invalid literal");
    CHECK(errorsOf("{\"a\": 1}  x")[0].pos.column == 11);
    CHECK(errorsOf("{\"a\": \"b\"}}")[0].pos.column == 11);
}

TEST_CASE("an empty file says how to configure nothing") {
    CHECK(errorsOf(" \n")[0].message == "the file is empty; write {} to configure nothing");
}

TEST_CASE("a missing comma is reported where the next value starts") {
    auto errors = errorsOf("{\"default\": \"eth\"\n \"cards\": {}}");
    CHECK(errors[0].pos.line == 2);
    CHECK(errors[0].pos.column == 2);
}

TEST_CASE("duplicate keys in one object are errors naming both lines") {
    auto errors = errorsOf("{\"cards\": {},\n\"cards\": {}}");
    CHECK(errors[0].pos.line == 2);
    CHECK(errors[0].message == "duplicate key \"cards\" (first on line 1)");
}

TEST_CASE("invalid UTF-8 is named by byte and position") {
    auto errors = errorsOf("{\n \"default\": \"e\xFFth\"}");
    CHECK(errors[0].pos.line == 2);
    CHECK(errors[0].pos.column == 15);
    CHECK(errors[0].message.find("not valid UTF-8 (byte 0xff)") != std::string::npos);
    CHECK_FALSE(errorsOf("{\"a\": \"\xC0\xAF\"}").empty());     // overlong
    CHECK_FALSE(errorsOf("{\"a\": \"\xED\xA0\x80\"}").empty()); // surrogate
}

TEST_CASE("an unterminated block comment is named where it starts") {
    auto errors = errorsOf("{}\n  /* never closed");
    CHECK(errors[0].pos.line == 2);
    CHECK(errors[0].pos.column == 3);
}

TEST_CASE("a NUL byte is refused, not taken for the end of the file") {
    auto errors = errorsOf(std::string("{\"default\": \"eth\"}\0{", 20));
    CHECK(errors[0].pos.column == 19);
    CHECK(errors[0].message == "the file contains a NUL byte; it is not a text file");
}

TEST_CASE("nesting deeper than a configuration needs is refused without recursion") {
    std::string deep(100000, '[');
    auto errors = errorsOf(deep);
    CHECK(errors[0].message.find("nested more than 16 levels") == 0);
    CHECK(errors[0].pos.column == kMaxJsonDepth + 1);
}
