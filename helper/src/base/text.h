// SPDX-License-Identifier: GPL-2.0-or-later
// Values from files, sysfs and the command line, made safe to show: one line, no terminal
// control sequences, whole UTF-8 characters, a bounded length.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mlx4 {

// How much of a value a message shows; the rest is cut and marked with "...".
constexpr size_t kShownValueBytes = 60;

// `text` with every control character (C0, DEL, C1) and every byte that is not part of valid
// UTF-8 written as an escape (\n, \t, \e, \xNN, \u0085), a backslash as \\, and cut after at
// most `maxBytes` bytes of input, on a character boundary, with "..." appended. Valid UTF-8
// characters are kept whole.
std::string escaped(std::string_view text, size_t maxBytes = kShownValueBytes);

// escaped() in double quotes, with a double quote inside escaped as \": the one way a message
// shows a value it did not write itself.
std::string quote(std::string_view text, size_t maxBytes = kShownValueBytes);

// A whole message made one line for the terminal and the journal: controls and invalid UTF-8
// escaped as escaped() does, but backslashes kept (the values in it are already escaped).
std::string oneLine(std::string_view text, size_t maxBytes);

// Whether `text` matches the shell-like `pattern` (`*` any run, `?` one character), ignoring
// ASCII case.
bool globMatches(std::string_view pattern, std::string_view text);

// The length of the valid UTF-8 character at the start of `text` (not empty), its code point
// in `codepoint`; 0 if it is not one (a stray continuation byte, a truncated sequence, an
// overlong form, a surrogate, > U+10FFFF).
size_t utf8Length(std::string_view text, unsigned& codepoint);

// `text` with its ASCII letters in lower case.
std::string lower(std::string_view text);

// "0x15b3": a PCI vendor or device ID as sysfs and lspci -n print it.
std::string hexId(unsigned id);

} // namespace mlx4
