// SPDX-License-Identifier: GPL-2.0-or-later
// The verdicts the verbs act on (decide/verdicts.h): apply's result and message, the udev retry
// rule, wait's verdict, status's verdict, the Ethernet-only warning and whether a plan may
// restart the card.
#include "bound_card.h"
#include "device_table.h"
#include "verdicts.h"

#include <doctest/doctest.h>
#include <string>

using namespace mlx4;
using mlx4::test::boundCard;

namespace {

const PortState kIb{PortType::Ib, false};
const PortState kEth{PortType::Eth, false};
const PortState kAutoEth{PortType::Eth, true};

// `card` configured by "0000:05:00.0": `ports` in config.json, line 3.
ConfiguredCard configured(const CardInfo& card, const std::string& ports,
                          const std::string& part = "") {
    std::vector<ConfigError> errors;
    static std::vector<Config> keep; // entries point into their Config
    keep.push_back(mergeConfigFiles(
        {parseConfigText("{\n  \"cards\": {\n    \"0000:05:00.0\": " + ports + "\n  }\n}\n",
                         "/etc/mlx4-porttype/config.json", errors)}));
    REQUIRE(errors.empty());
    CardIdentity identity;
    identity.vpd.part = part;
    return configureCard(card, identity, keep.back());
}

ConfiguredCard unconfigured(const CardInfo& card) {
    static const Config empty;
    return configureCard(card, {}, empty);
}

CardReading readingOf(std::vector<PortState> states) {
    CardReading reading;
    for (size_t i = 0; i < states.size(); ++i)
        reading.ports.push_back({static_cast<int>(i) + 1, states[i], "", true});
    return reading;
}

OutcomeFacts facts(bool dryRun = false) {
    return {"0000:05:00.0 (card)",
            "0000:05:00.0",
            "/etc/mlx4-porttype/config.json:3",
            dryRun,
            false,
            false,
            std::nullopt};
}

} // namespace

TEST_CASE("apply's results have the names apply --json prints") {
    CHECK(cardResultName(CardResult::Unchanged) == "unchanged");
    CHECK(cardResultName(CardResult::Changed) == "changed");
    CHECK(cardResultName(CardResult::Failed) == "failed");
    CHECK(cardResultName(CardResult::Skipped) == "skipped");
}

TEST_CASE("a target refused earlier: an admin at a terminal and --retry try, a real bind ends "
          "the record, everything else skips") {
    // An admin typing apply; a script's apply --retry (also from an event).
    CHECK(retryRule({"", false, true, false}) == RetryRule::Try);
    CHECK(retryRule({"", false, false, true}) == RetryRule::Try);
    CHECK(retryRule({"change", true, false, true}) == RetryRule::Try);
    // The boot unit and other runs without a terminal.
    CHECK(retryRule({"", false, false, false}) == RetryRule::SkipIfRefusedEarlier);
    // udev events, whatever stdin is; a synthetic bind is no new probe.
    CHECK(retryRule({"add", true, false, false}) == RetryRule::SkipIfRefusedEarlier);
    CHECK(retryRule({"change", true, true, false}) == RetryRule::SkipIfRefusedEarlier);
    CHECK(retryRule({"bind", true, false, false}) == RetryRule::SkipIfRefusedEarlier);
    // The kernel's bind after a probe.
    CHECK(retryRule({"bind", false, false, false}) == RetryRule::ForgetAndTry);
}

TEST_CASE("apply's verdict: in sync, planned and switched say what was done, at their level") {
    CardPlan inSync = makePlan({kIb, kIb}, {PortWant::Ib, PortWant::Ib});
    ApplyVerdict same = applyVerdict(planOutcome(inSync), inSync, facts());
    CHECK(same.result == CardResult::Unchanged);
    CHECK(same.level == LogLevel::Info);
    CHECK(same.message == "0000:05:00.0 (card): ports [ib, ib] are as configured; nothing written");
    CHECK(applyVerdict(planOutcome(inSync), inSync, facts(true)).message ==
          "0000:05:00.0 (card): ports [ib, ib] are as configured; nothing to write");

    CardPlan toEth = makePlan({kIb, kIb}, {PortWant::Eth, PortWant::Eth});
    ApplyVerdict planned = applyVerdict(planOutcome(toEth), toEth, facts(true));
    CHECK(planned.result == CardResult::Changed);
    CHECK(planned.message == "0000:05:00.0 (card): ports [ib, ib] would be set to [eth, eth] as "
                             "configured in /etc/mlx4-porttype/config.json:3");

    ApplyResult switched = planOutcome(toEth);
    switched.outcome = ApplyOutcome::Switched;
    switched.after = {kEth, kEth};
    ApplyVerdict done = applyVerdict(switched, toEth, facts());
    CHECK(done.result == CardResult::Changed);
    CHECK(done.level == LogLevel::Notice);
    CHECK(done.message == "0000:05:00.0 (card): ports [ib, ib] -> [eth, eth]: switched as "
                          "configured in /etc/mlx4-porttype/config.json:3");
}

TEST_CASE("apply's verdict: a refusal fails, and says whether udev events try it again") {
    CardPlan toEth = makePlan({kIb, kIb}, {PortWant::Eth, PortWant::Ib});
    ApplyResult refused = planOutcome(toEth);
    refused.outcome = ApplyOutcome::Refused;
    refused.reason = "the card does not support this combination";
    refused.restarts = 2;
    OutcomeFacts remembered = facts();
    remembered.remembered = true;
    ApplyVerdict verdict = applyVerdict(refused, toEth, remembered);
    CHECK(verdict.result == CardResult::Failed);
    CHECK(verdict.level == LogLevel::Error);
    CHECK(verdict.message.find("The card was left as it was: [ib, ib]; the attempt cost 2 device "
                               "restarts. udev events and the boot unit do not try this again") !=
          std::string::npos);
    CHECK(applyVerdict(refused, toEth, facts()).message.find("udev events") == std::string::npos);

    ApplyResult readOnly = planOutcome(toEth);
    readOnly.outcome = ApplyOutcome::ReadOnly;
    readOnly.reason = "port 1 is read-only";
    CHECK(applyVerdict(readOnly, toEth, facts()).message ==
          "0000:05:00.0 (card): cannot set ports to [eth, ib]: port 1 is read-only; nothing was "
          "written");
}

TEST_CASE("a plan may restart the card when a protocol changes or a port is newly set to auto") {
    CHECK(makePlan({kIb, kIb}, {PortWant::Eth, PortWant::Keep}).mayRestart());
    CHECK(makePlan({kIb, kIb}, {PortWant::Auto, PortWant::Keep}).mayRestart());
    CHECK_FALSE(makePlan({kAutoEth, kIb}, {PortWant::Eth, PortWant::Keep}).mayRestart());
    CHECK_FALSE(makePlan({kIb, kIb}, {PortWant::Ib, PortWant::Ib}).mayRestart());
}

TEST_CASE("wait ignores devices without a port type and devices of other drivers") {
    CardInfo en = boundCard();
    en.device = 0x6750; // ConnectX-2 EN
    REQUIRE(deviceKind(en.device) == DeviceKind::ethernetOnly);
    REQUIRE(waitIgnores(en, true));
    CHECK(waitIgnores(en, true)->why == WaitSettled::Why::NoPortType);
    CHECK(waitIgnores(en, true)->note.empty());
    CardInfo vfio = boundCard();
    vfio.driver = "vfio-pci";
    REQUIRE(waitIgnores(vfio, true));
    CHECK(waitIgnores(vfio, true)->why == WaitSettled::Why::OtherDriver);
    CHECK(waitIgnores(vfio, true)->note.find("not waited for: it is bound to \"vfio-pci\"") !=
          std::string::npos);
    CardInfo unbound = boundCard();
    unbound.driver.clear();
    CHECK_FALSE(waitIgnores(unbound, true));
    CHECK_FALSE(waitIgnores(unbound, false)); // udev has not processed it yet
    CHECK_FALSE(waitIgnores(boundCard(), true));
}

TEST_CASE("wait ignores a card whose driver_override names another driver, or no driver comes") {
    CardInfo overridden = boundCard();
    overridden.driver.clear();
    overridden.driverOverride = "vfio-pci";
    REQUIRE(waitIgnores(overridden, true));
    CHECK(waitIgnores(overridden, true)->why == WaitSettled::Why::OtherDriver);
    overridden.driverOverride = "mlx4_core";
    CHECK_FALSE(waitIgnores(overridden, true));
    CardInfo processed = boundCard();
    processed.driver.clear();
    processed.initialized = true;
    REQUIRE(waitIgnores(processed, false));
    CHECK(waitIgnores(processed, false)->why == WaitSettled::Why::NoDriverComing);
    CHECK(waitIgnores(processed, false)->note.find("mlx4_core is not loaded") != std::string::npos);
    CHECK_FALSE(waitIgnores(processed, true)); // mlx4_core loaded: it may still bind it
}

TEST_CASE("wait's verdict names each state") {
    const std::vector<EthernetPortReadiness> none;
    auto pendingWhy = [](const WaitVerdict& verdict) {
        REQUIRE(std::holds_alternative<WaitPending>(verdict));
        return std::get<WaitPending>(verdict).why;
    };
    auto givenUp = [](const WaitVerdict& verdict) {
        REQUIRE(std::holds_alternative<WaitGivenUp>(verdict));
        return std::get<WaitGivenUp>(verdict).warning;
    };
    SUBCASE("not configured, Ethernet-only, another driver's: settled") {
        for (CardState state :
             {CardState::NotConfigured, CardState::EthernetOnly, CardState::OtherDriver}) {
            WaitVerdict verdict = waitVerdict(unconfigured(boundCard()), state, nullptr, none);
            REQUIRE(std::holds_alternative<WaitSettled>(verdict));
            CHECK(std::get<WaitSettled>(verdict).why == WaitSettled::Why::ByState);
        }
    }
    SUBCASE("configured but not bound yet: pending") {
        CardInfo unbound = boundCard();
        unbound.driver.clear();
        CHECK(pendingWhy(
                  waitVerdict(configured(unbound, "\"eth\""), CardState::Pending, nullptr, none))
                  .find("not bound to mlx4_core yet") != std::string::npos);
    }
    SUBCASE("drift: pending, with the ports, the entry and the command that sets it") {
        ConfiguredCard card = configured(boundCard(), "\"eth\"");
        CardReading reading = readingOf({kIb, kIb});
        std::string why = pendingWhy(waitVerdict(card, CardState::Drift, &reading, none));
        CHECK(why.find("ports [ib, ib], configured [eth, eth] in") != std::string::npos);
        CHECK(why.find("not switched yet") != std::string::npos);
        CHECK(why.find("mlx4-porttype apply 0000:05:00.0") != std::string::npos);
    }
    SUBCASE("in sync: settled once udev has processed every Ethernet interface") {
        ConfiguredCard card = configured(boundCard(), "\"eth\"");
        CardReading reading = readingOf({kEth, kEth});
        EthernetPortReadiness missing{1, false, false}, unprocessed{2, true, false},
            ready1{1, true, true}, ready2{2, true, true};
        CHECK(pendingWhy(waitVerdict(card, CardState::InSync, &reading, {missing, ready2}))
                  .find("port 1: its network interface is not registered yet") !=
              std::string::npos);
        CHECK(pendingWhy(waitVerdict(card, CardState::InSync, &reading, {ready1, unprocessed}))
                  .find("port 2: its network interface is not processed by udev yet") !=
              std::string::npos);
        WaitVerdict verdict = waitVerdict(card, CardState::InSync, &reading, {ready1, ready2});
        REQUIRE(std::holds_alternative<WaitSettled>(verdict));
        CHECK(std::get<WaitSettled>(verdict).why == WaitSettled::Why::ByState);
        CHECK(std::holds_alternative<WaitSettled>(
            waitVerdict(card, CardState::InSync, &reading, none))); // mlx4_en not loaded
    }
    SUBCASE("refused earlier: given up, with what to do, its interfaces or not") {
        ConfiguredCard card = configured(boundCard(), "\"eth\"");
        CardReading reading = readingOf({kIb, kIb});
        EthernetPortReadiness unprocessed{1, true, false};
        std::string warning =
            givenUp(waitVerdict(card, CardState::Refused, &reading, {unprocessed}));
        CHECK(warning.find("mlx4-porttype apply --retry 0000:05:00.0") != std::string::npos);
        CHECK(warning.find("not waiting for it") != std::string::npos);
    }
    SUBCASE("read-only port files: given up, with the reason") {
        ConfiguredCard card = configured(boundCard(), "\"eth\"");
        CardReading reading = readingOf({kIb, kIb});
        reading.ports[0].writable = false;
        std::string warning = givenUp(waitVerdict(card, CardState::Failed, &reading, none));
        CHECK(warning.find("cannot reach [eth, eth]: port 1 is read-only") != std::string::npos);
        CHECK(warning.find("not waiting for it") != std::string::npos);
    }
    SUBCASE("a card the configuration cannot be applied to: given up") {
        CardInfo onePort = boundCard();
        onePort.portCount = 1;
        onePort.ports = {1};
        ConfiguredCard card = configured(onePort, "[\"eth\", \"ib\"]");
        REQUIRE(card.problem());
        CHECK(givenUp(waitVerdict(card, CardState::Failed, nullptr, none)) ==
              *card.problem() + "; not waiting for it");
    }
}

TEST_CASE("status's verdict comes from the plan, after refusals and unreadable ports") {
    ConfiguredCard eth = configured(boundCard(), "\"eth\"");
    CHECK(cardStatus(eth, readingOf({kEth, kEth})) == CardStatus::InSync);
    CHECK(cardStatus(eth, readingOf({kEth, kAutoEth})) == CardStatus::Drift);
    CHECK(cardStatus(configured(boundCard(), "[\"eth\", \"keep\"]"), readingOf({kEth, kIb})) ==
          CardStatus::InSync);
    CHECK(cardStatus(unconfigured(boundCard()), readingOf({kIb, kEth})) == CardStatus::Left);
    CardReading unreadable = readingOf({kEth, kEth});
    unreadable.ports[1].state.reset();
    unreadable.ports[1].problem = "port 2: cannot read";
    CHECK(cardStatus(eth, unreadable) == CardStatus::Unreadable);
    CardInfo onePort = boundCard();
    onePort.portCount = 1;
    onePort.ports = {1};
    CHECK(cardStatus(configured(onePort, "[\"eth\", \"ib\"]"), readingOf({kEth})) ==
          CardStatus::Refused);
    CHECK(inSync(CardStatus::InSync));
    CHECK(inSync(CardStatus::Left));
    CHECK_FALSE(inSync(CardStatus::Drift));
    CHECK_FALSE(inSync(CardStatus::Unreadable));
    CHECK_FALSE(inSync(CardStatus::Refused));
}

TEST_CASE("a port of a refused card is never shown in sync") {
    CardInfo onePort = boundCard();
    onePort.portCount = 1;
    onePort.ports = {1};
    ConfiguredCard refused = configured(onePort, "[\"eth\", \"ib\"]");
    PortReading port{1, kEth, "", true};
    CHECK_FALSE(portInSync(refused, port, PortWant::Eth));
    CHECK(portInSync(configured(boundCard(), "\"eth\""), port, PortWant::Eth));
}

TEST_CASE("an Ethernet-only card asked for ib is warned about, asked for eth it is not") {
    ConfiguredCard ib = configured(boundCard(), "\"ib\"", "MCX312A-XCBT");
    CHECK(ethernetOnlyWarning(ib) ==
          "MCX312A-XCBT is an Ethernet-only card (ConnectX-3 EN): its ports cannot run ib, which "
          "/etc/mlx4-porttype/config.json:3 asks; configure eth for it");
    CHECK(ethernetOnlyWarning(configured(boundCard(), "\"eth\"", "MCX312A-XCBT")).empty());
    CHECK(ethernetOnlyWarning(configured(boundCard(), "\"ib\"", "MHQH29B-XTR")).empty());
}
