// SPDX-License-Identifier: GPL-2.0-or-later
// Targets a card refused, remembered under the run directory.
#include "refusal_memory.h"

#include "file_io.h"
#include "sysfs.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlx4 {

namespace {

// The record is a few "name value" lines; the reason comes last and may be long.
constexpr size_t kMaxRecordSize = 16384;

std::string recordPath(const std::string& runDir, const PciAddress& address) {
    return runDir + "/" + address.str() + ".refused";
}

std::string formatWants(const std::vector<PortWant>& wants) {
    std::string text = "[";
    for (size_t i = 0; i < wants.size(); ++i)
        text += (i ? ", " : "") + std::string(portWantName(wants[i]));
    return text + "]";
}

std::string serialize(const Refusal& refusal) {
    return "wants " + formatWants(refusal.key.wants) + "\nstart " +
           formatPortStates(refusal.start) + "\ntarget " + formatPortTypes(refusal.target) +
           "\nrestarts " + std::to_string(refusal.restarts) + "\nreason " + refusal.reason + "\n";
}

// The value of the line "name value" in `text`, if there is one.
std::optional<std::string> field(const std::string& text, const std::string& name) {
    std::string lines = "\n" + text;
    size_t at = lines.find("\n" + name + " ");
    if (at == std::string::npos)
        return std::nullopt;
    at += name.size() + 2;
    size_t end = lines.find('\n', at);
    if (end == std::string::npos)
        return std::nullopt;
    return lines.substr(at, end - at);
}

} // namespace

bool RefusalKey::operator==(const RefusalKey& other) const {
    return wants == other.wants;
}

bool rememberRefusal(const std::string& runDir, const PciAddress& address, const Refusal& refusal,
                     std::string& problem) {
    if (mkdir(runDir.c_str(), 0755) != 0 && errno != EEXIST) {
        problem = "cannot create " + runDir + ": " + strerror(errno);
        return false;
    }
    // Written whole to a temporary name, then renamed: a reader sees the old record or the new.
    std::string path = recordPath(runDir, address);
    std::string temporary = path + ".new";
    // O_NOFOLLOW and O_EXCL after unlinking: a planted link must not make root write elsewhere.
    unlink(temporary.c_str());
    int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        problem = "cannot create " + temporary + ": " + strerror(errno);
        return false;
    }
    std::string text = serialize(refusal);
    ssize_t written = write(fd, text.data(), text.size());
    int error = written < 0 ? errno : static_cast<size_t>(written) != text.size() ? EIO : 0;
    if (close(fd) != 0 && error == 0)
        error = errno;
    if (error == 0 && rename(temporary.c_str(), path.c_str()) != 0)
        error = errno;
    if (error != 0) {
        unlink(temporary.c_str());
        problem = "cannot write " + path + ": " + strerror(error);
        return false;
    }
    return true;
}

std::optional<Refusal> recalledRefusal(const std::string& runDir, const PciAddress& address) {
    int fd = open(recordPath(runDir, address).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    // Only a record this helper wrote counts: a file planted by another user (in a run
    // directory it could write to) would make udev events leave the card alone.
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        ownership(st, geteuid()) != Ownership::Trusted) {
        close(fd);
        return std::nullopt;
    }
    std::string text(kMaxRecordSize, '\0');
    ssize_t got = read(fd, text.data(), text.size());
    close(fd);
    if (got <= 0)
        return std::nullopt;
    text.resize(static_cast<size_t>(got));

    auto wants = field(text, "wants");
    auto start = field(text, "start");
    auto target = field(text, "target");
    auto restarts = field(text, "restarts");
    auto reason = field(text, "reason");
    if (!wants || !start || !target || !restarts || !reason)
        return std::nullopt;
    Refusal refusal;
    refusal.restarts = std::atoi(restarts->c_str());
    refusal.reason = *reason;
    // Start and target are kept as printed; compare them in that form.
    auto parseList = [](const std::string& list) {
        std::vector<std::string> items;
        if (list.size() < 2 || list.front() != '[' || list.back() != ']')
            return items;
        std::string inner = list.substr(1, list.size() - 2);
        size_t from = 0;
        while (from <= inner.size()) {
            size_t comma = inner.find(", ", from);
            items.push_back(
                inner.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
            if (comma == std::string::npos)
                break;
            from = comma + 2;
        }
        return items;
    };
    for (const std::string& item : parseList(*wants)) {
        auto want = parsePortWant(item);
        if (!want)
            return std::nullopt;
        refusal.key.wants.push_back(*want);
    }
    for (const std::string& item : parseList(*start)) {
        auto state = parsePortState(item);
        if (!state)
            return std::nullopt;
        refusal.start.push_back(*state);
    }
    for (const std::string& item : parseList(*target)) {
        auto want = parsePortWant(item);
        if (!want || *want == PortWant::Keep)
            return std::nullopt;
        refusal.target.push_back(*want == PortWant::Ib    ? PortType::Ib
                                 : *want == PortWant::Eth ? PortType::Eth
                                                          : PortType::Auto);
    }
    return refusal;
}

void forgetRefusal(const std::string& runDir, const PciAddress& address) {
    unlink(recordPath(runDir, address).c_str());
}

std::optional<Refusal> earlierRefusal(const std::string& runDir, const PciAddress& address,
                                      const CardPlan& plan, const std::vector<PortWant>& wants) {
    if (planOutcome(plan).outcome != ApplyOutcome::Planned)
        return std::nullopt;
    auto refusal = recalledRefusal(runDir, address);
    if (refusal && refusal->key == RefusalKey{wants})
        return refusal;
    return std::nullopt;
}

} // namespace mlx4
