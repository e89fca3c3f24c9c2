// SPDX-License-Identifier: GPL-2.0-or-later
// Small text helpers for the udev tests, and readable doctest output for lists of lines.
#pragma once

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

namespace mlx4::test {

inline std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        result.push_back(line);
    return result;
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

inline bool startsWith(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

} // namespace mlx4::test

// A failed CHECK on two lists shows them instead of "{?}".
template <> struct doctest::StringMaker<std::vector<std::string>> {
    static doctest::String convert(const std::vector<std::string>& list) {
        std::ostringstream text;
        text << "{";
        for (size_t i = 0; i < list.size(); ++i)
            text << (i ? ", " : "") << '"' << list[i] << '"';
        text << "}";
        return text.str().c_str();
    }
};
