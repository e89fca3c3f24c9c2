// SPDX-License-Identifier: GPL-2.0-or-later
// Loading a configuration directory: file order, ignored names, and the trust checks.
#include "config_dir.h"
#include "temp_dir.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlx4;

namespace {

// The entry that configures the card at `address` when nothing else of it is known: its own
// entry, else default.
const mlx4::ConfigEntry* entryFor(const mlx4::Config& config, const mlx4::PciAddress& address) {
    mlx4::CardIdentity identity;
    identity.address = address;
    return config.match(identity).entry;
}

Config load(const std::string& dir, std::vector<ConfigError>& errors, uid_t trusted = getuid()) {
    return loadConfigDir(dir, trusted, errors);
}

std::string allErrors(const std::vector<ConfigError>& errors) {
    std::string text;
    for (const ConfigError& error : errors)
        text += error.str() + "\n";
    return text;
}

} // namespace

TEST_CASE("a missing directory, or one without files, configures nothing and is no error") {
    TempDir dir;
    std::vector<ConfigError> errors;
    Config config = load(dir.path + "/absent", errors);
    CHECK(errors.empty());
    CHECK(config.files.empty());
    config = load(dir.path, errors);
    CHECK(errors.empty());
    CHECK(config.files.empty());
}

TEST_CASE("config.json, then config.d/*.json in lexical order, other names ignored") {
    TempDir dir;
    dir.write("config.json", R"({"default": "ib", "cards": {"05:00.0": "ib"}})");
    dir.mkdir("config.d");
    dir.write("config.d/20-b.json", R"({"cards": {"05:00.0": "auto"}})");
    dir.write("config.d/10-a.json", R"({"default": "eth", "cards": {"05:00.0": "eth"}})");
    for (const char* ignored : {"config.d/30-c.json~", "config.d/30-c.json.dpkg-old",
                                "config.d/.hidden.json", "config.d/README", "config.d/40.jsonx"})
        dir.write(ignored, "not json at all");
    std::vector<ConfigError> errors;
    Config config = load(dir.path, errors);
    CHECK(allErrors(errors) == "");
    CHECK(config.files == std::vector<std::string>{dir.path + "/config.json",
                                                   dir.path + "/config.d/10-a.json",
                                                   dir.path + "/config.d/20-b.json"});
    CHECK(config.defaultEntry->spec.str() == "eth");
    CHECK(entryFor(config, *parsePciAddress("05:00.0"))->spec.str() == "auto");
}

TEST_CASE("errors in several files are all reported with their paths") {
    TempDir dir;
    dir.write("config.json", "{\"default\": \"etj\"}");
    dir.mkdir("config.d");
    dir.write("config.d/a.json", "{\n\"cards\": 3}");
    std::vector<ConfigError> errors;
    load(dir.path, errors);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].str().find(dir.path + "/config.json:1:13: unknown port type") == 0);
    CHECK(errors[1].str().find(dir.path + "/config.d/a.json:2:10: \"cards\" must be") == 0);
}

TEST_CASE("files and directories writable by group or others are refused") {
    TempDir dir;
    std::string file = dir.write("config.json", "{}", 0664);
    std::vector<ConfigError> errors;
    load(dir.path, errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].str() == file +
                                 ": refused: writable by group or others, so anyone could "
                                 "change what root writes to the cards (chmod go-w " +
                                 file + ")");
    chmod(file.c_str(), 0644);
    std::string dropIns = dir.mkdir("config.d", 0777);
    errors.clear();
    load(dir.path, errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].str().find(dropIns + ": refused: writable by group or others") == 0);
}

TEST_CASE("files owned by anyone but root and the caller are refused") {
    TempDir dir;
    std::string file = dir.write("config.json", "{}");
    std::vector<ConfigError> errors;
    if (getuid() == 0) {
        // As root: hand the file to nobody.
        REQUIRE(chown(file.c_str(), 65534, 65534) == 0);
        load(dir.path, errors, 0);
    } else {
        // As a user: the files are ours, so trust only some other user.
        // Fails as a user, which is fine: the file check is what counts.
        if (chown(dir.path.c_str(), 0, 0) != 0)
            MESSAGE("chown to root failed as expected for a user");
        load(dir.path, errors, getuid() + 1);
    }
    REQUIRE_FALSE(errors.empty());
    CHECK(allErrors(errors).find("refused: owned by uid ") != std::string::npos);
}

TEST_CASE("a configuration directory that is a file is an error") {
    TempDir dir;
    std::string file = dir.write("notadir", "{}");
    std::vector<ConfigError> errors;
    load(file, errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].str() == file + ": is not a directory; the configuration directory holds "
                                    "config.json and config.d/");
}

TEST_CASE("a symlink loop in config.d is named, not followed forever") {
    TempDir dir;
    dir.mkdir("config.d");
    REQUIRE(symlink("loop.json", (dir.path + "/config.d/loop.json").c_str()) == 0);
    std::vector<ConfigError> errors;
    load(dir.path, errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].str() == dir.path + "/config.d/loop.json: cannot open: Too many levels of "
                                        "symbolic links (a symbolic link loop?)");
}

TEST_CASE("a directory named like a config file is refused") {
    TempDir dir;
    dir.mkdir("config.d");
    dir.mkdir("config.d/x.json");
    std::vector<ConfigError> errors;
    load(dir.path, errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].str() == dir.path + "/config.d/x.json: is not a regular file");
}

TEST_CASE("a file over 1 MiB is refused without parsing it") {
    TempDir dir;
    std::string file = dir.write("config.json", "{\"cards\": {}}" + std::string(1024 * 1024, ' '));
    std::vector<ConfigError> errors;
    load(dir.path, errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].str() == file + ": is larger than 1 MiB; a configuration needs a few "
                                    "hundred bytes per card");
}
