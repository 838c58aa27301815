#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bpftrace scripts of tools/bpftrace/ run on the patched kernel and what
# they count agrees with the kernel's own counters over the same workload:
# zswap_ratio.bt's stores equal zswpout's rise, zswap_reclaim_lat.bt's
# writebacks equal zswpwb's, zpool_map_wait.bt sees maps.  Installed next
# to the scripts (SCRIPTS, by the selftests Makefile) and zp_hog.
here=$(cd "$(dirname "$0")" && pwd)
scripts=$here/bpftrace
hog=$here/zp_hog
plan=3

echo "TAP version 13"
echo "1..$plan"
skip_all() {
	local i
	for i in $(seq 1 $plan); do echo "ok $i # SKIP $1"; done
	exit 0
}
command -v bpftrace > /dev/null || skip_all "bpftrace is not installed"
[ -d /sys/kernel/tracing/events/zswap ] ||
	skip_all "kernel without the zpool series (no zswap events)"
# It must run here at all, before its scripts are judged.
if ! out=$(bpftrace -e 'BEGIN { exit(); }' 2>&1); then
	skip_all "bpftrace does not run on this kernel: $(echo "$out" | tail -1)"
fi

# bpftrace compiles the events' formats with the kernel's headers; in the
# guest /lib/modules/*/build is the object tree of an O= build, so name
# the source tree too (vmtest/guest.sh sets ZP_KOBJ).
if [ -n "${ZP_KOBJ:-}" ]; then
	export BPFTRACE_KERNEL_BUILD=$ZP_KOBJ BPFTRACE_KERNEL_SOURCE=$ZP_KOBJ/source
fi

n=0
result() {	# result OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

# run SCRIPT HOG_ARGS...: run the script around one zp_hog run; its JSON
# output goes to $json, the hog's exit status to $hog_status.  bpftrace's
# own status says nothing of its child's, so the hog runs in a wrapper
# that writes its status down: a hog that found bad data (exit 1) or was
# killed fails the case.  A bpftrace that failed fails it too.
wrapper=/tmp/zp-hog-status.sh
# (run by /bin/sh: the guest's /tmp may not allow exec)
cat > "$wrapper" <<EOW
"$hog" "\$@"
echo \$? > /tmp/zp-hog.status
EOW
run() {
	local script=$1 bt_status
	shift
	json=/tmp/$(basename "$script" .bt).json
	rm -f /tmp/zp-hog.status
	bpftrace -q -f json -c "/bin/sh $wrapper $*" "$scripts/$script" > "$json" 2> "$json.err"
	bt_status=$?
	hog_status=$(cat /tmp/zp-hog.status 2>/dev/null || echo "none: the hog did not run to the end")
	[ -s "$json.err" ] && sed 's/^/# bpftrace: /' "$json.err"
	echo "# $script: bpftrace exited $bt_status, zp_hog $hog_status"
	[ "$bt_status" = 0 ] || hog_status="bpftrace $bt_status"
}

# map_total JSON MAP: the sum over keys of MAP (counts, sums, or the counts
# of a histogram's buckets) in bpftrace's JSON output.
map_total() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
total = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith('{'):
        continue
    ev = json.loads(line)
    if ev.get('type') not in ('map', 'hist'):
        continue
    for key, value in ev['data'].get(sys.argv[2], {}).items():
        total += sum(b['count'] for b in value) if isinstance(value, list) else value
print(total)
EOF
}

# Compressible data, zsmalloc: every store seen, and a real ratio.
before=$(vmstat zswpout)
run zswap_ratio.bt bt-ratio 16 48 compressible 1
stored=$(map_total "$json" @stored)
zswpout=$(( $(vmstat zswpout) - before ))
orig=$(map_total "$json" @orig_bytes)
comp=$(map_total "$json" @compressed_bytes)
echo "# zswap_ratio.bt: $stored stores (zswpout +$zswpout), $orig bytes in $comp"
ok=1
[ "$hog_status" = 0 ] && [ "$stored" -gt 0 ] && [ "$stored" = "$zswpout" ] &&
	[ "$comp" -gt 0 ] && [ $((orig / comp)) -ge 2 ] && ok=0
result $ok "zswap_ratio.bt counts every store (zswpout) at a ratio above 2:1"

# Random data past the cgroup's zswap limit: written back, each one timed.
before=$(vmstat zswpwb)
run zswap_reclaim_lat.bt bt-reclaim 16 48 random 1
timed=$(map_total "$json" @writeback_ns)
failed=$(map_total "$json" @writeback_failed)
zswpwb=$(( $(vmstat zswpwb) - before ))
echo "# zswap_reclaim_lat.bt: $timed writebacks timed, $failed failed (zswpwb +$zswpwb)"
ok=1
[ "$hog_status" = 0 ] && [ "$timed" -gt 0 ] && [ "$timed" = "$zswpwb" ] && ok=0
result $ok "zswap_reclaim_lat.bt times every writeback (zswpwb)"

# Every load maps its object; waits are counted among the maps.
before=$(vmstat zswpin)
run zpool_map_wait.bt bt-map 16 48 compressible 1
maps=$(map_total "$json" @maps)
waited=$(map_total "$json" @waited)
zswpin=$(( $(vmstat zswpin) - before ))
echo "# zpool_map_wait.bt: $maps maps, $waited waited (zswpin +$zswpin)"
ok=1
[ "$hog_status" = 0 ] && [ "$zswpin" -gt 0 ] && [ "$maps" -ge "$zswpin" ] &&
	[ "$waited" -le "$maps" ] && ok=0
result $ok "zpool_map_wait.bt sees a map for every load"
