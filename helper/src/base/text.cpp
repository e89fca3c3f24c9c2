// SPDX-License-Identifier: GPL-2.0-or-later
// Values from files, sysfs and the command line, made safe to show.
#include "text.h"

#include <cctype>
#include <cstdio>

namespace mlx4 {

size_t utf8Length(std::string_view text, unsigned& codepoint) {
    auto byte = static_cast<unsigned char>(text[0]);
    size_t length = byte < 0x80           ? 1
                    : (byte >> 5) == 0x6  ? 2
                    : (byte >> 4) == 0xe  ? 3
                    : (byte >> 3) == 0x1e ? 4
                                          : 0;
    if (length == 0 || length > text.size())
        return 0;
    codepoint = length == 1 ? byte : byte & (0x7fu >> length);
    for (size_t k = 1; k < length; ++k) {
        auto next = static_cast<unsigned char>(text[k]);
        if ((next & 0xc0) != 0x80)
            return 0;
        codepoint = (codepoint << 6) | (next & 0x3fu);
    }
    static const unsigned smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (codepoint < smallest[length] || codepoint > 0x10ffff ||
        (codepoint >= 0xd800 && codepoint <= 0xdfff))
        return 0;
    return length;
}

namespace {

enum class Mode { Value, Quoted, Line };

std::string escape(std::string_view text, size_t maxBytes, Mode mode) {
    std::string shown;
    size_t i = 0;
    while (i < text.size()) {
        unsigned codepoint = 0;
        size_t length = utf8Length(text.substr(i), codepoint);
        if (i + (length ? length : 1) > maxBytes)
            break;
        char escape[16] = "";
        if (length == 0)
            std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned char>(text[i]));
        else if (codepoint == '\n')
            std::snprintf(escape, sizeof escape, "\\n");
        else if (codepoint == '\t')
            std::snprintf(escape, sizeof escape, "\\t");
        else if (codepoint == 0x1b)
            std::snprintf(escape, sizeof escape, "\\e");
        else if (codepoint < 0x20 || codepoint == 0x7f)
            std::snprintf(escape, sizeof escape, "\\x%02x", codepoint);
        else if (codepoint >= 0x80 && codepoint <= 0x9f) // C1: terminals act on these too
            std::snprintf(escape, sizeof escape, "\\u%04x", codepoint);
        else if ((codepoint == '\\' && mode != Mode::Line) ||
                 (mode == Mode::Quoted && codepoint == '"'))
            std::snprintf(escape, sizeof escape, "\\%c", static_cast<char>(codepoint));
        if (*escape)
            shown += escape;
        else
            shown.append(text.substr(i, length));
        i += length ? length : 1;
    }
    if (i < text.size())
        shown += "...";
    return shown;
}

} // namespace

std::string escaped(std::string_view text, size_t maxBytes) {
    return escape(text, maxBytes, Mode::Value);
}

std::string quote(std::string_view text, size_t maxBytes) {
    return "\"" + escape(text, maxBytes, Mode::Quoted) + "\"";
}

std::string oneLine(std::string_view text, size_t maxBytes) {
    return escape(text, maxBytes, Mode::Line);
}

bool globMatches(std::string_view pattern, std::string_view text) {
    auto same = [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
    };
    // The classic linear matcher: on a mismatch, let the last `*` swallow one more character.
    size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() &&
            (pattern[p] == '?' || (pattern[p] != '*' && same(pattern[p], text[t])))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            starP = p++;
            starT = t;
        } else if (starP != std::string_view::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::string lower(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

std::string hexId(unsigned id) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%04x", id);
    return text;
}

} // namespace mlx4
