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

} // namespace mlx4
