// SPDX-License-Identifier: GPL-2.0-or-later
// Messages for the admin: to stderr, or to syslog when run from udev (which discards output).
#pragma once

#include <string>

namespace mlx4 {

enum class LogLevel { Error, Warning, Notice, Info, Debug };

// verbosity: -1 quiet (errors and warnings only), 0 normal, 1 verbose (debug too).
void logSetup(bool useSyslog, int verbosity);
void logMessage(LogLevel level, const std::string& message);

inline void logError(const std::string& m) {
    logMessage(LogLevel::Error, m);
}
inline void logWarning(const std::string& m) {
    logMessage(LogLevel::Warning, m);
}
inline void logNotice(const std::string& m) {
    logMessage(LogLevel::Notice, m);
}
inline void logInfo(const std::string& m) {
    logMessage(LogLevel::Info, m);
}
inline void logDebug(const std::string& m) {
    logMessage(LogLevel::Debug, m);
}

} // namespace mlx4
