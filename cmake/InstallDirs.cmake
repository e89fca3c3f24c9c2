# SPDX-License-Identifier: GPL-2.0-or-later
# Install directories that belong to another package (udev, systemd, bash-completion), which says
# where they are in its .pc file.

# mlx4_install_dir(VAR PACKAGE PC_VARIABLE [SUFFIX suffix] FALLBACK dir DOC text)
# Makes VAR a cache variable: PC_VARIABLE of PACKAGE.pc (with SUFFIX appended) when pkg-config
# knows it, FALLBACK otherwise. Distributions override VAR without patches.
function(mlx4_install_dir var package pc_variable)
    cmake_parse_arguments(PARSE_ARGV 3 arg "" "SUFFIX;FALLBACK;DOC" "")
    if(NOT arg_FALLBACK OR NOT arg_DOC OR arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "mlx4_install_dir(${var}): needs FALLBACK and DOC, and nothing else")
    endif()
    pkg_get_variable(from_pc ${package} ${pc_variable})
    if(from_pc)
        set(default "${from_pc}${arg_SUFFIX}")
    else()
        set(default "${arg_FALLBACK}")
        message(STATUS "${package}.pc not found; ${var} is ${default} unless set")
    endif()
    set(${var} "${default}" CACHE PATH "${arg_DOC}")
endfunction()
