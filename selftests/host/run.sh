#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh RESULTS [BINDIR]: run every host test (the shell tests here and
# the compiled ones in BINDIR), one TAP file each in RESULTS.
here=$(cd "$(dirname "$0")" && pwd)
results=$(realpath "${1:?usage: run.sh RESULTS [BINDIR]}")
bindir=${2:-}
status=0
for t in "$here"/test_*.sh; do
	name=host_$(basename "$t" .sh)
	echo "  HOST    $name"
	bash "$t" > "$results/$name.tap" 2>&1
	echo $? > "$results/$name.exit"
done
for t in ${bindir:+"$bindir"/test_*}; do
	[ -x "$t" ] || continue
	name=host_$(basename "$t")
	echo "  HOST    $name"
	"$t" > "$results/$name.tap" 2>&1
	echo $? > "$results/$name.exit"
done
# A test that crashed or exited non-zero fails (the tally reads .exit).
"$here/../../vmtest/tally.sh" --quiet "$results"/host_*.tap || status=1
exit $status
