# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by check-package and check-install (sourced, not run).

# ctest's SKIP_RETURN_CODE: the check cannot run here, which is not a failure.
skip() {
    echo "SKIP: $*"
    exit 77
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Prints a step with the seconds elapsed since the script started, to see where time goes.
step() {
    echo "== [$(( $(date +%s) - started ))s] $*"
}
started=$(date +%s)

need_tools() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || skip "$tool is not installed"
    done
}

# Copies the source tree without build directories and VCS data, so that building the package
# never touches the developer's tree. In a git checkout: the files git tracks or would track
# (honouring .gitignore), which includes new files not committed yet.
copy_tree() {
    src=$1 dest=$2
    mkdir -p "$dest"
    if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$src" ls-files -z --cached --others --exclude-standard |
            (cd "$src" && while IFS= read -r -d '' f; do
                 # Tracked files deleted in the working tree are still listed.
                 if [ -e "$f" ]; then printf '%s\0' "$f"; fi
             done) |
            tar -C "$src" --null --files-from=- -cf - | tar -C "$dest" -xf -
    else
        tar -C "$src" --exclude=./.git --exclude='./build*' --exclude='./obj-*' -cf - . |
            tar -C "$dest" -xf -
    fi
}

# build_package DIR [dpkg-buildpackage options]: builds the binary package from the source tree
# DIR; the .deb and .changes land in DIR's parent. The log is shown only when the build fails.
build_package() {
    dir=$1
    shift
    if ! (cd "$dir" && dpkg-buildpackage -us -uc -b -Jauto "$@") >"$dir.build.log" 2>&1; then
        tail -n 80 "$dir.build.log"
        fail "dpkg-buildpackage failed in $dir (whole log above, last 80 lines)"
    fi
}

# The code name of the Debian release this machine runs (bookworm, trixie, ...).
this_release() {
    (. /etc/os-release && echo "${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}")
}

# The archive this machine's apt uses for Debian release $1, as a URI (no host name is written
# into the project: it comes from apt's configuration). Empty if apt has no entry for it.
debian_mirror() {
    apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Created-By: Packages' |
        awk -v suite="$1" '$1 == suite { print $2; exit }'
}
