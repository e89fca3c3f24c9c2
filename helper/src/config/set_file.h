// SPDX-License-Identifier: GPL-2.0-or-later
// The text of set.json, the file `mlx4-porttype set` and `unset` own: one entry added,
// replaced or removed, everything else kept (pure: no file system).
#pragma once

#include "config.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlx4 {

// What `set KEY TYPE [TYPE]` records: one type for every port, or one per port (port 1 first).
struct SetEntry {
    std::string key; // as typed: "default", "05:00.0", "guid:…", "serial:…", "part:…"
    std::vector<std::string> types; // as typed
};

// KEY as set.json spells it: "default"; an address as the kernel spells it ("0000:05:00.0");
// guid: as node_guid spells it; serial: and part: as typed. A malformed KEY stays as typed
// (checkSetArguments() says what is wrong with it).
std::string setFileKey(std::string_view key);

// Whether two keys name the same entry by the loader's rules: one address or GUID however
// spelled, serial: and part: in any case.
bool sameKey(std::string_view a, std::string_view b);

// What is wrong with KEY and the TYPEs (none for `unset`) on their own, in the loader's words
// and with its "did you mean"; empty if nothing.
std::vector<std::string> checkSetArguments(const SetEntry& entry);

// `text` (set.json; empty: no file yet) with KEY set to the TYPEs: the entry replaced where it
// stands, or added last, and every other entry kept. nullopt, with a message in `problem`, if
// `text` is not a JSON object with "cards" an object (the loader says more).
std::optional<std::string> withEntrySet(std::string_view text, const SetEntry& entry,
                                        std::string& problem);

// `text` without KEY; `found` says whether it was there (if not, the text is returned as it is).
std::optional<std::string> withEntryRemoved(std::string_view text, std::string_view key,
                                            bool& found, std::string& problem);

// The lines of `after` that differ from `before`, as "-line" and "+line": what an edit of one
// entry changes, for the dry run.
std::vector<std::string> changedLines(std::string_view before, std::string_view after);

} // namespace mlx4
