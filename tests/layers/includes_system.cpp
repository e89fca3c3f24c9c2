// SPDX-License-Identifier: GPL-2.0-or-later
// Must not compile when built in a pure layer (tests/layers/CMakeLists.txt): the system layer's
// headers are not on a pure library's include path.
#include "sysfs.h"
