// SPDX-License-Identifier: GPL-2.0-or-later
// The text of set.json: one entry added, replaced or removed, everything else kept.
#include "set_file.h"

#include "address.h"
#include "identity.h"
#include "json_document.h"
#include "text.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace mlx4 {

namespace {

using Json = nlohmann::ordered_json;

std::string upper(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return result;
}

// The form in which two keys for one entry compare equal, as the loader keys its maps.
std::string canonicalKey(std::string_view key) {
    if (key == "default")
        return "default";
    size_t colon = key.find(':');
    std::string_view kind = colon == std::string_view::npos ? "" : key.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : key.substr(colon + 1);
    if (kind == "guid") {
        if (auto guid = parseGuid(value))
            return "guid:" + formatGuid(*guid);
    } else if (kind == "serial" || kind == "part") {
        return std::string(kind) + ":" + upper(value);
    } else if (auto address = parsePciAddress(key)) {
        return address->str();
    }
    return std::string(key);
}

// A JSON text for messages and documents; a byte that is not UTF-8 becomes U+FFFD, which the
// loader then refuses in a key or a type, as it refuses it in a file.
std::string dump(const Json& value) {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json typesValue(const std::vector<std::string>& types) {
    if (types.size() == 1)
        return Json(types.front());
    Json list = Json::array();
    for (const std::string& type : types)
        list.push_back(type);
    return list;
}

// The messages of the loader for a document holding only `key` with `value`.
std::vector<std::string> loaderMessages(std::string_view key, const Json& value) {
    Json document = Json::object();
    if (key == "default")
        document["default"] = value;
    else
        document["cards"][std::string(key)] = value;
    std::vector<ConfigError> errors;
    parseConfigText(dump(document), "", errors);
    std::vector<std::string> messages;
    for (const ConfigError& error : errors)
        messages.push_back(error.message);
    return messages;
}

// The tree of a parsed document, as nlohmann keeps it (in file order).
Json toJson(const JsonNode& node) {
    switch (node.kind) {
    case JsonNode::Kind::String:
        return Json(node.text);
    case JsonNode::Kind::Array: {
        Json list = Json::array();
        for (const JsonNode& item : node.items)
            list.push_back(toJson(item));
        return list;
    }
    case JsonNode::Kind::Object: {
        Json object = Json::object();
        for (const JsonMember& member : node.members)
            object[member.key] = toJson(member.value);
        return object;
    }
    default: // null, true, false, a number: their spelling is JSON
        return Json::parse(node.text);
    }
}

// set.json's text as a tree; an empty text is the empty object.
std::optional<Json> readDocument(std::string_view text, std::string& problem) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return Json::object();
    JsonNode root;
    std::vector<JsonError> errors;
    if (!parseJsonDocument(text, root, errors)) {
        const JsonError& first = errors.front();
        problem = std::to_string(first.pos.line) + ":" + std::to_string(first.pos.column) + ": " +
                  first.message;
        return std::nullopt;
    }
    if (root.kind != JsonNode::Kind::Object) {
        problem = "is not a JSON object";
        return std::nullopt;
    }
    Json document;
    try {
        document = toJson(root);
    } catch (const nlohmann::json::exception& error) {
        problem = std::string("holds a value that cannot be kept: ") + error.what();
        return std::nullopt;
    }
    if (document.contains("cards") && !document["cards"].is_object()) {
        problem = "has \"cards\" that is not an object";
        return std::nullopt;
    }
    return document;
}

bool isScalar(const Json& value) {
    return !value.is_object() && !value.is_array();
}

// One entry a line, a list of types on its entry's line: an entry is found, and a change
// shown, by its line.
void render(const Json& value, size_t indent, std::string& out) {
    const std::string inner(indent + 2, ' ');
    if (value.is_object() && !value.empty()) {
        out += "{\n";
        size_t left = value.size();
        for (const auto& [key, item] : value.items()) {
            out += inner + dump(Json(key)) + ": ";
            render(item, indent + 2, out);
            out += --left ? ",\n" : "\n";
        }
        out += std::string(indent, ' ') + "}";
    } else if (value.is_array() && !value.empty() &&
               !std::all_of(value.begin(), value.end(), isScalar)) {
        out += "[\n";
        size_t left = value.size();
        for (const Json& item : value) {
            out += inner;
            render(item, indent + 2, out);
            out += --left ? ",\n" : "\n";
        }
        out += std::string(indent, ' ') + "]";
    } else if (value.is_array()) {
        out += "[";
        for (size_t i = 0; i < value.size(); ++i)
            out += (i ? ", " : "") + dump(value[i]);
        out += "]";
    } else {
        out += dump(value);
    }
}

std::string renderDocument(const Json& document) {
    std::string text;
    render(document, 0, text);
    return text + "\n";
}

} // namespace

std::string setFileKey(std::string_view key) {
    if (key == "default" || key.rfind("guid:", 0) == 0 || parsePciAddress(key))
        return canonicalKey(key);
    return std::string(key);
}

bool sameKey(std::string_view a, std::string_view b) {
    return canonicalKey(a) == canonicalKey(b);
}

std::vector<std::string> checkSetArguments(const SetEntry& entry) {
    // Bytes that are not UTF-8 cannot be written into JSON: say so with the bytes escaped, as
    // they were typed.
    std::vector<std::string> words{entry.key};
    words.insert(words.end(), entry.types.begin(), entry.types.end());
    std::vector<std::string> notText;
    for (const std::string& word : words) {
        try {
            (void)Json(word).dump();
        } catch (const nlohmann::json::exception&) {
            notText.push_back(quote(word) + " is not UTF-8 text");
        }
    }
    if (!notText.empty())
        return notText;
    std::vector<std::string> messages = loaderMessages(entry.key, Json("keep"));
    // A near miss of "default" would otherwise read as a malformed PCI address.
    std::string nearDefault = didYouMeanSuffix(entry.key, {"default"});
    if (!messages.empty() && !nearDefault.empty() && entry.key.find(':') == std::string::npos)
        messages = {"unknown KEY " + dump(Json(entry.key)) +
                    ": KEY is default, a PCI address, guid:, serial: or part:" + nearDefault};
    if (!entry.types.empty())
        for (const std::string& message : loaderMessages("default", typesValue(entry.types)))
            messages.push_back(message);
    return messages;
}

std::optional<std::string> withEntrySet(std::string_view text, const SetEntry& entry,
                                        std::string& problem) {
    std::optional<Json> document = readDocument(text, problem);
    if (!document)
        return std::nullopt;
    Json value = typesValue(entry.types);
    if (entry.key == "default") {
        if (document->contains("default")) {
            (*document)["default"] = value;
        } else {
            // First, as people write it: what every card gets, then the exceptions.
            Json first = Json::object();
            first["default"] = value;
            for (const auto& [key, item] : document->items())
                first[key] = item;
            document = first;
        }
        return renderDocument(*document);
    }
    const std::string key = setFileKey(entry.key);
    Json cards = Json::object();
    bool replaced = false;
    for (const auto& [existing, item] : (*document)["cards"].items()) {
        if (!sameKey(existing, key))
            cards[existing] = item;
        else if (!replaced)
            cards[key] = value; // where it stood, spelled as set.json spells it
        replaced |= sameKey(existing, key);
    }
    if (!replaced)
        cards[key] = value;
    (*document)["cards"] = cards;
    return renderDocument(*document);
}

std::optional<std::string> withEntryRemoved(std::string_view text, std::string_view key,
                                            bool& found, std::string& problem) {
    found = false;
    std::optional<Json> document = readDocument(text, problem);
    if (!document)
        return std::nullopt;
    if (key == "default") {
        found = document->contains("default");
        document->erase("default");
    } else if (document->contains("cards")) {
        Json cards = Json::object();
        for (const auto& [existing, item] : (*document)["cards"].items()) {
            if (sameKey(existing, key))
                found = true;
            else
                cards[existing] = item;
        }
        if (cards.empty())
            document->erase("cards");
        else
            (*document)["cards"] = cards;
    }
    if (!found)
        return std::string(text);
    return renderDocument(*document);
}

std::vector<std::string> changedLines(std::string_view before, std::string_view after) {
    auto split = [](std::string_view text) {
        std::vector<std::string_view> lines;
        while (!text.empty()) {
            size_t end = text.find('\n');
            lines.push_back(text.substr(0, end));
            text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        }
        return lines;
    };
    std::vector<std::string_view> old = split(before), now = split(after);
    // One entry changes: what lies before and after it is the same in both.
    size_t head = 0;
    while (head < old.size() && head < now.size() && old[head] == now[head])
        ++head;
    size_t tail = 0;
    while (tail < old.size() - head && tail < now.size() - head &&
           old[old.size() - 1 - tail] == now[now.size() - 1 - tail])
        ++tail;
    std::vector<std::string> lines;
    for (size_t i = head; i < old.size() - tail; ++i)
        lines.push_back("-" + std::string(old[i]));
    for (size_t i = head; i < now.size() - tail; ++i)
        lines.push_back("+" + std::string(now[i]));
    return lines;
}

} // namespace mlx4
