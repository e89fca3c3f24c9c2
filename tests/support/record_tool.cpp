// SPDX-License-Identifier: GPL-2.0-or-later
// mlx4-testbed-record: prints the umockdev record of a test card, for scripts and the demo.
#include "card_bytes.h"
#include "testbed.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: mlx4-testbed-record ADDRESS [--device 0x673c] [--vendor 0x15b3] "
                 "[--driver NAME | --no-driver] [--ports ib,eth | --no-ports] "
                 "[--read-only] [--dsn GUID] [--vpd PART,SERIAL [--vpd-read-write BYTES]]\n");
    return 2;
}

std::vector<std::string> splitCommas(const std::string& text) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
        parts.push_back(text.substr(start, comma - start));
    parts.push_back(text.substr(start));
    return parts;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argv[1][0] == '-')
        return usage();
    mlx4::test::CardSpec card;
    card.address = argv[1];
    std::optional<mlx4::test::VpdSpec> vpd;
    size_t readWrite = 0;
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        bool hasValue = i + 1 < argc;
        if (arg == "--device" && hasValue)
            card.device = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 16));
        else if (arg == "--vendor" && hasValue)
            card.vendor = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 16));
        else if (arg == "--driver" && hasValue)
            card.driver = argv[++i];
        else if (arg == "--no-driver")
            card.driver.clear();
        else if (arg == "--ports" && hasValue)
            card.ports = splitCommas(argv[++i]);
        else if (arg == "--no-ports")
            card.ports.clear();
        else if (arg == "--dsn" && hasValue)
            card.config = mlx4::test::configSpace(
                {card.vendor, card.device, std::strtoull(argv[++i], nullptr, 16), 4096});
        else if (arg == "--vpd" && hasValue) {
            auto fields = splitCommas(argv[++i]);
            vpd.emplace();
            vpd->part = fields[0];
            vpd->serial = fields.size() > 1 ? fields[1] : vpd->serial;
        } else if (arg == "--vpd-read-write" && hasValue) {
            // A ConnectX-3 has about 4 KB of read-write VPD after its read-only part.
            readWrite = std::strtoul(argv[++i], nullptr, 10);
        } else if (arg == "--read-only")
            card.readOnly = true; // a record cannot carry file modes; see the note below
        else
            return usage();
    }
    if (vpd) {
        vpd->readWrite = readWrite;
        vpd->readable = std::max<size_t>(256, readWrite + 128);
        card.vpd = mlx4::test::vpdImage(*vpd);
    }
    std::fputs(mlx4::test::umockdevRecord(card).c_str(), stdout);
    if (card.readOnly)
        std::fprintf(stderr, "note: umockdev records have no file modes; chmod 0444 the port "
                             "files in the testbed after loading it\n");
    return 0;
}
