#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# step-time.sh LABEL START: record that LABEL took from START (seconds
# since the epoch) until now, in $ZP_STEP_TIMES (make check sets it; the
# table is printed at its end).  Does nothing when it is unset.
[ -n "${ZP_STEP_TIMES:-}" ] || exit 0
printf '%s\t%d\n' "$1" $(($(date +%s) - $2)) >> "$ZP_STEP_TIMES"
