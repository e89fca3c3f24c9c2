// SPDX-License-Identifier: GPL-2.0-or-later
#include "unmatched_entries.h"

#include "text.h"

#include <algorithm>
#include <cctype>

namespace mlx4 {

namespace {

std::string upper(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

bool matchesGuid(uint64_t guid, const std::vector<CardIdentity>& identities) {
    return std::any_of(identities.begin(), identities.end(), [&](const CardIdentity& identity) {
        return identity.serialNumber == guid || identity.nodeGuid == guid;
    });
}

bool matchesSerial(const std::string& serial, const std::vector<CardIdentity>& identities) {
    return std::any_of(identities.begin(), identities.end(), [&](const CardIdentity& identity) {
        return !identity.vpd.serial.empty() && upper(identity.vpd.serial) == serial;
    });
}

bool matchesPart(const std::string& pattern, const std::vector<CardIdentity>& identities) {
    return std::any_of(identities.begin(), identities.end(), [&](const CardIdentity& identity) {
        return !identity.vpd.part.empty() && globMatches(pattern, identity.vpd.part);
    });
}

} // namespace

std::vector<const ConfigEntry*> unmatchedAddressEntries(const Config& config,
                                                        const std::vector<PciAddress>& present) {
    std::vector<const ConfigEntry*> unmatched;
    for (const auto& [address, entry] : config.cards)
        if (std::find(present.begin(), present.end(), address) == present.end())
            unmatched.push_back(&entry);
    return unmatched;
}

std::vector<const ConfigEntry*>
unmatchedUnitAndModelEntries(const Config& config, const std::vector<CardIdentity>& identities) {
    std::vector<const ConfigEntry*> unmatched;
    for (const auto& [guid, entry] : config.guids)
        if (!matchesGuid(guid, identities))
            unmatched.push_back(&entry);
    for (const auto& [serial, entry] : config.serials)
        if (!matchesSerial(serial, identities))
            unmatched.push_back(&entry);
    for (const auto& [pattern, entry] : config.parts)
        if (!matchesPart(pattern, identities))
            unmatched.push_back(&entry);
    return unmatched;
}

std::string unmatchedAddressMessage(const ConfigEntry& entry) {
    return entry.where() + ": " + entry.key +
           " matches no card present: its slot is empty, or the card moved (adding a card can "
           "renumber the buses); find its address with lspci -D -d 15b3: and correct the entry, "
           "or name the card by guid: or serial: instead";
}

} // namespace mlx4
