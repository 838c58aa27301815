#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input to the workload and benchmark tools (zp_hog, zp_bench,
# zp_cma_bench) is refused before anything is touched: each bad command
# line exits 2 (an area that does not exist, 1) with one line on standard
# error, and afterwards the cgroups, zswap's parameters, the CMA areas'
# use and the CMA trace events are as they were.  Installed next to the
# tools (by the selftests Makefile).
here=$(cd "$(dirname "$0")" && pwd)

echo "TAP version 13"
# The cases below, and the check that nothing changed.
plan=4
echo "1..$plan"
n=0
result() {	# result OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

# What a tool could change: the cgroups, zswap's parameters, the CMA
# areas' use and whether the CMA events are on.
state() {
	ls /sys/fs/cgroup
	grep -H . /sys/module/zswap/parameters/* 2> /dev/null
	grep -H . /sys/kernel/debug/cma/*/used 2> /dev/null
	grep -H . /sys/kernel/tracing/events/cma/*/enable 2> /dev/null
}

# refused STATUS TOOL ARGS...: TOOL exits STATUS with one line on stderr.
bad=0 tried=0
refused() {
	local want=$1 tool=$2 err status
	shift 2
	tried=$((tried + 1))
	err=$("$here/$tool" "$@" 2>&1 > /dev/null)
	status=$?
	if [ "$status" != "$want" ] || [ "$(printf '%s\n' "$err" | wc -l)" != 1 ] ||
	   [ -z "$err" ]; then
		echo "# $tool $*: exit $status, not $want, saying: $err"
		bad=$((bad + 1))
	fi
}

huge=99999999999999999999999
before=$(state)

bad=0
refused 2 zp_hog
refused 2 zp_hog "" 32 64 compressible 1
refused 2 zp_hog ../escape 32 64 compressible 1
refused 2 zp_hog .. 32 64 compressible 1
refused 2 zp_hog zp-bad 0 64 compressible 1
refused 2 zp_hog zp-bad 32 -64 compressible 1
refused 2 zp_hog zp-bad 32 " 64" compressible 1
refused 2 zp_hog zp-bad 32 64x compressible 1
refused 2 zp_hog zp-bad 32 $huge compressible 1
refused 2 zp_hog zp-bad 32 64 squeezable 1
refused 2 zp_hog zp-bad 32 64 compressible -1
refused 2 zp_hog zp-bad 32 64 compressible 1 pageout extra
result $bad "zp_hog refuses a bad name, size, pattern or time"

bad=0
refused 2 zp_bench
refused 2 zp_bench 8
refused 2 zp_bench 0 1
refused 2 zp_bench -8 1
refused 2 zp_bench 8k 1
refused 2 zp_bench 8 ""
refused 2 zp_bench 8 0
refused 2 zp_bench 8 65
refused 2 zp_bench $huge 1
refused 2 zp_bench 1048576 1	# more than the guest's memory
refused 2 zp_bench --baseline 8
refused 2 zp_bench --baseline 8 x
refused 2 zp_bench --base 8 1
result $bad "zp_bench refuses a bad size or run count"

bad=0
refused 2 zp_cma_bench
refused 2 zp_cma_bench 1
refused 2 zp_cma_bench 0 gcma
refused 2 zp_cma_bench 1001 gcma
refused 2 zp_cma_bench 5x gcma
refused 2 zp_cma_bench 1 ""
refused 2 zp_cma_bench 1 ../../kernel
refused 2 zp_cma_bench 1 gcma gcma
refused 2 zp_cma_bench 1 a b c d e
refused 1 zp_cma_bench 1 nosucharea
result $bad "zp_cma_bench refuses bad rounds, bad or repeated area names and a missing area"

after=$(state)
ok=0
if [ "$before" != "$after" ]; then
	ok=1
	diff <(echo "$before") <(echo "$after") | sed 's/^/# /'
fi
echo "# $tried bad command lines tried"
result $ok "nothing changed: cgroups, zswap parameters, CMA use and events"
