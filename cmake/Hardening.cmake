# SPDX-License-Identifier: GPL-2.0-or-later
# Sanitizer and fuzzing switches, included from the top-level CMakeLists.txt before any target.
#   MLX4_SANITIZE  comma-separated sanitizers for every target, e.g. "address,undefined"
#   MLX4_FUZZ      build the libFuzzer targets of tests/fuzz (clang only); without it they are
#                  built with a main() that replays their seed corpus

set(MLX4_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined")
option(MLX4_FUZZ "Build libFuzzer targets (needs clang)" OFF)

if(MLX4_SANITIZE)
    # No recovery: the first report fails the test that caused it.
    set(mlx4_sanitize_flags -fsanitize=${MLX4_SANITIZE} -fno-omit-frame-pointer
                            -fno-sanitize-recover=all)
    add_compile_options(${mlx4_sanitize_flags})
    add_link_options(${mlx4_sanitize_flags})
    message(STATUS "Sanitizers: ${MLX4_SANITIZE}")
endif()

if(MLX4_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MLX4_FUZZ needs clang (libFuzzer); configure with "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
endif()
