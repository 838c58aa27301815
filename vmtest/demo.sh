#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh SELFTESTS: runs in the guest.  For each zswap backend, puts a
# workload of compressible and then random data under a memory cgroup
# limit and prints zswap's counters once a second while the pages sit in
# zswap.  (zpooltop will replace this view.)
set -u
bin=$1
dbg=/sys/kernel/debug/zswap

counters() {
	local stored size wb out in
	stored=$(cat $dbg/stored_pages) size=$(cat $dbg/pool_total_size)
	wb=$(cat $dbg/written_back_pages)
	out=$(awk '$1 == "zswpout" { print $2 }' /proc/vmstat)
	in=$(awk '$1 == "zswpin" { print $2 }' /proc/vmstat)
	awk -v s="$stored" -v z="$size" -v w="$wb" -v o="$out" -v i="$in" -v t="$1" 'BEGIN {
		r = z ? s * 4096 / z : 0
		printf "%-28s %9d %9.1f %6.2f:1 %9d %9d %9d\n", t, s, z / 1048576, r, w, o, i }'
}

header() {
	printf "%-28s %9s %9s %8s %9s %9s %9s\n" "backend/data" "stored" "pool MiB" \
		"ratio" "written" "zswpout" "zswpin"
}

for backend in zsmalloc zbud; do
	if ! echo $backend > /sys/module/zswap/parameters/zpool 2>/dev/null; then
		echo "demo: this kernel has no zswap.zpool parameter (is the series applied?)"
		exit 1
	fi
	for data in compressible random; do
		echo
		echo "== zswap.zpool=$backend: 96 MiB of $data data under a 32 MiB cgroup limit (zswap at most 16 MiB)"
		header
		"$bin/zp_hog" zp-demo 32 96 $data 4 &
		hog=$!
		while kill -0 $hog 2>/dev/null; do
			counters "$backend/$data"
			sleep 1
		done
		if wait $hog; then
			echo "every byte read back intact"
		else
			echo "demo: the workload failed"
		fi
	done
done
echo
echo "pools (current first):"
cat $dbg/pools
