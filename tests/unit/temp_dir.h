// SPDX-License-Identifier: GPL-2.0-or-later
// A temporary directory for the tests of the configuration directory and of set.json's writer,
// removed with everything in it at the end of the test.
#pragma once

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <system_error>

class TempDir {
public:
    TempDir() {
        char name[] = "/tmp/mlx4-config-test-XXXXXX";
        REQUIRE(mkdtemp(name));
        path = name;
        chmod(path.c_str(), 0755);
    }
    ~TempDir() {
        std::error_code ignored; // a destructor cannot fail a test
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // A file in it with `text` and `mode`; its path.
    std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) {
        std::string file = path + "/" + name;
        std::ofstream(file) << text;
        chmod(file.c_str(), mode);
        return file;
    }
    // A directory in it with `mode`; its path.
    std::string mkdir(const std::string& name, mode_t mode = 0755) {
        std::string dir = path + "/" + name;
        ::mkdir(dir.c_str(), mode);
        chmod(dir.c_str(), mode);
        return dir;
    }

    std::string path;
};
