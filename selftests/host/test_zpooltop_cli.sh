#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zpooltop's command line and the errors users hit, on the host: bad
# option values, missing privileges, a kernel without BTF (a tmpfs over
# /sys/kernel/btf in a private mount namespace), a kernel without the
# series (the host's own) and a kernel with it but without CMA's
# tracepoints (a made-up BTF in their place).  Each must be one sentence
# on stderr, nothing from libbpf, and a non-zero exit status.  ZPOOLTOP
# names the binary.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
bin=${ZPOOLTOP:?ZPOOLTOP must name the zpooltop binary}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

plan 23

# run ARGS...: status in $rc, stdout and stderr in files.
run() { "$@" > "$scratch/out" 2> "$scratch/err"; rc=$?; }
# One error sentence starting "zpooltop: " (+ argp's "Try" hint), no libbpf.
one_error() { # WANT_RC PATTERN
	local lines
	lines=$(grep -vc "^Try \`zpooltop --help'" "$scratch/err")
	[ "$rc" = "$1" ] && [ "$lines" = 1 ] && grep -q "^zpooltop: .*$2" "$scratch/err" &&
		! grep -qi libbpf "$scratch/err" && [ ! -s "$scratch/out" ]
}
show() { echo "exit $rc; stderr:"; cat "$scratch/err"; }

run "$bin" --help
check "--help shows USAGE and EXAMPLES" \
	eval '[ $rc = 0 ] && grep -q "^USAGE: zpooltop" "$scratch/out" && grep -q "^EXAMPLES:" "$scratch/out"'
run "$bin" -h
check "-h prints the help to standard output, nothing to stderr, exit 0" \
	eval '[ $rc = 0 ] && grep -q "^USAGE: zpooltop" "$scratch/out" && [ ! -s "$scratch/err" ]'
run "$bin" --version
check "--version prints the version" eval '[ $rc = 0 ] && grep -q "^zpooltop [0-9]" "$scratch/out"'

run "$bin" -s bogus
if one_error 2 "invalid sort key 'bogus' (one of: stored, pool"; then pass "a bad sort key is named with the valid ones"; else fail "a bad sort key" "$(show)"; fi

bad=0
for args in "0" "abc" "1 0" "1 x" "1 2 3" "-r 0" "-r 65" "-r x" "99999"; do
	# shellcheck disable=SC2086
	run "$bin" $args
	one_error 2 "" || { bad=1; echo "# zpooltop $args: $(show)"; }
done
check "bad intervals, counts, row limits and extra arguments exit 2 with one sentence" [ $bad = 0 ]

run "$bin" -b -j
if one_error 2 "-b and -j do not go together"; then pass "-b with -j is refused"; else fail "-b with -j" "$(show)"; fi

# Map waits are measured only with -w: sorting by them without it is an error.
run "$bin" -s waits
if one_error 2 "sorting by waits needs -w, which measures them"; then
	pass "-s waits without -w is refused, naming -w"
else
	fail "-s waits without -w" "$(show)"
fi

run "$bin" -o bogus
if one_error 2 "invalid output format 'bogus' (one of: text, json, openmetrics)"; then pass "a bad output format is named with the valid ones"; else fail "a bad output format" "$(show)"; fi
bad=0
for args in "-b -o json" "-b -o openmetrics" "-j -o openmetrics" "-o text -j" "--textfile=" \
	"--whatif -o openmetrics"; do
	# shellcheck disable=SC2086
	run "$bin" $args
	one_error 2 "" || { bad=1; echo "# zpooltop $args: $(show)"; }
done
check "conflicting output options, an empty --textfile and --whatif with openmetrics exit 2 with one sentence" [ $bad = 0 ]

run "$bin" --no-such-option
check "an unknown option exits 2" eval '[ $rc = 2 ] && grep -q "unrecognized option" "$scratch/err"'

# --cma: contiguous allocations per CMA area, shown in text and JSON only.
run "$bin" --cma -o openmetrics
if one_error 2 "--cma is for text and JSON; it does not go with -o openmetrics"; then
	pass "--cma with -o openmetrics is refused, saying why"
else
	fail "--cma with -o openmetrics" "$(show)"
fi
run "$bin" --cma --textfile "$scratch/zpooltop.prom"
if one_error 2 "--cma is for text and JSON; with --textfile, add -b or -j to see it" &&
	[ ! -e "$scratch/zpooltop.prom" ]; then
	pass "--cma with --textfile alone is refused, saying what to add, and writes nothing"
else
	fail "--cma with --textfile alone" "$(show)"
fi
bad=0
for args in "--cma 0" "--cma abc" "--cma 1 0" "--cma 1 2 3" "--cma -r 0" "--cma -s bogus" \
	"--cma -s waits" "--cma -b -j" "--cma --hist -o openmetrics" "--hist --cma -b -o json"; do
	# shellcheck disable=SC2086
	run "$bin" $args
	one_error 2 "" || { bad=1; echo "# zpooltop $args: $(show)"; }
done
check "--cma does not hide bad values or conflicts: each exits 2 with one sentence" [ $bad = 0 ]
run "$bin" --cma=5
if [ "$rc" = 2 ] && grep -q "'--cma' doesn't allow an argument" "$scratch/err" && [ ! -s "$scratch/out" ]; then
	pass "--cma takes no value"
else
	fail "--cma takes no value" "$(show)"
fi

run "$bin" -c /nonexistent/cgroup
if one_error 1 "cannot use cgroup '/nonexistent/cgroup': No such file"; then pass "a missing cgroup is named"; else fail "a missing cgroup" "$(show)"; fi
run "$bin" -c "$scratch"
if one_error 1 "is not a cgroup v2 directory"; then pass "a directory outside cgroup2 is refused"; else fail "a non-cgroup directory" "$(show)"; fi

if [ "$(id -u)" = 0 ]; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$bin" 1 1
	if one_error 1 "needs root, or CAP_BPF and CAP_PERFMON"; then pass "without privileges: what it needs"; else fail "without privileges" "$(show)"; fi
	# CAP_BPF and CAP_PERFMON are enough; the next check decides the rest.
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon "$bin" 1 1
	check "CAP_BPF with CAP_PERFMON passes the privilege check" \
		eval '! grep -q "needs root" "$scratch/err"'
else
	skip "without privileges: what it needs" "needs root to drop privileges"
	skip "CAP_BPF with CAP_PERFMON passes the privilege check" "needs root to set capabilities"
fi

if [ "$(id -u)" = 0 ] && [ -e /sys/kernel/btf/vmlinux ]; then
	run unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" 1 1' "$bin"
	if one_error 1 "this kernel has no BTF"; then pass "a kernel without BTF: what to build"; else fail "a kernel without BTF" "$(show)"; fi
else
	skip "a kernel without BTF: what to build" "needs root and a host kernel with BTF to hide it"
fi

# A kernel with the series but no CMA: a BTF with only the series' events
# (the ones zpooltop looks for) over the kernel's, in a private mount
# namespace.  zpooltop reads it before loading anything.
fake_btf() { # EVENT...: a BTF object naming those tracepoints, in $scratch/btf.o
	local e
	for e in "$@"; do
		echo "typedef void (*btf_trace_$e)(void *, unsigned int);"
		echo "btf_trace_$e var_$e;"
	done > "$scratch/btf.c"
	clang -target bpf -g -c "$scratch/btf.c" -o "$scratch/btf.o" 2> /dev/null
}
with_btf() { # BTF ARGS...: zpooltop with BTF in place of the kernel's
	unshare -m sh -c 'mount --bind "$1" /sys/kernel/btf/vmlinux && shift && exec "$@"' \
		sh "$@"
}
if [ "$(id -u)" != 0 ] || [ ! -e /sys/kernel/btf/vmlinux ] || ! command -v clang > /dev/null; then
	skip "--cma on a kernel without CMA tracepoints: what to build" "needs root, clang and a host kernel with BTF"
	skip "without --cma, a kernel without CMA is not refused" "needs root, clang and a host kernel with BTF"
elif ! fake_btf zpool_map zpool_malloc zswap_store; then
	fail "--cma on a kernel without CMA tracepoints: what to build" "clang could not build the BTF"
	fail "without --cma, a kernel without CMA is not refused" "clang could not build the BTF"
else
	run with_btf "$scratch/btf.o" "$bin" --cma 1 1
	if one_error 1 "this kernel has no CMA tracepoints (cma_alloc_start, cma_alloc_finish), which --cma times; boot a kernel built with CONFIG_CMA"; then
		pass "--cma on a kernel without CMA tracepoints: what to build"
	else
		fail "--cma on a kernel without CMA tracepoints" "$(show)"
	fi
	# It gets as far as loading, which fails: these are not the kernel's types.
	run with_btf "$scratch/btf.o" "$bin" 1 1
	check "without --cma, a kernel without CMA is not refused" \
		eval '[ $rc = 1 ] && grep -q "cannot load and attach the BPF programs" "$scratch/err" && ! grep -q CMA "$scratch/err"'
fi

if grep -qw zpool_map /proc/kallsyms 2>/dev/null || [ -d /sys/kernel/tracing/events/zpool ]; then
	skip "a kernel without the series" "the host runs a kernel with the series"
	skip "-v on a kernel without the series" "the host runs a kernel with the series"
elif [ ! -e /sys/kernel/btf/vmlinux ]; then
	skip "a kernel without the series" "the host kernel has no BTF, which zpooltop reports first"
	skip "-v on a kernel without the series" "the host kernel has no BTF"
else
	run "$bin" 1 1
	if one_error 1 "this kernel has no zpool tracepoints; boot Linux 7.2 with the zpool patch series"; then
		pass "a kernel without the series: what to boot"
	else
		fail "a kernel without the series" "$(show)"
	fi
	run "$bin" -v 1 1
	check "-v on a kernel without the series still ends in one clear sentence" \
		eval '[ $rc = 1 ] && grep -q "no zpool tracepoints" "$scratch/err"'
fi
