// SPDX-License-Identifier: GPL-2.0-or-later
// A test double of the mlx4 driver's port-type logic behind the mlx4_port<N> sysfs files.
#pragma once

#include "card_ports.h"
#include "port_type.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlx4::test {

// The driver's port-type code changed over the years; each value behaves like the kernel version
// it is named after (see kernel_model.cpp for what differs and where it was read).
enum class KernelEra {
    // Up to 3.4: also refuses port 1 eth with port 2 ib, even with DPDP; a port that senses
    // nothing follows the other port (port 2 ib: both ib; port 1 eth: both eth); sense support
    // forced on for every device but 0x1003.
    Linux3_4,
    // 3.6 up to the __set_port_type() split: no eth/ib rule, no follow rule; checks a port's
    // supported types only after staging; sense support forced on for every device but 0x1003.
    Linux3_6,
    // From 4.6 (__set_port_type(), shared with devlink) until commit 95aac2cdafd8: refuses a
    // type the port does not support before staging it; refusals are EINVAL. Sense support is
    // forced on only for the ConnectX / ConnectX-2 PCI IDs.
    Linux4_6,
    // With commit 95aac2cdafd8 ("Fix return codes of unsupported operations": mainline 5.5,
    // stable 4.9.207, 4.14.159, 4.19.89): the same, but refusals are EOPNOTSUPP.
    Linux5_5,
};

// What the firmware says a port can run (caps.supported_type).
enum class PortSupport { IbOnly, EthOnly, Both };

// "ib-only", "eth-only", "both"; and "3.4", "3.6", "4.6", "5.5": the words descriptions and the
// kernel shim's card files use.
const char* supportName(PortSupport support);
const char* eraName(KernelEra era);

// What the firmware's SENSE_PORT command reports for a port, that is, what its cable is plugged
// into. Only consulted for ports that may sense (both types, DPDP and sense support), are on
// auto and whose link is down. `Up`: the port's link is up, so the driver does not sense it
// (do_sense_port is cleared by the port-up event) and it keeps its type.
enum class SensedLink { Nothing, Ib, Eth, Up };

struct CardVariant {
    int ports = 2; // 1 or 2
    std::array<PortSupport, 2> support{PortSupport::Both, PortSupport::Both};
    bool dpdp = false;         // firmware capability "dual port, different protocol"
    bool senseSupport = false; // the firmware's "port link type sensing support" flag
    // The PCI device ID: mlx4_dev_cap() forces sense support on for some (see senses()).
    // 0x1003 (ConnectX-3) is forced in no era.
    unsigned device = 0x1003;
    KernelEra era = KernelEra::Linux5_5;
    bool readOnly = false; // multi-function mode (SR-IOV or a VF): files 0444 without a store
    std::array<SensedLink, 2> links{SensedLink::Nothing, SensedLink::Nothing};
    // The firmware fails SET_PORT for this port (1 or 2; 0: never) with a status the driver
    // maps to EINVAL (BAD_PARAM, BAD_QP_STATE, BAD_PKT in mlx4_status_to_errno()), every time a
    // switch reaches it while the port is to run IB (the driver sends no SET_PORT for an
    // Ethernet port), whether or not the port's type changes.
    int firmwareFailsPort = 0;
    // Whether mlx4_en and mlx4_ib are loaded: each registers the interfaces of its ports.
    bool mlx4EnLoaded = true;
    bool mlx4IbLoaded = true;

    // Sense support as mlx4_dev_cap() leaves it: the firmware's flag, or forced by the device ID.
    bool hasSenseSupport() const;

    // For test messages: "2 ports [both,ib-only] DPDP sense 5.5 read-only links [-,eth]".
    std::string describe() const;
};

// What the driver keeps for one port.
struct KernelPortState {
    PortType active = PortType::Ib;   // caps.port_type: the running protocol, never Auto
    PortType possible = PortType::Ib; // caps.possible_type: the last type asked for, or Auto
    std::optional<PortType> staged;   // port_info.tmp_type: asked for, not yet applied

    bool operator==(const KernelPortState& other) const {
        return active == other.active && possible == other.possible && staged == other.staged;
    }
    bool operator!=(const KernelPortState& other) const { return !(*this == other); }
};

// "ib/ib", "eth/auto", "ib/eth staged eth" (active/possible, then any staged type).
std::string describe(const KernelPortState& port);
std::string describe(const std::vector<KernelPortState>& ports);

// What the driver did to the card so far, as the counters below report it.
struct KernelCounters {
    int restarts = 0;
    int writes = 0;
    int firmwareFailures = 0;
    bool registered = true;
};

class KernelModel : public CardPorts {
public:
    // A card whose ports read `start` ("auto (eth)" is active eth, possible auto), nothing staged.
    KernelModel(const CardVariant& variant, const std::vector<PortState>& start);
    // A card in any driver state, staged types included.
    KernelModel(const CardVariant& variant, const std::vector<KernelPortState>& start);
    // The same, going on from what earlier writes did: how the preload library carries a card
    // from one write to the next, each in a process of its own.
    KernelModel(const CardVariant& variant, const std::vector<KernelPortState>& start,
                const KernelCounters& history);

    int portCount() const override;
    int readPort(int port, std::string& text) override;
    bool isWritable(int port) override;
    int writePort(int port, PortType type) override;
    CardPresence presentInterfaces() override;

    // One write() of arbitrary bytes to mlx4_port<port>: 0 or an errno value.
    int writeRaw(int port, std::string_view bytes);

    // One run of the driver's periodic sensing work (every few seconds on DPDP cards, paused
    // while a write is being handled): ports on auto take what they sense. Returns whether the
    // device restarted.
    bool senseTick();

    // What the ports read, parsed.
    std::vector<PortState> readAll() const;
    const std::vector<KernelPortState>& ports() const { return ports_; }
    // Per port, the type a refused write left behind for the next writer, if any.
    std::vector<std::optional<PortType>> stagedTypes() const;
    bool hasStagedType() const;

    // mlx4_change_port_types() calls that changed something: each one unregisters and
    // re-registers the whole device (a failed one unregisters it only).
    int restarts() const { return counters_.restarts; }
    // Whether the card's network and InfiniBand interfaces exist: false after a switch whose
    // firmware command failed, until a later switch succeeds.
    bool registered() const { return counters_.registered; }
    // Switches whose firmware command failed.
    int firmwareFailures() const { return counters_.firmwareFailures; }
    // Calls of writePort() and writeRaw(), refused ones included.
    int writes() const { return counters_.writes; }
    const KernelCounters& counters() const { return counters_; }
    // What the driver logged with mlx4_err() at the last refusal, without the "mlx4_core
    // ADDRESS: " dev_err() puts before it; empty when it logged nothing (kernels up to 3.4
    // refuse port 1 eth with port 2 ib without a line).
    const std::string& lastLogLine() const { return logLine_; }

    const CardVariant& variant() const { return variant_; }

private:
    int setPortType(int port, PortType type);
    std::vector<PortType> senseTypes(const std::vector<PortType>& defaults) const;
    int checkCombination(const std::vector<PortType>& types) const;
    bool supports(int port, PortType type) const;
    bool senseAllowed(int port) const;
    int refusal(std::string logLine) const;
    int changePortTypes(const std::vector<PortType>& next);

    CardVariant variant_;
    std::vector<KernelPortState> ports_;
    KernelCounters counters_;
    mutable std::string logLine_;
};

} // namespace mlx4::test
