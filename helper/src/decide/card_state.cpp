// SPDX-License-Identifier: GPL-2.0-or-later
#include "card_state.h"

#include <algorithm>

namespace mlx4 {

namespace {

// A state's name in JSON and its words in text, side by side.
struct StateNames {
    std::string_view name, words;
};

StateNames namesOf(CardState state) {
    switch (state) {
    case CardState::InSync:
        return {"in_sync", "in sync"};
    case CardState::NotConfigured:
        return {"not_configured", "not configured"};
    case CardState::EthernetOnly:
        return {"ethernet_only", "Ethernet-only"};
    case CardState::OtherDriver:
        return {"other_driver", "other driver"};
    case CardState::Drift:
        return {"drift", "drift"};
    case CardState::Pending:
        return {"pending", "pending"};
    case CardState::Refused:
        return {"refused", "refused"};
    case CardState::Failed:
        break;
    case CardState::UnknownIdentity:
        return {"unknown_identity", "identity unknown"};
    case CardState::Conflict:
        return {"conflict", "conflict"};
    }
    return {"failed", "failed"};
}

} // namespace

std::string_view cardStateName(CardState state) {
    return namesOf(state).name;
}

std::string_view cardStateWords(CardState state) {
    return namesOf(state).words;
}

int stateExitStatus(CardState state) {
    switch (state) {
    case CardState::InSync:
    case CardState::NotConfigured:
    case CardState::EthernetOnly:
    case CardState::OtherDriver:
        return 0;
    case CardState::Drift:
    case CardState::Pending:
        return 3;
    case CardState::Refused:
    case CardState::Failed:
    case CardState::UnknownIdentity:
    case CardState::Conflict:
        return 1;
    }
    return 1;
}

int worseExitStatus(int a, int b) {
    auto rank = [](int status) {
        return status == 1 ? 2 : status == 3 ? 1 : 0;
    };
    return rank(a) >= rank(b) ? a : b;
}

int worstExitStatus(const std::vector<CardState>& states) {
    int worst = 0;
    for (CardState state : states)
        worst = worseExitStatus(worst, stateExitStatus(state));
    return worst;
}

EntryKind entryKind(const ConfigEntry* entry) {
    if (!entry)
        return EntryKind::None;
    const std::string& key = entry->key;
    if (key == "default")
        return EntryKind::Default;
    if (key.rfind("part:", 0) == 0)
        return EntryKind::Model;
    if (key.rfind("guid:", 0) == 0 || key.rfind("serial:", 0) == 0)
        return EntryKind::Unit;
    return EntryKind::Address;
}

CardState cardState(const CardFacts& facts) {
    // Not a card of this driver at all (an address given on the command line).
    if (!facts.mellanox)
        return CardState::Failed;
    // Given to another driver on purpose (a VM): nothing of it is ours to judge.
    if (facts.binding == Binding::Other)
        return CardState::OtherDriver;
    if (facts.conflict)
        return CardState::Conflict;
    if (!facts.identityKnown)
        return CardState::UnknownIdentity;
    if (facts.ethernetOnly) {
        // Asking ib of it by its address or as a unit is an error the admin made about this
        // very card; a default or a model pattern merely also covers it, and is ignored for it.
        bool namedForIb = facts.entryAsksIb &&
                          (facts.entry == EntryKind::Address || facts.entry == EntryKind::Unit);
        return namedForIb ? CardState::Failed : CardState::EthernetOnly;
    }
    if (facts.binding == Binding::None || !facts.portFiles) {
        if (facts.entry == EntryKind::None)
            return CardState::NotConfigured; // nothing will be asked of it when it is ready
        return facts.helperRefuses ? CardState::Failed : CardState::Pending;
    }
    if (facts.helperRefuses)
        return CardState::Failed;
    // A card that cannot be read is a failure whether or not anything is asked of it.
    if (facts.readable == false)
        return CardState::Failed;
    // A virtual function's type is its physical function's: no entry decides it.
    if (facts.entry == EntryKind::None || facts.virtualFunction)
        return CardState::NotConfigured;
    if (facts.lockHeld)
        return CardState::Pending;
    if (!facts.readable)
        return CardState::Pending; // not read: the caller could not look yet
    if (!*facts.readable)
        return CardState::Failed;
    if (facts.planInSync)
        return CardState::InSync;
    if (facts.switchFailedRecorded)
        return CardState::Failed;
    if (facts.refusalRecorded)
        return CardState::Refused;
    // Read-only port files (SR-IOV on the physical function): apply fails for it.
    if (!facts.writable)
        return CardState::Failed;
    return CardState::Drift;
}

bool settledForWait(CardState state) {
    return state != CardState::Drift && state != CardState::Pending;
}

} // namespace mlx4
