#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh SELFTESTS: runs in the guest (make bench).  Prints, in one run:
#  0. zswap's store and load throughput with zsmalloc against stock Linux,
#     whose runs baseline.sh left in $ZP_RESULTS/baseline.log;
#  1. the kernel's zpool benchmark (CONFIG_ZPOOL_BENCH): store, load and
#     free cost per object and density per backend, and what the zpool
#     indirection costs against direct zsmalloc calls, with the zpool
#     events disabled and then enabled;
#  2. zswap's store and load throughput per backend and data set, with
#     tracing off and with the zpool_stats BPF programs attached;
#  3. zpooltop's own CPU cost while it watches a workload.
# Under TCG absolute figures mean little; compare within one run.
set -u
bin=$1
bench=/sys/kernel/debug/zpool/bench
events=/sys/kernel/tracing/events/zpool

if [ ! -r $bench ]; then
	echo "bench: $bench is missing: this kernel lacks CONFIG_ZPOOL_BENCH or the series"
	exit 1
fi

echo "== zswap with zsmalloc, the series against stock Linux (same data, 64 MiB per run)"
echo zsmalloc > /sys/module/zswap/parameters/zpool
echo "kernel $(uname -r)" > /tmp/series.log
"$bin/zp_bench" --baseline 64 "${ZP_BENCH_RUNS:-5}" >> /tmp/series.log ||
	echo "bench: a zswap run failed"
"$(dirname "$0")/compare-baseline.py" "${ZP_RESULTS:-.}/baseline.log" /tmp/series.log ||
	echo "bench: no stock Linux baseline to compare with"

echo
echo "== zpool indirection and backends, in the kernel (zpool events disabled)"
cat $bench
echo
echo "== the same with zpool:zpool_map and zpool:zpool_unmap enabled (reads and writes traced)"
echo 1 > $events/zpool_map/enable
echo 1 > $events/zpool_unmap/enable
cat $bench
echo 0 > $events/zpool_map/enable
echo 0 > $events/zpool_unmap/enable

echo
echo "== zswap throughput, tracing off and with the BPF programs attached"
"$bin/zp_bench" 64 3 || echo "bench: zp_bench failed"

echo
echo "== zpooltop's cost while it watches a workload (8 one-second reports)"
stats=/proc/sys/kernel/bpf_stats_enabled
echo 1 > $stats
"$bin/zp_hog" zp-bench-top 32 96 compressible 5 > /dev/null &
hog=$!
# The BPF programs' run time, read while they are still loaded.
(sleep 7; bpftool -j prog show > /tmp/progs.json) &
sampler=$!
# In the command substitution's shell, `times` counts zpooltop alone.
cpu=$({ "$ZPOOLTOP" -b 1 8 > /tmp/zpooltop.out; times; } | tail -1)
wait $sampler $hog
echo 0 > $stats
echo "zpooltop process, user and system CPU over 8 s: $cpu"
python3 - /tmp/progs.json <<'PY'
import json, sys
names = {"zpool_create", "zpool_destroy", "zpool_malloc", "zpool_free", "zpool_map",
         "zpool_unmap", "zpool_shrink_en", "zpool_evict", "zswap_store", "zswap_load",
         "zswap_writeback", "zswap_writebac"}
progs = [p for p in json.load(open(sys.argv[1])) if p.get("name") in names]
ns = sum(p.get("run_time_ns", 0) for p in progs)
runs = sum(p.get("run_cnt", 0) for p in progs)
print(f"BPF programs ({len(progs)}): {runs} runs, {ns / 1e6:.1f} ms in 7 s "
      f"= {ns / 7e7:.3f}% of one CPU, {ns / max(runs, 1):.0f} ns per run")
PY
echo "its last report:"
tail -n 6 /tmp/zpooltop.out
