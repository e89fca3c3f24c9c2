// SPDX-License-Identifier: GPL-2.0-or-later
// A test double of the mlx4 driver's port-type logic behind the mlx4_port<N> sysfs files.
//
// Written from the driver's code in drivers/net/ethernet/mellanox/mlx4/ (main.c, sense.c), read
// in these trees:
//   3.4  CyanogenMod/android_kernel_htc_msm8974 (a 3.4.0 kernel): set_port_type(),
//        mlx4_check_port_params(), mlx4_change_port_types(), show_port_type(), mlx4_dev_cap(),
//        mlx4_do_sense_ports()
//   3.6  New-B/Linux3.6: the same functions
//   4.9  the stable patch "net/mlx4_core: Fix return codes of unsupported operations"
//        ([PATCH 4.9 063/199], upstream 95aac2cdafd8), whose context shows __set_port_type()
//   now  torvalds/linux: __set_port_type(), set_port_type(), mlx4_check_port_params(),
//        mlx4_change_port_types(), show_port_type(), mlx4_dev_cap(), mlx4_do_sense_ports(),
//        mlx4_status_to_errno() (cmd.c)
// and summarised in docs/kernel-behaviour.md. Only the behaviour is modelled, in this file's
// own structure. Firmware commands succeed except SET_PORT where a variant makes it fail (for a
// port that ends IB: port.c's mlx4_SET_PORT() sends nothing for an Ethernet port); the
// periodic sensing work (mlx4_sense_port()) only runs when a test calls senseTick(); link state
// is fixed per variant (a real port's link goes down while the card restarts).
#include "kernel_model.h"

#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace mlx4::test {

const char* supportName(PortSupport support) {
    switch (support) {
    case PortSupport::IbOnly:
        return "ib-only";
    case PortSupport::EthOnly:
        return "eth-only";
    case PortSupport::Both:
        return "both";
    }
    return "?";
}

const char* eraName(KernelEra era) {
    switch (era) {
    case KernelEra::Linux3_4:
        return "3.4";
    case KernelEra::Linux3_6:
        return "3.6";
    case KernelEra::Linux4_6:
        return "4.6";
    case KernelEra::Linux5_5:
        return "5.5";
    }
    return "?";
}

namespace {

const char* linkName(SensedLink link) {
    switch (link) {
    case SensedLink::Nothing:
        return "-";
    case SensedLink::Ib:
        return "ib";
    case SensedLink::Eth:
        return "eth";
    case SensedLink::Up:
        return "up";
    }
    return "?";
}

std::vector<KernelPortState> fromReadback(const std::vector<PortState>& start) {
    std::vector<KernelPortState> ports;
    for (const PortState& state : start)
        ports.push_back({state.active, state.automatic ? PortType::Auto : state.active, {}});
    return ports;
}

// The ConnectX (MT25408, MT26418, MT26428, MT26438 and their EN twins) and ConnectX-2 IDs, which
// the driver's PCI table marks MLX4_PCI_DEV_FORCE_SENSE_PORT.
bool isConnectXOrConnectX2(unsigned device) {
    return (device & 0xff00) == 0x6300 || (device & 0xff00) == 0x6700;
}

} // namespace

// mlx4_dev_cap(): 3.x forces the flag on for every device but 0x1003; from 4.6 (the model's
// next era) only the IDs the PCI table marks for it.
bool CardVariant::hasSenseSupport() const {
    if (senseSupport)
        return true;
    if (era == KernelEra::Linux3_4 || era == KernelEra::Linux3_6)
        return device != 0x1003;
    return isConnectXOrConnectX2(device);
}

std::string CardVariant::describe() const {
    std::string text = std::to_string(ports) + (ports == 1 ? " port [" : " ports [");
    for (int i = 0; i < ports; ++i)
        text += std::string(i ? "," : "") + supportName(support[i]);
    text += "]";
    text += dpdp ? " DPDP" : " no-DPDP";
    text += senseSupport ? " sense" : " no-sense";
    if (device != 0x1003) {
        char id[16];
        std::snprintf(id, sizeof id, " 0x%04x", device);
        text += id;
    }
    text += std::string(" Linux-") + eraName(era);
    if (readOnly)
        text += " read-only";
    bool anyLink = false;
    for (int i = 0; i < ports; ++i)
        anyLink |= links[i] != SensedLink::Nothing;
    if (anyLink) {
        text += " links [";
        for (int i = 0; i < ports; ++i)
            text += std::string(i ? "," : "") + linkName(links[i]);
        text += "]";
    }
    if (firmwareFailsPort)
        text += " SET_PORT-fails-on-port-" + std::to_string(firmwareFailsPort);
    if (!mlx4EnLoaded)
        text += " no-mlx4_en";
    if (!mlx4IbLoaded)
        text += " no-mlx4_ib";
    return text;
}

std::string describe(const KernelPortState& port) {
    std::string text =
        std::string(portTypeName(port.active)) + "/" + std::string(portTypeName(port.possible));
    if (port.staged)
        text += " staged " + std::string(portTypeName(*port.staged));
    return text;
}

std::string describe(const std::vector<KernelPortState>& ports) {
    std::string text = "(";
    for (size_t i = 0; i < ports.size(); ++i)
        text += (i ? ", " : "") + describe(ports[i]);
    return text + ")";
}

KernelModel::KernelModel(const CardVariant& variant, const std::vector<PortState>& start)
    : KernelModel(variant, fromReadback(start)) {}

KernelModel::KernelModel(const CardVariant& variant, const std::vector<KernelPortState>& start)
    : KernelModel(variant, start, KernelCounters{}) {}

KernelModel::KernelModel(const CardVariant& variant, const std::vector<KernelPortState>& start,
                         const KernelCounters& history)
    : variant_(variant), ports_(start), counters_(history) {
    // MLX4_MAX_PORTS is 2.
    if (variant_.ports < 1 || variant_.ports > 2 || ports_.size() != size_t(variant_.ports))
        throw std::invalid_argument("KernelModel: 1 or 2 ports, one start state per port");
    for (const KernelPortState& port : ports_)
        if (port.active == PortType::Auto)
            throw std::invalid_argument("KernelModel: a port runs ib or eth, never auto");
}

int KernelModel::portCount() const {
    return variant_.ports;
}

int KernelModel::readPort(int port, std::string& text) {
    if (port < 1 || port > portCount())
        return ENOENT;
    // show_port_type(): the running type, wrapped in "auto (...)" when the possible type is auto.
    const KernelPortState& state = ports_[port - 1];
    std::string active(portTypeName(state.active));
    text = (state.possible == PortType::Auto ? "auto (" + active + ")" : active) + "\n";
    return 0;
}

bool KernelModel::isWritable(int port) {
    (void)port;
    // In multi-function mode the driver creates the files 0444 and without a store method.
    return !variant_.readOnly;
}

int KernelModel::writePort(int port, PortType type) {
    return writeRaw(port, kernelWriteString(type));
}

int KernelModel::writeRaw(int port, std::string_view bytes) {
    ++counters_.writes;
    if (port < 1 || port > portCount())
        return ENOENT;
    // open(O_WRONLY) of a 0444 file fails even for root: the kernel never sees the data.
    if (variant_.readOnly)
        return EACCES;
    // sysfs hands the store a NUL-terminated copy and set_port_type() compares it with strcmp(),
    // so the newline is part of the word and anything after a NUL byte is ignored.
    std::string_view word = bytes.substr(0, bytes.find('\0'));
    if (word == "ib\n")
        return setPortType(port, PortType::Ib);
    if (word == "eth\n")
        return setPortType(port, PortType::Eth);
    if (word == "auto\n")
        return setPortType(port, PortType::Auto);
    // "%s is not supported port type": EINVAL in every version, nothing recorded.
    return EINVAL;
}

std::vector<PortState> KernelModel::readAll() const {
    std::vector<PortState> states;
    for (const KernelPortState& port : ports_)
        states.push_back({port.active, port.possible == PortType::Auto});
    return states;
}

std::vector<std::optional<PortType>> KernelModel::stagedTypes() const {
    std::vector<std::optional<PortType>> staged;
    for (const KernelPortState& port : ports_)
        staged.push_back(port.staged);
    return staged;
}

bool KernelModel::hasStagedType() const {
    for (const KernelPortState& port : ports_)
        if (port.staged)
            return true;
    return false;
}

// The body of set_port_type() (3.x) or __set_port_type() (4.x on). The order of the steps is
// what matters: the request is recorded before anything is checked, and only a combination
// that passes every check clears what other writes recorded.
int KernelModel::setPortType(int port, PortType type) {
    KernelPortState& target = ports_[port - 1];

    // From __set_port_type() on, a type the port cannot run (auto included: it needs both) is
    // refused before anything is recorded. 3.x records it and refuses it later, in
    // mlx4_check_port_params(), leaving it staged.
    bool checksTypeFirst =
        variant_.era == KernelEra::Linux4_6 || variant_.era == KernelEra::Linux5_5;
    if (checksTypeFirst && !supports(port, type))
        return refusal("Requested port type for port " + std::to_string(port) +
                       " is not supported on this HCA");

    target.staged = type;
    target.possible = type; // "Possible type is always the one that was delivered"

    // The combination to check: each port's staged type, else its possible type; auto stands
    // for the type the port runs now.
    std::vector<PortType> requested;
    for (const KernelPortState& each : ports_) {
        PortType wanted = each.staged ? *each.staged : each.possible;
        requested.push_back(wanted == PortType::Auto ? each.active : wanted);
    }

    // "Auto sensing is not supported on this HCA": without DPDP and without sense support, every
    // port on auto falls back to its running type and the write fails. The staged auto stays.
    if (!variant_.dpdp && !variant_.hasSenseSupport()) {
        bool autoRefused = false;
        for (KernelPortState& each : ports_) {
            if (each.possible == PortType::Auto) {
                each.possible = each.active;
                autoRefused = true;
            }
        }
        if (autoRefused)
            return refusal("Auto sensing is not supported on this HCA. Set only 'eth' or 'ib' "
                           "for both ports (should be the same)");
    }

    std::vector<PortType> next = senseTypes(requested);
    if (int error = checkCombination(next))
        return error; // staged types stay for the next writer

    for (KernelPortState& each : ports_)
        each.staged.reset();
    return changePortTypes(next);
}

// mlx4_change_port_types(): only a combination that differs from the running one restarts the
// device: unregister it, then per port (ascending) record the new type and send SET_PORT, then
// register again. mlx4_SET_PORT() (port.c) returns 0 for an Ethernet port before any firmware
// command, so only a port that ends IB can fail, changed or not. When it fails, the loop stops:
// the ports up to that one run their new types, the later ones their old, and the device stays
// unregistered; the error (EINVAL for BAD_PARAM and its kind) is the write's.
int KernelModel::changePortTypes(const std::vector<PortType>& next) {
    bool changes = false;
    for (size_t i = 0; i < ports_.size(); ++i)
        changes |= next[i] != ports_[i].active;
    if (!changes)
        return 0;
    ++counters_.restarts;
    counters_.registered = false;
    for (size_t i = 0; i < ports_.size(); ++i) {
        ports_[i].active = next[i];
        if (next[i] == PortType::Ib && variant_.firmwareFailsPort == int(i) + 1) {
            ++counters_.firmwareFailures;
            return EINVAL;
        }
    }
    counters_.registered = true;
    return 0;
}

// What mlx4_register_device() leaves under the card: mlx4_en's netdev per Ethernet port (its
// dev_port is the port's index), mlx4_ib's device while a port runs IB; nothing while the device
// is unregistered.
CardPresence KernelModel::presentInterfaces() {
    CardPresence presence;
    if (!counters_.registered)
        return presence;
    for (size_t i = 0; i < ports_.size(); ++i) {
        if (ports_[i].active == PortType::Eth && variant_.mlx4EnLoaded)
            presence.netdevPorts.push_back(int(i) + 1);
        if (ports_[i].active == PortType::Ib && variant_.mlx4IbLoaded)
            presence.ibDevice = true;
    }
    return presence;
}

// mlx4_sense_port(), the delayed work that mlx4_start_sense() queues on DPDP cards only: sense
// with the running types as defaults, then apply the result if the combination passes the check.
// It neither reads nor clears staged types.
bool KernelModel::senseTick() {
    if (!variant_.dpdp)
        return false;
    std::vector<PortType> running;
    for (const KernelPortState& port : ports_)
        running.push_back(port.active);
    std::vector<PortType> next = senseTypes(running);
    if (next == running || checkCombination(next) != 0)
        return false;
    changePortTypes(next);
    return true;
}

// mlx4_do_sense_ports(): ports on auto that may sense and whose link is down take what
// SENSE_PORT reports; anything undecided keeps `defaults` (the requested combination). Up to 3.4
// a port that sensed nothing first follows port 1 when port 1 is eth, or port 2 when port 2 is ib.
std::vector<PortType> KernelModel::senseTypes(const std::vector<PortType>& defaults) const {
    std::vector<std::optional<PortType>> sensed;
    for (int port = 1; port <= portCount(); ++port) {
        const KernelPortState& state = ports_[port - 1];
        std::optional<PortType> type = defaults[port - 1];
        if (senseAllowed(port) && state.possible == PortType::Auto) {
            switch (variant_.links[port - 1]) {
            case SensedLink::Nothing:
                type.reset();
                break;
            case SensedLink::Ib:
                type = PortType::Ib;
                break;
            case SensedLink::Eth:
                type = PortType::Eth;
                break;
            case SensedLink::Up:
                break; // not sensed: do_sense_port is off while the link is up
            }
        }
        sensed.push_back(type);
    }
    if (variant_.era == KernelEra::Linux3_4) {
        size_t last = sensed.size() - 1;
        if (sensed[0] == PortType::Eth)
            for (size_t i = 1; i < sensed.size(); ++i)
                if (!sensed[i])
                    sensed[i] = PortType::Eth;
        if (sensed[last] == PortType::Ib)
            for (size_t i = 0; i < last; ++i)
                if (!sensed[i])
                    sensed[i] = PortType::Ib;
    }

    std::vector<PortType> types;
    for (size_t i = 0; i < sensed.size(); ++i)
        types.push_back(sensed[i] ? *sensed[i] : defaults[i]);
    return types;
}

// mlx4_check_port_params().
int KernelModel::checkCombination(const std::vector<PortType>& types) const {
    for (size_t i = 0; i + 1 < types.size(); ++i) {
        if (types[i] == types[i + 1])
            continue;
        // "Only same port types supported on this HCA"
        if (!variant_.dpdp)
            return refusal("Only same port types supported on this HCA, SET_PORT_TYPE refused");
        // Up to 3.4, even with DPDP, port 1 eth with port 2 ib is refused (without a log line).
        if (variant_.era == KernelEra::Linux3_4 && types[i] == PortType::Eth &&
            types[i + 1] == PortType::Ib)
            return EINVAL;
    }
    // "Requested port type for port %d is not supported on this HCA"
    for (size_t i = 0; i < types.size(); ++i)
        if (!supports(int(i) + 1, types[i]))
            return refusal("Requested port type for port " + std::to_string(i + 1) +
                           " is not supported on this HCA");
    return 0;
}

bool KernelModel::supports(int port, PortType type) const {
    PortSupport support = variant_.support[port - 1];
    switch (type) {
    case PortType::Ib:
        return support != PortSupport::EthOnly;
    case PortType::Eth:
        return support != PortSupport::IbOnly;
    case PortType::Auto:
        return support == PortSupport::Both; // MLX4_PORT_TYPE_AUTO is both bits
    }
    return false;
}

// mlx4_dev_cap(): a port may sense only if it supports both types, the firmware has DPDP and
// sense support is on. So on a card without DPDP, auto never changes anything.
bool KernelModel::senseAllowed(int port) const {
    return variant_.support[port - 1] == PortSupport::Both && variant_.dpdp &&
           variant_.hasSenseSupport();
}

// Upstream commit 95aac2cdafd8 ("net/mlx4_core: Fix return codes of unsupported operations",
// mainline 5.5, stable 4.9.207, 4.14.159 and 4.19.89) turned these refusals from EINVAL into
// EOPNOTSUPP. The eth/ib refusal of 3.4 stays EINVAL (see above).
int KernelModel::refusal(std::string logLine) const {
    logLine_ = std::move(logLine);
    return variant_.era == KernelEra::Linux5_5 ? EOPNOTSUPP : EINVAL;
}

} // namespace mlx4::test
