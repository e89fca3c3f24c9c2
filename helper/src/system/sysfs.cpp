// SPDX-License-Identifier: GPL-2.0-or-later
// Device access: the only code that touches libudev and sysfs.
#include "sysfs.h"

#include "device_table.h"
#include "file_io.h"
#include "interfaces.h"
#include "log.h"
#include "text.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <libudev.h>
#include <linux/magic.h>
#include <memory>
#include <set>
#include <string_view>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace mlx4 {

namespace {

using Udev = std::unique_ptr<udev, decltype(&udev_unref)>;
using UdevDevice = std::unique_ptr<udev_device, decltype(&udev_device_unref)>;
using UdevEnumerate = std::unique_ptr<udev_enumerate, decltype(&udev_enumerate_unref)>;

// The kernel prints vendor and device as "0x%04x\n" (drivers/pci/pci-sysfs.c); libudev drops
// the newline. Anything else (a missing file, "0x15b3junk") is no id at all: nullopt.
std::optional<unsigned> idAttribute(udev_device* device, const char* name, std::string& text) {
    const char* value = udev_device_get_sysattr_value(device, name);
    text = value ? value : "";
    std::string_view digits = text;
    if (digits.substr(0, 2) != "0x" || digits.size() != 6 ||
        digits.find_first_not_of("0123456789abcdef", 2) != std::string_view::npos)
        return std::nullopt;
    return static_cast<unsigned>(std::stoul(text.substr(2), nullptr, 16));
}

// The port number of a file named mlx4_port<N> as the driver names it (N = 1.., no leading
// zero), 0 for any other name: mlx4_port<N>_mtu is not a port, and neither is mlx4_port001.
int portNumber(std::string_view name) {
    constexpr std::string_view prefix = "mlx4_port";
    if (name.substr(0, prefix.size()) != prefix)
        return 0;
    std::string_view digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 3 || digits[0] == '0' ||
        digits.find_first_not_of("0123456789") != std::string_view::npos)
        return 0;
    return std::atoi(std::string(digits).c_str());
}

// Whether `name` matches ^mlx4_port[0-9]+$: a port file, whether or not the driver makes it.
bool looksLikePort(std::string_view name) {
    constexpr std::string_view prefix = "mlx4_port";
    std::string_view digits = name.substr(std::min(name.size(), prefix.size()));
    return name.substr(0, prefix.size()) == prefix && !digits.empty() &&
           digits.find_first_not_of("0123456789") == std::string_view::npos;
}

// The driver creates mlx4_port1..mlx4_port<num_ports> (and mlx4_port<N>_mtu, which is not a
// port); MLX4_MAX_PORTS is 2. Anything else means we do not understand this device.
void countPorts(udev_device* device, CardInfo& card) {
    std::set<int> ports;
    std::set<std::string> odd; // names like ports that the driver never makes
    udev_list_entry* entry;
    udev_list_entry_foreach(entry, udev_device_get_sysattr_list_entry(device)) {
        const char* name = udev_list_entry_get_name(entry);
        if (int port = portNumber(name))
            ports.insert(port);
        else if (looksLikePort(name))
            odd.insert(name);
    }
    card.ports.assign(ports.begin(), ports.end());
    card.portCount = static_cast<int>(ports.size());
    bool numbered = ports.empty() || (*ports.begin() == 1 && *ports.rbegin() == card.portCount);
    if (card.portCount > 2 || !numbered || !odd.empty()) {
        std::string names;
        for (int port : ports)
            names += (names.empty() ? "" : ", ") + ("mlx4_port" + std::to_string(port));
        for (const std::string& name : odd)
            names += (names.empty() ? "" : ", ") + quote(name);
        card.portProblem = "has port files " + names +
                           ", but the mlx4 driver makes mlx4_port1 and at most mlx4_port2; "
                           "not touching a device we do not understand";
    }
}

// `address` is the one the caller looked for, or the one parsed from the device's name.
CardInfo describe(udev_device* device, const PciAddress& address) {
    CardInfo card;
    card.address = address;
    card.syspath = udev_device_get_syspath(device);
    card.vendor = idAttribute(device, "vendor", card.vendorText).value_or(kNoId);
    std::string deviceText;
    card.device = idAttribute(device, "device", deviceText).value_or(kNoId);
    const char* driver = udev_device_get_driver(device);
    card.driver = driver ? driver : "";
    // Set to hand the device to another driver (vfio-pci for a VM) before it binds.
    const char* override = udev_device_get_sysattr_value(device, "driver_override");
    if (override && std::string(override) != "(null)")
        card.driverOverride = override;
    countPorts(device, card);
    return card;
}

Udev newUdev(std::string& problem) {
    Udev context(udev_new(), udev_unref);
    if (!context)
        problem = std::string("libudev could not start: ") + strerror(errno);
    return context;
}

const uint8_t* bytes(const std::string& content) {
    return reinterpret_cast<const uint8_t*>(content.data());
}

void addProblem(CardIdentity& identity, const std::string& problem) {
    identity.problems += (identity.problems.empty() ? "" : "; ") + problem;
}

} // namespace

std::optional<bool> netdevInitialized(const CardInfo& card, const std::string& name) {
    std::string problem;
    Udev context = newUdev(problem);
    if (!context)
        return std::nullopt;
    const std::string syspath = card.syspath + "/net/" + name;
    UdevDevice device(udev_device_new_from_syspath(context.get(), syspath.c_str()),
                      udev_device_unref);
    if (!device)
        return std::nullopt;
    return udev_device_get_is_initialized(device.get()) > 0;
}

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
        if (std::string name = infinibandDevice(card); !name.empty()) {
            const std::string device = card.syspath + "/infiniband/" + name;
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
        udev_enumerate_add_match_sysattr(enumerate.get(), "vendor",
                                         hexId(kMellanoxVendor).c_str()) < 0 ||
        udev_enumerate_scan_devices(enumerate.get()) < 0) {
        problem = std::string("cannot list PCI devices: ") + strerror(errno);
        return cards;
    }
    udev_list_entry* entry;
    udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(enumerate.get())) {
        UdevDevice device(
            udev_device_new_from_syspath(context.get(), udev_list_entry_get_name(entry)),
            udev_device_unref);
        if (!device)
            continue; // removed since the scan
        const char* name = udev_device_get_sysname(device.get());
        auto address = parsePciAddress(name ? name : "");
        if (!address) {
            // Every label, lock file and configuration key is the address: a device without
            // one cannot be told apart from another, so it is not handled at all.
            logDebug("skipping PCI device " + quote(name ? name : "") +
                     ": its name is not a PCI address");
            continue;
        }
        cards.push_back(describe(device.get(), *address));
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
    return describe(device.get(), address);
}

std::string SysfsCardPorts::path(int port) const {
    return card_.syspath + "/mlx4_port" + std::to_string(port);
}

// Opens a port file only if it is one: not through a symbolic link, and on sysfs. The helper
// runs as root; a planted link or file must not make it read or write anything else.
// (umockdev's preload answers fstatfs() on its testbed with SYSFS_MAGIC, so tests pass the
// same check; the fault shim can make it fail.)
int SysfsCardPorts::openPort(int port, int flags) const {
    int fd = open(path(port).c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    struct statfs fs;
    if (fstatfs(fd, &fs) != 0 || fs.f_type != SYSFS_MAGIC) {
        close(fd);
        return -EXDEV;
    }
    return fd;
}

int SysfsCardPorts::readPort(int port, std::string& text) {
    text.clear();
    int fd = openPort(port, O_RDONLY);
    if (fd < 0)
        return -fd;
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
    return lstat(path(port).c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH));
}

int SysfsCardPorts::writePort(int port, PortType type) {
    // POSIX open/write, not a stream: the kernel's verdict is the errno of this one write(),
    // and it needs the whole string with its newline in one call. No O_TRUNC at open: on
    // anything that is not sysfs it would destroy the file before the check. A sysfs store
    // replaces the value whatever the file offset and size; truncating once the file is known
    // to be sysfs changes nothing there, and lets a test's plain file behave the same.
    int fd = openPort(port, O_WRONLY);
    if (fd < 0)
        return -fd;
    if (ftruncate(fd, 0) != 0) {
        // Nothing to do: the kernel's store does not depend on it.
    }
    std::string_view value = kernelWriteString(type);
    ssize_t written = write(fd, value.data(), value.size());
    int error = written < 0 ? errno : static_cast<size_t>(written) != value.size() ? EIO : 0;
    if (close(fd) != 0 && error == 0)
        error = errno;
    return error;
}

} // namespace mlx4
