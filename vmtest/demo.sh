#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh SELFTESTS: runs in the guest (make demo).  For each zswap
# backend, a workload fills a memory cgroup past its limit with
# compressible and then random data, holds it and reads every byte back,
# while zpooltop ($ZPOOLTOP) shows the pools live.  Then zpooltop --whatif
# predicts, on zsmalloc, the pool zbud would need for the same pages, and
# the same pages go to zbud for the real result.  Last, zswap fills the
# GCMA area and a contiguous allocation takes it back.
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
# What if: 64 MiB whose compressed sizes spread from a few bytes to a
# page that does not compress, pushed out to zswap (MADV_PAGEOUT) while
# zpooltop --whatif watches, on one backend and then the other.
whatif_pages=16384
whatif_out=/tmp/zp-demo-whatif

# The last whole report zpooltop -b wrote to the file $1.
last_report() {
	awk '/^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] zswap / { r = "" } { r = r $0 "\n" }
	     END { printf "%s", r }' "$1"
}

# whatif BACKEND: the report zpooltop --whatif gave once the pool of
# BACKEND held every page, in $whatif_out.BACKEND.
whatif() {
	local backend=$1 top hog stored
	echo "$backend" > /sys/module/zswap/parameters/zpool
	"$ZPOOLTOP" --whatif -b 1 > "$whatif_out.log" 2>&1 &
	top=$!
	sleep 2
	"$bin/zp_hog" zp-whatif 512 64 spread 8 pageout > /dev/null &
	hog=$!
	while kill -0 $hog 2> /dev/null; do
		stored=$(awk -v b="$backend" '$2 == b { print $4; exit }' \
			/sys/kernel/debug/zswap/pools)
		[ "${stored:-0}" -ge $((whatif_pages * 99 / 100)) ] && break
		sleep 1
	done
	sleep 3		# a report or two with every page in the pool
	last_report "$whatif_out.log" > "$whatif_out.$backend"
	wait $hog || { echo ">>> $backend/spread: THE WORKLOAD FAILED"; status=1; }
	kill -INT $top
	wait $top || { echo "demo: zpooltop failed"; status=1; }
	cat "$whatif_out.$backend"
}

# The ratio on the line of BACKEND that ends in WHAT (now, if switched).
ratio_of() { # FILE BACKEND WHAT
	awk -v b="$2" -v w="$3" '$1 == b && $0 ~ (" " w "$") { print $3 ":1 (" $2 ")"; exit }' "$1"
}

echo
echo "=== what if: 64 MiB whose compressed sizes spread from a few bytes to a whole page,"
echo "=== pushed out to zswap on zsmalloc; zpooltop --whatif -b 1, once every page is stored:"
whatif zsmalloc
echo
echo "=== the same pages on zbud (echo zbud > /sys/module/zswap/parameters/zpool):"
whatif zbud
echo
echo ">>> zbud: predicted on zsmalloc $(ratio_of $whatif_out.zsmalloc zbud 'if switched'), real $(ratio_of $whatif_out.zbud zbud now)"
echo ">>> zsmalloc: predicted on zbud $(ratio_of $whatif_out.zbud zsmalloc 'if switched'), real $(ratio_of $whatif_out.zsmalloc zsmalloc now)"
rm -f "$whatif_out".*

# GCMA: zswap keeps pages in the idle GCMA area (booted with gcma=32M)
# and writes them through to swap; a contiguous allocation of the whole
# area then takes it back at once, dropping what zswap had there.
gcma_demo() {
	local cma=/sys/kernel/debug/cma/gcma gcma=/sys/kernel/debug/gcma
	local area top hog t0 t1
	if [ ! -d $cma ]; then
		echo ">>> no GCMA area (boot with gcma=SIZE): skipped"
		return
	fi
	area=$(cat $cma/count)
	echo gcma > /sys/module/zswap/parameters/zpool
	echo
	echo "=== zswap.zpool=gcma: 128 MiB of compressible data in a cgroup limited to 32 MiB;"
	echo "=== zswap stores the overflow in the $area-page GCMA area, and writes it to swap too"
	"$ZPOOLTOP" -b 1 &
	top=$!
	sleep 2
	"$bin/zp_hog" zp-gcma 32 128 compressible 20 > /dev/null &
	hog=$!
	# Until a quarter of the area holds zswap data, while the workload
	# holds its pages (20 s).
	for _ in $(seq 300); do
		[ "$(cat $gcma/lent_pages)" -ge $((area / 4)) ] && break
		kill -0 $hog 2> /dev/null || break
		sleep 1
	done
	echo ">>> $(cat $gcma/lent_pages) of $area GCMA pages lent to zswap; a device now asks for all $area pages:"
	t0=$(date +%s%N)
	if echo "$area" > $cma/alloc; then
		t1=$(date +%s%N)
		echo ">>> got $area contiguous pages in $(((t1 - t0) / 1000)) us: zswap dropped" \
			"$(cat $gcma/discarded_objects) objects in $(cat $gcma/discarded_pages) pages, no page migrated"
		sleep 2
		echo "$area" > $cma/free
		echo ">>> the device released them: the area is lent to zswap again"
	else
		echo ">>> THE CONTIGUOUS ALLOCATION FAILED"
		status=1
	fi
	if wait $hog; then
		echo ">>> gcma/compressible: every byte read back intact" \
			"($(cat /sys/kernel/debug/zswap/load_discarded) pages whose copy was dropped came from swap)"
	else
		echo ">>> gcma/compressible: THE WORKLOAD FAILED"
		status=1
	fi
	sleep 2
	kill -INT $top
	wait $top || { echo "demo: zpooltop failed"; status=1; }
	echo zsmalloc > /sys/module/zswap/parameters/zpool
}
gcma_demo

echo
echo "=== the pools as zswap's debugfs lists them (current first):"
cat /sys/kernel/debug/zswap/pools
exit $status
