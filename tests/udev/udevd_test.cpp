// SPDX-License-Identifier: GPL-2.0-or-later
// End to end: the real systemd-udevd, the project's rule and the built helper, driven by uevents
// from a umockdev testbed. udevd runs with the umockdev preload in a private mount namespace: its
// "kernel" uevent socket is a socket in the testbed directory, /sys is the testbed, and the
// system's rules, /run, /sys and /dev are hidden from it.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "test_text.h"
#include "testbed.h"
#include "udev_sandbox.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <glob.h>
#include <set>
#include <sstream>
#include <string>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

// From CMake: the build-tree copy of the rule (RUN names the built helper), the helper's
// compiled-in configuration directory, and systemd-udevd.
#ifndef MLX4_RULE_BUILD_TREE
#error "MLX4_RULE_BUILD_TREE must name the build-tree rule"
#endif

namespace fs = std::filesystem;
using namespace mlx4::test;
using namespace std::chrono_literals;

namespace {

const std::string kCard1 = "0000:05:00.0";
const std::string kCard2 = "0000:06:00.0";

// How long udevd may take for one event; the helper on plain files needs milliseconds.
constexpr auto kEventTimeout = 30s;

// The processes whose parent is `pid`.
std::vector<pid_t> childrenOf(pid_t pid) {
    std::vector<pid_t> children;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream in(entry.path() / "stat");
        std::string stat;
        std::getline(in, stat);
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so start after the
        // last ')'.
        std::size_t close = stat.rfind(')');
        if (close == std::string::npos)
            continue;
        std::istringstream fields(stat.substr(close + 1));
        std::string state;
        pid_t parent = 0;
        fields >> state >> parent;
        if (parent == pid)
            children.push_back(std::stoi(name));
    }
    return children;
}

// Inodes of the sockets `pid` holds.
std::set<std::string> socketInodes(pid_t pid) {
    std::set<std::string> inodes;
    for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        std::error_code ec;
        std::string target = fs::read_symlink(entry.path(), ec).string();
        if (!ec && target.rfind("socket:[", 0) == 0)
            inodes.insert(target.substr(8, target.size() - 9));
    }
    return inodes;
}

// Inodes of all NETLINK_KOBJECT_UEVENT (protocol 15) sockets: the kernel's uevent channel.
std::set<std::string> kernelUeventSocketInodes() {
    std::set<std::string> inodes;
    std::ifstream in("/proc/net/netlink");
    std::string header;
    std::getline(in, header);
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string sk, protocol, pid, groups, rmem, wmem, dump, locks, drops, inode;
        fields >> sk >> protocol >> pid >> groups >> rmem >> wmem >> dump >> locks >> drops >>
            inode;
        if (protocol == "15")
            inodes.insert(inode);
    }
    return inodes;
}

// Reads what the helper sends to syslog: a datagram socket on the sandbox's private /dev/log.
class SyslogCapture {
public:
    SyslogCapture() {
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strcpy(address.sun_path, "/dev/log");
        REQUIRE_MESSAGE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0,
                        "bind /dev/log: ", std::strerror(errno));
    }
    ~SyslogCapture() { close(fd_); }
    SyslogCapture(const SyslogCapture&) = delete;
    SyslogCapture& operator=(const SyslogCapture&) = delete;

    // Messages received so far, oldest first.
    const std::vector<std::string>& messages() {
        char buffer[8192];
        for (ssize_t got; (got = recv(fd_, buffer, sizeof buffer, 0)) > 0;)
            messages_.emplace_back(buffer, static_cast<size_t>(got));
        return messages_;
    }

private:
    int fd_ = -1;
    std::vector<std::string> messages_;
};

// Port file contents and modification times: equal snapshots mean nothing was written.
struct PortSnapshot {
    std::vector<std::string> contents;
    std::vector<long long> mtimes;
    bool operator==(const PortSnapshot& other) const {
        return contents == other.contents && mtimes == other.mtimes;
    }
};

// The real systemd-udevd with the umockdev preload, logging at debug level into a file.
class Udevd {
public:
    explicit Udevd(const std::string& logPath) {
        if (access(SYSTEMD_UDEVD, X_OK) != 0)
            skipTest(std::string(SYSTEMD_UDEVD) + " is missing (package udev)");
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            // udevd must not outlive the test, even one killed by ctest's timeout.
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            int log = open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2(log, 1);
            dup2(log, 2);
            // UMOCKDEV_DIR is already in the environment: the Testbed set it.
            setenv("LD_PRELOAD", "libumockdev-preload.so.0", 1);
            execl(SYSTEMD_UDEVD, SYSTEMD_UDEVD, "--debug", static_cast<char*>(nullptr));
            _exit(127);
        }
        waitUntilReady();
    }

    ~Udevd() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    Udevd(const Udevd&) = delete;
    Udevd& operator=(const Udevd&) = delete;

    pid_t pid() const { return pid_; }

    // SIGTERM is udevd's clean shutdown; it must exit 0 within a few seconds.
    void stop() {
        REQUIRE(kill(pid_, SIGTERM) == 0);
        int status = 0;
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (waitpid(pid_, &status, WNOHANG) == 0) {
            REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                            "systemd-udevd did not exit within 10 s of SIGTERM");
            std::this_thread::sleep_for(20ms);
        }
        pid_ = -1;
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }

private:
    // udevd answers a ping on its control socket once its event loop runs; by then its uevent
    // socket is bound.
    void waitUntilReady() {
        auto deadline = std::chrono::steady_clock::now() + 10s;
        for (;;) {
            int status = 0;
            REQUIRE_MESSAGE(waitpid(pid_, &status, WNOHANG) == 0, "systemd-udevd exited early");
            if (system("udevadm control --ping --timeout=1 >/dev/null 2>&1") == 0)
                return;
            REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                            "systemd-udevd did not answer a ping within 10 s");
            std::this_thread::sleep_for(50ms);
        }
    }

    pid_t pid_ = -1;
};

// One uevent: the card, the action and properties beyond the card's own.
struct Event {
    std::string address;
    std::string action;
    std::vector<std::string> properties = {};
};

// A sandbox holding the project's rule (build-tree copy), two test-only rules, a configuration
// directory shown where the helper looks by default, and a testbed.
class UdevdBench {
public:
    UdevdBench() : sandbox_(), tmp_(), bed_() {
        shareUdevRuntimeDirectory();
        fs::create_directories(configDir());
        fs::create_directories(tmp_.path() + "/locks");
        mountDirectoryAt(configDir(), MLX4_CONFIG_DIR, tmp_.path() + "/overlay");

        installRule("90-mlx4-porttype.rules", readFile(MLX4_RULE_BUILD_TREE));
        // RUN programs get the device's properties as their whole environment: without these
        // the helper would not see the testbed, nor the kernel model behind its port files.
        installRule("00-mlx4-test-environment.rules",
                    "SUBSYSTEM==\"pci\", ENV{UMOCKDEV_DIR}=\"" + bed_.rootDir() +
                        "\", ENV{LD_PRELOAD}=\"" MLX4_KERNEL_SHIM ":libumockdev-preload.so.0\", "
                        "ENV{MLX4_PORTTYPE_RUN_DIR}=\"" +
                        tmp_.path() + "/locks\", ENV{ASAN_OPTIONS}=\"verify_asan_link_order=0\"\n");
        // RUN programs run in order, so this line appears once the helper is done with the event.
        installRule("99-mlx4-test-event-done.rules",
                    "SUBSYSTEM==\"pci\", RUN+=\"/bin/sh -c 'echo $env{ACTION} $kernel >>" +
                        eventsFile() + "'\"\n");
    }

    Testbed& bed() { return bed_; }

    void writeConfig(const std::string& json) { writeFile(configDir() + "/config.json", json); }

    void startUdevd() {
        udevd_ = std::make_unique<Udevd>(udevdLogPath());
        checkSeesNoKernelEvents();
    }

    void stopUdevd() {
        udevd_->stop();
        udevd_.reset();
    }

    // Sends uevents and returns once udevd has run every program for them.
    //
    // umockdev delivers a testbed uevent to every uevent socket of a preloaded process, and every
    // udevd worker has one too (the manager creates it for the worker, through the preload). A
    // worker alive while an event is sent would handle that event by itself, besides the worker
    // the manager picks; and the manager cannot pass an event to an idle worker (its netlink
    // unicast fails with EINVAL on the Unix socket, and it kills that worker). So no worker may
    // exist while events are sent: the exec queue stays stopped until the manager has queued all
    // of them, and the workers are sent away once they are done.
    void events(const std::vector<Event>& list) {
        control("--stop-exec-queue", "(STOP_EXEC_QUEUE)");
        for (const Event& event : list) {
            bed_.uevent(event.address, event.action, event.properties);
            ++sent_;
        }
        waitFor("udevd to queue the events",
                [&] { return countInLog("Device is queued") == sent_; });
        control("--start-exec-queue", "(START_EXEC_QUEUE)");
        waitFor("udevd to finish the events", [&] { return eventsDone().size() >= sent_; });
        REQUIRE(eventsDone().size() == sent_);
        // udevd stops its workers whenever a global property is set or unset (on_ctrl_msg,
        // SET_ENV); unsetting one that was never set changes nothing else. --reload would keep
        // them, as no rule changed.
        control("--property=MLX4_TEST_STOP_WORKERS=", "(ENV), unsetting 'MLX4_TEST_STOP_WORKERS'");
        waitFor("udevd's workers to exit", [&] { return childrenOf(udevd_->pid()).empty(); });
    }

    void event(const std::string& address, const std::string& action,
               const std::vector<std::string>& properties = {}) {
        events({{address, action, properties}});
    }

    // The coldplug replay at boot and `udevadm trigger`: the kernel marks them with SYNTH_UUID.
    void syntheticEvent(const std::string& address, const std::string& action) {
        event(address, action, kSyntheticEvent);
    }

    // "ACTION kernel-name" for every event udevd finished.
    std::vector<std::string> eventsDone() const {
        std::error_code ec;
        if (!fs::exists(eventsFile(), ec))
            return {};
        return lines(readFile(eventsFile()));
    }

    std::string udevdLog() const { return readFile(udevdLogPath()); }

    // udevd's debug log lines about starting the helper for `address`.
    std::vector<std::string> helperRuns(const std::string& address) const {
        std::vector<std::string> runs;
        for (const std::string& line : lines(udevdLog()))
            if (contains(line, "Running command") &&
                contains(line, MLX4_HELPER_BUILT " --syslog apply " + address))
                runs.push_back(line);
        return runs;
    }

    // udevd's warnings about programs that failed (non-zero exit, signal, timeout), one a line.
    std::string failures() const {
        std::string result;
        for (const std::string& line : lines(udevdLog()))
            if (contains(line, "failed with exit code") || contains(line, "terminated by signal") ||
                contains(line, "timed out"))
                result += line + "\n";
        return result;
    }

    std::vector<std::string> ports(const std::string& address) const {
        std::vector<std::string> result;
        for (int port = 1; bed_.hasPort(address, port); ++port)
            result.push_back(bed_.readPort(address, port));
        return result;
    }

    PortSnapshot snapshot(const std::string& address) const {
        PortSnapshot shot;
        for (int port = 1; bed_.hasPort(address, port); ++port) {
            struct stat st {};
            stat(bed_.filePath(address, "mlx4_port" + std::to_string(port)).c_str(), &st);
            shot.contents.push_back(bed_.readPort(address, port));
            shot.mtimes.push_back(static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL +
                                  st.st_mtim.tv_nsec);
        }
        return shot;
    }

private:
    std::string configDir() const { return tmp_.path() + "/config"; }
    std::string eventsFile() const { return tmp_.path() + "/events-done"; }
    std::string udevdLogPath() const { return tmp_.path() + "/udevd.log"; }

    // Sends a control message until udevd logs "Received udev control message ..." with
    // `logged` in it. udevd 252 turns on SO_PASSCRED on a control connection only after accepting
    // it, so a message that comes first has no credentials and is dropped ("Invalid sender uid
    // 65534, ignoring message") while udevadm still succeeds. The messages used here can be
    // repeated safely.
    void control(const std::string& option, const std::string& logged) {
        const std::string command = "udevadm control " + option;
        for (int attempt = 1;; ++attempt) {
            size_t before = countInLog("Received udev control message " + logged);
            // udevadm returns once udevd has handled (or dropped) the message.
            REQUIRE_MESSAGE(std::system(command.c_str()) == 0, command, " failed");
            if (countInLog("Received udev control message " + logged) > before)
                return;
            REQUIRE_MESSAGE(attempt < 10, "udevd ignored `", command, "` ", attempt,
                            " times; its log:\n", udevdLog());
        }
    }

    size_t countInLog(const std::string& text) const {
        size_t count = 0;
        for (const std::string& line : lines(udevdLog()))
            count += contains(line, text) ? 1 : 0;
        return count;
    }

    template <typename Condition> void waitFor(const std::string& what, Condition done) {
        auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
        while (!done()) {
            REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "timed out waiting for ",
                            what, "; udevd's log:\n", udevdLog());
            std::this_thread::sleep_for(20ms);
        }
    }

    // umockdev sends a preloaded process's opens below /run/udev to the testbed's run/udev, but
    // not every other call that takes a path: systemd 257's udevd writes its database to a
    // temporary file it opens (redirected) and renames (not redirected) into place, which fails
    // with ENOENT and drops the event before its RUN programs. Making the testbed's run/udev the
    // sandbox's private /run/udev gives both the same directory. No effect on systemd 252.
    void shareUdevRuntimeDirectory() {
        const std::string inBed = bed_.rootDir() + "/run/udev";
        fs::create_directories(inBed);
        fs::create_directories("/run/udev");
        REQUIRE_MESSAGE(mount("/run/udev", inBed.c_str(), nullptr, MS_BIND, nullptr) == 0,
                        "bind mount /run/udev on ", inBed, ": ", std::strerror(errno));
        runUdevInBed_.path = inBed;
    }

    // Unmounts before the testbed removes its directory.
    struct Unmount {
        std::string path;
        ~Unmount() {
            if (!path.empty())
                umount2(path.c_str(), MNT_DETACH);
        }
    };

    // udevd must hear uevents only from the testbed: umockdev's preload turns its
    // NETLINK_KOBJECT_UEVENT socket into a Unix socket named event<fd> in the testbed directory.
    void checkSeesNoKernelEvents() {
        std::set<std::string> kernel = kernelUeventSocketInodes();
        for (const std::string& inode : socketInodes(udevd_->pid()))
            CHECK_MESSAGE(kernel.count(inode) == 0,
                          "systemd-udevd holds a kernel uevent socket, inode ", inode);
        glob_t found{};
        std::string pattern = bed_.rootDir() + "/event[0-9]*";
        CHECK_MESSAGE(glob(pattern.c_str(), 0, nullptr, &found) == 0,
                      "systemd-udevd did not bind a uevent socket in the testbed");
        globfree(&found);
    }

    struct Sandbox {
        Sandbox() { enterUdevSandbox(); }
    };
    Sandbox sandbox_; // first: everything else lives inside the namespace
    TempDir tmp_;
    Testbed bed_;
    Unmount runUdevInBed_; // after bed_: undone before the testbed goes
    std::unique_ptr<Udevd> udevd_;
    size_t sent_ = 0;
};

using Ports = std::vector<std::string>;

} // namespace

TEST_CASE("hotplug: the add before the probe changes nothing, the bind applies the configuration") {
    UdevdBench bench;
    bench.writeConfig(R"({"cards": {")" + kCard1 + R"(": ["eth", "eth"]}})");
    CardSpec spec(kCard1, {});
    spec.driver.clear();
    bench.bed().addCard(spec);
    bench.startUdevd();

    bench.event(kCard1, "add");
    CHECK(bench.helperRuns(kCard1).empty());
    CHECK(bench.failures() == "");
    CHECK(bench.ports(kCard1).empty());

    bench.bed().bindDriver(kCard1, {"ib", "ib"});
    bench.event(kCard1, "bind");
    CHECK(bench.helperRuns(kCard1).size() == 1);
    CHECK(bench.failures() == "");
    CHECK(bench.ports(kCard1) == Ports{"eth\n", "eth\n"});

    bench.stopUdevd();
    CHECK(bench.eventsDone() == std::vector<std::string>{"add " + kCard1, "bind " + kCard1});
}

TEST_CASE("coldplug: an add for a card the driver already holds applies the configuration") {
    UdevdBench bench;
    bench.writeConfig(R"({"cards": {")" + kCard1 + R"(": ["eth", "ib"]}})");
    bench.bed().addCard(CardSpec(kCard1));
    bench.startUdevd();

    bench.syntheticEvent(kCard1, "add");
    CHECK(bench.helperRuns(kCard1).size() == 1);
    CHECK(bench.failures() == "");
    CHECK(bench.ports(kCard1) == Ports{"eth\n", "ib\n"});
    bench.stopUdevd();
}

TEST_CASE("a target the kernel refuses: bind tries it once and puts the card back, change "
          "events leave it") {
    UdevdBench bench;
    bench.writeConfig(R"({"cards": {")" + kCard1 + R"(": ["eth", "ib"]}})");
    CardSpec card(kCard1);
    card.kernel = "no-dpdp"; // "Only same port types supported on this HCA"
    bench.bed().addCard(card);
    bench.startUdevd();

    bench.event(kCard1, "bind");
    CHECK(bench.helperRuns(kCard1).size() == 1);
    CHECK(contains(bench.failures(), "failed with exit code 1"));
    CHECK(bench.ports(kCard1) == Ports{"ib\n", "ib\n"});
    // The helper's restore cleared what the refused writes left staged in the driver.
    CHECK(contains(readFile(bench.bed().kernelCardPath(kCard1)), "staged=-"));
    CHECK_FALSE(contains(readFile(bench.bed().kernelCardPath(kCard1)), "staged=eth"));

    PortSnapshot before = bench.snapshot(kCard1);
    bench.syntheticEvent(kCard1, "change");
    CHECK(bench.helperRuns(kCard1).size() == 2);
    CHECK(bench.snapshot(kCard1) == before); // not tried again: nothing written
    bench.stopUdevd();
}

TEST_CASE("a real add while the driver probes and a kernel change run nothing, bind applies") {
    UdevdBench bench;
    bench.writeConfig(R"({"cards": {")" + kCard1 + R"(": ["eth", "eth"]}})");
    // The driver link is already there while mlx4_core probes, and the port files are being made.
    bench.bed().addCard(CardSpec(kCard1, {"ib"}));
    bench.startUdevd();

    PortSnapshot before = bench.snapshot(kCard1);
    bench.event(kCard1, "add");
    bench.event(kCard1, "change", {"ERROR_EVENT=BEGIN_RECOVERY"});
    CHECK(bench.helperRuns(kCard1).empty());
    CHECK(bench.snapshot(kCard1) == before);

    // The probe finishes: the second port file appears, then the driver core sends bind.
    bench.bed().setPort(kCard1, 2, "ib");
    bench.event(kCard1, "bind");
    CHECK(bench.helperRuns(kCard1).size() == 1);
    CHECK(bench.failures() == "");
    CHECK(bench.ports(kCard1) == Ports{"eth\n", "eth\n"});
    bench.stopUdevd();
    CHECK(bench.eventsDone() ==
          std::vector<std::string>{"add " + kCard1, "change " + kCard1, "bind " + kCard1});
}

TEST_CASE("change after editing the configuration applies the new configuration") {
    UdevdBench bench;
    bench.writeConfig(R"({"cards": {")" + kCard1 + R"(": ["ib", "ib"]}})");
    bench.bed().addCard(CardSpec(kCard1));
    bench.startUdevd();

    // In sync: the helper runs and writes nothing.
    PortSnapshot before = bench.snapshot(kCard1);
    bench.syntheticEvent(kCard1, "change");
    CHECK(bench.helperRuns(kCard1).size() == 1);
    CHECK(bench.snapshot(kCard1) == before);

    bench.writeConfig(R"({"default": "eth"})");
    bench.syntheticEvent(kCard1, "change");
    CHECK(bench.helperRuns(kCard1).size() == 2);
    CHECK(bench.failures() == "");
    CHECK(bench.ports(kCard1) == Ports{"eth\n", "eth\n"});
    bench.stopUdevd();
}

TEST_CASE("rebind: unbind then bind applies the configuration again") {
    UdevdBench bench;
    bench.writeConfig(R"({"cards": {")" + kCard1 + R"(": ["eth", "eth"]}})");
    bench.bed().addCard(CardSpec(kCard1, {"eth", "eth"}, 0x1003));
    bench.startUdevd();

    bench.bed().unbindDriver(kCard1);
    bench.event(kCard1, "unbind");
    CHECK(bench.helperRuns(kCard1).empty());
    CHECK(bench.ports(kCard1).empty());

    // A fresh probe starts from the firmware's default types.
    bench.bed().bindDriver(kCard1, {"ib", "ib"});
    bench.event(kCard1, "bind");
    CHECK(bench.helperRuns(kCard1).size() == 1);
    CHECK(bench.failures() == "");
    CHECK(bench.ports(kCard1) == Ports{"eth\n", "eth\n"});
    bench.stopUdevd();
}

TEST_CASE("two cards at once: each gets its own configuration") {
    UdevdBench bench;
    bench.writeConfig(R"({"cards": {")" + kCard1 + R"(": ["eth", "eth"], ")" + kCard2 +
                      R"(": ["ib", "eth"]}})");
    bench.bed().addCard(CardSpec(kCard1));
    bench.bed().addCard(CardSpec(kCard2, {"ib", "ib"}, 0x1003));
    bench.startUdevd();

    // Both queued before udevd handles either: unrelated devices are handled in parallel.
    bench.events({{kCard1, "bind"}, {kCard2, "bind"}});
    CHECK(bench.helperRuns(kCard1).size() == 1);
    CHECK(bench.helperRuns(kCard2).size() == 1);
    CHECK(bench.failures() == "");
    CHECK(bench.ports(kCard1) == Ports{"eth\n", "eth\n"});
    CHECK(bench.ports(kCard2) == Ports{"ib\n", "eth\n"});
    bench.stopUdevd();
}

TEST_CASE("invalid configuration: nothing is written and the reason goes to syslog") {
    UdevdBench bench;
    SyslogCapture syslog;
    bench.writeConfig(R"({"cards": {")" + kCard1 + R"(": ["eth", "ethernet"]}})");
    bench.bed().addCard(CardSpec(kCard1));
    bench.startUdevd();

    PortSnapshot before = bench.snapshot(kCard1);
    bench.event(kCard1, "bind");
    CHECK(bench.helperRuns(kCard1).size() == 1);
    CHECK(bench.snapshot(kCard1) == before);

    // Exit code 2 is the helper's "usage or configuration error"; udevd reports it as a warning.
    std::vector<std::string> failures = lines(bench.failures());
    REQUIRE(failures.size() == 1);
    CHECK(contains(failures[0], "failed with exit code 2"));

    std::string logged;
    for (const std::string& message : syslog.messages())
        if (contains(message, "mlx4-porttype"))
            logged += message + "\n";
    INFO("syslog:\n", logged);
    CHECK(contains(logged, "ethernet"));
    bench.stopUdevd();
}

int main(int argc, char** argv) {
    runUnderUmockdevPreload(argv);
    return doctest::Context(argc, argv).run();
}
