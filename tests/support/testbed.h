// SPDX-License-Identifier: GPL-2.0-or-later
// Test devices in the project's own words: mlx4 cards on a umockdev testbed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

typedef struct _UMockdevTestbed UMockdevTestbed;

namespace mlx4::test {

// What the kernel adds to an event written to a device's uevent file (coldplug, udevadm trigger):
// lib/kobject_uevent.c, kobject_synth_uevent(), since 4.13; "0" when the writer gave no UUID.
const std::vector<std::string> kSyntheticEvent = {"SYNTH_UUID=0"};

// Under a testbed's root: per card with the kernel model behind its port files, the file that
// names the card's options and keeps the driver's state (kernel_card.h, tests/kernel/kernel_shim).
constexpr const char* kKernelCardDir = "mlx4-kernel";

// One card, built in the tests' words: CardSpec("0000:05:00.0", {"ib", "eth"}), then any field
// that differs from an MHQH29B bound to mlx4_core set by name.
struct CardSpec {
    CardSpec() = default;
    explicit CardSpec(std::string pciAddress, std::vector<std::string> portTypes = {"ib", "ib"},
                      unsigned pciDevice = 0x673c)
        : address(std::move(pciAddress)), ports(std::move(portTypes)), device(pciDevice) {}

    std::string address;                        // "0000:05:00.0"
    std::vector<std::string> ports{"ib", "ib"}; // what mlx4_port<N> reads, without the newline;
                                                // empty: the driver has not created the files yet
    unsigned vendor = 0x15b3;
    unsigned device = 0x673c;         // MT26428 ConnectX-2 VPI (MHQH29B)
    std::string driver = "mlx4_core"; // empty: no driver bound
    std::string driverOverride;       // the driver_override attribute; empty: "(null)", none
    bool readOnly = false;            // port files 0444, as in multi-function mode
    // The kernel model behind the port files, for programs run with the kernel shim: the words
    // of kernel_card.h's card: line beyond device= ("dpdp sense links=eth,-", "no-dpdp",
    // "dpdp firmware-fails-port=1"). Empty: plain testbed files, which keep whatever is
    // written. Only for a card bound to mlx4_core.
    std::string kernel = "dpdp";
    // Binary attributes (card_bytes.h builds them); empty: the file is absent.
    std::string config; // config space
    std::string vpd;    // Vital Product Data
    // The InfiniBand device mlx4_ib registers under the card (infiniband/<name>/); empty
    // ibDevice: none.
    std::string ibDevice; // "mlx4_0"
    std::string nodeGuid = "0002:c903:000c:c89a";
    std::string boardId = "MT_0D80110009"; // the PSID of MHQH29B-XTR
    std::string firmware = "2.9.1000";
};

// A network device of a card, as mlx4_en (or IPoIB) registers it: net/<name>/ under the card.
struct NetdevSpec {
    std::string name = "enp5s0";
    std::optional<int> devPort = 0; // dev_port; nullopt: no such file (kernels before 3.15)
    std::string devId = "0x0";      // dev_id as the kernel prints it (hex)
    int type = 1;                   // ARPHRD_ETHER; 32 for IPoIB
    std::string operstate = "up";
    // What `speed` reads; nullopt: reading it fails, as the kernel's does while the interface is
    // not running (the testbed makes it a directory, whose read() fails with EISDIR).
    std::optional<std::string> speed = "10000";
    std::string address = "00:02:c9:0c:c8:9a";
    std::string master;                // a bridge or bond it is a port of; empty: none
    std::string masterKind = "bridge"; // "bridge" or "bond"
    std::vector<std::string> vlans;    // interfaces stacked on it (enp5s0.100)
};

// A port of the card's InfiniBand device: infiniband/<device>/ports/<port>/.
struct IbPortSpec {
    int port = 1;
    std::string state = "4: ACTIVE";
    std::string physState = "5: LinkUp";
    std::string rate = "40 Gb/sec (4X QDR)";
    std::string linkLayer = "InfiniBand";
};

// The umockdev record (P:/E:/A:/L: lines) of one card, for umockdev_testbed_add_from_string()
// or a file given to `umockdev-run --device`.
std::string umockdevRecord(const CardSpec& card);

// A umockdev testbed holding cards. Creating one sets UMOCKDEV_DIR in this process's
// environment, so programs started with the umockdev preload library see it.
class Testbed {
public:
    Testbed();
    ~Testbed();
    Testbed(const Testbed&) = delete;
    Testbed& operator=(const Testbed&) = delete;

    void addCard(const CardSpec& card);
    // What the driver does at probe: create the port files, then the driver link.
    void bindDriver(const std::string& address, const std::vector<std::string>& ports);
    // What unbinding does: the port files and the driver link go away.
    void unbindDriver(const std::string& address);
    // Sends a uevent ("add", "bind", "change", ...) for the card to preloaded processes, with the
    // card's own properties and, for this event only, `extraProperties` ("NAME=value"). Real
    // hotplug events carry no extra property; synthetic ones carry kSyntheticEvent.
    void uevent(const std::string& address, const std::string& action,
                const std::vector<std::string>& extraProperties = {});
    // Adds properties ("NAME=value") to the card's own, as its uevent file reports them: what
    // `udevadm test` sees, and every later uevent carries.
    void addUeventProperties(const std::string& address,
                             const std::vector<std::string>& properties);

    // The card's interfaces (plain files and links in the testbed; no udev records).
    void addNetdev(const std::string& address, const NetdevSpec& netdev);
    void removeNetdev(const std::string& address, const std::string& name);
    void addIbPort(const std::string& address, const std::string& ibDevice, const IbPortSpec& port);
    void addVerbsDevice(const std::string& address, const std::string& name); // "uverbs0"
    // A virtual netdev (/sys/devices/virtual/net/<name>/); kind "bridge" and "bond" get the
    // directory of settings the kernel gives them.
    void addVirtualNetdev(const std::string& name, const std::string& kind);
    // Puts `upper` (a virtual netdev, made if missing) on the netdev at `lowerSysPath`: an
    // upper_<upper> link, and a master link when `asMaster`.
    void stackNetdev(const std::string& lowerSysPath, const std::string& upper, bool asMaster,
                     const std::string& kind = "vlan");
    static std::string netdevSysPath(const std::string& address, const std::string& name);
    static std::string virtualNetdevSysPath(const std::string& name);
    // A loaded module: /sys/module/<name>/.
    void loadModule(const std::string& name);

    // Port file contents as stored in the testbed (read directly, not through the preload).
    std::string readPort(const std::string& address, int port) const;
    std::string readAttribute(const std::string& address, const std::string& name) const;
    void setPort(const std::string& address, int port, const std::string& value);
    bool hasPort(const std::string& address, int port) const;

    // The card file of a card added with a kernel (CardSpec::kernel).
    std::string kernelCardPath(const std::string& address) const;

    // Records `record` (udevd's database format: "I:<usec>", "E:KEY=value" lines) as udev's
    // database entry `name` ("+pci:0000:05:00.0", "n7"): what udevd writes once it has processed
    // the device's event. umockdev from 0.17.18 on has the programs it runs read the database
    // from the testbed (umockdev commit 4ee8c5c, "preload: Don't read udev cache data from
    // system"), and the entry goes there; older ones read the system's /run/udev/data, which
    // only a test in a private mount namespace with a /run of its own may write
    // (systemUdevDatabase()).
    void addUdevDatabaseEntry(const std::string& name, const std::string& record);
    // Whether this umockdev leaves udev's database to the system's /run/udev/data.
    static bool systemUdevDatabase();

    std::string rootDir() const;                            // the testbed's directory
    static std::string sysPath(const std::string& address); // "/sys/devices/pci0000:00/<address>"
    std::string filePath(const std::string& address, const std::string& attribute) const;

    UMockdevTestbed* raw() const { return bed_; }

private:
    // Writes the card file with the card's options and no state: the driver probed the card.
    void probeKernel(const std::string& address);

    UMockdevTestbed* bed_;
    std::map<std::string, std::pair<std::string, unsigned>> kernels_; // address: options, device
};

struct RunResult {
    int status = -1; // exit status, or 128+signal
    std::string out;
    std::string err;
};

// A program started by startWithPreload(); finish() waits for it and collects its output.
struct StartedProgram {
    int pid = -1;
    int outFd = -1; // temporary files its stdout and stderr go to
    int errFd = -1;
    int terminalFd = -1; // the other side of its terminal, if it got one; closed by finish()
};

// Starts argv with LD_PRELOAD = [preloadFirst:]libumockdev-preload.so.0[:this process's own
// preload], so it sees the testbed of this process, and with `extraEnv` ("NAME=value") added.
// After 60 s it gets SIGALRM: a hang fails its test instead of stalling the suite. Its stdin
// is `stdinFd`, or /dev/null (never the terminal the tests may run at: the helper asks more of
// an admin at a terminal).
StartedProgram startWithPreload(const std::vector<std::string>& argv,
                                const std::vector<std::string>& extraEnv = {},
                                const std::string& preloadFirst = {}, int stdinFd = -1);
// Runs argv as it is, without umockdev's preload (a tool of the test: ip, sshd, sudo); killed
// after 60 s.
RunResult runPlain(const std::vector<std::string>& argv);
RunResult finish(StartedProgram& program);

// startWithPreload() and finish() in one.
RunResult runWithPreload(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extraEnv = {},
                         const std::string& preloadFirst = {});

} // namespace mlx4::test
