// SPDX-License-Identifier: GPL-2.0-or-later
// The file through which the kernel shim keeps one card's driver state between processes.
#include "kernel_card.h"

#include <cstdlib>
#include <sstream>

namespace mlx4::test {

namespace {

std::optional<PortType> typeNamed(const std::string& word) {
    if (word == "ib")
        return PortType::Ib;
    if (word == "eth")
        return PortType::Eth;
    if (word == "auto")
        return PortType::Auto;
    return std::nullopt;
}

// "a,b" -> {"a", "b"}.
std::vector<std::string> commaList(const std::string& text) {
    std::vector<std::string> items;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        items.push_back(item);
    return items;
}

bool parseWord(CardVariant& variant, const std::string& word) {
    std::string key = word.substr(0, word.find('='));
    std::string value = word.find('=') == std::string::npos ? "" : word.substr(word.find('=') + 1);
    if (word == "dpdp" || word == "no-dpdp") {
        variant.dpdp = word == "dpdp";
    } else if (word == "sense" || word == "no-sense") {
        variant.senseSupport = word == "sense";
    } else if (word == "read-only") {
        variant.readOnly = true;
    } else if (key == "ports") {
        variant.ports = std::atoi(value.c_str());
    } else if (key == "device") {
        variant.device = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 16));
    } else if (key == "era") {
        if (value == "3.4")
            variant.era = KernelEra::Linux3_4;
        else if (value == "3.6")
            variant.era = KernelEra::Linux3_6;
        else if (value == "4.6")
            variant.era = KernelEra::Linux4_6;
        else if (value == "5.5")
            variant.era = KernelEra::Linux5_5;
        else
            return false;
    } else if (key == "support") {
        std::vector<std::string> items = commaList(value);
        for (size_t i = 0; i < items.size() && i < 2; ++i) {
            if (items[i] == "both")
                variant.support[i] = PortSupport::Both;
            else if (items[i] == "ib-only")
                variant.support[i] = PortSupport::IbOnly;
            else if (items[i] == "eth-only")
                variant.support[i] = PortSupport::EthOnly;
            else
                return false;
        }
    } else if (key == "links") {
        std::vector<std::string> items = commaList(value);
        for (size_t i = 0; i < items.size() && i < 2; ++i) {
            if (items[i] == "-")
                variant.links[i] = SensedLink::Nothing;
            else if (items[i] == "ib")
                variant.links[i] = SensedLink::Ib;
            else if (items[i] == "eth")
                variant.links[i] = SensedLink::Eth;
            else if (items[i] == "up")
                variant.links[i] = SensedLink::Up;
            else
                return false;
        }
    } else if (key == "firmware-fails-port") {
        variant.firmwareFailsPort = std::atoi(value.c_str());
    } else {
        return false;
    }
    return true;
}

std::string linkWord(SensedLink link) {
    return link == SensedLink::Ib    ? "ib"
           : link == SensedLink::Eth ? "eth"
           : link == SensedLink::Up  ? "up"
                                     : "-";
}

} // namespace

std::optional<CardVariant> parseVariantWords(const std::string& words, std::string& error) {
    CardVariant variant;
    std::istringstream in(words);
    for (std::string word; in >> word;) {
        if (!parseWord(variant, word)) {
            error = "unknown kernel model option \"" + word + "\"";
            return std::nullopt;
        }
    }
    if (variant.ports < 1 || variant.ports > 2) {
        error = "a card has 1 or 2 ports";
        return std::nullopt;
    }
    return variant;
}

std::optional<KernelCard> parseKernelCard(const std::string& text, std::string& error) {
    KernelCard card;
    bool haveVariant = false;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::string key = line.substr(0, line.find(':'));
        std::string rest =
            line.find(':') == std::string::npos ? "" : line.substr(line.find(':') + 1);
        if (key == "card") {
            std::optional<CardVariant> variant = parseVariantWords(rest, error);
            if (!variant)
                return std::nullopt;
            card.variant = *variant;
            haveVariant = true;
        } else if (key.rfind("port", 0) == 0) {
            KernelPortState port;
            std::istringstream words(rest);
            for (std::string word; words >> word;) {
                std::string name = word.substr(0, word.find('='));
                std::string value = word.substr(word.find('=') + 1);
                std::optional<PortType> type = typeNamed(value);
                if (name == "active" && type)
                    port.active = *type;
                else if (name == "possible" && type)
                    port.possible = *type;
                else if (name == "staged")
                    port.staged = type;
            }
            card.ports.push_back(port);
        } else if (key == "counters") {
            std::istringstream words(rest);
            for (std::string word; words >> word;) {
                std::string name = word.substr(0, word.find('='));
                std::string value = word.substr(word.find('=') + 1);
                if (name == "restarts")
                    card.counters.restarts = std::atoi(value.c_str());
                else if (name == "writes")
                    card.counters.writes = std::atoi(value.c_str());
                else if (name == "firmware-failures")
                    card.counters.firmwareFailures = std::atoi(value.c_str());
                else if (name == "registered")
                    card.counters.registered = value == "yes";
            }
        }
    }
    if (!haveVariant) {
        error = "no card: line";
        return std::nullopt;
    }
    return card;
}

std::string formatKernelCard(const KernelCard& card) {
    const CardVariant& variant = card.variant;
    char device[16];
    std::snprintf(device, sizeof device, "0x%04x", variant.device);
    std::string text = "card: ports=" + std::to_string(variant.ports) + " device=" + device;
    text += variant.dpdp ? " dpdp" : " no-dpdp";
    text += variant.senseSupport ? " sense" : " no-sense";
    text += std::string(" era=") + eraName(variant.era);
    std::string support, links;
    for (int i = 0; i < variant.ports; ++i) {
        support += std::string(i ? "," : "") + supportName(variant.support[i]);
        links += (i ? "," : "") + linkWord(variant.links[i]);
    }
    text += " support=" + support + " links=" + links;
    text += " firmware-fails-port=" + std::to_string(variant.firmwareFailsPort);
    if (variant.readOnly)
        text += " read-only";
    text += "\n";
    for (size_t i = 0; i < card.ports.size(); ++i) {
        const KernelPortState& port = card.ports[i];
        text += "port" + std::to_string(i + 1) +
                ": active=" + std::string(portTypeName(port.active)) +
                " possible=" + std::string(portTypeName(port.possible)) +
                " staged=" + (port.staged ? std::string(portTypeName(*port.staged)) : "-") + "\n";
    }
    const KernelCounters& counters = card.counters;
    text += "counters: restarts=" + std::to_string(counters.restarts) +
            " writes=" + std::to_string(counters.writes) +
            " firmware-failures=" + std::to_string(counters.firmwareFailures) +
            " registered=" + (counters.registered ? "yes" : "no") + "\n";
    return text;
}

} // namespace mlx4::test
