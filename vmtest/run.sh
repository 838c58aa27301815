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
test) append="zswap.zpool=nosuchbackend gcma=32M" ;;
demo) append="gcma=32M" ;;
*) append="cma=32M gcma=32M" ;;
esac

# Fresh swap disks for each guest: tests must not depend on what a
# previous run left behind.  The second (/dev/vdb) is for the tests that
# swap off and on, or to a device of their own.
disks() { # PREFIX: create PREFIX-swap.img and PREFIX-swap2.img
	rm -f "$1-swap.img" "$1-swap2.img"
	truncate -s 1G "$1-swap.img"
	truncate -s 256M "$1-swap2.img"
}

# The results of a previous test run must not count for this one.
clean() { # RESULTS
	rm -f "$1/guest-done" "$1/kmemleak.log" "$1/dmesg.log"
	case $mode in
	test) rm -f "$1"/test_*.tap "$1"/test_*.exit "$1/times.tsv" \
		"$1/kunit.tap" "$1/sanitizers.tap" "$1/kernel-log.tap" ;;
	esac
}

# One guest: guest.sh GUEST-MODE runs in it, with its console and results
# in RES, its disks named after PREFIX, and EXTRA added to the command
# line.
vm() { # GUEST-MODE RES PREFIX EXTRA
	disks "$3"
	timeout --foreground "${VMTEST_TIMEOUT:-3600}" \
		vng --run "$bzimage" "${kvm_flag[@]}" --cpus 2 --memory 1G \
		--disk "$3-swap.img" --disk "$3-swap2.img" --rwdir "$2" --verbose \
		--append "$append $4" \
		--exec "ZP_KOBJ=$kobj ZP_STRESS_SECONDS=${ZP_STRESS_SECONDS:-} $here/guest.sh $1 $selftests $2" \
		> "$2/console.log" 2>&1 < /dev/null
}

# A guest's verdict: its kernel log is a test of its own, so that it is
# counted; a guest that did not finish fails the run.
verdict() { # RES [kernel-log-check option]
	"$here/kernel-log-check.sh" ${2:+"$2"} "$1/console.log" "$1" > "$1/kernel-log.tap"
	if [ ! -f "$1/guest-done" ]; then
		echo "error: the guest did not finish (vng exit $status); the end of $1/console.log:" >&2
		tail -n 30 "$1/console.log" >&2
		return 1
	fi
	if grep -q '^not ok' "$1/kernel-log.tap"; then
		grep -A20 '^not ok' "$1/kernel-log.tap" >&2
		return 1
	fi
}

echo "  VM      $(basename "$bzimage") under $accel ($mode)"
clean "$results"
status=0
vm_start=$(date +%s)
case $mode in
test)
	# Two guests at once, each on the host's CPUs as it needs them: the
	# series' tests with kmemleak, and the tools' tests (in
	# RESULTS/tools) with kmemleak off, followed by the boots with bad
	# parameters.  Most tests keep one vCPU busy, so the two share a
	# two-CPU host well.
	tools=$results/tools
	mkdir -p "$tools"
	clean "$tools"
	(
		start=$(date +%s)
		rc=0
		vm tools "$tools" "$vmdir/tools" "kmemleak=off" || rc=$?
		"$here/step-time.sh" "vm: tools' tests on $(basename "$kobj")" "$start"
		start=$(date +%s)
		VMTEST_ACCEL=$accel "$here/boot-params.sh" "$bzimage" "$results"
		"$here/step-time.sh" "vm: boots with bad parameters" "$start"
		exit $rc
	) &
	tools_pid=$!
	vm test "$results" "$vmdir/test" "" || status=$?
	"$here/step-time.sh" "vm: series' tests on $(basename "$kobj")" "$vm_start"
	wait $tools_pid || status=$?
	;;
*)
	# The demo and benchmarks are for watching: follow them live.
	: > "$results/$mode.log"
	vm "$mode" "$results" "$vmdir/$mode" "" &
	vmpid=$!
	tail -n +1 -f --pid=$vmpid "$results/$mode.log"
	wait $vmpid || status=$?
	"$here/step-time.sh" "vm: $mode run on $(basename "$kobj")" "$vm_start"
	;;
esac

bad=0
verdict "$results" || bad=1
if [ "$mode" = test ]; then
	verdict "$tools" --no-kmemleak || bad=1
fi
[ "$bad" = 0 ] || exit 1
[ "$mode" != stress ] || "$here/tally.sh" "$results/stress.tap" "$results/kernel-log.tap"
case $mode in
test) "$here/tally.sh" --quiet "$results"/test_*.tap "$results/kunit.tap" \
	"$results/kernel-log.tap" "$results/sanitizers.tap" "$tools"/*.tap ;;
esac
