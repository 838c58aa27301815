#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh SELFTESTS: runs in the guest (make stress): test_stress, every
# disturbance at once, for ZP_STRESS_SECONDS (600 unless set; make check
# runs it for 30).  Its TAP goes to the log, and the kernel log is
# checked afterwards as after the tests.
set -u
export ZP_STRESS_SECONDS=${ZP_STRESS_SECONDS:-600}
echo "== test_stress for $ZP_STRESS_SECONDS s"
"$1/test_stress" | tee "$ZP_RESULTS/stress.tap"
