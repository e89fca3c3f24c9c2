// SPDX-License-Identifier: GPL-2.0-or-later
// How messages show values they did not write: escaped, whole UTF-8, bounded.
#include "text.h"

#include <doctest/doctest.h>
#include <string>

using mlx4::escaped;
using mlx4::oneLine;
using mlx4::quote;

TEST_CASE("controls of every kind are escaped, printable text and UTF-8 are kept") {
    CHECK(quote("eth") == "\"eth\"");
    CHECK(quote("a\nb\tc\x1b[31m") == "\"a\\nb\\tc\\e[31m\"");
    CHECK(quote(std::string("\0\x7f", 2)) == "\"\\x00\\x7f\"");
    CHECK(quote("\xc2\x85\xc2\x9b") == "\"\\u0085\\u009b\""); // C1: NEL, CSI
    CHECK(quote("caf\xc3\xa9 \xe2\x82\xac") == "\"caf\xc3\xa9 \xe2\x82\xac\"");
    CHECK(quote("say \"hi\" \\") == "\"say \\\"hi\\\" \\\\\"");
}

TEST_CASE("bytes that are not UTF-8 are shown as hex") {
    CHECK(quote("caf\xe9") == "\"caf\\xe9\"");
    CHECK(quote("\xc0\xaf") == "\"\\xc0\\xaf\"");          // overlong
    CHECK(quote("\xed\xa0\x80") == "\"\\xed\\xa0\\x80\""); // surrogate
    CHECK(quote("\xe2\x82") == "\"\\xe2\\x82\"");          // truncated
}

TEST_CASE("long values are cut on a character boundary") {
    std::string accents;
    for (int i = 0; i < 40; ++i)
        accents += "\xc3\xa9";
    // 1 + 2*29 = 59 bytes fit in 60; the 30th character would end at byte 61.
    std::string shown = escaped("x" + accents, 60);
    CHECK(shown.size() == 59 + 3);
    CHECK(shown.substr(shown.size() - 5) == "\xc3\xa9...");
    CHECK(escaped(std::string(100, 'a'), 10) == "aaaaaaaaaa...");
    CHECK(escaped("short", 10) == "short");
}

TEST_CASE("a whole message is made one line without doubling its escapes") {
    CHECK(oneLine("port 1 reads \"a\\nb\"\nforged", 100) == "port 1 reads \"a\\nb\"\\nforged");
}
