// SPDX-License-Identifier: GPL-2.0-or-later
// Port type parsing: what the kernel prints, what it accepts, what the configuration says.
#include "port_type.h"

#include <doctest/doctest.h>

using namespace mlx4;

TEST_CASE("the four values show_port_type() prints parse, with or without newline") {
    CHECK(*parsePortState("ib\n") == PortState{PortType::Ib, false});
    CHECK(*parsePortState("eth\n") == PortState{PortType::Eth, false});
    CHECK(*parsePortState("auto (ib)\n") == PortState{PortType::Ib, true});
    CHECK(*parsePortState("auto (eth)") == PortState{PortType::Eth, true});
}

TEST_CASE("anything else is not guessed") {
    for (const char* bad : {"", "\n", "IB\n", "auto\n", "auto(eth)\n", "eth\n\n", " eth", "eth ",
                            "ib\r\n", "ethernet\n", "auto (auto)\n"}) {
        CAPTURE(bad);
        CHECK_FALSE(parsePortState(bad).has_value());
    }
}

TEST_CASE("the strings written carry the newline the kernel's strcmp() needs") {
    CHECK(kernelWriteString(PortType::Ib) == "ib\n");
    CHECK(kernelWriteString(PortType::Eth) == "eth\n");
    CHECK(kernelWriteString(PortType::Auto) == "auto\n");
}

TEST_CASE("auto is satisfied by either sensed type, a fixed type only by itself") {
    PortState autoIb{PortType::Ib, true}, ib{PortType::Ib, false}, eth{PortType::Eth, false};
    CHECK(satisfies(autoIb, PortWant::Auto));
    CHECK(satisfies(PortState{PortType::Eth, true}, PortWant::Auto));
    CHECK_FALSE(satisfies(ib, PortWant::Auto));
    CHECK_FALSE(satisfies(autoIb, PortWant::Ib));
    CHECK(satisfies(ib, PortWant::Ib));
    CHECK_FALSE(satisfies(eth, PortWant::Ib));
    CHECK(satisfies(eth, PortWant::Keep));
    CHECK(satisfies(autoIb, PortWant::Keep));
}

TEST_CASE("keeping a port writes back what it is, auto included") {
    CHECK(typeToWrite(PortState{PortType::Eth, true}) == PortType::Auto);
    CHECK(typeToWrite(PortState{PortType::Eth, false}) == PortType::Eth);
}

TEST_CASE("configuration words") {
    CHECK(parsePortWant("keep") == PortWant::Keep);
    CHECK(parsePortWant("auto") == PortWant::Auto);
    CHECK_FALSE(parsePortWant("Eth").has_value());
    CHECK(formatPortState(PortState{PortType::Eth, true}) == "auto (eth)");
}

TEST_CASE("a card's ports are listed port 1 first, in one format for every message") {
    CHECK(formatPortStates({PortState{PortType::Ib, false}, PortState{PortType::Eth, true}}) ==
          "[ib, auto (eth)]");
    CHECK(formatPortTypes({PortType::Eth, PortType::Auto}) == "[eth, auto]");
    CHECK(formatPortTypes({}) == "[]");
}
