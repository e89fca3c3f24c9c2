// SPDX-License-Identifier: GPL-2.0-or-later
// The verdicts the verbs print or log, decided here and nowhere else (pure): what an apply did
// to a card and the message that says so, whether a udev event tries a target again, whether
// wait goes on waiting for a card, whether status finds a card as configured, and the warning
// for an Ethernet-only card asked for ib. Each verdict names its states, so that a new state is
// a new name, never a second boolean.
#pragma once

#include "card_state.h"
#include "configured_card.h"
#include "log.h"
#include "plan.h"
#include "refusal_message.h"

#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mlx4 {

// "MCX312A-XCBT is an Ethernet-only card ...": the configuration asks ib of a card whose VPD
// part number is an Ethernet-only one. Empty when it does not.
std::string ethernetOnlyWarning(const ConfiguredCard& card);

// --- apply ---

// What became of one card, as apply --json names it.
enum class CardResult {
    Unchanged, // as configured; nothing written
    Changed,   // switched (dry run: would be)
    Failed,    // could not be set or read
    Skipped,   // left alone: nothing to do (not configured, not ready)
    Refused,   // left alone: this probe of the card refused the target earlier (a udev event)
};

// "unchanged", "changed", "failed", "skipped", "refused".
std::string_view cardResultName(CardResult result);

// Whether the run tries a target the kernel refused earlier under the card's configured types
// (each try can restart the card twice). Only an admin at a terminal and apply --retry do; udev
// events (a synthetic bind included), the boot unit and other unattended runs do not. A bind
// the kernel sends after probing the card (no SYNTH_UUID) is a new probe: it ends the record.
enum class RetryRule {
    Try,
    SkipIfRefusedEarlier,
    ForgetAndTry,
};

// What decides the rule: the udev event (`udevAction` empty when not run for one, `synthetic`
// when it carries SYNTH_UUID), stdin a terminal, and apply --retry.
struct RetryFacts {
    std::string_view udevAction;
    bool synthetic = false;
    bool stdinIsTerminal = false;
    bool retryOption = false;
};

RetryRule retryRule(const RetryFacts& facts);

// What one card's apply comes to, for the log and apply --json.
struct ApplyVerdict {
    CardResult result = CardResult::Unchanged;
    LogLevel level = LogLevel::Info;  // the level of `message` in the log
    std::string message;              // the verdict and one action first
    std::vector<std::string> details; // the lines after it (notice level)
};

// What the message about a card needs besides the outcome.
struct OutcomeFacts {
    std::string label;   // cardLabel()
    std::string address; // "0000:05:00.0"
    std::string where;   // the configuring entry's FILE:LINE
    bool dryRun = false;
    bool remembered = false; // Refused: recorded for unattended runs not to try again
    // Refused by the kernel: whether its log could be read (root), and its line about the card.
    bool kernelLogRead = false;
    std::optional<KernelRefusalLine> kernelLine;
};

// The result and message of `result`, an outcome of `plan`.
ApplyVerdict applyVerdict(const ApplyResult& result, const CardPlan& plan,
                          const OutcomeFacts& facts);

// The message of a card skipped because the kernel refused its configured target earlier, at
// a udev event `action` (empty: a run without a terminal).
std::string refusedEarlierMessage(const ApplyResult& planned, const OutcomeFacts& facts,
                                  const std::string& reason, const std::string& action);

// --- wait ---

// Nothing more will happen to the card without the admin, and that is as it should be.
struct WaitSettled {
    enum class Why {
        NoPortType,     // not a VPI card: no port type to set
        OtherDriver,    // given to another driver on purpose (vfio-pci for a VM), or its
                        // driver_override names one
        NoDriverComing, // no driver, udev has processed it, and mlx4_core is not loaded
        ByState,        // its state needs nothing more: in sync with its Ethernet interfaces
                        // processed, not configured, Ethernet-only, another driver's
    } why;
    std::string note = {}; // said once per card, for OtherDriver and NoDriverComing
};

// Nothing more will happen to the card without the admin, and that is a problem: `warning`.
struct WaitGivenUp {
    std::string warning;
};

// Something is still to happen to the card (the driver binds it, the rule switches it, udev
// names its interfaces): `why`, for the log at the timeout.
struct WaitPending {
    std::string why;
};

using WaitVerdict = std::variant<WaitSettled, WaitGivenUp, WaitPending>;

// Settled without looking further, if the device is nothing wait waits for whatever the
// configuration says: not a VPI card; bound to another driver, or its driver_override names
// one; no driver although udev has processed its add event (initialized in udev's database)
// while mlx4_core is not loaded, so no driver is coming. A card without driver while
// mlx4_core is loaded or udev has not processed it yet is waited for.
std::optional<WaitSettled> waitIgnores(const CardInfo& device, bool mlx4CoreLoaded);

// The verdict for `card`, a device waitIgnores() does not ignore, in `state` (cardState()).
// A card is waited for while it is drift or pending, and an in-sync card until udev has
// processed its Ethernet interfaces (`ethernet`, for an in-sync card); a refused, failed,
// conflicting or unknown card is given up with a warning. `reading`: its port files, when they
// were read (else nullptr).
WaitVerdict waitVerdict(const ConfiguredCard& card, CardState state, const CardReading* reading,
                        const std::vector<EthernetPortReadiness>& ethernet);

// --- status ---

// Whether status finds a card as configured.
enum class CardStatus {
    InSync,     // set as configured
    Left,       // left alone (not configured, not ready): as it should be
    Drift,      // a port is not as configured
    Unreadable, // a port file could not be read
    Refused,    // the helper does not handle the card (an error of the configuration or card)
};

// In sync as status shows it: the exit status and the IN SYNC column.
bool inSync(CardStatus status);

// The verdict for `configured` whose ports read `reading`. The plan from that reading decides
// a card to be set; a port that is not read, or a card refused, decides first.
CardStatus cardStatus(const ConfiguredCard& configured, const CardReading& reading);

// Whether one port is shown in sync: readable, as `want` asks, and the card handled.
bool portInSync(const ConfiguredCard& configured, const PortReading& port, PortWant want);

} // namespace mlx4
