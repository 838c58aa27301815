#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot-params.sh BZIMAGE RESULTS: boot the kernel with bad gcma= and
# zswap.zpool= values, one boot each (as many at once as there are CPUs),
# and check that each is refused with
# a clear message while the kernel boots on without the GCMA area or with
# zswap's default backend.  Writes TAP to RESULTS/test_boot_params.tap.
# The x86 command line holds at most 2047 bytes, about 1000 of which
# virtme-ng takes, so the longest name tried at boot is 700 bytes
# (zswap.zpool refuses 4 KiB at run time: test_zpool_backends).
#
# VMTEST_ACCEL is tcg or kvm, as run.sh found.
set -uo pipefail
bzimage=$1
results=$2
tap=$results/test_boot_params.tap
long=$(printf 'x%.0s' $(seq 700))

# name|command line|what the kernel log must say|gcma area expected|zswap.zpool expected
cases=(
	"malformed gcma=, empty zswap.zpool|gcma=junk zswap.zpool=|malformed gcma=junk|no|zsmalloc"
	"gcma= larger than memory, non-ASCII zswap.zpool|gcma=100G zswap.zpool=zsmall\xc3\xb6c|no area reserved|no|zsmalloc"
	"empty gcma=, zswap.zpool with trailing spaces|gcma= \"zswap.zpool=zsmalloc   \"|gcma= needs a size|no|zsmalloc"
	"gcma=0, a 700-byte zswap.zpool|gcma=0 zswap.zpool=$long|gcma=0: no area reserved|no|zsmalloc"
	"a good gcma= and zswap.zpool=gcma|gcma=16M zswap.zpool=gcma|lent to zswap while idle|yes|gcma"
)

kvm_flag=()
[ "${VMTEST_ACCEL:-tcg}" = tcg ] && kvm_flag=(--disable-kvm)

# One boot of case N: what the guest reports is its kernel log, whether
# it has the area, and zswap's backend.  kmemleak, which the test run
# has, is off: these boots test parsing, which its tracking of every
# allocation would only slow down under TCG.
boot() { # N CMDLINE
	local out=$results/boot-params-$1.log
	rm -f "$out"
	timeout --foreground 600 vng --run "$bzimage" "${kvm_flag[@]}" --cpus 1 \
		--memory 1G --rwdir "$results" --append "kmemleak=off $(printf '%b' "$2")" \
		--exec "mount -t debugfs none /sys/kernel/debug 2>/dev/null;
			{ dmesg; echo area=\$([ -d /sys/kernel/debug/cma/gcma ] && echo yes || echo no);
			  echo zpool=\$(cat /sys/module/zswap/parameters/zpool); } > $out" \
		> /dev/null 2>&1 < /dev/null
}

# Each boot has one vCPU: as many boots at once as the host has CPUs.
jobs_max=$(nproc)
n=0
for c in "${cases[@]}"; do
	IFS='|' read -r name cmdline message area zpool <<< "$c"
	n=$((n + 1))
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
	boot $n "$cmdline" &
done
wait

echo "TAP version 13" > "$tap"
echo "1..${#cases[@]}" >> "$tap"
n=0
for c in "${cases[@]}"; do
	IFS='|' read -r name cmdline message area zpool <<< "$c"
	n=$((n + 1))
	out=$results/boot-params-$n.log
	why=""
	if [ ! -s "$out" ]; then
		why="the kernel did not boot to the end"
	elif ! grep -qF -- "$message" "$out"; then
		why="the kernel log does not say '$message'"
	elif ! grep -qx "area=$area" "$out"; then
		why="GCMA area: expected $area, found $(grep '^area=' "$out")"
	elif ! grep -qx "zpool=$zpool" "$out"; then
		why="zswap.zpool: expected $zpool, found $(grep '^zpool=' "$out" | cut -c1-40)"
	elif grep -qE 'WARNING:|BUG:|Oops|Call Trace' "$out"; then
		why="the kernel log has a warning or worse"
	fi
	if [ -z "$why" ]; then
		echo "ok $n $name" >> "$tap"
	else
		echo "not ok $n $name" >> "$tap"
		echo "# $why" >> "$tap"
		grep -iE 'gcma|zswap' "$out" 2>/dev/null | cut -c1-200 | sed 's/^/# /' >> "$tap"
	fi
done
