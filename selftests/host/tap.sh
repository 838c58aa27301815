# SPDX-License-Identifier: GPL-2.0
# Minimal TAP for the host shell tests: plan N, then check "desc" cmd...
_tap_n=0
plan() { echo "TAP version 13"; echo "1..$1"; }
pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n $1"; }
fail() { _tap_n=$((_tap_n + 1)); echo "not ok $_tap_n $1"; shift; for l in "$@"; do echo "$l" | sed 's/^/# /'; done; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n $1 # SKIP $2"; }
# check DESC CMD...: pass if CMD succeeds.
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
