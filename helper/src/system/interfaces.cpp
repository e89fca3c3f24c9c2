// SPDX-License-Identifier: GPL-2.0-or-later
// What a card's ports are as interfaces, read from sysfs.
#include "interfaces.h"

#include "file_io.h"
#include "sysfs.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <unistd.h>

namespace mlx4 {

namespace {

// A whole decimal (or, with base 16, "0x"-prefixed hex) integer; nullopt for anything else.
std::optional<long> parseInteger(const std::string& text, int base) {
    if (text.empty())
        return std::nullopt;
    errno = 0;
    char* end = nullptr;
    long value = std::strtol(text.c_str(), &end, base);
    if (errno != 0 || end == text.c_str() || *end != '\0')
        return std::nullopt;
    return value;
}

// The last part of a link's target: the name of the device it points to.
std::string linkName(const std::string& path) {
    char target[PATH_MAX];
    ssize_t length = readlink(path.c_str(), target, sizeof target - 1);
    if (length <= 0)
        return {};
    std::string text(target, static_cast<size_t>(length));
    size_t slash = text.rfind('/');
    return slash == std::string::npos ? text : text.substr(slash + 1);
}

// The names of a netdev's upper devices: its upper_<name> links.
std::vector<std::string> upperNames(const std::string& dir) {
    std::vector<std::string> uppers;
    for (const std::string& entry : listDirectory(dir))
        if (entry.rfind("upper_", 0) == 0 && entry.size() > 6)
            uppers.push_back(entry.substr(6));
    return uppers;
}

// dev_port is the port's index (0 = port 1) since 3.15; mlx4_en set dev_id (printed as hex)
// before, and leaves it 0 on both ports since: so dev_id counts only without a dev_port file.
int portOf(const std::string& dir) {
    std::optional<long> index;
    if (std::optional<std::string> devPort = readValue(dir + "/dev_port"))
        index = parseInteger(*devPort, 10);
    else if (std::optional<std::string> devId = readValue(dir + "/dev_id"))
        index = parseInteger(*devId, 16);
    return index && *index >= 0 && *index < 2 ? static_cast<int>(*index) + 1 : 0;
}

// Everything that rests on the netdev in `dir`: follows the upper_<name> links, which point
// to the upper devices' directories, so the walk needs no /sys/class/net.
std::vector<std::string> aboveOf(const std::string& dir) {
    std::vector<std::string> found;
    std::set<std::string> seen;
    std::vector<std::pair<std::string, std::string>> pending; // name, path
    for (const std::string& name : upperNames(dir))
        pending.emplace_back(name, dir + "/upper_" + name);
    // `seen` stops a loop in a broken sysfs; there is no bound on how many rest on it.
    for (size_t next = 0; next < pending.size(); ++next) {
        auto [name, path] = pending[next];
        if (!seen.insert(name).second)
            continue;
        found.push_back(name);
        for (const std::string& upper : upperNames(path))
            pending.emplace_back(upper, path + "/upper_" + upper);
    }
    return found;
}

NetInterface readNetInterface(const std::string& dir, const std::string& name) {
    NetInterface netdev;
    netdev.name = name;
    netdev.port = portOf(dir);
    netdev.type = static_cast<int>(parseInteger(readLine(dir + "/type"), 10).value_or(0));
    netdev.operstate = readLine(dir + "/operstate");
    // The kernel prints -1 (SPEED_UNKNOWN) for a link that is down, or fails the read while
    // the interface is not running.
    if (std::optional<long> speed = parseInteger(readLine(dir + "/speed"), 10))
        if (*speed > 0 && *speed <= INT_MAX)
            netdev.speedMbps = static_cast<int>(*speed);
    netdev.macAddress = readLine(dir + "/address");
    netdev.master = linkName(dir + "/master");
    if (!netdev.master.empty()) {
        // A bridge has a bridge/ directory of its settings, a bond a bonding/ one.
        if (access((dir + "/master/bridge").c_str(), F_OK) == 0)
            netdev.masterKind = "bridge";
        else if (access((dir + "/master/bonding").c_str(), F_OK) == 0)
            netdev.masterKind = "bond";
    }
    for (const std::string& upper : upperNames(dir))
        if (upper != netdev.master)
            netdev.uppers.push_back(upper);
    netdev.above = aboveOf(dir);
    return netdev;
}

bool moduleLoaded(const std::string& name) {
    return access(("/sys/module/" + name).c_str(), F_OK) == 0;
}

} // namespace

std::string infinibandDevice(const CardInfo& card) {
    std::vector<std::string> devices = listDirectory(card.syspath + "/infiniband");
    return devices.empty() ? std::string() : devices.front();
}

CardInterfaces readCardInterfaces(const CardInfo& card) {
    CardInterfaces result;
    const std::string net = card.syspath + "/net";
    for (const std::string& name : listDirectory(net))
        result.netdevs.push_back(readNetInterface(net + "/" + name, name));

    // One IB device per card (mlx4_ib registers one for all its ports).
    result.ibDevice = infinibandDevice(card);
    if (!result.ibDevice.empty()) {
        const std::string ports = card.syspath + "/infiniband/" + result.ibDevice + "/ports";
        for (const std::string& entry : listDirectory(ports)) {
            std::optional<long> number = parseInteger(entry, 10);
            if (!number || *number < 1 || *number > 2)
                continue;
            IbPortInfo info;
            info.port = static_cast<int>(*number);
            const std::string dir = ports + "/" + entry;
            info.state = readLine(dir + "/state");
            info.physState = readLine(dir + "/phys_state");
            info.rate = readLine(dir + "/rate");
            info.linkLayer = readLine(dir + "/link_layer");
            result.ibPorts.push_back(info);
        }
        std::sort(result.ibPorts.begin(), result.ibPorts.end(),
                  [](const IbPortInfo& a, const IbPortInfo& b) { return a.port < b.port; });
    }
    // ib_uverbs gives its devices the IB device's parent, the PCI device.
    for (const std::string& name : listDirectory(card.syspath + "/infiniband_verbs"))
        result.verbsDevices.push_back("/dev/infiniband/" + name);

    result.mlx4EnLoaded = moduleLoaded("mlx4_en");
    result.mlx4IbLoaded = moduleLoaded("mlx4_ib");
    return result;
}

CardPresence SysfsCardPorts::presentInterfaces() {
    return presenceOf(readCardInterfaces(card_));
}

} // namespace mlx4
