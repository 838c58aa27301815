#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-log-check.sh CONSOLE RESULTS: TAP verdict on the guest's kernel
# log.  The guest saves dmesg to RESULTS/dmesg.log at the end of the run;
# if it never got that far (panic, hang), the console log is what we have.
set -u
console=$1 results=$2
log="$results/dmesg.log"
[ -s "$log" ] || log=$console

# What a reviewer would call a bad run: WARN*, BUG*, oops, lockdep and
# RCU reports, panics.  KUnit prints its own failures as TAP.
pattern='WARNING:|BUG:|Oops|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task .* blocked|rcu_sched self-detected stall|Kernel panic|kernel BUG at'

echo "TAP version 13"
echo "1..2"
if [ -f "$results/guest-done" ]; then
	echo "ok 1 guest ran to the end"
else
	echo "not ok 1 guest ran to the end # see $console"
fi
bad=$(grep -E "$pattern" "$log" 2>/dev/null | head -n 20)
if [ -z "$bad" ]; then
	echo "ok 2 kernel log has no warning, BUG, oops, lockdep report or panic"
else
	echo "not ok 2 kernel log has no warning, BUG, oops, lockdep report or panic"
	echo "$bad" | sed 's/^/# /'
fi
