// SPDX-License-Identifier: GPL-2.0-or-later
#include "refusal_message.h"

#include "switching.h"

#include <algorithm>
#include <cctype>

namespace mlx4 {

namespace {

// The driver's own words (mlx4_err() in main.c; dev_err() puts "mlx4_core ADDRESS: " before
// them).
constexpr std::string_view kSamePortTypes = "Only same port types supported on this HCA";
constexpr std::string_view kPortTypePrefix = "Requested port type for port ";
constexpr std::string_view kPortTypeSuffix = " is not supported on this HCA";
constexpr std::string_view kAutoNotSupported = "Auto sensing is not supported on this HCA";

bool mixesIbAndEth(const std::vector<PortType>& target) {
    bool ib = std::find(target.begin(), target.end(), PortType::Ib) != target.end();
    bool eth = std::find(target.begin(), target.end(), PortType::Eth) != target.end();
    return ib && eth;
}

// "options mlx4_core port_type_array=1,2" for a target of ib and eth only; empty otherwise.
std::string portTypeArrayOption(const std::vector<PortType>& target) {
    std::string values;
    for (PortType type : target) {
        if (type == PortType::Auto)
            return {};
        values += std::string(values.empty() ? "" : ",") + (type == PortType::Ib ? "1" : "2");
    }
    return "options mlx4_core port_type_array=" + values;
}

std::string portTypeOf(const std::vector<PortType>& target, int port) {
    if (port < 1 || static_cast<size_t>(port) > target.size())
        return "that type";
    return std::string(portTypeName(target[static_cast<size_t>(port - 1)]));
}

std::string verdictAction(const RefusalFacts& facts) {
    const std::string grepLog = "see why: journalctl -k | grep " + facts.address;
    if (!facts.kernelLine)
        return facts.kernelLogRead ? grepLog : "run as root to see the kernel's reason";
    switch (facts.kernelLine->which) {
    case RefusalCase::SamePortTypes:
        return "configure both ports alike: this card's firmware lacks DPDP";
    case RefusalCase::PortTypeNotSupported:
        return "port " + std::to_string(facts.kernelLine->port) + " cannot run " +
               portTypeOf(facts.target, facts.kernelLine->port) + ": configure another type for it";
    case RefusalCase::AutoNotSupported:
        return "configure ib or eth, not auto: this card cannot sense the protocol";
    case RefusalCase::Unknown:
        break;
    }
    return grepLog;
}

std::string caseDetail(const RefusalFacts& facts) {
    if (!facts.kernelLine)
        return facts.reason;
    switch (facts.kernelLine->which) {
    case RefusalCase::SamePortTypes: {
        std::string text =
            "the case: without DPDP (dual port, different protocol, a firmware capability, not "
            "a property of the card family) the driver switches both ports only to the same "
            "type. Configure both ports alike";
        if (std::string option = portTypeArrayOption(facts.target); !option.empty())
            text += ", or start the card with these types through the module option: " + option +
                    " in /etc/modprobe.d, then update-initramfs -u and reboot. The driver does "
                    "not check that option against DPDP, but it applies to every mlx4 card, and "
                    "from such a start no other combination can be set";
        return text;
    }
    case RefusalCase::PortTypeNotSupported:
        return "the case: port " + std::to_string(facts.kernelLine->port) + " supports only " +
               "the other protocol (its firmware or the card makes it InfiniBand-only or "
               "Ethernet-only)";
    case RefusalCase::AutoNotSupported:
        return "the case: the card has neither DPDP nor sense support, so auto cannot sense "
               "anything; configure ib or eth";
    case RefusalCase::Unknown:
        break;
    }
    return facts.reason;
}

} // namespace

std::optional<std::string> kmsgRecordText(std::string_view record) {
    std::string_view firstLine = record.substr(0, record.find('\n'));
    size_t semicolon = firstLine.find(';');
    if (semicolon == std::string_view::npos || semicolon == 0)
        return std::nullopt;
    // PRI,SEQ,TS,FLAGS: digits and commas, then a flag ("-", "c", "+").
    std::string_view header = firstLine.substr(0, semicolon);
    if (!std::isdigit(static_cast<unsigned char>(header.front())) ||
        std::count(header.begin(), header.end(), ',') < 3)
        return std::nullopt;
    return std::string(firstLine.substr(semicolon + 1));
}

std::optional<KernelRefusalLine> lastKernelRefusal(const std::vector<std::string>& messages,
                                                   const std::string& address) {
    const std::string device = address + ": ";
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
        const std::string& text = *it;
        size_t at = text.find(device);
        if (at == std::string::npos || text.find("mlx4") == std::string::npos)
            continue;
        std::string_view said = std::string_view(text).substr(at + device.size());
        KernelRefusalLine line{text, RefusalCase::Unknown, 0};
        if (said.rfind(kSamePortTypes, 0) == 0) {
            line.which = RefusalCase::SamePortTypes;
        } else if (said.rfind(kAutoNotSupported, 0) == 0) {
            line.which = RefusalCase::AutoNotSupported;
        } else if (said.rfind(kPortTypePrefix, 0) == 0 &&
                   said.find(kPortTypeSuffix) != std::string_view::npos) {
            std::string_view number = said.substr(kPortTypePrefix.size());
            if (number.empty() || !std::isdigit(static_cast<unsigned char>(number.front())))
                continue;
            line.which = RefusalCase::PortTypeNotSupported;
            line.port = number.front() - '0';
        } else {
            continue;
        }
        return line;
    }
    return std::nullopt;
}

std::vector<std::string> refusalMessage(const RefusalFacts& facts) {
    std::vector<std::string> lines;
    std::string verdict = facts.address + ": the kernel refused ports " +
                          formatPortTypes(facts.target) + "; " + verdictAction(facts);
    if (verdict.size() >= kVerdictLineLimit)
        verdict = verdict.substr(0, kVerdictLineLimit - 4) + "...";
    lines.push_back(verdict);
    if (facts.kernelLine)
        lines.push_back("kernel: " + facts.kernelLine->text);
    std::string detail = caseDetail(facts);
    // switching's reason ends with what could not be checked about the card's interfaces; the
    // kernel's case replaces the reason, not that.
    const std::string unchecked = "; the card's interfaces could not be checked";
    if (size_t at = facts.reason.find(unchecked);
        at != std::string::npos && detail.find(unchecked) == std::string::npos)
        detail += facts.reason.substr(at);
    lines.push_back(detail);
    lines.push_back(facts.card + ", configured in " + facts.where + ": left as it was, " +
                    formatPortStates(facts.before) + "; the attempt cost " +
                    restartsText(facts.restarts));
    if (facts.remembered)
        lines.push_back("udev events and the boot unit do not try this again until the card's "
                        "configured types change or the driver binds the card anew; run "
                        "`mlx4-porttype apply --retry " +
                        facts.address + "` to try again");
    return lines;
}

std::string mixedTargetWarning(const std::vector<PortType>& target) {
    if (!mixesIbAndEth(target))
        return {};
    return formatPortTypes(target) +
           " mixes InfiniBand and Ethernet on one card: the driver accepts that only from "
           "firmware with DPDP (dual port, different protocol). Nothing in sysfs shows it; "
           "modprobe mlx4_core debug_level=1 lists it in the kernel log, and a refused apply "
           "quotes the kernel's reason";
}

} // namespace mlx4
