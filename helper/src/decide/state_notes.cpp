// SPDX-License-Identifier: GPL-2.0-or-later
#include "state_notes.h"

#include "device_table.h"
#include "text.h"

#include <algorithm>

namespace mlx4 {

bool entryAsksIb(const ConfigEntry* entry) {
    return entry && std::find(entry->spec.wants.begin(), entry->spec.wants.end(), PortWant::Ib) !=
                        entry->spec.wants.end();
}

std::string ethernetOnlyName(const ConfiguredCard& card) {
    if (deviceKind(card.card.device) == DeviceKind::ethernetOnly)
        return modelName(card.card.device);
    if (std::string family = ethernetOnlyFamily(card.identity.vpd.part); !family.empty())
        return card.identity.vpd.part + ", " + family;
    return {};
}

std::string stateNote(const ConfiguredCard& card, CardState state) {
    const std::string address = card.card.address.str();
    switch (state) {
    case CardState::OtherDriver:
        return address + " is bound to " +
               quote(card.card.driver.empty() ? card.card.driverOverride : card.card.driver) +
               (card.card.driver.empty() ? " by driver_override" : "") +
               " (vfio-pci: passed through to a virtual machine), not mlx4_core: its port types "
               "are the guest's to set; left alone";
    case CardState::EthernetOnly: {
        std::string text =
            address + " is an Ethernet-only card (" + ethernetOnlyName(card) + "): nothing to set";
        if (entryAsksIb(card.entry()))
            text += "; " + card.entry()->key + " (" + card.entry()->where() +
                    ") asks ib, which is ignored for this card";
        return text;
    }
    case CardState::Failed:
        if (!ethernetOnlyName(card).empty() && card.entry())
            return address + " is an Ethernet-only card (" + ethernetOnlyName(card) +
                   "): its ports cannot run ib, which " + card.entry()->key + " (" +
                   card.entry()->where() + ") asks; configure eth for it";
        return {};
    case CardState::Pending:
        if (card.card.driver.empty())
            return address + ": no driver is bound yet (is mlx4_core loaded? lsmod | grep mlx4)";
        if (card.card.portCount == 0)
            return address + ": the driver has not made its port files yet";
        return address + ": the udev rule is switching it now (it holds the card's lock); look "
                         "again in a moment";
    case CardState::Drift:
        return address + ": not as configured; mlx4-porttype apply " + address + " sets it";
    default:
        return {};
    }
}

std::string refusedNote(const CardInfo& card) {
    return card.address.str() +
           ": the kernel refused this configuration earlier; udev events and the boot unit "
           "leave the card alone until its configured types change or the driver binds it "
           "anew; run `mlx4-porttype apply --retry " +
           card.address.str() + "` to try again";
}

} // namespace mlx4
