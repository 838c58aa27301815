#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh RESULTS MAKE-STEP...: run each make step, then tally every TAP
# file in RESULTS.  A step that fails without reporting a failed test of
# its own (the kernel did not build, the VM did not boot) is counted as a
# failed test named after the step, so the tally never hides it.  Skips
# must be on vmtest/expected-skips.  Before the tally it prints the wall
# time of each step, of each kernel build and VM run within them, and of
# each test program in the guest.
set -u
here=$(cd "$(dirname "$0")" && pwd)
results=$1
shift
make=${MAKE:-make}
rm -rf "$results"
mkdir -p "$results"
export ZP_STEP_TIMES
ZP_STEP_TIMES=$(realpath "$results")/steps.tsv
: > "$ZP_STEP_TIMES"

failures() { cat "$results"/*.tap "$results"/*/*.tap 2>/dev/null | grep -c '^not ok'; }

check_start=$(date +%s)
status=0
for step in "$@"; do
	before=$(failures)
	start=$(date +%s)
	if ! $make --no-print-directory "$step"; then
		status=1
		# Judge the step by what it reported, not by earlier steps.
		if [ "$(failures)" -eq "$before" ]; then
			printf 'TAP version 13\n1..1\nnot ok 1 make %s\n' "$step" \
				> "$results/make-$step.tap"
		fi
	fi
	"$here/../vmtest/step-time.sh" "make $step" "$start"
done
"$here/../vmtest/step-time.sh" "make check, in all" "$check_start"

# The table: make's steps with what ran inside them, then the tests.
mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
echo "  TIME    what                                                  m:ss"
# What ran inside a step was recorded before the step ended: print it
# after the step's own line.
inner=()
while IFS=$'\t' read -r what secs; do
	line=$(printf '  TIME    %-52s %6s' "${what#make }" "$(mmss "$secs")")
	case "$what" in
	make*)	echo "$line"
		for l in ${inner[@]+"${inner[@]}"}; do echo "$l"; done
		inner=() ;;
	*)	inner+=("$(printf '  TIME    %-52s %6s' "  $what" "$(mmss "$secs")")") ;;
	esac
done < "$ZP_STEP_TIMES"
for f in "$results"/times.tsv "$results"/*/times.tsv; do
	[ -f "$f" ] || continue
	run=$(basename "$(dirname "$f")")
	[ "$run" = "$(basename "$results")" ] && run=test
	while IFS=$'\t' read -r what secs; do
		printf '  TIME    %-52s %6s\n' "  $run kernel: $what" "$(mmss "$secs")"
	done < "$f"
done

"$here/../vmtest/tally.sh" --expected-skips "$here/../vmtest/expected-skips" "$results" || status=1
exit $status
