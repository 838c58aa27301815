#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh RESULTS MAKE-STEP...: run each make step, then tally every TAP
# file in RESULTS.  A step that fails without reporting a failed test of
# its own (the kernel did not build, the VM did not boot) is counted as a
# failed test named after the step, so the tally never hides it.
set -u
results=$1
shift
make=${MAKE:-make}
rm -rf "$results"
mkdir -p "$results"

failures() { cat "$results"/*.tap "$results"/*/*.tap 2>/dev/null | grep -c '^not ok'; }

status=0
for step in "$@"; do
	before=$(failures)
	if ! $make --no-print-directory "$step"; then
		status=1
		# Judge the step by what it reported, not by earlier steps.
		if [ "$(failures)" -eq "$before" ]; then
			printf 'TAP version 13\n1..1\nnot ok 1 make %s\n' "$step" \
				> "$results/make-$step.tap"
		fi
	fi
done
"$(dirname "$0")/../vmtest/tally.sh" "$results" || status=1
exit $status
