// SPDX-License-Identifier: GPL-2.0-or-later
// What a switch says when the kernel does not reach the target (see switching_messages.h).
#include "switching_messages.h"

#include "text.h"

#include <cerrno>
#include <cstring>

namespace mlx4 {

std::string errnoText(int error) {
    const char* name = strerrorname_np(error);
    return std::string(strerror(error)) + " (" + (name ? name : std::to_string(error)) + ")";
}

bool mixesProtocols(const std::vector<PortType>& types) {
    bool ib = false, eth = false;
    for (PortType type : types) {
        ib |= type == PortType::Ib;
        eth |= type == PortType::Eth;
    }
    return ib && eth;
}

bool asksAuto(const std::vector<PortType>& types) {
    for (PortType type : types)
        if (type == PortType::Auto)
            return true;
    return false;
}

namespace {

// How an admin sees what the card can do: the driver prints it at probe.
const char kCapabilitiesHint[] =
    "; the driver lists the card's capabilities (\"Dual Port Different Protocol (DPDP) "
    "support\", \"Port link type sensing support\") when it is loaded with "
    "modprobe mlx4_core debug_level=1";

} // namespace

// Why the kernel did not reach `targets`, in words an admin can act on. The kernel log names the
// exact case; the helper cannot tell them apart, so it says which log line means what.
std::string explainFailure(const WriteRound& round, const std::vector<PortType>& targets) {
    if (round.failedPort) {
        int error = round.errors.back();
        std::string port = std::to_string(round.failedPort);
        if (error == EACCES || error == EPERM)
            return "writing port " + port + " was denied (" + errnoText(error) +
                   "): the driver makes the files read-only when SR-IOV is enabled or on a "
                   "virtual function; set the type with the module option instead "
                   "(options mlx4_core port_type_array=...)";
        if (error == ENOENT || error == ENODEV || error == ENXIO)
            return "port " + port + " disappeared while writing (" + errnoText(error) +
                   "): the card was removed or its driver unbound";
        return "writing port " + port + " failed: " + errnoText(error) +
               "; the kernel log says why (journalctl -k | grep mlx4)";
    }
    bool allAccepted = true;
    for (int error : round.errors)
        allAccepted &= error == 0;
    if (allAccepted)
        return "the kernel accepted the writes but the ports did not change to " +
               formatPortTypes(targets) + "; the kernel log says why (journalctl -k | grep mlx4)";

    std::string text = "the kernel refused " + formatPortTypes(targets) +
                       "; its log (journalctl -k | grep mlx4) names the case: \"Requested port "
                       "type for port N is not supported on this HCA\" (port N cannot run that "
                       "type";
    text += asksAuto(targets) ? "; auto needs a port that runs both)" : ")";
    if (targets.size() > 1 && mixesProtocols(targets))
        text += ", \"Only same port types supported on this HCA\" (the card's firmware lacks "
                "DPDP, dual port different protocol: configure both ports alike)";
    if (asksAuto(targets))
        text += ", \"Auto sensing is not supported on this HCA\" (the card has neither DPDP "
                "nor sense support: configure ib or eth)";
    if (targets.size() > 1 && targets[0] == PortType::Eth && targets[1] == PortType::Ib)
        text += ", or no line on kernels up to 3.4, which refuse port 1 eth with port 2 ib";
    return text + kCapabilitiesHint;
}

namespace {

std::string portsList(const std::vector<int>& ports) {
    std::string text;
    for (size_t i = 0; i < ports.size(); ++i)
        text += (i == 0 ? "" : i + 1 == ports.size() ? " and " : ", ") + std::to_string(ports[i]);
    return text;
}

} // namespace

// The firmware failed a switch: what moved, what it means. (How to recover is the caller's.)
std::string explainSwitchFailure(const std::vector<PortState>& was,
                                 const std::vector<PortState>& now, const WriteRound& round) {
    std::vector<int> moved;
    for (size_t i = 0; i < was.size() && i < now.size(); ++i)
        if (was[i].active != now[i].active)
            moved.push_back(static_cast<int>(i) + 1);
    std::string text = "writing port " + std::to_string(round.switchFailedPort) + " failed with " +
                       errnoText(round.errors.back());
    if (moved.empty())
        text += " and the card's network and InfiniBand interfaces are gone although no port "
                "changed its type";
    else
        text += std::string(" although port") + (moved.size() > 1 ? "s " : " ") + portsList(moved) +
                " now run" + (moved.size() > 1 ? "" : "s") + " another protocol";
    return text + ": the driver applied the switch and the card's firmware failed it (the kernel "
                  "log says \"Failed to set port\"), which leaves the card without its network "
                  "and InfiniBand interfaces";
}

// Said of a refused attempt when the card had no interface whose loss would have shown a
// failed switch.
const char kInterfacesUnchecked[] =
    "; the card's interfaces could not be checked (it had no network or InfiniBand interface to "
    "compare: mlx4_en or mlx4_ib not loaded?), so a switch its firmware failed would look the "
    "same: if the card has no interfaces once the modules are loaded, re-bind its driver";

} // namespace mlx4
