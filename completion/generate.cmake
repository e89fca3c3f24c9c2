# SPDX-License-Identifier: GPL-2.0-or-later
# Fills the word lists of the bash completion from the built helper's verb table, so that the
# completion offers exactly the commands and options the helper takes.
#
# Usage: cmake -DHELPER=... -DTEMPLATE=...bash.in -DOUTPUT=... -P generate.cmake
execute_process(COMMAND "${HELPER}" --completion-words
                OUTPUT_VARIABLE words RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "${HELPER} --completion-words failed: ${status}")
endif()

# One line per verb: NAME OPERANDS OPTION...; a first line "- OPTION..." with the global ones.
string(REPLACE "\n" ";" lines "${words}")
set(GLOBAL_OPTIONS "")
set(COMMANDS "")
set(COMMAND_OPTIONS "")
set(COMMAND_OPERANDS "")
foreach(line IN LISTS lines)
    if(line STREQUAL "")
        continue()
    endif()
    string(REPLACE " " ";" fields "${line}")
    list(POP_FRONT fields name)
    if(name STREQUAL "-")
        list(JOIN fields " " GLOBAL_OPTIONS)
        continue()
    endif()
    list(POP_FRONT fields operands)
    list(JOIN fields " " options)
    list(APPEND COMMANDS "${name}")
    string(APPEND COMMAND_OPTIONS "[${name}]=\"${options}\" ")
    string(APPEND COMMAND_OPERANDS "[${name}]=${operands} ")
endforeach()
if(GLOBAL_OPTIONS STREQUAL "" OR COMMANDS STREQUAL "")
    message(FATAL_ERROR "${HELPER} --completion-words printed no verb table:\n${words}")
endif()
list(JOIN COMMANDS " " COMMANDS)
string(STRIP "${COMMAND_OPTIONS}" COMMAND_OPTIONS)
string(STRIP "${COMMAND_OPERANDS}" COMMAND_OPERANDS)
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
