#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The pipeline's handling of bad input, on small fake trees: a wrong KSRC,
# a patch that does not apply, a missing package as non-root, and the
# tally of TAP results.  Each must give one clear message and change
# nothing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/tap.sh"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

plan 17

# A fake kernel tree of a given version with one source file.
fake_tree() { # DIR VERSION PATCHLEVEL
	mkdir -p "$1/mm"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = 9\n' "$2" "$3" > "$1/Makefile"
	echo 'config SWAP' > "$1/mm/Kconfig"
	printf 'int a;\nint b;\nint c;\n' > "$1/mm/a.c"
}

# A git format-patch style patch changing line OLD of mm/a.c to NEW.
mk_patch() { # FILE OLD NEW
	local old=$2 new=$3
	cat > "$1" <<EOP
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Test <test@example.org>
Subject: [PATCH] mm: change $old

Signed-off-by: Test <test@example.org>
---
diff --git a/mm/a.c b/mm/a.c
--- a/mm/a.c
+++ b/mm/a.c
@@ -1,3 +1,3 @@
 int a;
-int $old;
+int $new;
 int c;
EOP
}

# --- KSRC checks -----------------------------------------------------------
fake_tree "$scratch/v618" 6 18
out=$("$top/kernel/check-tree.sh" "$scratch/v618" 7.2 2>&1) && rc=0 || rc=$?
check "KSRC of the wrong version is refused" [ $rc -ne 0 ]
case "$out" in
*"6.18"*"7.2"*) pass "the message names the version found and the one expected" ;;
*) fail "the message names the version found and the one expected" "$out" ;;
esac

out=$("$top/kernel/check-tree.sh" "$scratch/nothing-here" 7.2 2>&1) && rc=0 || rc=$?
case "$rc:$out" in
0:*) fail "a KSRC that is not a kernel tree is refused" "$out" ;;
*"not a Linux source tree"*) pass "a KSRC that is not a kernel tree is refused" ;;
*) fail "a KSRC that is not a kernel tree is refused" "$out" ;;
esac

out=$(make -s -C "$top" source KSRC="$scratch/v618" 2>&1) && rc=0 || rc=$?
case "$rc:$out" in
0:*) fail "make source KSRC=<6.18 tree> fails" "$out" ;;
*"needs a 7.2.y tree"*) pass "make source KSRC=<6.18 tree> fails with the version message" ;;
*) fail "make source KSRC=<6.18 tree> fails with the version message" "$out" ;;
esac

fake_tree "$scratch/v72" 7 2
check "a 7.2.y KSRC is accepted" "$top/kernel/check-tree.sh" "$scratch/v72" 7.2

# --- applying the series ---------------------------------------------------
mkdir -p "$scratch/p1"
mk_patch "$scratch/p1/0001-b.patch" b bee
echo 0001-b.patch > "$scratch/p1/series"
work=$scratch/work
"$top/kernel/apply-series.sh" "$scratch/v72" "$work" "$scratch/p1" > /dev/null 2>&1
check "a good series applies" grep -qx 'int bee;' "$work/mm/a.c"
check "the pristine tree is untouched" grep -qx 'int b;' "$scratch/v72/mm/a.c"

out=$("$top/kernel/apply-series.sh" "$scratch/v72" "$work" "$scratch/p1" 2>&1)
case "$out" in
*"up to date"*) pass "re-applying an unchanged series does nothing" ;;
*) fail "re-applying an unchanged series does nothing" "$out" ;;
esac

# A second patch that expects a line that is not there.
cp -r "$scratch/p1" "$scratch/p2"
mk_patch "$scratch/p2/0002-bad.patch" nosuchline x
echo 0002-bad.patch >> "$scratch/p2/series"
before=$(cd "$work" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
out=$("$top/kernel/apply-series.sh" "$scratch/v72" "$work" "$scratch/p2" 2>&1) && rc=0 || rc=$?
after=$(cd "$work" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
check "a patch that does not apply fails" [ $rc -ne 0 ]
case "$out" in
*0002-bad.patch*"-int nosuchline"*) pass "the error names the patch and shows the failing hunk" ;;
*) fail "the error names the patch and shows the failing hunk" "$out" ;;
esac
check "the work tree is left exactly as it was" [ "$before" = "$after" ]
check "no staging directory is left behind" [ -z "$(ls -d "$work".stage.* 2>/dev/null)" ]

# Dropping the patch from the series puts the file back to pristine.
: > "$scratch/p1/series"
"$top/kernel/apply-series.sh" "$scratch/v72" "$work" "$scratch/p1" > /dev/null 2>&1
check "a patch dropped from the series is reverted" grep -qx 'int b;' "$work/mm/a.c"

# --- missing package as non-root -----------------------------------------
if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ]; then
	pkg=zp-no-such-package
	printf 'bash\n%s\n' "$pkg" > "$scratch/packages.txt"
	chmod -R a+rX "$scratch"
	out=$(DEPS_LIST="$scratch/packages.txt" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$top/scripts/deps.sh" 2>&1) && rc=0 || rc=$?
	check "a missing package as non-root fails" [ $rc -ne 0 ]
	case "$out" in
	*"missing packages: $pkg"*"make deps"*) pass "the message names the package and the command to run" ;;
	*) fail "the message names the package and the command to run" "$out" ;;
	esac
	# The tools' set names only the packages marked 'tools'.
	printf 'bash tools\nzp-tool-pkg tools\nzp-vm-pkg\n' > "$scratch/packages.txt"
	out=$(DEPS_LIST="$scratch/packages.txt" TOOLS_ONLY=1 setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$top/scripts/deps.sh" 2>&1)
	case "$out" in
	*zp-vm-pkg*) fail "make deps-tools names only the tools' packages" "$out" ;;
	*"missing packages: zp-tool-pkg"*"make deps-tools"*) pass "make deps-tools names only the tools' packages" ;;
	*) fail "make deps-tools names only the tools' packages" "$out" ;;
	esac
else
	skip "a missing package as non-root fails" "needs root and setpriv to become another user"
	skip "the message names the package and the command to run" "needs root and setpriv"
	skip "make deps-tools names only the tools' packages" "needs root and setpriv"
fi

# --- the tally ------------------------------------------------------------
mkdir -p "$scratch/tap"
printf '1..3\nok 1 a\nnot ok 2 b\nok 3 c # SKIP why\n' > "$scratch/tap/x.tap"
printf '1..2\nok 1 d\n' > "$scratch/tap/died.tap"
# The sanitizer run's results, one level down, count and are named by it.
mkdir -p "$scratch/tap/sanitize"
printf '1..2\nok 1 e\nnot ok 2 f\n' > "$scratch/tap/sanitize/y.tap"
out=$("$top/vmtest/tally.sh" "$scratch/tap" 2>&1) && rc=0 || rc=$?
case "$rc:$out" in
0:*) fail "the tally counts passes, failures, skips and a test that died, in subdirectories too" "$out" ;;
*"sanitize/y: not ok 2 f"*"3 passed, 3 failed, 1 skipped")
	pass "the tally counts passes, failures, skips and a test that died, in subdirectories too" ;;
*) fail "the tally counts passes, failures, skips and a test that died, in subdirectories too" "$out" ;;
esac
