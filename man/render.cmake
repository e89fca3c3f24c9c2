# SPDX-License-Identifier: GPL-2.0-or-later
# Renders one manual page with scdoc. A page with a table gets the preprocessor line '\" t
# first, which tells man(1) to run tbl: without it groff 1.23 (Debian 13) warns that the table
# was not rendered, and lintian reports that warning (groff-message).
#
# Usage: cmake -DSCDOC=... -DSOURCE=page.scd -DOUTPUT=page -P render.cmake
execute_process(COMMAND "${SCDOC}" INPUT_FILE "${SOURCE}" OUTPUT_VARIABLE page
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "scdoc failed on ${SOURCE}: ${status}")
endif()
string(FIND "${page}" "\n.TS\n" table)
if(NOT table EQUAL -1)
    string(PREPEND page "'\\\" t\n")
endif()
file(WRITE "${OUTPUT}" "${page}")
