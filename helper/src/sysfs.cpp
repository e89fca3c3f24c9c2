// SPDX-License-Identifier: GPL-2.0-or-later
// Device access: the only code that touches libudev and sysfs.
#include "sysfs.h"

#include "models.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <libudev.h>
#include <memory>
#include <set>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace mlx4 {

namespace {

using Udev = std::unique_ptr<udev, decltype(&udev_unref)>;
using UdevDevice = std::unique_ptr<udev_device, decltype(&udev_device_unref)>;
using UdevEnumerate = std::unique_ptr<udev_enumerate, decltype(&udev_enumerate_unref)>;

unsigned hexAttribute(udev_device* device, const char* name) {
    const char* value = udev_device_get_sysattr_value(device, name);
    return value ? static_cast<unsigned>(std::strtoul(value, nullptr, 16)) : 0;
}

// The driver creates mlx4_port1..mlx4_port<num_ports> (and mlx4_port<N>_mtu, which is not a
// port); MLX4_MAX_PORTS is 2. Anything else means we do not understand this device.
// The port number of a file named mlx4_port<N>, or 0 for any other name.
int portNumber(std::string_view name) {
    constexpr std::string_view prefix = "mlx4_port";
    if (name.substr(0, prefix.size()) != prefix)
        return 0;
    std::string_view digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos)
        return 0;
    return std::atoi(std::string(digits).c_str());
}

void countPorts(udev_device* device, CardInfo& card) {
    std::set<int> ports;
    udev_list_entry* entry;
    udev_list_entry_foreach(entry, udev_device_get_sysattr_list_entry(device)) {
        if (int port = portNumber(udev_list_entry_get_name(entry)))
            ports.insert(port);
    }
    card.portCount = static_cast<int>(ports.size());
    bool numbered = ports.empty() || (*ports.begin() == 1 && *ports.rbegin() == card.portCount);
    if (card.portCount > 2 || !numbered) {
        std::string names;
        for (int port : ports)
            names += (names.empty() ? "mlx4_port" : ", mlx4_port") + std::to_string(port);
        card.portProblem = "has port files " + names +
                           ", but the mlx4 driver makes mlx4_port1 and at most mlx4_port2; "
                           "not touching a device we do not understand";
    }
}

CardInfo describe(udev_device* device) {
    CardInfo card;
    card.address = parsePciAddress(udev_device_get_sysname(device)).value_or(PciAddress{});
    card.syspath = udev_device_get_syspath(device);
    card.vendor = hexAttribute(device, "vendor");
    card.device = hexAttribute(device, "device");
    const char* driver = udev_device_get_driver(device);
    card.driver = driver ? driver : "";
    countPorts(device, card);
    return card;
}

Udev newUdev(std::string& problem) {
    Udev context(udev_new(), udev_unref);
    if (!context)
        problem = std::string("libudev could not start: ") + strerror(errno);
    return context;
}

// Reads up to `limit` bytes of a file; an errno value on failure.
int readFile(const std::string& path, size_t limit, std::string& content) {
    content.clear();
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    char buffer[4096];
    int error = 0;
    while (content.size() < limit) {
        ssize_t got = read(fd, buffer, std::min(sizeof buffer, limit - content.size()));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            error = errno;
        if (got <= 0)
            break;
        content.append(buffer, static_cast<size_t>(got));
    }
    close(fd);
    return error;
}

// A one-line attribute without its newline; empty if it cannot be read.
std::string readLine(const std::string& path) {
    std::string text;
    if (readFile(path, 256, text) != 0)
        return {};
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

const uint8_t* bytes(const std::string& content) {
    return reinterpret_cast<const uint8_t*>(content.data());
}

void addProblem(CardIdentity& identity, const std::string& problem) {
    identity.problems += (identity.problems.empty() ? "" : "; ") + problem;
}

// The directory of the card's InfiniBand device (infiniband/<name>/ under the PCI device,
// present while mlx4_ib has one registered), or empty.
std::string infinibandDirectory(const CardInfo& card) {
    std::string parent = card.syspath + "/infiniband";
    DIR* handle = opendir(parent.c_str());
    if (!handle)
        return {};
    std::string found;
    while (struct dirent* entry = readdir(handle)) {
        if (entry->d_name[0] != '.') {
            found = parent + "/" + entry->d_name;
            break;
        }
    }
    closedir(handle);
    return found;
}

} // namespace

CardIdentity readCardIdentity(const CardInfo& card, IdentityNeeds needs) {
    CardIdentity identity;
    identity.address = card.address;
    std::string content, problem;
    if (needs.guid || needs.all) {
        // 4096 bytes is all of PCIe config space; a user without root gets the first 64.
        if (int error = readFile(card.syspath + "/config", 4096, content)) {
            addProblem(identity, "cannot read config space: " + std::string(strerror(error)));
            identity.needsRoot |= error == EACCES || error == EPERM;
        } else {
            identity.serialNumber =
                parseDeviceSerialNumber(bytes(content), content.size(), problem);
            identity.needsRoot |= content.size() <= 64;
            if (!identity.serialNumber)
                addProblem(identity, problem);
        }
    }
    if (needs.vpd || needs.all) {
        // VPD is at most 32 KiB (15-bit addresses); the kernel pads past the end tag.
        if (int error = readFile(card.syspath + "/vpd", 32768, content)) {
            addProblem(identity, "cannot read the VPD: " + std::string(strerror(error)));
            identity.needsRoot |= error == EACCES || error == EPERM;
        } else if (auto vpd = parseVpd(bytes(content), content.size(), problem)) {
            identity.vpd = *vpd;
        } else {
            addProblem(identity, problem);
        }
    }
    if (needs.guid || needs.all) {
        std::string device = infinibandDirectory(card);
        if (!device.empty()) {
            identity.nodeGuid = parseGuid(readLine(device + "/node_guid"));
            if (identity.nodeGuid == uint64_t{0} || identity.nodeGuid == ~uint64_t{0})
                identity.nodeGuid.reset(); // never programmed
            if (needs.all) {
                identity.psid = readLine(device + "/board_id");
                identity.firmware = readLine(device + "/fw_ver");
            }
        }
    }
    return identity;
}

std::vector<CardInfo> findMellanoxDevices(std::string& problem) {
    std::vector<CardInfo> cards;
    Udev context = newUdev(problem);
    if (!context)
        return cards;
    UdevEnumerate enumerate(udev_enumerate_new(context.get()), udev_enumerate_unref);
    if (!enumerate || udev_enumerate_add_match_subsystem(enumerate.get(), "pci") < 0 ||
        udev_enumerate_add_match_sysattr(enumerate.get(), "vendor", "0x15b3") < 0 ||
        udev_enumerate_scan_devices(enumerate.get()) < 0) {
        problem = std::string("cannot list PCI devices: ") + strerror(errno);
        return cards;
    }
    udev_list_entry* entry;
    udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(enumerate.get())) {
        UdevDevice device(
            udev_device_new_from_syspath(context.get(), udev_list_entry_get_name(entry)),
            udev_device_unref);
        if (device) // else removed since the scan
            cards.push_back(describe(device.get()));
    }
    std::sort(cards.begin(), cards.end(),
              [](const CardInfo& a, const CardInfo& b) { return a.address < b.address; });
    return cards;
}

std::vector<CardInfo> findMlx4Cards(std::string& problem) {
    std::vector<CardInfo> cards = findMellanoxDevices(problem);
    cards.erase(std::remove_if(cards.begin(), cards.end(),
                               [](const CardInfo& card) { return card.driver != "mlx4_core"; }),
                cards.end());
    return cards;
}

std::optional<CardInfo> findPciDevice(const PciAddress& address, std::string& problem) {
    Udev context = newUdev(problem);
    if (!context)
        return std::nullopt;
    UdevDevice device(
        udev_device_new_from_subsystem_sysname(context.get(), "pci", address.str().c_str()),
        udev_device_unref);
    if (!device) {
        problem = "there is no PCI device " + address.str() + " (lspci -D lists them)";
        return std::nullopt;
    }
    return describe(device.get());
}

std::string probeIdentity(const CardInfo& card) {
    struct stat st;
    if (stat((card.syspath + "/mlx4_port1").c_str(), &st) != 0)
        return "";
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

std::string SysfsCardPorts::path(int port) const {
    return card_.syspath + "/mlx4_port" + std::to_string(port);
}

int SysfsCardPorts::readPort(int port, std::string& text) {
    int fd = open(path(port).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    // The longest valid value is "auto (eth)\n"; read a little more to see garbage as such.
    char buffer[64];
    ssize_t got;
    do
        got = read(fd, buffer, sizeof buffer);
    while (got < 0 && errno == EINTR);
    int error = got < 0 ? errno : 0;
    close(fd);
    text.assign(buffer, got > 0 ? static_cast<size_t>(got) : 0);
    return error;
}

bool SysfsCardPorts::isWritable(int port) {
    struct stat st;
    return stat(path(port).c_str(), &st) == 0 && (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH));
}

int SysfsCardPorts::writePort(int port, PortType type) {
    // POSIX open/write, not a stream: the kernel's verdict is the errno of this one write(),
    // and it needs the whole string with its newline in one call.
    int fd = open(path(port).c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return errno;
    std::string_view value = kernelWriteString(type);
    ssize_t written = write(fd, value.data(), value.size());
    int error = written < 0 ? errno : static_cast<size_t>(written) != value.size() ? EIO : 0;
    if (close(fd) != 0 && error == 0)
        error = errno;
    return error;
}

} // namespace mlx4
