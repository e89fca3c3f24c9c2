// SPDX-License-Identifier: GPL-2.0-or-later
// set.json on disk: replaced atomically with mode 0644, never through a symbolic link, and the
// loader reads it after every file the admin wrote.
#include "config_dir.h"
#include "config_write.h"
#include "temp_dir.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlx4;

namespace {

std::string contents(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

std::vector<std::string> names(const std::string& dir) {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        found.push_back(entry.path().filename().string());
    return found;
}

} // namespace

TEST_CASE("a new set.json is written whole with mode 0644 and no file left beside it") {
    TempDir dir;
    umask(0077); // the admin's umask does not decide who may read the configuration
    std::string path = setFilePath(dir.path);
    std::string problem;
    REQUIRE_MESSAGE(replaceFileAtomically(path, "{\"default\": \"eth\"}\n", problem), problem);
    umask(0022);
    CHECK(contents(path) == "{\"default\": \"eth\"}\n");
    struct stat st;
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);
    CHECK(names(dir.path) == std::vector<std::string>{"set.json"});
    // Replaced: a new inode, so a reader holding the old file still reads the old text whole.
    std::ifstream reader(path);
    REQUIRE(replaceFileAtomically(path, "{}\n", problem));
    std::stringstream old;
    old << reader.rdbuf();
    CHECK(old.str() == "{\"default\": \"eth\"}\n");
    CHECK(contents(path) == "{}\n");
}

TEST_CASE("a symbolic link at set.json is refused, and its target left alone") {
    TempDir dir;
    std::string target = dir.path + "/elsewhere.json";
    std::ofstream(target) << "{}\n";
    std::string path = setFilePath(dir.path);
    REQUIRE(symlink(target.c_str(), path.c_str()) == 0);
    std::string problem;
    CHECK_FALSE(replaceFileAtomically(path, "{\"default\": \"eth\"}\n", problem));
    CHECK(problem.find("is a symbolic link") != std::string::npos);
    CHECK(contents(target) == "{}\n");
    CHECK(names(dir.path).size() == 2); // no temporary file left
}

TEST_CASE("the lock creates a missing configuration directory") {
    TempDir dir;
    std::string configDir = dir.path + "/etc";
    std::string problem;
    auto lock = ConfigDirLock::acquire(configDir, problem);
    REQUIRE_MESSAGE(lock, problem);
    struct stat st;
    REQUIRE(stat(configDir.c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 022) == 0);
    CHECK_FALSE(ConfigDirLock::acquire(dir.path + "/no/such/dir", problem));
    CHECK(problem.find("No such file or directory") != std::string::npos);
}

TEST_CASE("set.json is read after config.d, so its entries replace the admin's of the same key") {
    TempDir dir;
    std::ofstream(dir.path + "/config.json") << R"({"default": "ib", "cards": {"05:00.0": "ib"}})";
    std::filesystem::create_directory(dir.path + "/config.d");
    chmod((dir.path + "/config.d").c_str(), 0755);
    std::ofstream(dir.path + "/config.d/zz-last.json") << R"({"cards": {"06:00.0": "ib"}})";
    std::ofstream(setFilePath(dir.path)) << R"({"default": "eth", "cards": {"06:00.0": "eth"}})";
    std::vector<ConfigError> errors;
    Config config = loadConfigDir(dir.path, getuid(), errors);
    CHECK(errors.empty());
    REQUIRE(config.files.size() == 3);
    CHECK(config.files.back() == setFilePath(dir.path));
    CHECK(config.defaultEntry->spec.str() == "eth");
    CHECK(config.cards.at(*parsePciAddress("06:00.0")).spec.str() == "eth");
    CHECK(config.cards.at(*parsePciAddress("05:00.0")).spec.str() == "ib");
}

TEST_CASE("check --file reads one file wherever it is and whoever may write it") {
    TempDir dir;
    std::string path = dir.path + "/tmpXYZ";
    std::ofstream(path) << "{\n  \"default\": \"ethernet\"\n}\n";
    chmod(path.c_str(), 0666); // a temporary copy; its final mode is set where it is installed
    std::vector<ConfigError> errors;
    auto file = checkConfigFile(path, errors);
    REQUIRE(file);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].str() == path + ":2:14: unknown port type \"ethernet\": use \"ib\", \"eth\", "
                                    "\"auto\" or \"keep\"; did you mean \"eth\"?");
    errors.clear();
    CHECK_FALSE(checkConfigFile(dir.path + "/missing", errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].str().find("No such file or directory") != std::string::npos);
}
