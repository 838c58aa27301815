#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh MODE SELFTESTS RESULTS: runs as root inside the virtme-ng guest.
# Sets up swap on the disk the host attached (/dev/vda), cgroup2, debugfs
# and tracefs, then runs KUnit, the series' selftests in SELFTESTS and a
# kmemleak scan (MODE=test), the tools' selftests (MODE=tools), the demo
# (MODE=demo), the benchmarks (MODE=bench) or the stock kernel baseline
# (MODE=baseline), and saves the kernel log to RESULTS.  zpooltop is found in SELFTESTS/../zpooltop.
set -u
mode=$1 selftests=$2 results=$3
here=$(cd "$(dirname "$0")" && pwd)

mnt() { mountpoint -q "$2" || mount -t "$1" none "$2"; }
mnt cgroup2 /sys/fs/cgroup
mnt debugfs /sys/kernel/debug
mnt tracefs /sys/kernel/tracing

if ! { mkswap /dev/vda > /dev/null && swapon /dev/vda; }; then
	echo "guest: could not enable swap on /dev/vda" >&2
fi

# The KUnit suites (tests only) are a module, loaded now that /lib/modules
# is there so that they load zbud on demand as any zpool user would.  Their
# nested KTAP goes to the kernel log; kunit.tap has one line per case and
# parameter.
if [ "$mode" = test ]; then
	if ! modprobe zpool_kunit 2> "$results/kunit-modprobe.err"; then
		echo "guest: modprobe zpool_kunit failed: $(cat "$results/kunit-modprobe.err")" >&2
	fi
	modprobe -r zpool_kunit 2> /dev/null
	dmesg --notime | sed -n '/^KTAP version/,$p' |
		grep -E '^ *(KTAP|[0-9]+\.\.[0-9]+|ok |not ok |# )' |
		awk -f "$here/kunit-flatten.awk" > "$results/kunit.tap"
fi


export ZPOOLTOP=$selftests/../zpooltop/zpooltop

run_tests() {
	local t name start rc
	for t in "$@"; do
		name=$(basename "$t")
		if [ ! -x "$t" ]; then
			printf 'TAP version 13\n1..1\nnot ok 1 %s is built\n' "$name" > "$results/$name.tap"
			continue
		fi
		echo "guest: running $name"
		start=$(date +%s)
		timeout 1200 "$t" > "$results/$name.tap" 2>&1
		rc=$?
		# The tally fails a test that crashed, was killed or timed out.
		echo $rc > "$results/$name.exit"
		echo "$name	$(($(date +%s) - start))" >> "$results/times.tsv"
		echo "guest: $name exited $rc"
	done
}

# kmemleak reports an object once it has stayed unreferenced across two
# scans; the verdict is kernel-log-check.sh's.
kmemleak=/sys/kernel/debug/kmemleak
kmemleak_scan() {
	[ -w $kmemleak ] || return 0
	echo scan > $kmemleak
	sleep 6
	echo scan > $kmemleak
	cat $kmemleak > "$results/kmemleak.log"
}
# The series' own tests are those vmtest/kmemleak-tests lists: they run
# in the guest of MODE=test, with kmemleak tracking every allocation, and
# kmemleak scans after them.  The tools' tests run in a second guest
# (MODE=tools), at the same time, booted with kmemleak off: its tracking
# would make their BPF program loads, which allocate the most, about
# twice as slow again, and they drive the same kernel code.
series=$(sed 's/#.*//' "$here/kmemleak-tests")
group() { # MODE: the programs in SELFTESTS that a guest of MODE runs
	local t
	for t in "$selftests"/test_*; do
		if grep -qxF "$(basename "$t")" <<< "$series"; then
			[ "$1" = test ] && echo "$t"
		else
			[ "$1" = tools ] && echo "$t"
		fi
	done
}
case $mode in
test)
	mapfile -t tests < <(group test)
	run_tests "${tests[@]}"
	kmemleak_scan
	;;
tools)
	mapfile -t tests < <(group tools)
	run_tests "${tests[@]}"
	;;
*)
	# The demo and the stress run are here, the benchmarks in bench/.
	script=$here/$mode.sh
	[ -f "$script" ] || script=$here/../bench/$mode.sh
	ZP_RESULTS=$results "$script" "$selftests" > "$results/$mode.log" 2>&1
	;;
esac

# A test run proves its sanitizers were there.
case $mode in
test|tools)
	checks=("the kernel runs generic KASAN")
	[ "$mode" = test ] && checks+=("kmemleak scanned after the series' tests")
	{
		echo "TAP version 13"
		echo "1..${#checks[@]}"
		if dmesg | grep -q "KernelAddressSanitizer initialized (generic)"; then
			echo "ok 1 ${checks[0]}"
		else
			echo "not ok 1 ${checks[0]}"
		fi
		if [ "$mode" = test ]; then
			if [ -f "$results/kmemleak.log" ]; then
				echo "ok 2 ${checks[1]}"
			else
				echo "not ok 2 ${checks[1]}"
			fi
		fi
	} > "$results/sanitizers.tap"
	;;
esac

dmesg > "$results/dmesg.log"
touch "$results/guest-done"
sync
# The minimal kernel has no ACPI and cannot power off; qemu runs with
# -no-reboot, so rebooting ends the VM at once.
busybox reboot -f
