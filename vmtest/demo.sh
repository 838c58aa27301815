#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh SELFTESTS: runs in the guest (make demo).  For each zswap
# backend, a workload fills a memory cgroup past its limit with
# compressible and then random data, holds it and reads every byte back,
# while zpooltop ($ZPOOLTOP) shows the pools live.
set -u
bin=$1

if ! [ -w /sys/module/zswap/parameters/zpool ]; then
	echo "demo: this kernel has no zswap.zpool parameter (is the series applied?)"
	exit 1
fi

status=0
for backend in zsmalloc zbud; do
	echo $backend > /sys/module/zswap/parameters/zpool
	echo
	echo "=== zswap.zpool=$backend: 96 MiB of compressible, then random data," \
		"in a cgroup limited to 32 MiB (zswap at most 16 MiB)"
	echo "=== zpooltop -b 1 (every second; ^C would stop it)"
	"$ZPOOLTOP" -b 1 &
	top=$!
	sleep 2
	for data in compressible random; do
		if "$bin/zp_hog" zp-demo 32 96 $data 3 > /dev/null; then
			echo ">>> $backend/$data: every byte read back intact"
		else
			echo ">>> $backend/$data: THE WORKLOAD FAILED"
			status=1
		fi
	done
	sleep 2
	kill -INT $top
	wait $top || { echo "demo: zpooltop failed"; status=1; }
done
echo
echo "=== the pools as zswap's debugfs lists them (current first):"
cat /sys/kernel/debug/zswap/pools
exit $status
