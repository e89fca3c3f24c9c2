// SPDX-License-Identifier: GPL-2.0-or-later
// Must not link against a pure layer (tests/layers/CMakeLists.txt): libudev is the system
// layer's alone. The declaration is libudev's own, written out so that only the link decides.
extern "C" struct udev* udev_new(void);

int main() {
    return udev_new() ? 0 : 1;
}
