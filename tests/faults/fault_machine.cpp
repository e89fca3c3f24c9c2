// SPDX-License-Identifier: GPL-2.0-or-later
// A test machine for fault tests: testbed, configuration, lock directory and the fault shim.
#include "fault_machine.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mlx4::test {

namespace {

// The shim first, so that it sees the paths the helper asked for, then umockdev's preload,
// which redirects /sys to the testbed. Whatever the test itself was started with comes after.
std::string stackedPreload() {
    std::string value = std::string(MLX4_FAULT_SHIM) + ":libumockdev-preload.so.0";
    const char* outer = std::getenv("LD_PRELOAD");
    if (outer && *outer)
        value += std::string(":") + outer;
    return value;
}

std::string slurp(int fd) {
    std::string text;
    char buffer[4096];
    lseek(fd, 0, SEEK_SET);
    for (ssize_t got; (got = read(fd, buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<size_t>(got));
    return text;
}

int tempFile() {
    char name[] = "/tmp/mlx4-fault-output-XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0)
        throw std::runtime_error(std::string("mkstemp: ") + strerror(errno));
    unlink(name);
    return fd;
}

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
            int outFd, int errFd) {
    pid_t child = fork();
    if (child < 0)
        throw std::runtime_error(std::string("fork: ") + strerror(errno));
    if (child == 0) {
        dup2(outFd, 1);
        dup2(errFd, 2);
        for (const std::string& assignment : environment)
            putenv(const_cast<char*>(assignment.c_str()));
        // A hang is a failure, not a stuck test run: SIGALRM survives exec and kills it.
        alarm(60);
        std::vector<char*> args;
        for (const std::string& arg : argv)
            args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        std::fprintf(stderr, "exec %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    return child;
}

} // namespace

FaultMachine::FaultMachine() {
    char name[] = "/tmp/mlx4-faults-XXXXXX";
    if (!mkdtemp(name))
        throw std::runtime_error(std::string("mkdtemp: ") + strerror(errno));
    dir = name;
    chmod(dir.c_str(), 0755);
    configDir = dir + "/etc";
    runDir = dir + "/run";
    writeLog = dir + "/writes.log";
}

FaultMachine::~FaultMachine() {
    std::system(("rm -rf '" + dir + "'").c_str());
}

void FaultMachine::config(const std::string& text, const std::string& name) {
    mkdir(configDir.c_str(), 0755);
    mkdir((configDir + "/config.d").c_str(), 0755);
    std::ofstream(configDir + "/" + name, std::ios::binary) << text;
}

std::vector<std::string> FaultMachine::argv(std::vector<std::string> args) const {
    args.insert(args.begin(), {MLX4_PORTTYPE_BINARY, "--config-dir", configDir});
    return args;
}

std::vector<std::string> FaultMachine::environment(const std::string& faults) const {
    return {"LD_PRELOAD=" + stackedPreload(), "MLX4_PORTTYPE_RUN_DIR=" + runDir,
            "MLX4_FAULTS=" + faults, "MLX4_FAULTS_LOG=" + writeLog};
}

RunResult FaultMachine::run(std::vector<std::string> args, const std::string& faults) {
    int outFd = tempFile(), errFd = tempFile();
    pid_t child = spawn(argv(std::move(args)), environment(faults), outFd, errFd);
    RunResult result;
    result.status = waitProcess(child);
    result.out = slurp(outFd);
    result.err = slurp(errFd);
    close(outFd);
    close(errFd);
    return result;
}

std::vector<LoggedWrite> FaultMachine::writes() const {
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

std::vector<LoggedWrite> FaultMachine::writesTo(const std::string& address) const {
    std::vector<LoggedWrite> selected;
    std::string prefix = Testbed::sysPath(address) + "/";
    for (const LoggedWrite& write : writes())
        if (write.path.rfind(prefix, 0) == 0)
            selected.push_back(write);
    return selected;
}

void FaultMachine::clearWrites() {
    unlink(writeLog.c_str());
}

std::string FaultMachine::sysFile(const std::string& address, const std::string& file) {
    return Testbed::sysPath(address) + "/" + file;
}

CardSpec mlx4Card(const std::string& address, std::vector<std::string> ports) {
    CardSpec spec;
    spec.address = address;
    spec.ports = std::move(ports);
    return spec;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

int startProcess(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                 const std::string& errPath) {
    int devNull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    int errFd = open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_t child = spawn(argv, environment, devNull, errFd);
    close(devNull);
    close(errFd);
    return child;
}

int waitProcess(int pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace mlx4::test
