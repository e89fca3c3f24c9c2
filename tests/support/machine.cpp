// SPDX-License-Identifier: GPL-2.0-or-later
// A simulated machine for the tests of the built helper: testbed, configuration, lock
// directory, and the helper run under the preload libraries.
#include "machine.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <ifaddrs.h>
#include <iterator>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace mlx4::test {

Machine::Machine() {
    char name[] = "/tmp/mlx4-machine-XXXXXX";
    if (!mkdtemp(name))
        throw std::runtime_error(std::string("mkdtemp: ") + strerror(errno));
    dir = name;
    chmod(dir.c_str(), 0755);
    configDir = dir + "/etc";
    runDir = dir + "/run";
    writeLog = dir + "/writes.log";
}

Machine::~Machine() {
    std::error_code ignored; // a destructor cannot fail a test
    std::filesystem::remove_all(dir, ignored);
}

void Machine::config(const std::string& text, const std::string& name) {
    mkdir(configDir.c_str(), 0755);
    mkdir((configDir + "/config.d").c_str(), 0755);
    std::ofstream(configDir + "/" + name, std::ios::binary) << text;
}

std::vector<std::string> Machine::argv(std::vector<std::string> args) const {
    args.insert(args.begin(), {MLX4_PORTTYPE_BINARY, "--config-dir", configDir});
    args.insert(args.begin(), launcher.begin(), launcher.end());
    return args;
}

std::vector<std::string> Machine::environment(const std::string& faults) const {
    std::vector<std::string> variables{"MLX4_PORTTYPE_RUN_DIR=" + runDir, "MLX4_FAULTS=" + faults,
                                       "MLX4_FAULTS_LOG=" + writeLog};
    variables.insert(variables.end(), extraEnvironment.begin(), extraEnvironment.end());
    return variables;
}

StartedProgram Machine::start(std::vector<std::string> args, const std::string& faults) {
    int terminal = -1; // the pseudo-terminal's program side
    int master = -1;
    if (atTerminal) {
        master = posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
            throw std::runtime_error(std::string("pseudo-terminal: ") + strerror(errno));
        terminal = open(ptsname(master), O_RDWR | O_NOCTTY);
        if (terminal < 0)
            throw std::runtime_error(std::string("pseudo-terminal: ") + strerror(errno));
    }
    StartedProgram program =
        startWithPreload(argv(std::move(args)), environment(faults),
                         std::string(MLX4_FAULT_SHIM) + ":" + MLX4_KERNEL_SHIM, terminal);
    if (atTerminal) {
        close(terminal);
        program.terminalFd = master; // open until the program ends: closing hangs it up
    }
    return program;
}

namespace {

// The verb of a helper command line ("status"), or empty: the first word that is no option.
std::string verbOf(const std::vector<std::string>& args) {
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config-dir") {
            ++i;
            continue;
        }
        if (args[i].rfind("-", 0) != 0)
            return args[i];
    }
    return "";
}

} // namespace

void Machine::checkSchema(const std::vector<std::string>& args, const RunResult& result) const {
    std::string verb = verbOf(args);
    if ((verb != "status" && verb != "apply") ||
        std::find(args.begin(), args.end(), "--json") == args.end() || result.out.empty())
        return;
    std::string document = dir + "/output.json", problem = dir + "/schema-error";
    std::ofstream(document, std::ios::binary | std::ios::trunc) << result.out;
    std::string command = std::string("python3 '") + MLX4_SOURCE_DIR +
                          "/tests/support/validate-json' '" + MLX4_SOURCE_DIR + "/schema/" + verb +
                          ".schema.json' '" + document + "' 2>'" + problem + "'";
    int status = std::system(command.c_str());
    std::ifstream in(problem);
    std::string why((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (status != 0)
        FAIL_CHECK(verb << " --json does not match schema/" << verb << ".schema.json: " << why
                        << "\n"
                        << result.out);
}

std::string Machine::helperScript(const std::string& faults) const {
    auto quoted = [](const std::string& value) {
        std::string text = "'";
        for (char c : value)
            text += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return text + "'";
    };
    const char* testbed = std::getenv("UMOCKDEV_DIR");
    std::string script = "#!/bin/sh\nexec env " +
                         quoted(std::string("LD_PRELOAD=") + MLX4_FAULT_SHIM + ":" +
                                MLX4_KERNEL_SHIM + ":libumockdev-preload.so.0") +
                         " " + quoted(std::string("UMOCKDEV_DIR=") + (testbed ? testbed : ""));
    for (const std::string& variable : environment(faults))
        script += " " + quoted(variable);
    for (const std::string& arg : argv({}))
        script += " " + quoted(arg);
    script += " \"$@\"\n";
    std::string path = dir + "/helper";
    std::ofstream(path) << script;
    chmod(path.c_str(), 0755);
    return path;
}

RunResult Machine::run(std::vector<std::string> args, const std::string& faults) {
    StartedProgram program = start(args, faults);
    RunResult result = finish(program);
    // Every JSON document the tests make is checked against its schema.
    checkSchema(args, result);
    return result;
}

std::vector<LoggedWrite> Machine::writes() const {
    std::vector<LoggedWrite> all;
    std::ifstream in(writeLog);
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        LoggedWrite write;
        std::string pid;
        std::getline(fields, pid, '\t');
        std::getline(fields, write.path, '\t');
        std::getline(fields, write.bytes, '\t');
        std::getline(fields, write.result, '\t');
        write.pid = std::atol(pid.c_str());
        all.push_back(write);
    }
    return all;
}

std::vector<LoggedWrite> Machine::writesTo(const std::string& address) const {
    std::vector<LoggedWrite> selected;
    std::string prefix = Testbed::sysPath(address) + "/";
    for (const LoggedWrite& write : writes())
        if (write.path.rfind(prefix, 0) == 0)
            selected.push_back(write);
    return selected;
}

void Machine::clearWrites() {
    unlink(writeLog.c_str());
}

std::string Machine::sysFile(const std::string& address, const std::string& file) {
    return Testbed::sysPath(address) + "/" + file;
}

void Machine::markUnwritten(const std::string& address, int port) {
    struct timespec old[2] = {{1000, 0}, {1000, 0}};
    std::string path = bed.filePath(address, "mlx4_port" + std::to_string(port));
    REQUIRE(utimensat(AT_FDCWD, path.c_str(), old, 0) == 0);
}

bool Machine::written(const std::string& address, int port) {
    struct stat st;
    REQUIRE(stat(bed.filePath(address, "mlx4_port" + std::to_string(port)).c_str(), &st) == 0);
    return st.st_mtim.tv_sec != 1000;
}

std::string Machine::ports(const std::string& address) const {
    std::string one = bed.readPort(address, 1), two = bed.readPort(address, 2);
    return one.substr(0, one.size() - 1) + "," + two.substr(0, two.size() - 1);
}

KernelCard Machine::kernel(const std::string& address) const {
    std::ifstream in(bed.kernelCardPath(address));
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    std::optional<KernelCard> card = parseKernelCard(text.str(), error);
    if (!card)
        throw std::runtime_error(bed.kernelCardPath(address) + ": " + error);
    return *card;
}

CardSpec decoy() {
    CardSpec spec(kDecoy, {"ib"}, 0x1533);
    spec.vendor = 0x8086;
    spec.driver = "igb";
    return spec;
}

std::pair<std::string, std::string> anIpv4Interface() {
    ifaddrs* list = nullptr;
    REQUIRE(getifaddrs(&list) == 0);
    std::pair<std::string, std::string> found;
    for (ifaddrs* entry = list; entry; entry = entry->ifa_next) {
        if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET)
            continue;
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr, text,
                  sizeof text);
        found = {entry->ifa_name, text};
        break;
    }
    freeifaddrs(list);
    REQUIRE_MESSAGE(!found.first.empty(), "this machine has no IPv4 address, not even on lo");
    return found;
}

} // namespace mlx4::test
