// SPDX-License-Identifier: GPL-2.0-or-later
// The guard against cutting the host's network, through the built helper, in a private network
// namespace: a real sshd, a real ssh client in a second namespace, a real sudo with the
// system's sudoers (Debian's default: env_reset), with and without a terminal, and real routes.
//
// How the card carries the session: the card is a umockdev testbed card whose netdev (or an
// interface stacked on it) is named like a real veth of the namespace. The helper reads the
// card's netdevs and what rests on them from the testbed's sysfs, and everything else from the
// real kernel of its namespace: the veth's address (getifaddrs), sshd's sockets (/proc), the
// routes (rtnetlink). So an SSH connection to the veth's address is a session over the card.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "machine.h"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace mlx4::test;

namespace {

const std::string kLabel = "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";
constexpr int kSkip = 77; // ctest's SKIP_RETURN_CODE for this program
const char* const kSshd = "/usr/sbin/sshd";
const char* const kSudo = "/usr/bin/sudo";

[[noreturn]] void skipTest(const std::string& why) {
    std::fprintf(stderr, "SKIP: %s\n", why.c_str());
    std::fflush(nullptr);
    std::_Exit(kSkip);
}

void shell(const std::string& command) {
    RunResult r = runPlain({"/bin/sh", "-ec", command});
    INFO(command << "\n" << r.out << r.err);
    REQUIRE(r.status == 0);
}

// This process in a network namespace of its own (the "host"), and a second one for the SSH
// client, linked by veth pairs. Everything goes when the test's process ends.
class NetworkSandbox {
public:
    NetworkSandbox() {
        if (geteuid() != 0)
            skipTest("needs root: a private network namespace, sshd and sudo");
        if (unshare(CLONE_NEWNET) != 0)
            skipTest(std::string("no private network namespace: ") + strerror(errno));
        shell("ip link set lo up");
        int ready[2];
        REQUIRE(pipe(ready) == 0);
        clientPid_ = fork();
        if (clientPid_ == 0) {
            close(ready[0]);
            if (unshare(CLONE_NEWNET) != 0)
                _exit(1);
            (void)!write(ready[1], "x", 1);
            for (;;)
                pause();
        }
        close(ready[1]);
        char byte = 0;
        REQUIRE(read(ready[0], &byte, 1) == 1);
        close(ready[0]);
        inClient("ip link set lo up");
    }
    ~NetworkSandbox() {
        kill(clientPid_, SIGKILL);
        waitpid(clientPid_, nullptr, 0);
    }
    NetworkSandbox(const NetworkSandbox&) = delete;
    NetworkSandbox& operator=(const NetworkSandbox&) = delete;

    // A veth pair: `name` here with `address`/24, its peer in the client's namespace with
    // `clientAddress`/24.
    void link(const std::string& name, const std::string& address,
              const std::string& clientAddress) {
        shell("ip link add " + name + " type veth peer name " + name + "c netns " +
              std::to_string(clientPid_));
        shell("ip addr add " + address + "/24 dev " + name + " && ip link set " + name + " up");
        inClient("ip addr add " + clientAddress + "/24 dev " + name + "c && ip link set " + name +
                 "c up");
    }
    void inClient(const std::string& command) {
        shell("nsenter -t " + std::to_string(clientPid_) + " -n /bin/sh -ec '" + command + "'");
    }
    // argv run in the client's namespace.
    std::vector<std::string> clientCommand(std::vector<std::string> argv) const {
        argv.insert(argv.begin(), {"nsenter", "-t", std::to_string(clientPid_), "-n"});
        return argv;
    }

private:
    pid_t clientPid_ = -1;
};

// OpenSSH's sshd in the host's namespace, root allowed in with a key, and ssh from the client's.
class SshServer {
public:
    SshServer(NetworkSandbox& net, const std::vector<std::string>& listen) : net_(net) {
        if (access(kSshd, X_OK) != 0 || access(kSudo, X_OK) != 0)
            skipTest("needs openssh-server and sudo (tests/provision installs them)");
        char name[] = "/tmp/mlx4-sshd-XXXXXX";
        REQUIRE(mkdtemp(name));
        dir_ = name;
        // sshd's privilege separation directory; the openssh-server package makes it at boot.
        mkdir("/run/sshd", 0755);
        shell("ssh-keygen -q -t ed25519 -N '' -f " + dir_ +
              "/host_key && ssh-keygen -q -t "
              "ed25519 -N '' -f " +
              dir_ + "/client_key && cp " + dir_ + "/client_key.pub " + dir_ + "/authorized_keys");
        std::ofstream config(dir_ + "/sshd_config");
        for (const std::string& address : listen)
            config << "ListenAddress " << address << ":2222\n";
        config << "HostKey " << dir_ << "/host_key\n"
               << "AuthorizedKeysFile " << dir_ << "/authorized_keys\n"
               << "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
               << "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile none\n"
               << "PrintMotd no\nPrintLastLog no\nUseDNS no\n";
        config.close();
        pid_ = fork();
        if (pid_ == 0) {
            int log = open((dir_ + "/sshd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2(log, 2);
            execl(kSshd, kSshd, "-D", "-e", "-f", (dir_ + "/sshd_config").c_str(), nullptr);
            _exit(127);
        }
        for (const std::string& address : listen)
            waitForListener(address);
    }
    ~SshServer() {
        for (pid_t session : sessions_) {
            kill(session, SIGTERM);
            waitpid(session, nullptr, 0);
        }
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    SshServer(const SshServer&) = delete;
    SshServer& operator=(const SshServer&) = delete;

    // `command` run as root on the host through ssh from the client, with a terminal (ssh -tt:
    // the remote side gets a pseudo-terminal, and its output comes back on stdout) or without.
    RunResult ssh(const std::string& address, const std::string& command, bool terminal) {
        std::vector<std::string> argv = sshArgv(address);
        if (terminal)
            argv.insert(argv.begin() + 5, "-tt");
        argv.push_back(command);
        RunResult r = runPlain(argv);
        INFO("sshd: " << readText(dir_ + "/sshd.log"));
        REQUIRE(r.status != 255); // ssh's own failure
        return r;
    }

    // Someone else's session, open until the test ends.
    void openSession(const std::string& address) {
        int ready[2];
        REQUIRE(pipe(ready) == 0);
        std::vector<std::string> argv = sshArgv(address);
        argv.push_back("echo ready; exec sleep 300");
        pid_t pid = fork();
        if (pid == 0) {
            dup2(ready[1], 1);
            close(ready[0]);
            int in = open("/dev/null", O_RDONLY);
            dup2(in, 0);
            std::vector<char*> args;
            for (const std::string& arg : argv)
                args.push_back(const_cast<char*>(arg.c_str()));
            args.push_back(nullptr);
            execvp(args[0], args.data());
            _exit(127);
        }
        close(ready[1]);
        sessions_.push_back(pid);
        char text[6] = "";
        INFO("sshd: " << readText(dir_ + "/sshd.log"));
        REQUIRE(read(ready[0], text, 5) == 5);
        close(ready[0]);
        REQUIRE(std::string(text) == "ready");
    }

private:
    static std::string readText(const std::string& path) {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::vector<std::string> sshArgv(const std::string& address) const {
        return net_.clientCommand({"ssh", "-i", dir_ + "/client_key", "-p", "2222", "-o",
                                   "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o",
                                   "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o",
                                   "ConnectTimeout=10", "root@" + address});
    }
    void waitForListener(const std::string& address) {
        for (int attempt = 0; attempt < 200; ++attempt) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in to{};
            to.sin_family = AF_INET;
            to.sin_port = htons(2222);
            inet_pton(AF_INET, address.c_str(), &to.sin_addr);
            bool up = connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
            close(fd);
            if (up)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        FAIL("sshd does not listen on " << address << ": " << readText(dir_ + "/sshd.log"));
    }

    NetworkSandbox& net_;
    std::string dir_;
    pid_t pid_ = -1;
    std::vector<pid_t> sessions_;
};

NetdevSpec netdev(const std::string& name, int devPort) {
    NetdevSpec spec;
    spec.name = name;
    spec.devPort = devPort;
    return spec;
}

// A ConnectX-2 on Ethernet whose port 1's netdev is the namespace's veth `name`, configured to
// InfiniBand: switching it restarts the card.
void cardOn(Machine& m, const std::string& name) {
    m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
    m.bed.loadModule("mlx4_en");
    m.bed.addNetdev(kCx2a, netdev(name, 0));
    m.config(R"({"cards": {"05:00.0": "ib"}})");
}

} // namespace

TEST_CASE("sudo at a terminal over SSH: the session sudo hid from the environment is seen") {
    NetworkSandbox net;
    net.link("mlxg0", "10.99.0.1", "10.99.0.2");
    SshServer sshd(net, {"10.99.0.1"});
    Machine m;
    cardOn(m, "mlxg0");
    std::string helper = m.helperScript();

    // sudo's env_reset (Debian's sudoers) leaves no SSH_CONNECTION to the helper.
    RunResult r = sshd.ssh("10.99.0.1",
                           "sudo sh -c 'echo \"under sudo: [${SSH_CONNECTION-}]\"'; sudo " +
                               helper + " apply " + kCx2a,
                           true);
    INFO("r: " << r.out << r.err);
    CHECK(contains(r.out, "under sudo: []"));
    CHECK(r.status == 1);
    CHECK(contains(r.out, kLabel + ": not switching: an SSH session from 10.99.0.2 port "));
    CHECK(contains(r.out, "comes in on 10.99.0.1 of mlxg0 (port 1 of this card)"));
    CHECK(contains(r.out, "add --force to switch anyway"));
    CHECK(m.ports(kCx2a) == "eth,eth");
    CHECK(m.writesTo(kCx2a).empty());

    r = sshd.ssh("10.99.0.1", "sudo " + helper + " apply --force " + kCx2a, true);
    CHECK(r.status == 0);
    CHECK(m.ports(kCx2a) == "ib,ib");
}

TEST_CASE("ssh host sudo apply without a terminal: refused, exit 1 with the reason, --force") {
    NetworkSandbox net;
    net.link("mlxg0", "10.99.0.1", "10.99.0.2");
    SshServer sshd(net, {"10.99.0.1"});
    Machine m;
    cardOn(m, "mlxg0");
    std::string helper = m.helperScript();

    RunResult r = sshd.ssh("10.99.0.1", "sudo " + helper + " apply --all", false);
    INFO("r: " << r.out << r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, kLabel + ": not switching: an SSH session from 10.99.0.2 port "));
    CHECK(contains(r.err, "of mlxg0 (port 1 of this card)"));
    CHECK(m.ports(kCx2a) == "eth,eth");
    CHECK(m.writesTo(kCx2a).empty());

    r = sshd.ssh("10.99.0.1", "sudo " + helper + " apply --force --all", false);
    INFO("r: " << r.out << r.err);
    CHECK(r.status == 0);
    CHECK(m.ports(kCx2a) == "ib,ib");
}

TEST_CASE("anyone's SSH session counts, the dry run shows it, udev and --syslog are not asked") {
    NetworkSandbox net;
    net.link("mlxg0", "10.99.0.1", "10.99.0.2");
    SshServer sshd(net, {"10.99.0.1"});
    sshd.openSession("10.99.0.1"); // another admin's
    Machine m;
    cardOn(m, "mlxg0");

    // A run of this process's own (a cron job, a console): no SSH, no terminal.
    RunResult r = m.run({"apply", kCx2a});
    INFO("r: " << r.out << r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, kLabel + ": not switching: an SSH session from 10.99.0.2 port "));
    CHECK(m.ports(kCx2a) == "eth,eth");

    RunResult dry = m.run({"apply", "--dry-run", kCx2a});
    INFO("dry: " << dry.out << dry.err);
    CHECK(dry.status == 3);
    CHECK(contains(dry.out, "  the guard: refuses without --force: an SSH session from "
                            "10.99.0.2 port "));

    RunResult boot = m.run({"--syslog", "apply", kCx2a}); // the boot unit
    CHECK(boot.status == 0);
    INFO("boot: " << boot.out << boot.err);
    CHECK(m.ports(kCx2a) == "ib,ib");

    m.config(R"({"cards": {"05:00.0": "eth"}})");
    m.extraEnvironment = {"ACTION=bind", "DEVPATH=" + Testbed::sysPath(kCx2a).substr(4),
                          "SUBSYSTEM=pci"};
    RunResult event = m.run({"apply", kCx2a});
    INFO("event: " << event.out << event.err);
    CHECK(event.status == 0);
    CHECK(m.ports(kCx2a) == "eth,eth");
}

TEST_CASE("a session to an address off the card whose replies leave through the card") {
    NetworkSandbox net;
    net.link("mlxg0", "10.99.0.1", "10.99.0.2");
    shell("ip addr add 10.99.1.1/32 dev lo");
    net.inClient("ip route add 10.99.1.1 via 10.99.0.1");
    SshServer sshd(net, {"10.99.1.1"});
    sshd.openSession("10.99.1.1");
    Machine m;
    cardOn(m, "mlxg0");

    RunResult r = m.run({"apply", kCx2a});
    INFO("r: " << r.out << r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, kLabel + ": not switching: an SSH session from 10.99.0.2 port "));
    CHECK(contains(r.err, "(to 10.99.1.1) is answered through mlxg0 (port 1 of this card)"));
    CHECK(m.ports(kCx2a) == "eth,eth");
}

TEST_CASE("a default route through the card in another table or as a later ECMP nexthop") {
    NetworkSandbox net;
    net.link("mlxo0", "10.99.2.1", "10.99.2.2"); // another card's
    net.link("mlxg0", "10.99.0.1", "10.99.0.2");
    Machine m;
    cardOn(m, "mlxg0");
    m.atTerminal = true; // the old guard asked only here

    SUBCASE("ECMP: the card is the second nexthop") {
        shell("ip route add default nexthop via 10.99.2.2 dev mlxo0 nexthop via 10.99.0.2 dev "
              "mlxg0");
        RunResult r = m.run({"apply", kCx2a});
        INFO("r: " << r.out << r.err);
        CHECK(r.status == 1);
        CHECK(contains(r.err, kLabel + ": not switching: the default route leaves through mlxg0 "
                                       "(port 1 of this card)"));
        CHECK(m.ports(kCx2a) == "eth,eth");
    }
    SUBCASE("policy routing: a default route in table 100") {
        shell("ip route add default via 10.99.2.2 dev mlxo0 && ip route add default via "
              "10.99.0.2 dev mlxg0 table 100 && ip rule add from 10.99.0.1 table 100");
        RunResult r = m.run({"apply", kCx2a});
        INFO("r: " << r.out << r.err);
        CHECK(r.status == 1);
        CHECK(contains(r.err, "the default route leaves through mlxg0 (port 1 of this card)"));
        CHECK(m.ports(kCx2a) == "eth,eth");
    }
    SUBCASE("the default route elsewhere: switched") {
        shell("ip route add default via 10.99.2.2 dev mlxo0");
        RunResult r = m.run({"apply", kCx2a});
        INFO("r: " << r.out << r.err);
        CHECK(r.status == 0);
        CHECK(m.ports(kCx2a) == "ib,ib");
    }
}

TEST_CASE("a bridge on the 70th VLAN of the card's port still carries the default route") {
    NetworkSandbox net;
    net.link("mlxg0", "10.99.0.1", "10.99.0.2");
    shell("ip route add default via 10.99.0.2 dev mlxg0");
    Machine m;
    m.bed.addCard(CardSpec(kCx2a, {"eth", "eth"}));
    m.bed.loadModule("mlx4_en");
    NetdevSpec port = netdev("enp5s0", 0);
    for (int vlan = 1; vlan <= 70; ++vlan)
        port.vlans.push_back("enp5s0." + std::to_string(vlan));
    m.bed.addNetdev(kCx2a, port);
    // The namespace's mlxg0 plays the bridge on the last VLAN.
    m.bed.stackNetdev(Testbed::virtualNetdevSysPath("enp5s0.70"), "mlxg0", true, "bridge");
    m.config(R"({"cards": {"05:00.0": "ib"}})");
    m.atTerminal = true;

    RunResult r = m.run({"apply", kCx2a});
    INFO("r: " << r.out << r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, kLabel + ": not switching: the default route leaves through mlxg0, "
                                   "which rests on enp5s0 (port 1 of this card)"));
    CHECK(m.ports(kCx2a) == "eth,eth");
}
