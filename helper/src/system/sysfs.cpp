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
    // Only a card mlx4_core has not bound may be waiting for it.
    if (card.driver != "mlx4_core")
        card.initialized = udev_device_get_is_initialized(device) > 0;
    countPorts(device, card);
    return card;
}

Udev newUdev(std::string& problem) {
    Udev context(udev_new(), udev_unref);
    if (!context)
        problem = std::string("libudev could not start: ") + strerror(errno);
    return context;
}

void addProblem(CardIdentity& identity, const std::string& problem) {
    identity.problems += (identity.problems.empty() ? "" : "; ") + problem;
}

// A binary attribute read only where the parser asks (pread), counting the bytes read.
class AttributeReader {
public:
    explicit AttributeReader(const std::string& path)
        : fd_(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)), error_(errno) {}
    ~AttributeReader() {
        if (fd_ >= 0)
            close(fd_);
    }
    AttributeReader(const AttributeReader&) = delete;
    AttributeReader& operator=(const AttributeReader&) = delete;

    int openError() const { return fd_ < 0 ? error_ : 0; }
    size_t bytesRead() const { return bytesRead_; }
    ByteReader reader() {
        return [this](size_t offset, uint8_t* out, size_t length) -> long {
            ssize_t got;
            do
                got = pread(fd_, out, length, static_cast<off_t>(offset));
            while (got < 0 && errno == EINTR);
            if (got < 0)
                return -errno;
            bytesRead_ += static_cast<size_t>(got);
            return got;
        };
    }

private:
    int fd_;
    int error_;
    size_t bytesRead_ = 0;
};

// Why the GUID would come from node_guid and cannot: a guid: entry may name the card later.
const char* const kNoInfinibandDevice =
    "the card has no Device Serial Number and no InfiniBand device yet, whose node_guid would "
    "be its GUID (is mlx4_ib loaded?)";

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
    identity.read = {needs.guid || needs.all, needs.vpd || needs.all, needs.all};
    std::optional<Known> serialNumber;
    if (needs.guid || needs.all) {
        AttributeReader config(card.syspath + "/config");
        if (int error = config.openError()) {
            identity.guidUnknown = "cannot read config space: " + std::string(strerror(error));
            identity.needsRoot |= error == EACCES || error == EPERM;
        } else {
            SerialNumberReading dsn = readDeviceSerialNumber(config.reader());
            serialNumber = dsn.known;
            identity.needsRoot |= dsn.needsRoot;
            if (dsn.known == Known::value)
                identity.serialNumber = dsn.value;
            else if (dsn.known == Known::unknown)
                identity.guidUnknown = dsn.why;
            else
                addProblem(identity, dsn.why);
        }
        logDebug(card.address.str() + ": read " + std::to_string(config.bytesRead()) +
                 " bytes of config space");
    }
    if (needs.vpd || needs.all) {
        AttributeReader vpd(card.syspath + "/vpd");
        if (int error = vpd.openError()) {
            if (error == ENOENT) {
                addProblem(identity, "the card has no VPD");
            } else {
                identity.serialUnknown = identity.partUnknown =
                    "cannot read the VPD: " + std::string(strerror(error));
                identity.needsRoot |= error == EACCES || error == EPERM;
            }
        } else {
            VpdReading reading = readVpd(vpd.reader());
            identity.vpd = reading.facts;
            identity.needsRoot |= reading.needsRoot;
            if (reading.serial == Known::unknown)
                identity.serialUnknown = reading.why;
            if (reading.part == Known::unknown)
                identity.partUnknown = reading.why;
            if (!reading.why.empty() && !identity.anyUnknown())
                addProblem(identity, reading.why);
        }
        logDebug(card.address.str() + ": read " + std::to_string(vpd.bytesRead()) +
                 " bytes of the VPD");
    }
    if (needs.guid || needs.all) {
        if (std::string name = infinibandDevice(card); !name.empty()) {
            const std::string device = card.syspath + "/infiniband/" + name;
            std::string text = readLine(device + "/node_guid");
            identity.nodeGuid = parseGuid(text);
            if (identity.nodeGuid == uint64_t{0} || identity.nodeGuid == ~uint64_t{0}) {
                identity.nodeGuid.reset(); // never programmed
                addProblem(identity, "node_guid was never programmed");
            } else if (!identity.nodeGuid && serialNumber == Known::none) {
                identity.guidUnknown =
                    "the node_guid of its InfiniBand device cannot be read (" + quote(text) + ")";
            }
            if (needs.all) {
                identity.psid = readLine(device + "/board_id");
                identity.firmware = readLine(device + "/fw_ver");
            }
        } else if (serialNumber == Known::none) {
            identity.guidUnknown = kNoInfinibandDevice;
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

bool isModuleLoaded(const std::string& name) {
    struct stat st;
    return stat(("/sys/module/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
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
