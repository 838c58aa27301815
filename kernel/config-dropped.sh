#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# config-dropped.sh CONFIG FRAGMENT...: print each option the fragments
# ask for (the last word on an option winning) that CONFIG does not have,
# as "  CONFIG_X=want (got have)"; nothing if Kconfig kept them all.
set -euo pipefail
config=${1:?usage: config-dropped.sh CONFIG FRAGMENT...}
shift
cat "$@" | sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)/\1/p' \
		  -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set/\1=n/p' |
awk -F= '{ want[$1] = $0; if (!($1 in seen)) order[++n] = $1; seen[$1] = 1 }
	 END { for (i = 1; i <= n; i++) print want[order[i]] }' |
while IFS= read -r want; do
	opt=${want%%=*}
	have=$(grep -E "^$opt=|^# $opt is not set" "$config" || true)
	case "$have" in "# $opt is not set"|"") have="$opt=n" ;; esac
	[ "$have" = "$want" ] || echo "  $want (got ${have#*=})"
done
