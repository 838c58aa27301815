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
#     tracing off, with empty programs on the tracepoints of zpooltop's
#     default view (the kernel's side of attaching), and with that view's
#     zpool_stats programs;
#  3. for zpooltop's default view, -w and -c, the BPF program runs per
#     zswap store and load (kernel.bpf_stats_enabled), their run time,
#     and zpooltop's own CPU time, while it watches a workload.
#  4. GCMA against CMA (bench-gcma.sh): contiguous allocation latency
#     under memory pressure, and what writing through to swap costs.
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
echo "== zswap throughput: tracing off, empty programs, and zpooltop's default view"
"$bin/zp_bench" 64 3 || echo "bench: zp_bench failed"

echo
echo "== zpooltop: BPF program runs per zswap store and load, and its cost"
echo "   once: 64 MiB, each page stored once (MADV_PAGEOUT) and loaded once;"
echo "   pressure: 96 MiB in a 32 MiB cgroup, pages read back are stored again, and"
echo "   those entries are freed without a load when the workload exits"
stats=/proc/sys/kernel/bpf_stats_enabled
echo 1 > $stats
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
snapshot() { # FILE: the programs' counts and the kernel's counters
	bpftool -j prog show > "$1.progs"
	grep -E '^(zswpout|zswpin|zswpwb) ' /proc/vmstat > "$1.vmstat"
	awk '$1 == "Zswapped:" { print "stored", $2 / 4 }' /proc/meminfo >> "$1.vmstat"
	date +%s.%N > "$1.time"
}
cg=/sys/fs/cgroup/zp-bench-top
for run in "once:" "pressure:" "once:-w" "once:-c $cg"; do
	workload=${run%%:*} view=${run#*:}
	mkdir -p $cg
	# shellcheck disable=SC2086
	"$ZPOOLTOP" -b $view 1 > /tmp/zpooltop.out 2>&1 &
	top=$!
	# From its first report on, its programs are attached.
	for _ in $(seq 100); do
		grep -q '^ID BACKEND' /tmp/zpooltop.out && break
		sleep 0.2
	done
	snapshot /tmp/zpt-a
	if [ "$workload" = once ]; then
		"$bin/zp_hog" zp-bench-top 512 64 compressible 1 pageout > /dev/null
	else
		"$bin/zp_hog" zp-bench-top 32 96 compressible 1 > /dev/null
	fi || echo "bench: the workload failed"
	snapshot /tmp/zpt-b
	# utime and stime, in clock ticks, then the clock rate
	cpu="$(awk '{ print $14, $15 }' /proc/$top/stat) $(getconf CLK_TCK)"
	kill -INT $top
	wait $top || echo "bench: zpooltop $view failed"
	python3 - "zpooltop ${view:-(default view)}, $workload" $cpu /tmp/zpt-a /tmp/zpt-b <<'PY'
import json, sys
what, utime, stime, hz, a, b = sys.argv[1:7]
# bpftool names a program as its BTF does, or as the kernel keeps it (15 characters)
names = {"zpool_create", "zpool_destroy", "zpool_malloc", "zpool_free", "zpool_map",
         "zpool_unmap", "zpool_shrink_end", "zpool_shrink_en", "zpool_evict", "zswap_store",
         "zswap_load", "zswap_writeback"}
def progs(f):
    return {p["id"]: p for p in json.load(open(f + ".progs")) if p.get("name") in names}
def vm(f):
    return {l.split()[0]: float(l.split()[1]) for l in open(f + ".vmstat")}
pa, pb, va, vb = progs(a), progs(b), vm(a), vm(b)
secs = float(open(b + ".time").read()) - float(open(a + ".time").read())
d = {k: int(vb[k] - va[k]) for k in vb}
ops = d["zswpout"] + d["zswpin"]
# Entries freed by neither a load nor a writeback: stored, less loaded,
# written back and still held.
unloaded = max(d["zswpout"] - d["zswpin"] - d["zswpwb"] - d["stored"], 0)
runs, ns, missed, each = 0, 0, 0, []
for i, p in sorted(pb.items(), key=lambda x: x[1]["name"]):
    delta = lambda k: p.get(k, 0) - pa.get(i, {}).get(k, 0)
    runs, ns, missed = runs + delta("run_cnt"), ns + delta("run_time_ns"), missed + delta("recursion_misses")
    each.append(f"{p['name']} {delta('run_cnt')}")
print(f"{what}: {len(pb)} programs; zswpout +{d['zswpout']} zswpin +{d['zswpin']} "
      f"zswpwb +{d['zswpwb']}, {unloaded} entries freed without a load, in {secs:.1f} s")
print(f"  {runs} program runs: {runs / max(ops, 1):.3f} per zswap store or load "
      f"(zswpout + zswpin), {runs / max(ops + unloaded + d['zswpwb'], 1):.3f} per operation "
      f"counting those frees and writebacks")
print(f"  {ns / max(runs, 1):.0f} ns per run, {ns / 1e6:.1f} ms = {ns / secs / 1e7:.3f}% of one CPU; "
      f"runs skipped (recursion misses): {missed}")
print("  runs by program: " + ", ".join(each))
print(f"  zpooltop process CPU, from its start: user {int(utime) / int(hz):.2f} s, "
      f"system {int(stime) / int(hz):.2f} s")
PY
done
echo 0 > $stats
echo "zpooltop's last report (with -c):"
tail -n 8 /tmp/zpooltop.out

echo
"$(dirname "$0")/bench-gcma.sh" "$bin" || echo "bench: bench-gcma.sh failed"
