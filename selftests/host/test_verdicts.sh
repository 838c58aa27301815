#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The verdicts make check rests on, fed small made-up inputs that must
# fail: the tally on programs that crashed, were killed or skipped what
# they should have run; the kernel-log check on real 7.2-format reports;
# the checkpatch gate on a checkpatch that cannot run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/tap.sh"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

plan 26

tally() { "$top/vmtest/tally.sh" "$@" 2>&1; }

# expect_tally DESC WANT-RC WANT-GLOB [TALLY-ARGS...]: the tally exits
# non-zero (WANT-RC=fail) or zero (ok) and prints what WANT-GLOB matches.
expect_tally() {
	local d=$1 want=$2 glob=$3 out rc
	shift 3
	out=$(tally "$@") && rc=ok || rc=fail
	# shellcheck disable=SC2053
	if [ "$rc" = "$want" ] && [[ $out == $glob ]]; then
		pass "$d"
	else
		fail "$d" "exit: $rc, wanted $want" "$out"
	fi
}

# --- the tally ------------------------------------------------------------
t=$scratch/tally
mkdir -p "$t"
printf 'TAP version 13\n1..2\nok 1 a\nok 2 b\n' > "$t/good.tap"

: > "$t/empty.tap"
expect_tally "an empty TAP file is a failure" fail "*empty printed no TAP plan*2 passed, 1 failed" \
	"$t/good.tap" "$t/empty.tap"

echo 'test_x: error while loading shared libraries: libbpf.so.1: cannot open shared object file' \
	> "$t/loader.tap"
expect_tally "a loader error instead of TAP is a failure" fail "*loader printed no TAP plan: test_x: error while loading*" \
	"$t/loader.tap"

printf 'TAP version 13\n1..3\nok 1 a\n' > "$t/died.tap"
expect_tally "a program that stops half way is a failure" fail "*died planned 3 tests but reported 1*" "$t/died.tap"

cp "$t/good.tap" "$t/crashed.tap" && echo 1 > "$t/crashed.exit"
expect_tally "a non-zero exit with every test passed is a failure" fail \
	"*crashed exited 1 though it reported no failure*2 passed, 1 failed" "$t/crashed.tap"

cp "$t/good.tap" "$t/killed.tap" && echo 139 > "$t/killed.exit"
expect_tally "a program killed by a signal is a failure" fail "*killed was killed by signal 11*" "$t/killed.tap"

cp "$t/good.tap" "$t/slow.tap" && echo 124 > "$t/slow.exit"
expect_tally "a program that timed out is a failure" fail "*slow timed out*" "$t/slow.tap"

printf 'TAP version 13\n1..1\nnot ok 1 a\n' > "$t/failed.tap" && echo 1 > "$t/failed.exit"
expect_tally "a failing exit its results explain counts once" fail "*0 passed, 1 failed" "$t/failed.tap"

cp "$t/good.tap" "$t/clean.tap" && echo 0 > "$t/clean.exit"
expect_tally "a clean run with exit 0 passes" ok "2 passed, 0 failed" "$t/clean.tap"

printf '1..0 # SKIP no such feature\n' > "$t/allskip.tap" && echo 4 > "$t/allskip.exit"
expect_tally "a whole program skipped (plan 1..0 with a skip directive, exit 4) counts as one skip" ok \
	"*0 passed, 0 failed, 1 skipped" "$t/allskip.tap"

printf 'TAP version 13\n1..2\nok 1 a\nok 2 b # SKIP no GCMA area\n' > "$t/test_y.tap"
printf '# comment\ntest_y|b # SKIP no GCMA area|why\n' > "$t/skips"
printf 'test_y|other # SKIP|why\n' > "$t/other-skips"
expect_tally "an expected skip passes" ok "*1 passed, 0 failed, 1 skipped" \
	--expected-skips "$t/skips" "$t/test_y.tap"
expect_tally "a skip not on the expected list is a failure" fail \
	"*test_y: unexpected skip: ok 2 b # SKIP no GCMA area*1 passed, 1 failed" \
	--expected-skips "$t/other-skips" "$t/test_y.tap"
expect_tally "without a list, skips are only counted" ok "*1 passed, 0 failed, 1 skipped" "$t/test_y.tap"
expect_tally "an unreadable list of expected skips is an error" fail "*cannot read the expected skips*" \
	--expected-skips "$t/nonexistent" "$t/test_y.tap"

mkdir -p "$t/nothing"
expect_tally "a tally of nothing fails" fail "0 passed, 0 failed" "$t/nothing"

# --- the kernel-log check -------------------------------------------------
k=$scratch/klog
mkdir -p "$k"
# verdict CONSOLE [DMESG] [KMEMLEAK]: the check's output on those logs.
verdict() {
	local res=$k/res
	rm -rf "$res" && mkdir -p "$res" && touch "$res/guest-done"
	[ -n "${2:-}" ] && cp "$2" "$res/dmesg.log"
	[ -n "${3:-}" ] && cp "$3" "$res/kmemleak.log"
	"$top/vmtest/kernel-log-check.sh" "$1" "$res"
}
# expect_bad DESC TEST-NUMBER LOGS...: the check says not ok TEST-NUMBER.
expect_bad() {
	local d=$1 n=$2 out
	shift 2
	out=$(verdict "$@")
	if grep -q "^not ok $n " <<< "$out"; then pass "$d"; else fail "$d" "$out"; fi
}

cat > "$k/clean" <<'EOF'
[    0.000000] Linux version 7.2.12 (root@host) (gcc (Debian 12.2.0-14) 12.2.0)
[    1.234567] zswap: loaded using pool lzo/zsmalloc
[    2.000000] kmemleak: Kernel memory leak detector initialized (mem pool available: 15861)
EOF
out=$(verdict "$k/clean")
if grep -q '^ok 1 ' <<< "$out" && grep -q '^ok 2 ' <<< "$out"; then
	pass "a clean log passes"
else
	fail "a clean log passes" "$out"
fi

cat > "$k/kmemleak" <<'EOF'
unreferenced object 0xffff888004a3c000 (size 512):
  comm "sh", pid 210, jiffies 4294910342
  hex dump (first 32 bytes):
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
  backtrace (crc 5d2e1b7a):
    __kmalloc_cache_noprof+0x2b5/0x3d0
    zswap_pool_create+0x4f/0x2a0
    __zswap_param_set+0x1b1/0x3a0
    param_attr_store+0x93/0x100
    kernfs_fop_write_iter+0x14c/0x200
    vfs_write+0x2a9/0x4f0
    ksys_write+0x6b/0xf0
    do_syscall_64+0x6f/0x110
    entry_SYSCALL_64_after_hwframe+0x76/0x7e
EOF
expect_bad "a 7.2 kmemleak report through zswap_pool_create fails" 3 "$k/clean" "" "$k/kmemleak"

sed -e 's/zswap_pool_create/kobject_add_internal/' -e 's/__zswap_param_set/kobject_init_and_add/' \
	"$k/kmemleak" > "$k/kmemleak-elsewhere"
out=$(verdict "$k/clean" "" "$k/kmemleak-elsewhere")
if grep -q '^ok 3 .*(1 unreferenced objects elsewhere)' <<< "$out"; then
	pass "a kmemleak report outside the series is counted, not failed"
else
	fail "a kmemleak report outside the series is counted, not failed" "$out"
fi

cat > "$k/kasan" <<'EOF'
[   52.101010] ==================================================================
[   52.101234] BUG: KASAN: slab-use-after-free in zbud_free+0x1d/0x90 [zbud]
[   52.101500] Read of size 8 at addr ffff888006b2f010 by task kworker/1:2/77
EOF
expect_bad "a KASAN report fails" 2 "$k/kasan"

cat > "$k/lockdep" <<'EOF'
[   61.000000] ======================================================
[   61.000001] WARNING: possible circular locking dependency detected
[   61.000002] 7.2.12 #1 Not tainted
EOF
expect_bad "a lockdep report fails" 2 "$k/lockdep"

cat > "$k/warn" <<'EOF'
[   70.500000] ------------[ cut here ]------------
[   70.500100] WARNING: mm/zswap.c:1234 at zswap_store+0x5a1/0x7c0, CPU#1: zp_hog/301
[   70.500200] Modules linked in: zbud
EOF
expect_bad "a WARN fails" 2 "$k/warn"

cat > "$k/rcu" <<'EOF'
[  120.000000] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:
[  120.000100] rcu: 	1-...!: (0 ticks this GP) idle=8f4c/1/0x4000000000000000 softirq=4532/4532 fqs=0
EOF
expect_bad "an RCU stall fails" 2 "$k/rcu"

cat > "$k/hung" <<'EOF'
[  400.000000] INFO: task kworker/u8:3:95 blocked for more than 300 seconds.
[  400.000100]       Not tainted 7.2.12 #1
EOF
expect_bad "a hung task fails" 2 "$k/hung"

# A guest booted with kmemleak off has no leak check, and still fails on
# what its log shows.
rm -rf "$k/res" && mkdir -p "$k/res" && touch "$k/res/guest-done"
out=$("$top/vmtest/kernel-log-check.sh" --no-kmemleak "$k/clean" "$k/res")
if grep -qx '1\.\.2' <<< "$out" && ! grep -q '^ok 3\|^not ok 3\|SKIP' <<< "$out"; then
	pass "--no-kmemleak plans two checks and skips none"
else
	fail "--no-kmemleak plans two checks and skips none" "$out"
fi
out=$("$top/vmtest/kernel-log-check.sh" --no-kmemleak "$k/warn" "$k/res")
if grep -q '^not ok 2 ' <<< "$out"; then
	pass "--no-kmemleak still fails a WARN"
else
	fail "--no-kmemleak still fails a WARN" "$out"
fi

# A WARN pushed out of the ring buffer (dmesg.log) is still on the console.
cat "$k/warn" "$k/clean" > "$k/console-with-warn"
expect_bad "a WARN on the console but no longer in dmesg fails" 2 "$k/console-with-warn" "$k/clean"

# --- the checkpatch gate ----------------------------------------------------
c=$scratch/cp
mkdir -p "$c/tree/scripts" "$c/patches"
echo 0001-a.patch > "$c/patches/series"
echo 'not a real patch' > "$c/patches/0001-a.patch"
printf 'die "Can'\''t locate Term/ANSIColor.pm in @INC\\n";\n' > "$c/tree/scripts/checkpatch.pl"
out=$("$top/kernel/checkpatch.sh" "$c/tree" "$c/patches" 2>&1)
if grep -q '^not ok 1 checkpatch --strict 0001-a.patch' <<< "$out" && grep -q 'exited' <<< "$out"; then
	pass "a checkpatch that cannot run fails the patch"
else
	fail "a checkpatch that cannot run fails the patch" "$out"
fi
