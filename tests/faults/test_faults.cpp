// SPDX-License-Identifier: GPL-2.0-or-later
// Faults of the kernel and the system: each gives a clear message and the right exit status,
// and the other cards are still handled.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "machine.h"

#include <csignal>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace mlx4::test;

namespace {

const char* const kCardA = "0000:05:00.0";
const char* const kCardB = "0000:06:00.0";
const char* const kLabelA = "0000:05:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B)";

// Two cards at (ib, ib), both configured eth: card A gets the fault, card B must still switch.
void twoCards(Machine& m, std::vector<std::string> portsA = {"ib", "ib"}) {
    m.bed.addCard(CardSpec(kCardA, std::move(portsA)));
    m.bed.addCard(CardSpec(kCardB));
    m.config(R"({"default": "eth"})");
}

void checkOtherCardSwitched(Machine& m) {
    CHECK(m.bed.readPort(kCardB, 1) == "eth\n");
    CHECK(m.bed.readPort(kCardB, 2) == "eth\n");
}

void checkCardAUntouched(Machine& m) {
    CHECK(m.bed.readPort(kCardA, 1) == "ib\n");
    CHECK(m.bed.readPort(kCardA, 2) == "ib\n");
}

std::string portFiles(const char* address) {
    return Machine::sysFile(address, "mlx4_port[12]");
}

} // namespace

TEST_CASE("the shim sees /sys paths and passes what it does not fault to umockdev's preload") {
    Machine m;
    twoCards(m);
    // A rule for a file nobody opens must change nothing; the writes must reach the testbed.
    RunResult r = m.run({"apply", "--all"}, "write|/nonexistent|EIO");
    CHECK(r.status == 0);
    CHECK(m.bed.readPort(kCardA, 1) == "eth\n");
    checkOtherCardSwitched(m);
    auto writes = m.writesTo(kCardA);
    REQUIRE(writes.size() == 2);
    CHECK(writes[0].path == Machine::sysFile(kCardA, "mlx4_port1"));
    CHECK(writes[0].bytes == "eth\\n");
    CHECK(writes[0].result == "ok");
}

TEST_CASE("the card disappears between discovery and the write (ENOENT)") {
    Machine m;
    twoCards(m);
    // The reads before planning succeed; from the first write on, card A's port files are gone.
    RunResult r = m.run({"apply", "--all"}, "open|" + portFiles(kCardA) + "|ENOENT|w");
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, std::string(kLabelA) + ": cannot set ports to [eth, eth]"));
    CHECK(contains(r.err, "port 1 disappeared while writing (No such file or directory (ENOENT)): "
                          "the card was removed or its driver unbound"));
    // Nothing reached the card, so the helper must not claim it left it half-switched.
    CHECK_FALSE(contains(r.err, "could not be put back"));
    checkCardAUntouched(m);
    checkOtherCardSwitched(m);
}

TEST_CASE("the kernel answers a write with ENODEV: the device went away") {
    Machine m;
    twoCards(m);
    RunResult r = m.run({"apply", "--all"}, "write|" + portFiles(kCardA) + "|ENODEV");
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "port 1 disappeared while writing (No such device (ENODEV)): the card "
                          "was removed or its driver unbound"));
    checkCardAUntouched(m);
    checkOtherCardSwitched(m);
}

TEST_CASE("a write that fails with EIO or EBUSY is reported, and the card is left as it was") {
    for (const char* error : {"EIO", "EBUSY"}) {
        CAPTURE(error);
        Machine m;
        twoCards(m);
        RunResult r = m.run({"apply", "--all"},
                            "write|" + Machine::sysFile(kCardA, "mlx4_port1") + "|" + error);
        CAPTURE(r.err);
        CHECK(r.status == 1);
        std::string text = std::string(error) == "EIO" ? "Input/output error (EIO)"
                                                       : "Device or resource busy (EBUSY)";
        CHECK(contains(r.err, std::string(kLabelA) + ": cannot set ports to [eth, eth] (" +
                                  m.configDir + "/config.json:1): writing port 1 failed: " + text +
                                  "; the kernel log says why (journalctl -k | grep mlx4). "
                                  "The card was left as it was: [ib, ib]"));
        // The helper stops at the first real error: port 2 was never written.
        for (const LoggedWrite& write : m.writesTo(kCardA))
            CHECK(write.path == Machine::sysFile(kCardA, "mlx4_port1"));
        checkCardAUntouched(m);
        checkOtherCardSwitched(m);
    }
}

TEST_CASE("a write refused with EACCES names SR-IOV and the module option") {
    // The files look writable (0644) but the open is denied, as in multi-function mode.
    Machine m;
    twoCards(m);
    RunResult r = m.run({"apply", "--all"}, "openw|" + portFiles(kCardA) + "|EACCES");
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "writing port 1 was denied (Permission denied (EACCES)): the driver "
                          "makes the files read-only when SR-IOV is enabled or on a virtual "
                          "function; set the type with the module option instead (options "
                          "mlx4_core port_type_array=...)"));
    CHECK(contains(r.err, "The card was left as it was: [ib, ib]"));
    checkCardAUntouched(m);
    checkOtherCardSwitched(m);
}

TEST_CASE("a port file that reads empty, or fails to read, is reported and nothing is written") {
    struct Case {
        std::string fault;
        std::string message;
    };
    for (const Case& c : {
             Case{"read|" + Machine::sysFile(kCardA, "mlx4_port2") + "|text=",
                  "port 2 reads \"\", which is not ib, eth, auto (ib) or auto (eth); nothing was "
                  "written"},
             Case{"read|" + Machine::sysFile(kCardA, "mlx4_port1") + "|EIO",
                  "cannot read port 1: Input/output error (EIO); nothing was written"},
             // Long garbage is cut to 40 characters in the message.
             Case{"read|" + Machine::sysFile(kCardA, "mlx4_port1") + "|text=garbage " +
                      std::string(100, 'x'),
                  "port 1 reads \"garbage " + std::string(32, 'x') + "...\", which is not"},
         }) {
        CAPTURE(c.fault);
        Machine m;
        twoCards(m);
        RunResult r = m.run({"apply", "--all"}, c.fault);
        CAPTURE(r.err);
        CHECK(r.status == 1);
        CHECK(contains(r.err, std::string(kLabelA) + ": " + c.message));
        CHECK(m.writesTo(kCardA).empty());
        checkOtherCardSwitched(m);
    }
}

TEST_CASE("a port that reads back garbage after the write: the card's state is unknown") {
    Machine m;
    twoCards(m);
    // The reads before the write are fine; every read after it is garbage.
    RunResult r = m.run({"apply", "--all"},
                        "read|" + Machine::sysFile(kCardA, "mlx4_port1") + "|text=e\\n|w");
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "after writing, port 1 reads \"e\", which is not ib, eth, auto (ib) or "
                          "auto (eth)"));
    CHECK(contains(r.err, "WARNING: the card could not be put back and is now in an unknown "
                          "state"));
    CHECK(contains(r.err, "check it with: mlx4-porttype status 0000:05:00.0"));
    checkOtherCardSwitched(m);
}

TEST_CASE("a card with three port files is not touched, one with none has nothing to do") {
    Machine m;
    m.bed.addCard(CardSpec(kCardA, {"ib", "ib", "ib"}));
    m.bed.addCard(CardSpec(kCardB));
    m.bed.addCard(CardSpec("0000:07:00.0", {}));
    m.config(R"({"default": "eth"})");
    RunResult r = m.run({"apply", "--all"});
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, std::string(kLabelA) +
                              " has port files mlx4_port1, mlx4_port2, mlx4_port3, but the mlx4 "
                              "driver makes mlx4_port1 and at most mlx4_port2; not touching a "
                              "device we do not understand"));
    CHECK(contains(r.err, "0000:07:00.0 (MT26428 ConnectX-2 VPI QDR, MHQH19B/MHQH29B): has no "
                          "port files yet"));
    CHECK(m.writesTo(kCardA).empty());
    CHECK(m.bed.readPort(kCardA, 3) == "ib\n");
    checkOtherCardSwitched(m);

    // Without the odd card, the card without port files is no failure.
    Machine quiet;
    quiet.bed.addCard(CardSpec(kCardA, {}));
    quiet.bed.addCard(CardSpec(kCardB));
    quiet.config(R"({"default": "eth"})");
    CHECK(quiet.run({"apply", "--all"}).status == 0);
    checkOtherCardSwitched(quiet);
}

TEST_CASE("a lock file that is a symlink, or cannot be opened, stops only that card") {
    Machine m;
    twoCards(m);
    mkdir(m.runDir.c_str(), 0755);
    std::string lockA = m.runDir + "/" + kCardA + ".lock";
    std::string target = m.dir + "/elsewhere";
    REQUIRE(symlink(target.c_str(), lockA.c_str()) == 0);
    RunResult r = m.run({"apply", "--all"});
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, std::string(kLabelA) + ": cannot open the lock file " + lockA +
                              ": Too many levels of symbolic links (it is a symbolic link; "
                              "remove it); nothing was written"));
    CHECK(access(target.c_str(), F_OK) != 0); // root was not made to create the link's target
    checkCardAUntouched(m);
    checkOtherCardSwitched(m);

    // Root passes every permission check, so the shim plays the unwritable lock file.
    Machine denied;
    twoCards(denied);
    std::string lockDenied = denied.runDir + "/" + kCardA + ".lock";
    r = denied.run({"apply", "--all"}, "open|" + lockDenied + "|EACCES");
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, std::string(kLabelA) + ": cannot open the lock file " + lockDenied +
                              ": Permission denied; nothing was written"));
    checkCardAUntouched(denied);
    checkOtherCardSwitched(denied);
}

TEST_CASE("a lock directory that is a file fails every card that needs a write, and says why") {
    Machine m;
    twoCards(m);
    std::ofstream(m.runDir) << "not a directory";
    RunResult r = m.run({"apply", "--all"});
    CAPTURE(r.err);
    CHECK(r.status == 1);
    CHECK(contains(r.err, "the lock directory " + m.runDir +
                              " is not a directory; remove it; nothing was written"));
    CHECK(m.writes().empty());
}

TEST_CASE("configuration directory faults exit 2 and write nothing to any card") {
    struct Case {
        std::string name;
        std::string message; // after the path
    };
    for (const Case& c : {
             Case{"the directory is a file",
                  ": is not a directory; the configuration directory holds config.json and "
                  "config.d/"},
             Case{"a symlink loop in config.d", "/config.d/loop.json: cannot open: Too many "
                                                "levels of symbolic links (a symbolic link "
                                                "loop?)"},
             Case{"config.d is a symlink loop",
                  "/config.d: cannot open: Too many levels of symbolic links"},
         }) {
        CAPTURE(c.name);
        Machine m;
        twoCards(m);
        if (c.name == "the directory is a file") {
            std::filesystem::remove_all(m.configDir);
            std::ofstream(m.configDir) << R"({"default": "eth"})";
        } else if (c.name == "a symlink loop in config.d") {
            REQUIRE(symlink("loop.json", (m.configDir + "/config.d/loop.json").c_str()) == 0);
        } else {
            REQUIRE(rmdir((m.configDir + "/config.d").c_str()) == 0);
            REQUIRE(symlink("config.d", (m.configDir + "/config.d").c_str()) == 0);
        }
        RunResult r = m.run({"apply", "--all"});
        CAPTURE(r.err);
        CHECK(r.status == 2);
        CHECK(contains(r.err, "error: " + m.configDir + c.message));
        CHECK(contains(r.err, "1 configuration error; no card was changed"));
        CHECK(m.writes().empty());
        checkCardAUntouched(m);
    }
}

TEST_CASE("a configuration file that is a FIFO is refused at once, without waiting for a writer") {
    Machine m;
    twoCards(m);
    std::string fifo = m.configDir + "/config.d/50-pipe.json";
    REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
    RunResult r = m.run({"apply", "--all"});
    CAPTURE(r.err);
    CHECK(r.status == 2); // 128+SIGALRM if it hung
    CHECK(contains(r.err, "error: " + fifo + ": is not a regular file"));
    CHECK(m.writes().empty());

    // A writer that never stops does not keep it either. (Its writes fail with EPIPE once
    // nobody reads; without this, SIGPIPE would end the test program.)
    auto oldPipeHandler = signal(SIGPIPE, SIG_IGN);
    std::thread writer([&] {
        int fd = open(fifo.c_str(), O_WRONLY);
        for (int i = 0; fd >= 0 && i < 1000 && write(fd, "{ ", 2) == 2; ++i)
            usleep(1000);
        if (fd >= 0)
            close(fd);
    });
    usleep(10000);
    r = m.run({"apply", "--all"});
    // Unblock the writer if the helper never opened the FIFO.
    int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    writer.join();
    if (reader >= 0)
        close(reader);
    signal(SIGPIPE, oldPipeHandler);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "error: " + fifo + ": is not a regular file"));
    CHECK(m.writes().empty());
}

TEST_CASE("a configuration that changes while being read is not applied half old, half new") {
    // Two versions of one file, the same length, larger than one read() of the helper. A read
    // that sees the start of the old and the end of the new one gets a document that nobody
    // wrote: card A eth (old) and default ib (new).
    auto version = [](const std::string& type, const std::string& pad) {
        std::string head = R"({"cards": {"0000:05:00.0": ")" + type + "\"" + pad + "},";
        std::string tail = R"( "default": ")" + type + "\"" + pad + "}\n";
        return head + std::string(100000 - head.size() - tail.size(), ' ') + tail;
    };
    std::string oldText = version("eth", " "), newText = version("ib", "  ");
    REQUIRE(oldText.size() == newText.size());
    Machine m;
    m.bed.addCard(CardSpec(kCardA, {"ib", "ib"}));
    m.bed.addCard(CardSpec(kCardB, {"eth", "eth"}));
    m.config(oldText);
    std::string replacement = m.dir + "/new.json";
    std::ofstream(replacement) << newText;
    std::string configFile = m.configDir + "/config.json";
    // Dated in the past, so that the change shows in the file's time whatever the clock's tick.
    struct timespec old[2] = {{1000, 0}, {1000, 0}};
    REQUIRE(utimensat(AT_FDCWD, configFile.c_str(), old, 0) == 0);
    RunResult r = m.run({"apply", "--all"}, "read|" + configFile + "|replace=" + replacement);
    CAPTURE(r.err);
    // The mixed document would set A to eth and B to ib: a configuration nobody wrote.
    bool mixed = m.bed.readPort(kCardA, 1) == "eth\n" && m.bed.readPort(kCardB, 1) == "ib\n";
    CHECK_FALSE(mixed);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "error: " + configFile + ": changed while it was being read"));
    CHECK(m.writes().empty());
}

TEST_CASE("a configuration file whose fstat fails is an error naming the file, not skipped") {
    // The first fstat() decides whether the file may be used (type, owner, mode); the second
    // one, after reading, whether it changed meanwhile. Either failing leaves the file unknown.
    for (std::string skip : {"0", "1"}) {
        CAPTURE(skip);
        Machine m;
        twoCards(m);
        std::string configFile = m.configDir + "/config.json";
        RunResult r = m.run({"apply", "--all"}, "fstat|" + configFile + "|EIO|" + skip);
        CAPTURE(r.err);
        CHECK(r.status == 2);
        CHECK(contains(r.err, "error: " + configFile + ": cannot stat: Input/output error"));
        CHECK(contains(r.err, "1 configuration error; no card was changed"));
        CHECK(m.writes().empty());
        checkCardAUntouched(m);
    }
}
