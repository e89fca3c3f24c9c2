// SPDX-License-Identifier: GPL-2.0-or-later
// Holds back SIGTERM, SIGINT and SIGHUP while a card is being switched.
#include "deferred_signals.h"

#include "log.h"

#include <csignal>
#include <cstdlib>
#include <ctime>

namespace mlx4 {

namespace {

sigset_t deferredSet() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

const char* signalName(int signal) {
    switch (signal) {
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    case SIGHUP:
        return "SIGHUP";
    }
    return "a signal";
}

} // namespace

DeferredSignals::DeferredSignals(std::string card) : card_(std::move(card)) {
    sigset_t set = deferredSet();
    sigprocmask(SIG_BLOCK, &set, nullptr);
}

DeferredSignals::~DeferredSignals() {
    sigset_t set = deferredSet();
    // Take what is pending rather than let unblocking deliver it: the message comes first.
    const timespec now{0, 0};
    int received = 0;
    for (int signal; (signal = sigtimedwait(&set, nullptr, &now)) > 0;)
        if (!received)
            received = signal;
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    if (!received)
        return;
    logWarning(card_ + ": received " + signalName(received) +
               " while switching the card; finished with it first (see above), now stopping");
    // The default action, so that whoever sent it sees us end by it.
    std::signal(received, SIG_DFL);
    std::raise(received);
    std::_Exit(128 + received); // not reached: the default action of these signals ends us
}

} // namespace mlx4
