// SPDX-License-Identifier: GPL-2.0-or-later
// Messages for the admin: to stderr, or to syslog when run from udev (which discards output).
#include "log.h"

#include "text.h"

#include <cstdio>
#include <syslog.h>

namespace mlx4 {

namespace {

constexpr size_t kMaxMessageBytes = 4096;

bool gSyslog = false;
int gVerbosity = 0;

int priority(LogLevel level) {
    switch (level) {
    case LogLevel::Error:
        return LOG_ERR;
    case LogLevel::Warning:
        return LOG_WARNING;
    case LogLevel::Notice:
        return LOG_NOTICE;
    case LogLevel::Info:
        return LOG_INFO;
    case LogLevel::Debug:
        break;
    }
    return LOG_DEBUG;
}

} // namespace

void logSetup(bool useSyslog, int verbosity) {
    gSyslog = useSyslog;
    gVerbosity = verbosity;
    if (useSyslog)
        openlog("mlx4-porttype", LOG_PID, LOG_DAEMON);
}

void logMessage(LogLevel level, const std::string& text) {
    if (level == LogLevel::Debug && gVerbosity < 1)
        return;
    if ((level == LogLevel::Info || level == LogLevel::Notice) && gVerbosity < 0)
        return;
    // Values in messages are quoted already; this is the last guard that one message stays
    // one line of text, whatever a path or a kernel string held.
    std::string message = oneLine(text, kMaxMessageBytes);
    if (gSyslog) {
        syslog(priority(level), "%s", message.c_str());
        return;
    }
    const char* prefix = level == LogLevel::Error     ? "error: "
                         : level == LogLevel::Warning ? "warning: "
                                                      : "";
    std::fprintf(stderr, "mlx4-porttype: %s%s\n", prefix, message.c_str());
}

} // namespace mlx4
