#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--demo|--bench|--bench-gcma|--baseline|--stress] BZIMAGE SELFTESTS RESULTS
#
# Boot BZIMAGE in virtme-ng with a swap disk and run every selftest built
# in SELFTESTS inside it (or, with --demo or --bench, the demo or the
# benchmarks, whose output is followed live; --bench-gcma runs only the
# GCMA-against-CMA part of the benchmarks; --stress runs test_stress for
# ZP_STRESS_SECONDS (600 unless set); --baseline measures stock Linux for --bench to compare with).  TAP results, the
# guest's console and its kernel log land in RESULTS.  The run fails if a
# test fails, if the guest does not finish, or if the kernel log shows a
# warning, BUG, oops, KASAN or lockdep report, leak from the series, or
# panic.
#
# VMTEST_KVM=1 forces KVM, VMTEST_KVM=0 forces TCG; unset, KVM is used
# only if a probe boot under it reaches the kernel's first message.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage="usage: run.sh [--demo|--bench|--bench-gcma|--baseline|--stress] BZIMAGE SELFTESTS RESULTS"
mode=test
case "${1:-}" in
--demo|--bench|--bench-gcma|--baseline|--stress) mode=${1#--}; shift ;;
esac
bzimage=$(realpath "${1:?$usage}")
selftests=$(realpath "${2:?$usage}")
results=${3:?$usage}
mkdir -p "$results"
results=$(realpath "$results")
vmdir=$(dirname "$results")/vm
kobj=${bzimage%/arch/x86/boot/bzImage}
mkdir -p "$vmdir"

# KVM on some hosts has /dev/kvm but hangs the guest: boot the kernel
# under KVM with no root filesystem and see whether it gets as far as
# printing its banner within a few seconds.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	timeout 20 qemu-system-x86_64 -enable-kvm -cpu host -m 256 -nographic \
		-no-reboot -kernel "$bzimage" \
		-append "console=ttyS0 panic=-1 root=/dev/nonexistent" 2>/dev/null |
		grep -q -m1 "Linux version"
}

case "${VMTEST_KVM:-auto}" in
1) accel=kvm ;;
0) accel=tcg ;;
auto) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
*) echo "error: VMTEST_KVM must be 0, 1 or unset, not '$VMTEST_KVM'" >&2; exit 1 ;;
esac

kvm_flag=()
[ "$accel" = tcg ] && kvm_flag=(--disable-kvm)

# The tests boot with a zswap.zpool= naming no backend: zswap must say so
# and start on its default (test_pipeline checks).  The tests choose their
# backends themselves, so nothing else depends on it.  Every boot has a
# GCMA area (gcma=, ignored by stock Linux); the benchmarks also have an
# ordinary CMA area of the same size (cma=) to compare it with.
case $mode in
test) append=(--append "zswap.zpool=nosuchbackend gcma=32M") ;;
demo) append=(--append "gcma=32M") ;;
*) append=(--append "cma=32M gcma=32M") ;;
esac

# Fresh swap disks each run: tests must not depend on what a previous
# run left behind.  The second (/dev/vdb) is for test_stress to swap off
# and on.
swap="$vmdir/swap.img" swap2="$vmdir/swap2.img"
rm -f "$swap" "$swap2"
truncate -s 1G "$swap"
truncate -s 256M "$swap2"

console="$results/console.log"
rm -f "$results/guest-done" "$results/kmemleak.log"
# The results of a previous test run must not count for this one.
case $mode in
test) rm -f "$results"/test_*.tap "$results"/test_*.exit "$results/times.tsv" \
	"$results/kunit.tap" "$results/sanitizers.tap" ;;
esac
echo "  VM      $(basename "$bzimage") under $accel ($mode)"
status=0
vm_start=$(date +%s)
vm() {
	timeout --foreground "${VMTEST_TIMEOUT:-3600}" \
		vng --run "$bzimage" "${kvm_flag[@]}" --cpus 2 --memory 1G \
		--disk "$swap" --disk "$swap2" --rwdir "$results" --verbose "${append[@]}" \
		--exec "ZP_KOBJ=$kobj ZP_STRESS_SECONDS=${ZP_STRESS_SECONDS:-} $here/guest.sh $mode $selftests $results" \
		> "$console" 2>&1 < /dev/null
}
if [ "$mode" != test ]; then
	# The demo and benchmarks are for watching: follow them live.
	: > "$results/$mode.log"
	vm &
	vmpid=$!
	tail -n +1 -f --pid=$vmpid "$results/$mode.log"
	wait $vmpid || status=$?
else
	vm || status=$?
fi

"$here/step-time.sh" "vm: $mode run on $(basename "$kobj")" "$vm_start"

# Bad boot parameters.
if [ "$mode" = test ]; then
	vm_start=$(date +%s)
	VMTEST_ACCEL=$accel "$here/boot-params.sh" "$bzimage" "$results"
	"$here/step-time.sh" "vm: boots with bad parameters" "$vm_start"
fi

# The kernel log verdict is a test of its own, so that it is counted.
"$here/kernel-log-check.sh" "$console" "$results" > "$results/kernel-log.tap"

if [ ! -f "$results/guest-done" ]; then
	echo "error: the guest did not finish (vng exit $status); the end of $console:" >&2
	tail -n 30 "$console" >&2
	exit 1
fi
if grep -q '^not ok' "$results/kernel-log.tap"; then
	grep -A20 '^not ok' "$results/kernel-log.tap" >&2
	exit 1
fi
[ "$mode" != stress ] || "$here/tally.sh" "$results/stress.tap" "$results/kernel-log.tap"
case $mode in
test) "$here/tally.sh" --quiet "$results"/test_*.tap "$results/kunit.tap" \
	"$results/kernel-log.tap" "$results/sanitizers.tap" ;;
esac
