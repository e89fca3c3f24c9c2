// SPDX-License-Identifier: GPL-2.0-or-later
// Test devices in the project's own words: mlx4 cards on a umockdev testbed.
#include "testbed.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <umockdev.h>
#include <unistd.h>

namespace mlx4::test {

namespace {

std::string hex4(unsigned value) {
    char text[8];
    std::snprintf(text, sizeof text, "%04x", value & 0xffff);
    return text;
}

std::string upper(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

// The kernel's uevent properties of a PCI device (drivers/pci/pci-driver.c, pci_uevent), plus
// DRIVER while one is bound (drivers/base/core.c, dev_uevent).
std::string ueventText(const CardSpec& card, const std::string& driver) {
    std::string text;
    if (!driver.empty())
        text += "DRIVER=" + driver + "\n";
    text += "PCI_CLASS=C0600\n";
    text += "PCI_ID=" + upper(hex4(card.vendor)) + ":" + upper(hex4(card.device)) + "\n";
    text += "PCI_SUBSYS_ID=" + upper(hex4(card.vendor)) + ":0001\n";
    text += "PCI_SLOT_NAME=" + card.address + "\n";
    text += "MODALIAS=pci:v0000" + upper(hex4(card.vendor)) + "d0000" + upper(hex4(card.device)) +
            "sv000015B3sd00000001bc0Csc06i00\n";
    return text;
}

std::string devPath(const std::string& address) {
    return Testbed::sysPath(address);
}

std::string driverLink(const std::string& driver) {
    // From /sys/devices/pci0000:00/<address> up to /sys.
    return "../../../bus/pci/drivers/" + driver;
}

} // namespace

std::string umockdevRecord(const CardSpec& card) {
    std::ostringstream record;
    record << "P: " << devPath(card.address).substr(4) << "\n";
    record << "E: SUBSYSTEM=pci\n";
    std::istringstream properties(ueventText(card, card.driver));
    for (std::string line; std::getline(properties, line);)
        record << "E: " << line << "\n";
    record << "A: vendor=0x" << hex4(card.vendor) << "\\n\n";
    record << "A: device=0x" << hex4(card.device) << "\\n\n";
    record << "A: class=0x0c0600\\n\n";
    // The kernel shows "(null)" when none is set (pci-sysfs.c, driver_override_show()).
    record << "A: driver_override="
           << (card.driverOverride.empty() ? "(null)" : card.driverOverride) << "\\n\n";
    for (size_t i = 0; i < card.ports.size(); ++i)
        record << "A: mlx4_port" << i + 1 << "=" << card.ports[i] << "\\n\n";
    if (!card.ibDevice.empty()) {
        std::string dir = "infiniband/" + card.ibDevice + "/";
        record << "A: " << dir << "node_guid=" << card.nodeGuid << "\\n\n";
        record << "A: " << dir << "board_id=" << card.boardId << "\\n\n";
        record << "A: " << dir << "fw_ver=" << card.firmware << "\\n\n";
    }
    for (const auto& [name, bytes] : {std::pair{"config", &card.config}, {"vpd", &card.vpd}}) {
        if (bytes->empty())
            continue;
        record << "H: " << name << "=";
        for (unsigned char byte : *bytes)
            record << "0123456789ABCDEF"[byte >> 4] << "0123456789ABCDEF"[byte & 15];
        record << "\n";
    }
    if (!card.driver.empty())
        record << "L: driver=" << driverLink(card.driver) << "\n";
    record << "\n"; // records in one file are separated by a blank line
    return record.str();
}

Testbed::Testbed() : bed_(umockdev_testbed_new()) {
    if (!bed_)
        throw std::runtime_error("umockdev_testbed_new failed");
}

Testbed::~Testbed() {
    g_object_unref(bed_);
}

void Testbed::addCard(const CardSpec& card) {
    GError* error = nullptr;
    std::string record = umockdevRecord(card);
    if (!umockdev_testbed_add_from_string(bed_, record.c_str(), &error)) {
        std::string message = error ? error->message : "unknown error";
        g_clear_error(&error);
        throw std::runtime_error("cannot add card " + card.address + ": " + message);
    }
    if (card.readOnly)
        for (size_t i = 0; i < card.ports.size(); ++i)
            chmod(filePath(card.address, "mlx4_port" + std::to_string(i + 1)).c_str(), 0444);
    if (!card.kernel.empty() && card.driver == "mlx4_core") {
        kernels_[card.address] = {card.kernel + (card.readOnly ? " read-only" : ""), card.device};
        probeKernel(card.address);
    }
}

void Testbed::probeKernel(const std::string& address) {
    auto kernel = kernels_.find(address);
    if (kernel == kernels_.end())
        return;
    mkdir((rootDir() + "/" + kKernelCardDir).c_str(), 0755);
    std::ofstream(kernelCardPath(address))
        << "card: device=0x" << hex4(kernel->second.second) << " " << kernel->second.first << "\n";
}

std::string Testbed::kernelCardPath(const std::string& address) const {
    return rootDir() + "/" + kKernelCardDir + "/" + address;
}

void Testbed::bindDriver(const std::string& address, const std::vector<std::string>& ports) {
    for (size_t i = 0; i < ports.size(); ++i)
        setPort(address, static_cast<int>(i) + 1, ports[i]);
    probeKernel(address);
    umockdev_testbed_set_attribute_link(bed_, devPath(address).c_str(), "driver",
                                        driverLink("mlx4_core").c_str());
    std::ifstream in(filePath(address, "uevent"));
    std::stringstream content;
    content << in.rdbuf();
    std::string uevent = content.str();
    if (uevent.rfind("DRIVER=", 0) != 0)
        uevent = "DRIVER=mlx4_core\n" + uevent;
    umockdev_testbed_set_attribute(bed_, devPath(address).c_str(), "uevent", uevent.c_str());
}

void Testbed::unbindDriver(const std::string& address) {
    for (int port = 1; hasPort(address, port); ++port)
        unlink(filePath(address, "mlx4_port" + std::to_string(port)).c_str());
    unlink(filePath(address, "driver").c_str());
    unlink(kernelCardPath(address).c_str()); // the driver's state goes with it
    std::ifstream in(filePath(address, "uevent"));
    std::string uevent, line;
    while (std::getline(in, line))
        if (line.rfind("DRIVER=", 0) != 0)
            uevent += line + "\n";
    umockdev_testbed_set_attribute(bed_, devPath(address).c_str(), "uevent", uevent.c_str());
}

void Testbed::uevent(const std::string& address, const std::string& action,
                     const std::vector<std::string>& extraProperties) {
    // umockdev sends the properties of the device's uevent file: extend it for this event only.
    const std::string own = readAttribute(address, "uevent");
    if (!extraProperties.empty())
        addUeventProperties(address, extraProperties);
    umockdev_testbed_uevent(bed_, devPath(address).c_str(), action.c_str());
    if (!extraProperties.empty())
        umockdev_testbed_set_attribute(bed_, devPath(address).c_str(), "uevent", own.c_str());
}

void Testbed::addUeventProperties(const std::string& address,
                                  const std::vector<std::string>& properties) {
    std::string uevent = readAttribute(address, "uevent");
    for (const std::string& property : properties)
        uevent += property + "\n";
    umockdev_testbed_set_attribute(bed_, devPath(address).c_str(), "uevent", uevent.c_str());
}

std::string Testbed::readAttribute(const std::string& address, const std::string& name) const {
    std::ifstream in(filePath(address, name));
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string Testbed::readPort(const std::string& address, int port) const {
    return readAttribute(address, "mlx4_port" + std::to_string(port));
}

void Testbed::setPort(const std::string& address, int port, const std::string& value) {
    std::string name = "mlx4_port" + std::to_string(port);
    umockdev_testbed_set_attribute(bed_, devPath(address).c_str(), name.c_str(),
                                   (value + "\n").c_str());
}

bool Testbed::hasPort(const std::string& address, int port) const {
    return access(filePath(address, "mlx4_port" + std::to_string(port)).c_str(), F_OK) == 0;
}

namespace {

void writeText(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path);
    out << text;
    if (!out.flush())
        throw std::runtime_error("cannot write " + path.string());
}

// A relative link at `link` to the /sys path `target`, as sysfs makes them.
void sysfsLink(const std::string& root, const std::string& link, const std::string& target) {
    std::filesystem::path from = std::filesystem::path(link).parent_path();
    std::filesystem::path relative = std::filesystem::path(target).lexically_relative(from);
    std::filesystem::create_directories(root + from.string());
    std::filesystem::create_symlink(relative, root + link);
}

} // namespace

void Testbed::addNetdev(const std::string& address, const NetdevSpec& netdev) {
    const std::string dir = rootDir() + netdevSysPath(address, netdev.name);
    if (netdev.devPort)
        writeText(dir + "/dev_port", std::to_string(*netdev.devPort) + "\n");
    writeText(dir + "/dev_id", netdev.devId + "\n");
    writeText(dir + "/type", std::to_string(netdev.type) + "\n");
    writeText(dir + "/operstate", netdev.operstate + "\n");
    if (netdev.speed)
        writeText(dir + "/speed", *netdev.speed + "\n");
    else
        std::filesystem::create_directories(dir + "/speed");
    writeText(dir + "/address", netdev.address + "\n");
    writeText(dir + "/uevent", "INTERFACE=" + netdev.name + "\n");
    if (!netdev.master.empty())
        stackNetdev(netdevSysPath(address, netdev.name), netdev.master, true, netdev.masterKind);
    for (const std::string& vlan : netdev.vlans)
        stackNetdev(netdevSysPath(address, netdev.name), vlan, false);
}

void Testbed::removeNetdev(const std::string& address, const std::string& name) {
    std::filesystem::remove_all(rootDir() + netdevSysPath(address, name));
}

void Testbed::addIbPort(const std::string& address, const std::string& ibDevice,
                        const IbPortSpec& port) {
    const std::string dir = rootDir() + sysPath(address) + "/infiniband/" + ibDevice + "/ports/" +
                            std::to_string(port.port);
    writeText(dir + "/state", port.state + "\n");
    writeText(dir + "/phys_state", port.physState + "\n");
    writeText(dir + "/rate", port.rate + "\n");
    writeText(dir + "/link_layer", port.linkLayer + "\n");
}

void Testbed::addVerbsDevice(const std::string& address, const std::string& name) {
    writeText(rootDir() + sysPath(address) + "/infiniband_verbs/" + name + "/dev", "231:192\n");
}

void Testbed::addVirtualNetdev(const std::string& name, const std::string& kind) {
    const std::string dir = rootDir() + virtualNetdevSysPath(name);
    writeText(dir + "/type", "1\n");
    writeText(dir + "/operstate", "up\n");
    if (kind == "bridge")
        writeText(dir + "/bridge/stp_state", "0\n");
    else if (kind == "bond")
        writeText(dir + "/bonding/mode", "active-backup 1\n");
}

void Testbed::stackNetdev(const std::string& lowerSysPath, const std::string& upper, bool asMaster,
                          const std::string& kind) {
    if (!std::filesystem::exists(rootDir() + virtualNetdevSysPath(upper)))
        addVirtualNetdev(upper, kind);
    sysfsLink(rootDir(), lowerSysPath + "/upper_" + upper, virtualNetdevSysPath(upper));
    if (asMaster)
        sysfsLink(rootDir(), lowerSysPath + "/master", virtualNetdevSysPath(upper));
}

std::string Testbed::netdevSysPath(const std::string& address, const std::string& name) {
    return sysPath(address) + "/net/" + name;
}

std::string Testbed::virtualNetdevSysPath(const std::string& name) {
    return "/sys/devices/virtual/net/" + name;
}

void Testbed::loadModule(const std::string& name) {
    std::filesystem::create_directories(rootDir() + "/sys/module/" + name + "/parameters");
}

std::string Testbed::rootDir() const {
    gchar* root = umockdev_testbed_get_root_dir(bed_);
    std::string result = root;
    g_free(root);
    return result;
}

bool Testbed::systemUdevDatabase() {
#ifdef MLX4_UMOCKDEV_TRAPS_UDEV_DATA
    return false;
#else
    return true;
#endif
}

void Testbed::addUdevDatabaseEntry(const std::string& name, const std::string& record) {
    const std::string dir = (systemUdevDatabase() ? std::string() : rootDir()) + "/run/udev/data";
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/" + name) << record;
}

std::string Testbed::sysPath(const std::string& address) {
    return "/sys/devices/pci0000:00/" + address;
}

std::string Testbed::filePath(const std::string& address, const std::string& attribute) const {
    return rootDir() + sysPath(address) + "/" + attribute;
}

namespace {

std::string slurp(int fd) {
    std::string text;
    char buffer[4096];
    lseek(fd, 0, SEEK_SET);
    for (ssize_t got; (got = read(fd, buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<size_t>(got));
    return text;
}

int tempFile() {
    char name[] = "/tmp/mlx4-test-output-XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0)
        throw std::runtime_error(std::string("mkstemp: ") + strerror(errno));
    unlink(name);
    return fd;
}

// Starts argv with its output in temporary files; with `umockdev`, under umockdev's preload
// (after `preloadFirst`, if any).
StartedProgram startProgram(const std::vector<std::string>& argv,
                            const std::vector<std::string>& extraEnv, bool umockdev,
                            const std::string& preloadFirst, int stdinFd) {
    StartedProgram program;
    program.outFd = tempFile();
    program.errFd = tempFile();
    program.pid = fork();
    if (program.pid < 0)
        throw std::runtime_error(std::string("fork: ") + strerror(errno));
    if (program.pid == 0) {
        dup2(program.outFd, 1);
        dup2(program.errFd, 2);
        int in = stdinFd >= 0 ? stdinFd : open("/dev/null", O_RDONLY);
        if (in >= 0 && in != 0) {
            dup2(in, 0);
            close(in);
        }
        // umockdev's preload must come before whatever else this process was started with; a
        // fault shim goes in front of it, to see the paths the program asked for.
        if (umockdev) {
            const char* outer = std::getenv("LD_PRELOAD");
            std::string preload = preloadFirst.empty() ? "" : preloadFirst + ":";
            preload += "libumockdev-preload.so.0";
            if (outer && *outer)
                preload += std::string(":") + outer;
            setenv("LD_PRELOAD", preload.c_str(), 1);
        }
        for (const std::string& assignment : extraEnv)
            putenv(const_cast<char*>(assignment.c_str()));
        alarm(60); // survives exec
        std::vector<char*> args;
        for (const std::string& arg : argv)
            args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        std::fprintf(stderr, "exec %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    return program;
}

} // namespace

StartedProgram startWithPreload(const std::vector<std::string>& argv,
                                const std::vector<std::string>& extraEnv,
                                const std::string& preloadFirst, int stdinFd) {
    return startProgram(argv, extraEnv, true, preloadFirst, stdinFd);
}

RunResult runPlain(const std::vector<std::string>& argv) {
    StartedProgram program = startProgram(argv, {}, false, "", -1);
    return finish(program);
}

RunResult finish(StartedProgram& program) {
    int status = 0;
    while (waitpid(program.pid, &status, 0) < 0 && errno == EINTR) {
    }
    RunResult result;
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = slurp(program.outFd);
    result.err = slurp(program.errFd);
    close(program.outFd);
    close(program.errFd);
    if (program.terminalFd >= 0)
        close(program.terminalFd);
    program = StartedProgram{};
    return result;
}

RunResult runWithPreload(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extraEnv,
                         const std::string& preloadFirst) {
    StartedProgram program = startWithPreload(argv, extraEnv, preloadFirst);
    return finish(program);
}

} // namespace mlx4::test
