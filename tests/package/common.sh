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
