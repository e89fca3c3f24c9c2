// SPDX-License-Identifier: GPL-2.0-or-later
// The one model of a card's state that status, wait, the boot unit and the messages share: a
// state from plain facts about the card, the exit status a set of states comes to, and what
// wait waits for. Pure: no device access, no output.
#pragma once

#include "config.h"

#include <optional>
#include <string_view>
#include <vector>

namespace mlx4 {

// The names are a contract: `status --json` prints them as the card's "state".
enum class CardState {
    InSync,          // as configured
    NotConfigured,   // no entry decides it
    EthernetOnly,    // an Ethernet-only card: nothing to set
    OtherDriver,     // bound to another driver, or its driver_override names one
    Drift,           // differs, and apply would set it
    Pending,         // configured, but no driver or no port files yet, or the udev rule's run
                     // holds its lock
    Refused,         // the kernel refused this target at this probe
    Failed,          // a switch failed, the card cannot be read, or the helper refuses the entry
    UnknownIdentity, // what the configuration matches on could not be read
    Conflict,        // two entries of one rank name the card with different types
};

// "in_sync", "not_configured", ... as status --json prints them.
std::string_view cardStateName(CardState state);
// "in sync", "not configured", "Ethernet-only", ... as status prints them.
std::string_view cardStateWords(CardState state);

// 0, 3 (drift, pending) or 1 (refused, failed, unknown_identity, conflict): what status exits
// with for a card in `state`.
int stateExitStatus(CardState state);
// The worst of two exit statuses: 1 over 3 over 0.
int worseExitStatus(int a, int b);
// status's exit: the worst state among the cards shown; 0 for none.
int worstExitStatus(const std::vector<CardState>& states);

// What kind of entry configures a card: messages and the Ethernet-only rule depend on it.
enum class EntryKind { None, Address, Unit, Model, Default };
EntryKind entryKind(const ConfigEntry* entry);

// How the device is bound.
enum class Binding {
    None,     // no driver (yet)
    Mlx4Core, // mlx4_core
    Other,    // another driver (vfio-pci for a VM), or driver_override names one
};

// What the state is decided from. Each member is a plain fact another module found.
struct CardFacts {
    bool mellanox = true; // vendor 0x15b3
    Binding binding = Binding::Mlx4Core;
    bool ethernetOnly = false;    // an Ethernet-only PCI ID, or a part number of an EN card
    bool virtualFunction = false; // read-only port files; its type is its physical function's
    bool identityKnown = true;    // false: what the configuration matches on could not be read
    bool conflict = false;        // two entries of one rank disagree about it
    EntryKind entry = EntryKind::None;
    bool entryAsksIb = false;   // the entry asks ib of a port
    bool portFiles = true;      // the driver has made the mlx4_port<N> files
    bool helperRefuses = false; // the decision refuses the card (bad port files, too long a
                                // list, not a Mellanox device)
    bool lockHeld = false;      // another run (the udev rule's) holds the card's lock
    // From one reading of the ports and the plan made from it; unset: not read.
    std::optional<bool> readable;      // every port read and parsed
    bool planInSync = false;           // the ports satisfy the configuration
    bool writable = true;              // the port files can be written
    bool refusalRecorded = false;      // the kernel refused this very plan at this probe
    bool switchFailedRecorded = false; // the last switch at this probe failed
};

CardState cardState(const CardFacts& facts);

// Whether `wait` is done with a card in `state`: every state but drift and pending.
bool settledForWait(CardState state);

// One Ethernet port of an in-sync card, for wait (waitVerdict()): networking must find the
// interface under its final (udev's) name, so the port is settled only once udev has processed
// its netdev.
struct EthernetPortReadiness {
    int port = 0;
    bool netdevFound = false;       // a netdev of this port exists under the card
    bool netdevInitialized = false; // and udev's database has it (initialized, renamed)
};

} // namespace mlx4
