#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# baseline.sh SELFTESTS: runs in the guest of stock Linux, the unpatched
# source built like the benchmark kernel (make bench).  zswap's store and
# load throughput as stock Linux has it, with zsmalloc, for bench.sh to
# compare the series with on the same data.
set -u
bin=$1

if [ -e /sys/module/zswap/parameters/zpool ]; then
	echo "baseline: this kernel has the series; the baseline must be stock Linux"
	exit 1
fi
echo "kernel $(uname -r)"
"$bin/zp_bench" --baseline 64 "${ZP_BENCH_RUNS:-5}"
