// SPDX-License-Identifier: GPL-2.0-or-later
// The one card-state model: each state from the facts that make it, the exit status of a set
// of states, and wait's rule.
#include "card_state.h"

#include <doctest/doctest.h>

using namespace mlx4;

namespace {

// A configured, bound, read card whose ports are as configured.
CardFacts inSyncCard() {
    CardFacts facts;
    facts.entry = EntryKind::Address;
    facts.readable = true;
    facts.planInSync = true;
    return facts;
}

ConfigEntry keyed(const std::string& key) {
    ConfigEntry entry;
    entry.key = key;
    return entry;
}

} // namespace

TEST_CASE("the state names are the contract of status --json") {
    CHECK(cardStateName(CardState::InSync) == "in_sync");
    CHECK(cardStateName(CardState::NotConfigured) == "not_configured");
    CHECK(cardStateName(CardState::EthernetOnly) == "ethernet_only");
    CHECK(cardStateName(CardState::OtherDriver) == "other_driver");
    CHECK(cardStateName(CardState::Drift) == "drift");
    CHECK(cardStateName(CardState::Pending) == "pending");
    CHECK(cardStateName(CardState::Refused) == "refused");
    CHECK(cardStateName(CardState::Failed) == "failed");
    CHECK(cardStateName(CardState::UnknownIdentity) == "unknown_identity");
    CHECK(cardStateName(CardState::Conflict) == "conflict");
}

TEST_CASE("a configured card read as configured is in sync, and differing it drifts") {
    CHECK(cardState(inSyncCard()) == CardState::InSync);
    CardFacts differs = inSyncCard();
    differs.planInSync = false;
    CHECK(cardState(differs) == CardState::Drift);
}

TEST_CASE("a card no entry decides is not configured, not in sync") {
    CardFacts facts = inSyncCard();
    facts.entry = EntryKind::None;
    CHECK(cardState(facts) == CardState::NotConfigured);
    facts.planInSync = false;
    CHECK(cardState(facts) == CardState::NotConfigured);
}

TEST_CASE("a card given to another driver is other_driver, whatever configures it") {
    CardFacts facts = inSyncCard();
    facts.binding = Binding::Other;
    facts.planInSync = false;
    CHECK(cardState(facts) == CardState::OtherDriver);
    facts.entry = EntryKind::None;
    CHECK(cardState(facts) == CardState::OtherDriver);
}

TEST_CASE("no driver, no port files yet, or the rule's run holding the lock: pending") {
    CardFacts unbound = inSyncCard();
    unbound.binding = Binding::None;
    unbound.readable.reset();
    CHECK(cardState(unbound) == CardState::Pending);
    CardFacts starting = inSyncCard();
    starting.portFiles = false;
    CHECK(cardState(starting) == CardState::Pending);
    CardFacts locked = inSyncCard();
    locked.planInSync = false;
    locked.lockHeld = true;
    CHECK(cardState(locked) == CardState::Pending);
    // Not configured: nothing will be asked of it once it is ready.
    unbound.entry = EntryKind::None;
    CHECK(cardState(unbound) == CardState::NotConfigured);
}

TEST_CASE("a target the kernel refused at this probe is refused, not drift") {
    CardFacts facts = inSyncCard();
    facts.planInSync = false;
    facts.refusalRecorded = true;
    CHECK(cardState(facts) == CardState::Refused);
}

TEST_CASE("unreadable ports, read-only files, a failed switch or a refused entry: failed") {
    CardFacts unreadable = inSyncCard();
    unreadable.readable = false;
    CHECK(cardState(unreadable) == CardState::Failed);
    unreadable.entry = EntryKind::None; // configured or not
    CHECK(cardState(unreadable) == CardState::Failed);
    CardFacts readOnly = inSyncCard();
    readOnly.planInSync = false;
    readOnly.writable = false;
    CHECK(cardState(readOnly) == CardState::Failed);
    CardFacts switchFailed = inSyncCard();
    switchFailed.planInSync = false;
    switchFailed.switchFailedRecorded = true;
    CHECK(cardState(switchFailed) == CardState::Failed);
    CardFacts refusedEntry = inSyncCard();
    refusedEntry.helperRefuses = true;
    CHECK(cardState(refusedEntry) == CardState::Failed);
    CardFacts notMellanox = inSyncCard();
    notMellanox.mellanox = false;
    CHECK(cardState(notMellanox) == CardState::Failed);
}

TEST_CASE("conflict and unknown identity come before what the ports read") {
    CardFacts conflict = inSyncCard();
    conflict.conflict = true;
    CHECK(cardState(conflict) == CardState::Conflict);
    CardFacts unknown = inSyncCard();
    unknown.identityKnown = false;
    CHECK(cardState(unknown) == CardState::UnknownIdentity);
}

TEST_CASE("an Ethernet-only card: ethernet_only, unless its address or unit asks ib of it") {
    CardFacts facts = inSyncCard();
    facts.ethernetOnly = true;
    facts.planInSync = false;
    facts.entry = EntryKind::None;
    CHECK(cardState(facts) == CardState::EthernetOnly);
    facts.entryAsksIb = true;
    facts.entry = EntryKind::Default;
    CHECK(cardState(facts) == CardState::EthernetOnly);
    facts.entry = EntryKind::Model;
    CHECK(cardState(facts) == CardState::EthernetOnly);
    facts.entry = EntryKind::Address;
    CHECK(cardState(facts) == CardState::Failed);
    facts.entry = EntryKind::Unit;
    CHECK(cardState(facts) == CardState::Failed);
    facts.entryAsksIb = false;
    CHECK(cardState(facts) == CardState::EthernetOnly);
}

TEST_CASE("a virtual function is decided by its physical function: not configured") {
    CardFacts facts = inSyncCard();
    facts.virtualFunction = true;
    facts.planInSync = false;
    facts.writable = false;
    CHECK(cardState(facts) == CardState::NotConfigured);
}

TEST_CASE("exit status: 0 for the calm states, 3 for drift and pending, 1 for the rest") {
    for (CardState calm : {CardState::InSync, CardState::NotConfigured, CardState::EthernetOnly,
                           CardState::OtherDriver})
        CHECK(stateExitStatus(calm) == 0);
    CHECK(stateExitStatus(CardState::Drift) == 3);
    CHECK(stateExitStatus(CardState::Pending) == 3);
    for (CardState bad :
         {CardState::Refused, CardState::Failed, CardState::UnknownIdentity, CardState::Conflict})
        CHECK(stateExitStatus(bad) == 1);
}

TEST_CASE("the worst state wins: 1 over 3 over 0") {
    CHECK(worstExitStatus({}) == 0);
    CHECK(worstExitStatus({CardState::InSync, CardState::OtherDriver}) == 0);
    CHECK(worstExitStatus({CardState::InSync, CardState::Drift, CardState::NotConfigured}) == 3);
    CHECK(worstExitStatus({CardState::Drift, CardState::Refused, CardState::Pending}) == 1);
    CHECK(worstExitStatus({CardState::Failed, CardState::Drift}) == 1);
    CHECK(worseExitStatus(3, 0) == 3);
    CHECK(worseExitStatus(0, 3) == 3);
    CHECK(worseExitStatus(3, 1) == 1);
}

TEST_CASE("wait returns for every state but drift and pending") {
    CHECK_FALSE(settledForWait(CardState::Drift));
    CHECK_FALSE(settledForWait(CardState::Pending));
    for (CardState state : {CardState::InSync, CardState::NotConfigured, CardState::EthernetOnly,
                            CardState::OtherDriver, CardState::Refused, CardState::Failed,
                            CardState::UnknownIdentity, CardState::Conflict})
        CHECK(settledForWait(state));
}

TEST_CASE("the kind of an entry, from its key") {
    ConfigEntry address = keyed("0000:05:00.0"), guid = keyed("guid:0002:c903:000c:c89a"),
                serial = keyed("serial:MT1037X01146"), part = keyed("part:MHQH29B-*"),
                fallback = keyed("default");
    CHECK(entryKind(nullptr) == EntryKind::None);
    CHECK(entryKind(&address) == EntryKind::Address);
    CHECK(entryKind(&guid) == EntryKind::Unit);
    CHECK(entryKind(&serial) == EntryKind::Unit);
    CHECK(entryKind(&part) == EntryKind::Model);
    CHECK(entryKind(&fallback) == EntryKind::Default);
}
