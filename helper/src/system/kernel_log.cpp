// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel_log.h"

#include "refusal_message.h"

#include <cerrno>
#include <fcntl.h>
#include <string_view>
#include <unistd.h>

namespace mlx4 {

namespace {

// The kernel keeps a record to at most 1024 bytes of text plus its header and dictionary.
constexpr size_t kRecordBuffer = 8192;
// More than the kernel's whole log buffer holds by default; a bound against a reader that
// never ends.
constexpr size_t kMaxRecords = 100000;

void addRecords(std::string_view buffer, std::vector<std::string>& messages) {
    // One read() of /dev/kmsg is one record: its header line, then dictionary lines that start
    // with a blank. Split anyway, so that a buffer of several records reads the same.
    size_t start = 0;
    while (start < buffer.size()) {
        size_t end = buffer.find('\n', start);
        std::string_view line =
            buffer.substr(start, end == std::string_view::npos ? end : end - start);
        start = end == std::string_view::npos ? buffer.size() : end + 1;
        if (line.empty() || line.front() == ' ')
            continue;
        if (auto text = kmsgRecordText(line))
            messages.push_back(*text);
    }
}

} // namespace

std::optional<std::vector<std::string>> readKernelMessages() {
    int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return std::nullopt;
    std::vector<std::string> messages;
    char buffer[kRecordBuffer];
    bool readable = true;
    while (messages.size() < kMaxRecords) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got < 0 && (errno == EINTR || errno == EPIPE))
            continue; // EPIPE: records were overwritten while reading; go on with the next
        if (got < 0 && errno != EAGAIN)
            readable = messages.empty() ? false : readable;
        if (got <= 0)
            break;
        addRecords(std::string_view(buffer, static_cast<size_t>(got)), messages);
    }
    close(fd);
    if (!readable)
        return std::nullopt;
    return messages;
}

std::string portTypeArrayOption() {
    int fd =
        open("/sys/module/mlx4_core/parameters/port_type_array", O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return {};
    char buffer[128];
    ssize_t got;
    do
        got = read(fd, buffer, sizeof buffer - 1);
    while (got < 0 && errno == EINTR);
    close(fd);
    if (got <= 0)
        return {};
    std::string value(buffer, static_cast<size_t>(got));
    while (!value.empty() && (value.back() == '\n' || value.back() == ' '))
        value.pop_back();
    if (value.find_first_not_of("0,") == std::string::npos)
        return {}; // all 0: the firmware's default, the option is not set
    return value;
}

std::string portTypeArrayNote(const std::string& value) {
    if (value.empty())
        return {};
    return "mlx4_core was loaded with port_type_array=" + value +
           " (1 ib, 2 eth, 0 the firmware's default): every mlx4 card starts with these port "
           "types at each probe, before mlx4-porttype sets them. The driver does not check it "
           "against DPDP, so a card whose firmware lacks DPDP can start mixed, and then no other "
           "combination can be set through sysfs. It is set in /etc/modprobe.d (and the "
           "initramfs: update-initramfs -u after a change) or on the kernel command line";
}

} // namespace mlx4
