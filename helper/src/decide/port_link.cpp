// SPDX-License-Identifier: GPL-2.0-or-later
// What each port is now, as an interface.
#include "port_link.h"

#include "text.h"

#include <cctype>
#include <cstdlib>

namespace mlx4 {

namespace {

// The name in an IB port attribute printed as "<number>: <NAME>" ("4: ACTIVE", "5: LinkUp").
std::string_view attributeName(std::string_view text) {
    size_t colon = text.find(": ");
    return colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 2);
}

void describeEthernet(const CardInterfaces& card, PortLink& link) {
    const NetInterface* netdev = card.ethernetOf(link.port);
    if (!netdev) {
        link.note = card.mlx4EnLoaded
                        ? "no network interface of the card has this port (dev_port " +
                              std::to_string(link.port - 1) +
                              "): the card may be restarting, or the interface was moved to "
                              "another network namespace"
                        : "mlx4_en is not loaded: modprobe mlx4_en";
        return;
    }
    link.netdev = netdev->name;
    link.state = netdev->operstate;
    // operstate follows RFC 2863; "unknown" is what drivers without link state report.
    if (netdev->operstate == "up")
        link.up = true;
    else if (netdev->operstate == "down" || netdev->operstate == "lowerlayerdown" ||
             netdev->operstate == "notpresent" || netdev->operstate == "dormant")
        link.up = false;
    if (link.up == true)
        link.speedMbps = netdev->speedMbps;
}

void describeInfiniband(const CardInterfaces& card, PortLink& link) {
    if (card.ibDevice.empty()) {
        link.note = card.mlx4IbLoaded ? "mlx4_ib is loaded but the card has no InfiniBand "
                                        "device: the card may be restarting"
                                      : "mlx4_ib is not loaded: modprobe mlx4_ib";
        return;
    }
    link.ibDevice = card.ibDevice;
    const IbPortInfo* info = card.ibPortOf(link.port);
    if (!info)
        return;
    std::string_view state = attributeName(info->state);
    link.state = lower(state);
    if (!state.empty())
        link.up = state == "ACTIVE";
    // The physical link can be up while the port waits for a subnet manager (INIT): its rate
    // is real then, and the admin wants both facts.
    bool physicallyUp =
        info->physState.empty() ? link.up == true : attributeName(info->physState) == "LinkUp";
    if (physicallyUp)
        link.speedMbps = parseIbRate(info->rate);
    if (state == "INIT" && physicallyUp)
        link.note = "the link is up but no subnet manager has brought the port up (is opensm "
                    "running on this fabric?)";
}

} // namespace

PortLink portLink(const CardInterfaces& card, int port, std::optional<PortType> running) {
    PortLink link;
    link.port = port;
    link.running = running;
    if (running == PortType::Eth)
        describeEthernet(card, link);
    else if (running == PortType::Ib)
        describeInfiniband(card, link);
    return link;
}

std::string interfaceColumn(const PortLink& link) {
    if (!link.netdev.empty())
        return escaped(link.netdev);
    if (!link.ibDevice.empty())
        return escaped(link.ibDevice) + "/" + std::to_string(link.port);
    return "-";
}

std::string linkColumn(const PortLink& link) {
    if (link.state.empty())
        return "-";
    std::string text = escaped(link.state);
    if (link.speedMbps)
        text += " " + formatSpeed(*link.speedMbps);
    return text;
}

std::string formatSpeed(int mbps) {
    if (mbps < 1000)
        return std::to_string(mbps) + " Mb/s";
    std::string text = std::to_string(mbps / 1000);
    if (int rest = mbps % 1000) {
        std::string fraction = std::to_string(rest + 1000).substr(1); // three digits
        while (fraction.back() == '0')
            fraction.pop_back();
        text += "." + fraction;
    }
    return text + " Gb/s";
}

std::optional<int> parseIbRate(std::string_view rate) {
    // "<whole>[.<fraction>] Gb/sec (<width>X <speed>)": the kernel's rate_show() in
    // drivers/infiniband/core/sysfs.c.
    size_t unit = rate.find(" Gb/sec");
    if (unit == std::string_view::npos || unit == 0 || unit > 8)
        return std::nullopt;
    std::string_view number = rate.substr(0, unit);
    size_t dot = number.find('.');
    std::string_view whole = number.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? "" : number.substr(dot + 1);
    if (whole.empty() || whole.size() > 6 ||
        whole.find_first_not_of("0123456789") != std::string_view::npos ||
        (dot != std::string_view::npos &&
         (fraction.empty() || fraction.size() > 3 ||
          fraction.find_first_not_of("0123456789") != std::string_view::npos)))
        return std::nullopt;
    int mbps = std::atoi(std::string(whole).c_str()) * 1000;
    std::string thousandths = std::string(fraction) + std::string(3 - fraction.size(), '0');
    return mbps + std::atoi(thousandths.c_str());
}

} // namespace mlx4
