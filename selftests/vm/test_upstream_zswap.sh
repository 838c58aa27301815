#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Upstream's own zswap selftest, tools/testing/selftests/cgroup/test_zswap
# built from the patched tree, run once per backend that keeps pages in
# RAM (zsmalloc, zbud), with zswap's defaults otherwise.  Each of its
# results is reported as BACKEND.NAME.
#
# One result cannot hold on zbud, and is reported as a skip when it fails:
# test_zswapin reads 32 MiB back through an 8 MiB cgroup and wants 24 MiB
# of it from zswap, but zbud keeps at most two objects a page and is
# charged for them, so the cgroup holds at most 16 MiB in zbud.  Its
# failure on zsmalloc, or any other failure, fails.
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/upstream/test_zswap
param=/sys/module/zswap/parameters

echo "TAP version 13"
if [ ! -x "$bin" ]; then
	echo "1..1"
	echo "not ok 1 upstream test_zswap is not built ($bin)"
	exit 1
fi
if [ ! -e /sys/kernel/debug/zswap/pools ]; then
	echo "1..0 # SKIP kernel without the zpool series"
	exit 4
fi

saved=$(cat $param/zpool)
results=$(mktemp)
trap 'echo "$saved" > $param/zpool; rm -f "$results"' EXIT
n=0 rc=0
for backend in zsmalloc zbud; do
	if ! echo $backend > $param/zpool; then
		n=$((n + 1))
		echo "not ok $n $backend: zswap refused the backend" >> "$results"
		rc=1
		continue
	fi
	out=$("$bin" 2>&1)
	status=$?
	printf '%s\n' "$out" | sed -n "s/^#/# $backend:/p"
	got=0
	while read -r line; do
		name=${line#*ok [0-9]* }
		n=$((n + 1)) got=$((got + 1))
		case "$line" in
		"not ok "*)
			if [ "$backend.$name" = zbud.test_zswapin ]; then
				echo "ok $n $backend.$name # SKIP zbud keeps at most 16 MiB in zswap for an 8 MiB cgroup; the test wants 24 MiB back from zswap" >> "$results"
			else
				echo "not ok $n $backend.$name" >> "$results"
				rc=1
			fi
			;;
		*) echo "ok $n $backend.${line#ok [0-9]* }" >> "$results" ;;
		esac
	done < <(printf '%s\n' "$out" | grep -E '^(not )?ok [0-9]+ ')
	# It reports every test of its plan, and exits 0 when none failed.
	want=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\).*/\1/p' | head -n 1)
	if [ -z "$want" ] || [ "$got" != "$want" ] || { [ "$status" != 0 ] && [ "$status" != 1 ]; }; then
		n=$((n + 1))
		echo "not ok $n $backend: test_zswap exited $status after $got of ${want:-no} planned results" >> "$results"
		rc=1
	fi
done
echo "1..$n"
cat "$results"
exit $rc
