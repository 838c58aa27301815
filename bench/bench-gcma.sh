#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-gcma.sh SELFTESTS: runs in the guest (make bench), booted with
# cma=32M and gcma=32M: two areas of the same size.  Prints, in one run:
#  1. contiguous allocation latency from each area under the same memory
#     pressure: the CMA area ("reserved") full of movable pages, which an
#     allocation must migrate, the GCMA area full of zswap data, which an
#     allocation drops; p50, p99, max and failures per size, from the
#     cma_alloc_start and cma_alloc_finish events (zp_cma_bench);
#  2. the throughput of a swapping workload with zswap on zsmalloc, on
#     gcma (which writes every stored page to the swap device too) and
#     with zswap off, and the pages each wrote to the swap device.
set -u
bin=$1
cma=/sys/kernel/debug/cma
gcma=/sys/kernel/debug/gcma
zswap=/sys/module/zswap/parameters

if [ ! -d $cma/reserved ] || [ ! -d $cma/gcma ] || [ ! -d $gcma ]; then
	echo "bench: no CMA area (cma=) or no GCMA area (gcma=) to compare"
	exit 1
fi

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

echo "== GCMA against CMA: contiguous allocations under memory pressure"
echo "   areas: reserved (CMA) $(cat $cma/reserved/count) pages, gcma $(cat $cma/gcma/count) pages"
echo gcma > $zswap/zpool
echo Y > $zswap/enabled
# The whole machine under pressure: movable pages spill into the CMA
# area once the rest of memory is short, and zswap fills the GCMA area.
"$bin/zp_hog" zp-cma 4096 1000 compressible 3600 > /dev/null 2>&1 &
hog=$!
cma_pages=$(cat $cma/reserved/count)
for _ in $(seq 600); do
	free_kb=$(meminfo CmaFree)
	lent=$(cat $gcma/lent_pages)
	[ $((free_kb / 4)) -lt $((cma_pages / 4)) ] &&
		[ "$lent" -gt $(($(cat $cma/gcma/count) / 2)) ] && break
	sleep 1
done
echo "   under pressure: CMA area $((cma_pages - $(meminfo CmaFree) / 4)) of $cma_pages pages in use by movable pages,"
echo "   GCMA area $(cat $gcma/lent_pages) pages lent to zswap; MemFree $(meminfo MemFree) kB"
pgmigrate0=$(vmstat pgmigrate_success)
"$bin/zp_cma_bench" "${ZP_CMA_ROUNDS:-10}" reserved gcma ||
	echo "bench: zp_cma_bench failed"
echo "   pages migrated meanwhile: $(($(vmstat pgmigrate_success) - pgmigrate0));" \
	"gcma dropped $(cat $gcma/discarded_objects) objects in $(cat $gcma/discarded_pages) pages," \
	"waited $(cat $gcma/pin_wait_ns) ns for pins"
echo 1 > /sys/fs/cgroup/zp-cma/cgroup.kill 2>/dev/null
kill $hog 2>/dev/null
wait $hog 2>/dev/null
rmdir /sys/fs/cgroup/zp-cma 2>/dev/null

echo
echo "== a swapping workload: 192 MiB in a 64 MiB cgroup, filled and read back"
printf '%-10s %10s %12s %12s\n' zswap MB/s zswpout pswpout
for mode in zsmalloc gcma off; do
	if [ $mode = off ]; then
		echo N > $zswap/enabled
	else
		echo Y > $zswap/enabled
		echo $mode > $zswap/zpool
	fi
	zo=$(vmstat zswpout) po=$(vmstat pswpout) t0=$(date +%s.%N)
	"$bin/zp_hog" zp-tput 64 192 compressible 0 > /dev/null ||
		echo "bench: the workload failed with zswap $mode"
	t1=$(date +%s.%N)
	printf '%-10s %10.1f %12d %12d\n' $mode \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print 2 * 192 / (b - a) }')" \
		$(($(vmstat zswpout) - zo)) $(($(vmstat pswpout) - po))
done
echo Y > $zswap/enabled
echo zsmalloc > $zswap/zpool
