// SPDX-License-Identifier: GPL-2.0-or-later
// A test machine for fault tests: testbed, configuration, lock directory and the fault shim.
#include "fault_machine.h"

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
#include <unistd.h>

namespace mlx4::test {

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
    std::error_code ignored; // a destructor cannot fail a test
    std::filesystem::remove_all(dir, ignored);
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
    std::vector<std::string> variables{"MLX4_PORTTYPE_RUN_DIR=" + runDir, "MLX4_FAULTS=" + faults,
                                       "MLX4_FAULTS_LOG=" + writeLog};
    variables.insert(variables.end(), extraEnvironment.begin(), extraEnvironment.end());
    return variables;
}

StartedProgram FaultMachine::start(std::vector<std::string> args, const std::string& faults) {
    return startWithPreload(argv(std::move(args)), environment(faults), MLX4_FAULT_SHIM);
}

RunResult FaultMachine::run(std::vector<std::string> args, const std::string& faults) {
    StartedProgram program = start(std::move(args), faults);
    return finish(program);
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

} // namespace mlx4::test
