// SPDX-License-Identifier: GPL-2.0-or-later
// What root runs read of a card's identity, recorded under the run directory.
#include "identity_record.h"

#include "text.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace mlx4 {

namespace {

// A record is a few hundred bytes; anything much larger is not one.
constexpr size_t kMaxRecordSize = 16384;

std::string recordDir(const std::string& runDir) {
    return runDir + "/identity";
}

std::string recordPath(const std::string& runDir, const PciAddress& address) {
    return recordDir(runDir) + "/" + address.str();
}

// Root's, and no one else can change it.
bool trusted(const struct stat& st) {
    return st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

// The record's text, or nullopt with `why` when there is none or it is not to be trusted.
std::optional<std::string> readRecord(const std::string& runDir, const PciAddress& address,
                                      std::string& why) {
    struct stat dir;
    if (lstat(recordDir(runDir).c_str(), &dir) != 0) {
        why = "no root run has recorded it";
        return std::nullopt;
    }
    if (!S_ISDIR(dir.st_mode) || !trusted(dir)) {
        why = "the record directory " + escaped(recordDir(runDir)) +
              " is not root's alone, so it is not trusted";
        return std::nullopt;
    }
    std::string path = recordPath(runDir, address);
    int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        why = errno == ENOENT ? "no root run has recorded it"
                              : "cannot read its record " + escaped(path) + ": " + strerror(errno);
        return std::nullopt;
    }
    struct stat st;
    std::string text;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !trusted(st)) {
        why = "its record " + escaped(path) + " is not root's alone, so it is not trusted";
        close(fd);
        return std::nullopt;
    }
    char buffer[4096];
    ssize_t got;
    while (text.size() <= kMaxRecordSize && (got = read(fd, buffer, sizeof buffer)) > 0)
        text.append(buffer, static_cast<size_t>(got));
    close(fd);
    return text;
}

nlohmann::json parseRecord(const std::string& text) {
    nlohmann::json record = nlohmann::json::parse(text, nullptr, false);
    return record.is_object() ? record : nlohmann::json::object();
}

std::string stringOf(const nlohmann::json& object, const char* name) {
    auto member = object.find(name);
    return member != object.end() && member->is_string() ? member->get<std::string>() : "";
}

std::optional<uint64_t> guidOf(const nlohmann::json& object, const char* name) {
    return parseGuid(stringOf(object, name));
}

} // namespace

bool recordIdentity(const std::string& runDir, const CardInfo& card, const CardIdentity& identity,
                    std::string& problem) {
    std::string probe = probeIdentity(card);
    if (probe.empty())
        return true; // no port files yet: nothing to tie a record to
    nlohmann::json record = nlohmann::json::object();
    std::string why, earlierText;
    if (auto text = readRecord(runDir, card.address, why)) {
        nlohmann::json earlier = parseRecord(*text);
        if (stringOf(earlier, "probe") == probe) {
            record = earlier;
            earlierText = *text;
        }
    }
    record["probe"] = probe;
    if (identity.read.guid && identity.guidUnknown.empty()) {
        nlohmann::json guid = nlohmann::json::object();
        if (identity.serialNumber)
            guid["serial_number"] = formatGuid(*identity.serialNumber);
        if (identity.nodeGuid)
            guid["node_guid"] = formatGuid(*identity.nodeGuid);
        record["guid"] = guid;
    }
    if (identity.read.vpd && identity.serialUnknown.empty() && identity.partUnknown.empty())
        record["vpd"] = {{"product", identity.vpd.product},
                         {"part", identity.vpd.part},
                         {"change", identity.vpd.change},
                         {"serial", identity.vpd.serial},
                         {"vendor0", identity.vpd.vendor0}};
    if (!identity.psid.empty() || !identity.firmware.empty())
        record["infiniband"] = {{"psid", identity.psid}, {"firmware", identity.firmware}};
    std::string text = record.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
    if (text == earlierText)
        return true; // most events: nothing new since the last one
    for (const std::string& dir : {runDir, recordDir(runDir)}) {
        if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
            problem = "cannot create " + escaped(dir) + ": " + strerror(errno);
            return false;
        }
    }
    // Written whole to a temporary name, then renamed: a reader sees the old record or the new.
    std::string path = recordPath(runDir, card.address);
    std::string temporary = path + ".new";
    unlink(temporary.c_str());
    int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        problem = "cannot create " + escaped(temporary) + ": " + strerror(errno);
        return false;
    }
    ssize_t written = write(fd, text.data(), text.size());
    int error = written < 0 ? errno : static_cast<size_t>(written) != text.size() ? EIO : 0;
    // The umask must not make it unreadable for the users it is for.
    if (error == 0 && fchmod(fd, 0644) != 0)
        error = errno;
    if (close(fd) != 0 && error == 0)
        error = errno;
    if (error == 0 && rename(temporary.c_str(), path.c_str()) != 0)
        error = errno;
    if (error != 0) {
        unlink(temporary.c_str());
        problem = "cannot write " + escaped(path) + ": " + strerror(error);
        return false;
    }
    return true;
}

void completeFromRecord(const std::string& runDir, const CardInfo& card, CardIdentity& identity) {
    std::string why;
    nlohmann::json record;
    if (auto text = readRecord(runDir, card.address, why)) {
        record = parseRecord(*text);
        std::string probe = probeIdentity(card);
        if (probe.empty() || stringOf(record, "probe") != probe) {
            why = "the record of a root run is of an earlier probe of the card";
            record = nlohmann::json::object();
        }
    }
    const std::string notRecorded =
        "it is readable only by root, and " + why +
        " for this probe of the card; run mlx4-porttype status as root once";
    auto guid = record.find("guid");
    if (!identity.guidUnknown.empty() && identity.needsRoot) {
        if (guid != record.end() && guid->is_object()) {
            identity.serialNumber = guidOf(*guid, "serial_number");
            if (auto node = guidOf(*guid, "node_guid"))
                identity.nodeGuid = node;
            identity.guidUnknown.clear();
            identity.recordedBy = "a root run";
        } else {
            identity.guidUnknown = "the GUID: " + notRecorded;
        }
    }
    auto vpd = record.find("vpd");
    if ((!identity.serialUnknown.empty() || !identity.partUnknown.empty()) && identity.needsRoot) {
        if (vpd != record.end() && vpd->is_object()) {
            identity.vpd = {stringOf(*vpd, "product"), stringOf(*vpd, "part"),
                            stringOf(*vpd, "change"), stringOf(*vpd, "serial"),
                            stringOf(*vpd, "vendor0")};
            identity.serialUnknown.clear();
            identity.partUnknown.clear();
            identity.recordedBy = "a root run";
        } else {
            identity.serialUnknown = identity.partUnknown = "the VPD: " + notRecorded;
        }
    }
    auto infiniband = record.find("infiniband");
    if (infiniband != record.end() && infiniband->is_object() && identity.psid.empty()) {
        identity.psid = stringOf(*infiniband, "psid");
        identity.firmware = stringOf(*infiniband, "firmware");
    }
}

} // namespace mlx4
