// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the kernel model itself, one or more per rule in docs/kernel-behaviour.md.

// This file also provides the test program's main(); the other test files only include doctest.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "kernel_model.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <string>

using namespace mlx4;
using namespace mlx4::test;

namespace {

constexpr KernelEra allEras[] = {KernelEra::Linux3_4, KernelEra::Linux3_6, KernelEra::Linux4_6,
                                 KernelEra::Linux5_5};

const PortState ib{PortType::Ib, false};
const PortState eth{PortType::Eth, false};
const PortState autoIb{PortType::Ib, true};
const PortState autoEth{PortType::Eth, true};

// The error the era gives for "not supported" refusals: EOPNOTSUPP from commit 95aac2cdafd8.
int refusalOf(KernelEra era) {
    return era == KernelEra::Linux5_5 ? EOPNOTSUPP : EINVAL;
}

CardVariant card(bool dpdp, KernelEra era) {
    CardVariant variant;
    variant.dpdp = dpdp;
    variant.era = era;
    return variant;
}

std::string read(KernelModel& model, int port) {
    std::string text;
    REQUIRE(model.readPort(port, text) == 0);
    return text;
}

} // namespace

TEST_CASE("kernel model: reads back exactly the four strings of show_port_type()") {
    CardVariant variant = card(true, KernelEra::Linux5_5);
    KernelModel model(variant, std::vector<PortState>{ib, eth});
    CHECK(read(model, 1) == "ib\n");
    CHECK(read(model, 2) == "eth\n");

    KernelModel automatic(variant, std::vector<PortState>{autoIb, autoEth});
    CHECK(read(automatic, 1) == "auto (ib)\n");
    CHECK(read(automatic, 2) == "auto (eth)\n");

    std::string text;
    CHECK(model.readPort(3, text) == ENOENT);
}

TEST_CASE("kernel model: only the exact words with their newline, in one write, are accepted") {
    for (KernelEra era : allEras) {
        CAPTURE(era);
        KernelModel model(card(true, era), std::vector<PortState>{ib, ib});
        for (const char* bad : {"eth", "ib", "auto", "ETH\n", "eth \n", " eth\n", "eth\n\n",
                                "ethernet\n", "", "\n", "auto (eth)\n"}) {
            CAPTURE(bad);
            CHECK(model.writeRaw(1, bad) == EINVAL);
        }
        // Split over two write() calls, neither half is a word.
        CHECK(model.writeRaw(1, "eth") == EINVAL);
        CHECK(model.writeRaw(1, "\n") == EINVAL);
        // A bad word is refused before anything is recorded.
        CHECK(model.ports()[0] == KernelPortState{PortType::Ib, PortType::Ib, {}});
        CHECK_FALSE(model.hasStagedType());
        CHECK(model.restarts() == 0);
        CHECK(model.writes() == 13);

        // strcmp() stops at a NUL byte. (Port 2 first: 3.4 refuses port 1 eth with port 2 ib.)
        CHECK(model.writeRaw(2, std::string_view("eth\n\0junk", 9)) == 0);
        CHECK(read(model, 2) == "eth\n");
        CHECK(model.writePort(1, PortType::Eth) == 0);
        CHECK(read(model, 1) == "eth\n");
    }
}

TEST_CASE("kernel model: without DPDP a refused write stays staged and the next write applies "
          "both ports in one restart") {
    for (KernelEra era : allEras) {
        for (int first : {1, 2}) {
            CAPTURE(era);
            CAPTURE(first);
            int second = 3 - first;
            KernelModel model(card(false, era), std::vector<PortState>{ib, ib});

            CHECK(model.writePort(first, PortType::Eth) == refusalOf(era));
            CHECK(read(model, first) == "ib\n");
            CHECK(model.stagedTypes()[size_t(first - 1)] == PortType::Eth);
            CHECK_FALSE(model.stagedTypes()[size_t(second - 1)]);
            CHECK(model.restarts() == 0);

            CHECK(model.writePort(second, PortType::Eth) == 0);
            CHECK(read(model, 1) == "eth\n");
            CHECK(read(model, 2) == "eth\n");
            CHECK(model.restarts() == 1);
            CHECK_FALSE(model.hasStagedType());
        }
    }
}

TEST_CASE("kernel model: without DPDP every mixed combination is refused") {
    for (KernelEra era : allEras) {
        CAPTURE(era);
        for (auto [one, two] :
             {std::pair{PortType::Eth, PortType::Ib}, std::pair{PortType::Ib, PortType::Eth}}) {
            KernelModel model(card(false, era), std::vector<PortState>{ib, ib});
            CHECK(model.writePort(1, one) == (one == PortType::Ib ? 0 : refusalOf(era)));
            CHECK(model.writePort(2, two) == refusalOf(era));
            CHECK(model.readAll() == std::vector<PortState>{ib, ib});
            CHECK(model.restarts() == 0);
            CHECK(model.hasStagedType());
        }
    }
}

TEST_CASE("kernel model: writing the running combination again is a no-op without a restart") {
    for (KernelEra era : allEras) {
        for (bool dpdp : {false, true}) {
            CAPTURE(era);
            CAPTURE(dpdp);
            KernelModel model(card(dpdp, era), std::vector<PortState>{eth, eth});
            CHECK(model.writePort(1, PortType::Eth) == 0);
            CHECK(model.writePort(2, PortType::Eth) == 0);
            CHECK(model.restarts() == 0);
            CHECK(model.writes() == 2);
            CHECK(model.readAll() == std::vector<PortState>{eth, eth});
        }
    }
}

TEST_CASE("kernel model: with DPDP (3.6 on) each accepted write applies at once") {
    for (KernelEra era : {KernelEra::Linux3_6, KernelEra::Linux4_6, KernelEra::Linux5_5}) {
        CAPTURE(era);
        KernelModel model(card(true, era), std::vector<PortState>{ib, ib});
        CHECK(model.writePort(1, PortType::Eth) == 0);
        CHECK(model.readAll() == std::vector<PortState>{eth, ib});
        CHECK(model.restarts() == 1);
        CHECK(model.writePort(2, PortType::Eth) == 0);
        CHECK(model.readAll() == std::vector<PortState>{eth, eth});
        CHECK(model.restarts() == 2);
        CHECK(model.writePort(2, PortType::Ib) == 0);
        CHECK(model.readAll() == std::vector<PortState>{eth, ib});
        CHECK(model.restarts() == 3);
    }
}

TEST_CASE("kernel model: up to 3.4 port 1 eth with port 2 ib is refused with EINVAL, even with "
          "DPDP") {
    KernelModel fromIb(card(true, KernelEra::Linux3_4), std::vector<PortState>{ib, ib});
    CHECK(fromIb.writePort(1, PortType::Eth) == EINVAL);
    CHECK(fromIb.stagedTypes()[0] == PortType::Eth);
    CHECK(fromIb.writePort(2, PortType::Ib) == EINVAL);
    CHECK(fromIb.readAll() == std::vector<PortState>{ib, ib});

    KernelModel fromEth(card(true, KernelEra::Linux3_4), std::vector<PortState>{eth, eth});
    CHECK(fromEth.writePort(2, PortType::Ib) == EINVAL);
    CHECK(fromEth.readAll() == std::vector<PortState>{eth, eth});
    CHECK(fromEth.restarts() == 0);

    // The other mix is fine there.
    KernelModel other(card(true, KernelEra::Linux3_4), std::vector<PortState>{ib, ib});
    CHECK(other.writePort(2, PortType::Eth) == 0);
    CHECK(other.readAll() == std::vector<PortState>{ib, eth});
}

TEST_CASE("kernel model: auto without DPDP and without sense support is refused, falls back and "
          "stays staged") {
    for (KernelEra era : allEras) {
        CAPTURE(era);
        KernelModel model(card(false, era), std::vector<PortState>{ib, ib});
        CHECK(model.writePort(1, PortType::Auto) == refusalOf(era));
        CHECK(read(model, 1) == "ib\n");
        CHECK(model.stagedTypes()[0] == PortType::Auto);
        CHECK(model.restarts() == 0);
    }
}

TEST_CASE("kernel model: auto on a card with sense support but without DPDP is accepted, reads "
          "auto (ib) and changes nothing") {
    for (KernelEra era : allEras) {
        CAPTURE(era);
        CardVariant variant = card(false, era);
        variant.senseSupport = true;
        variant.links = {SensedLink::Eth, SensedLink::Eth}; // no DPDP: never consulted
        KernelModel model(variant, std::vector<PortState>{ib, ib});
        CHECK(model.writePort(1, PortType::Auto) == 0);
        CHECK(read(model, 1) == "auto (ib)\n");
        CHECK(read(model, 2) == "ib\n");
        CHECK(model.restarts() == 0);
        CHECK_FALSE(model.hasStagedType());
    }
}

TEST_CASE("kernel model: with DPDP and sense support, auto takes the sensed type") {
    for (KernelEra era : allEras) {
        CAPTURE(era);
        CardVariant variant = card(true, era);
        variant.senseSupport = true;
        bool followRule = era == KernelEra::Linux3_4;

        SUBCASE("a link is sensed: the port switches to it") {
            variant.links = {SensedLink::Ib, SensedLink::Eth};
            KernelModel model(variant, std::vector<PortState>{ib, ib});
            CHECK(model.writePort(2, PortType::Auto) == 0);
            CHECK(model.readAll() == std::vector<PortState>{ib, autoEth});
            CHECK(model.restarts() == 1);
        }
        SUBCASE("nothing sensed: the port keeps its type") {
            KernelModel model(variant, std::vector<PortState>{ib, ib});
            CHECK(model.writePort(1, PortType::Auto) == 0);
            CHECK(model.readAll() == std::vector<PortState>{autoIb, ib});
            CHECK(model.restarts() == 0);
        }
        SUBCASE("nothing sensed on port 2 while port 1 is eth: up to 3.4 port 2 follows port 1") {
            KernelModel model(variant, std::vector<PortState>{eth, ib});
            CHECK(model.writePort(2, PortType::Auto) == 0);
            CHECK(model.readAll() == std::vector<PortState>{eth, followRule ? autoEth : autoIb});
            CHECK(model.restarts() == (followRule ? 1 : 0));
        }
        SUBCASE("nothing sensed on port 1 while port 2 is ib: up to 3.4 port 1 follows port 2") {
            KernelModel model(variant, std::vector<PortState>{eth, ib});
            // Up to 3.4 the start (eth, ib) itself is not allowed; the rule still holds.
            CHECK(model.writePort(1, PortType::Auto) == 0);
            CHECK(model.readAll() == std::vector<PortState>{followRule ? autoIb : autoEth, ib});
            CHECK(model.restarts() == (followRule ? 1 : 0));
        }
        SUBCASE("a port whose link is up is not sensed") {
            variant.links = {SensedLink::Up, SensedLink::Eth};
            KernelModel model(variant, std::vector<PortState>{ib, ib});
            CHECK(model.writePort(1, PortType::Auto) == 0);
            CHECK(model.readAll() == std::vector<PortState>{autoIb, ib});
            CHECK(model.restarts() == 0);
        }
    }
}

TEST_CASE("kernel model: which devices get sense support without the firmware flag") {
    CardVariant variant = card(true, KernelEra::Linux5_5);
    variant.links = {SensedLink::Nothing, SensedLink::Eth};
    struct Case {
        KernelEra era;
        unsigned device;
        bool senses;
    };
    // 3.x forces it on for every device but 0x1003; later kernels for ConnectX and ConnectX-2.
    for (Case c :
         {Case{KernelEra::Linux3_6, 0x1003, false}, Case{KernelEra::Linux3_6, 0x1007, true},
          Case{KernelEra::Linux3_6, 0x673c, true}, Case{KernelEra::Linux3_4, 0x1007, true},
          Case{KernelEra::Linux4_6, 0x1007, false}, Case{KernelEra::Linux5_5, 0x1003, false},
          Case{KernelEra::Linux5_5, 0x673c, true}, Case{KernelEra::Linux5_5, 0x6340, true}}) {
        CAPTURE(c.era);
        CAPTURE(c.device);
        variant.era = c.era;
        variant.device = c.device;
        CHECK(variant.hasSenseSupport() == c.senses);
        KernelModel model(variant, std::vector<PortState>{ib, ib});
        CHECK(model.writePort(2, PortType::Auto) == 0);
        CHECK(model.readAll()[1] == (c.senses ? autoEth : autoIb));
    }
}

TEST_CASE("kernel model: a card without DPDP that starts with mixed types") {
    // port_type_array is not checked against DPDP at probe; every write is checked.
    for (KernelEra era : allEras) {
        CAPTURE(era);
        KernelModel model(card(false, era), std::vector<PortState>{ib, eth});
        // Writing the running combination back is refused: each write sees it mixed.
        CHECK(model.writePort(1, PortType::Ib) == refusalOf(era));
        CHECK(model.stagedTypes()[0] == PortType::Ib);
        CHECK(model.writePort(2, PortType::Eth) == refusalOf(era));
        CHECK(model.readAll() == std::vector<PortState>{ib, eth});
        CHECK(model.hasStagedType());
        CHECK(model.restarts() == 0);
        // Both ports alike is accepted, in one restart.
        CHECK(model.writePort(2, PortType::Ib) == 0);
        CHECK(model.readAll() == std::vector<PortState>{ib, ib});
        CHECK(model.restarts() == 1);
        CHECK_FALSE(model.hasStagedType());
    }
}

TEST_CASE("kernel model: a firmware failure during a switch") {
    for (KernelEra era : allEras) {
        CAPTURE(era);
        CardVariant variant = card(true, era);

        SUBCASE("on port 1: port 1 runs the new type, port 2 the old, the device is gone") {
            variant.firmwareFailsPort = 1;
            KernelModel model(variant, std::vector<PortState>{eth, eth});
            CHECK(model.writePort(1, PortType::Ib) == EINVAL);
            CHECK(model.readAll() == std::vector<PortState>{ib, eth});
            CHECK_FALSE(model.hasStagedType());
            CHECK_FALSE(model.registered());
            CHECK(model.restarts() == 1);
            CHECK(model.firmwareFailures() == 1);
            // The same combination again is a no-op: it succeeds and registers nothing.
            CHECK(model.writePort(2, PortType::Eth) == 0);
            CHECK_FALSE(model.registered());
        }
        SUBCASE("on port 2: both ports run the new types") {
            variant.firmwareFailsPort = 2;
            KernelModel model(variant, std::vector<PortState>{ib, eth});
            CHECK(model.writePort(2, PortType::Ib) == EINVAL);
            CHECK(model.readAll() == std::vector<PortState>{ib, ib});
            CHECK_FALSE(model.registered());
        }
        // mlx4_SET_PORT() (port.c) returns 0 for an Ethernet port before any firmware command.
        SUBCASE("a port that ends Ethernet sends no command, so it cannot fail") {
            variant.firmwareFailsPort = 2;
            KernelModel model(variant, std::vector<PortState>{ib, ib});
            CHECK(model.writePort(2, PortType::Eth) == 0);
            CHECK(model.readAll() == std::vector<PortState>{ib, eth});
            CHECK(model.registered());
            CHECK(model.firmwareFailures() == 0);
        }
        // The loop sets port 1, sends its command, then port 2: a failure at port 1 aborts
        // before port 2's type is set.
        SUBCASE("at an IB port whose type does not change: no type moves, the device is gone") {
            variant.firmwareFailsPort = 1;
            KernelModel model(variant, std::vector<PortState>{ib, ib});
            CHECK(model.writePort(2, PortType::Eth) == EINVAL);
            CHECK(model.readAll() == std::vector<PortState>{ib, ib});
            CHECK_FALSE(model.registered());
            CHECK(model.restarts() == 1);
            CHECK(model.presentInterfaces().empty());
        }
        SUBCASE("the failure repeats at every later switch") {
            variant.firmwareFailsPort = 2;
            KernelModel model(variant, std::vector<PortState>{ib, eth});
            CHECK(model.writePort(2, PortType::Ib) == EINVAL);
            CHECK(model.writePort(2, PortType::Eth) == 0);
            CHECK(model.writePort(2, PortType::Ib) == EINVAL);
            CHECK(model.readAll() == std::vector<PortState>{ib, ib});
            CHECK(model.firmwareFailures() == 2);
            CHECK(model.restarts() == 3);
            CHECK_FALSE(model.registered());
        }
        SUBCASE("no failure: registered throughout") {
            KernelModel model(variant, std::vector<PortState>{ib, ib});
            CHECK(model.writePort(1, PortType::Eth) == (era == KernelEra::Linux3_4 ? EINVAL : 0));
            CHECK(model.registered());
            CHECK(model.firmwareFailures() == 0);
        }
    }
}

TEST_CASE("kernel model: the periodic sensing work") {
    CardVariant variant = card(true, KernelEra::Linux5_5);
    variant.senseSupport = true;

    SUBCASE("moves a port on auto to the type it senses") {
        variant.links = {SensedLink::Nothing, SensedLink::Eth};
        KernelModel model(
            variant, std::vector<KernelPortState>{{PortType::Eth, PortType::Eth, {}},
                                                  {PortType::Ib, PortType::Auto, PortType::Eth}});
        CHECK(model.senseTick());
        CHECK(model.readAll() == std::vector<PortState>{eth, autoEth});
        CHECK(model.restarts() == 1);
        CHECK(model.stagedTypes()[1] == PortType::Eth); // staged types are not its business
        CHECK_FALSE(model.senseTick());
    }
    SUBCASE("leaves a combination the check refuses") {
        variant.era = KernelEra::Linux3_4;
        variant.links = {SensedLink::Eth, SensedLink::Nothing};
        KernelModel model(variant, std::vector<PortState>{autoIb, ib});
        CHECK_FALSE(model.senseTick());
        CHECK(model.readAll() == std::vector<PortState>{autoIb, ib});
    }
    SUBCASE("does not run without DPDP") {
        variant.dpdp = false;
        variant.links = {SensedLink::Eth, SensedLink::Eth};
        KernelModel model(variant, std::vector<PortState>{autoIb, autoIb});
        CHECK_FALSE(model.senseTick());
        CHECK(model.restarts() == 0);
    }
}

TEST_CASE("kernel model: a type the port does not support") {
    CardVariant variant = card(true, KernelEra::Linux5_5);
    variant.support = {PortSupport::Both, PortSupport::IbOnly};
    variant.senseSupport = true;

    SUBCASE("from 4.6 it is refused before anything is recorded") {
        for (KernelEra era : {KernelEra::Linux4_6, KernelEra::Linux5_5}) {
            CAPTURE(era);
            variant.era = era;
            KernelModel model(variant, std::vector<PortState>{ib, ib});
            CHECK(model.writePort(2, PortType::Eth) == refusalOf(era));
            CHECK(model.writePort(2, PortType::Auto) == refusalOf(era));
            CHECK(model.ports()[1] == KernelPortState{PortType::Ib, PortType::Ib, {}});
        }
    }
    SUBCASE("in 3.x it is staged, then refused by the combination check") {
        for (KernelEra era : {KernelEra::Linux3_4, KernelEra::Linux3_6}) {
            CAPTURE(era);
            variant.era = era;
            KernelModel model(variant, std::vector<PortState>{ib, ib});
            CHECK(model.writePort(2, PortType::Eth) == EINVAL);
            CHECK(model.ports()[1] == KernelPortState{PortType::Ib, PortType::Eth, PortType::Eth});
            CHECK(read(model, 2) == "ib\n");
            // auto on a port that cannot sense resolves to its running type: accepted.
            CHECK(model.writePort(2, PortType::Auto) == 0);
            CHECK(read(model, 2) == "auto (ib)\n");
            CHECK_FALSE(model.hasStagedType());
        }
    }
}

TEST_CASE("kernel model: writing each port's current value back clears staged types without a "
          "restart") {
    for (KernelEra era : allEras) {
        CAPTURE(era);
        KernelModel model(card(false, era), std::vector<PortState>{ib, ib});
        CHECK(model.writePort(1, PortType::Eth) == refusalOf(era));
        CHECK(model.hasStagedType());
        CHECK(model.writePort(1, PortType::Ib) == 0);
        CHECK(model.writePort(2, PortType::Ib) == 0);
        CHECK_FALSE(model.hasStagedType());
        CHECK(model.restarts() == 0);
        CHECK(model.readAll() == std::vector<PortState>{ib, ib});
    }
}

TEST_CASE("kernel model: multi-function mode makes the files read-only") {
    CardVariant variant = card(true, KernelEra::Linux5_5);
    variant.readOnly = true;
    KernelModel model(variant, std::vector<PortState>{ib, eth});
    CHECK_FALSE(model.isWritable(1));
    CHECK_FALSE(model.isWritable(2));
    CHECK(model.writePort(1, PortType::Eth) == EACCES);
    CHECK(model.writeRaw(2, "bogus") == EACCES); // open() fails before the kernel sees data
    CHECK(model.writes() == 2);
    CHECK(model.readAll() == std::vector<PortState>{ib, eth});
    CHECK(read(model, 2) == "eth\n");
    CHECK_FALSE(model.hasStagedType());
    CHECK(model.restarts() == 0);
}

TEST_CASE("kernel model: a one-port card") {
    for (KernelEra era : allEras) {
        CAPTURE(era);
        CardVariant variant = card(false, era);
        variant.ports = 1;
        KernelModel model(variant, std::vector<PortState>{ib});
        CHECK(model.portCount() == 1);
        CHECK(model.writePort(1, PortType::Eth) == 0);
        CHECK(model.readAll() == std::vector<PortState>{eth});
        CHECK(model.restarts() == 1);
        CHECK(model.writePort(2, PortType::Eth) == ENOENT);
    }
}

TEST_CASE("kernel model: rejects impossible set-ups") {
    CardVariant variant;
    CHECK_THROWS_AS(KernelModel(variant, std::vector<PortState>{ib}), std::invalid_argument);
    variant.ports = 3;
    CHECK_THROWS_AS(KernelModel(variant, std::vector<PortState>{ib, ib, ib}),
                    std::invalid_argument);
    variant.ports = 1;
    CHECK_THROWS_AS(
        KernelModel(variant, std::vector<KernelPortState>{{PortType::Auto, PortType::Auto, {}}}),
        std::invalid_argument);
}

TEST_CASE("kernel model: describes variants and states for test messages") {
    CardVariant variant;
    variant.support = {PortSupport::Both, PortSupport::IbOnly};
    variant.dpdp = true;
    variant.era = KernelEra::Linux3_4;
    variant.readOnly = true;
    variant.links = {SensedLink::Nothing, SensedLink::Eth};
    CHECK(variant.describe() == "2 ports [both,ib-only] DPDP no-sense Linux-3.4 read-only "
                                "links [-,eth]");
    CHECK(describe(std::vector<KernelPortState>{{PortType::Ib, PortType::Eth, PortType::Eth},
                                                {PortType::Eth, PortType::Auto, {}}}) ==
          "(ib/eth staged eth, eth/auto)");
}
