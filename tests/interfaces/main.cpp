// SPDX-License-Identifier: GPL-2.0-or-later
// doctest's main() for tests that read testbeds in this process: without umockdev's preload
// they would read the machine's real /sys, so the program first re-executes itself with it.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

int main(int argc, char** argv) {
    const std::string library = "libumockdev-preload.so.0";
    const char* preload = std::getenv("LD_PRELOAD");
    if (!preload || !std::strstr(preload, library.c_str())) {
        std::string value = library;
        if (preload && *preload)
            value += std::string(":") + preload;
        setenv("LD_PRELOAD", value.c_str(), 1);
        execv("/proc/self/exe", argv);
        std::fprintf(stderr, "cannot re-execute with %s: %s\n", library.c_str(),
                     std::strerror(errno));
        return 1;
    }
    doctest::Context context(argc, argv);
    return context.run();
}
