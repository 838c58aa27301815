#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: install the Debian packages in packages.txt that are missing
# (with TOOLS_ONLY=1, only those zpooltop and the BPF programs need).
# As root it installs them (those marked 'newer' from a newer suite via a
# private apt list; the system's apt configuration is not changed).  As
# any other user it names the missing packages and the command to run,
# and changes nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list=${DEPS_LIST:-$here/packages.txt}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

# TOOLS_ONLY=1: only the packages marked 'tools' (make deps-tools).
missing=() newer=()
while read -r pkg tags; do
	case "$pkg" in ''|\#*) continue ;; esac
	[ "${TOOLS_ONLY:-0}" = 1 ] && [[ " $tags " != *" tools "* ]] && continue
	installed "$pkg" && continue
	if [[ " $tags " = *" newer "* ]]; then newer+=("$pkg"); else missing+=("$pkg"); fi
done < "$list"

[ ${#missing[@]} -eq 0 ] && [ ${#newer[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "error: missing packages: ${missing[*]} ${newer[*]}" >&2
	echo "Run 'sudo make $([ "${TOOLS_ONLY:-0}" = 1 ] && echo deps-tools || echo deps)' (it installs them with apt-get; ${newer[*]:-nothing} from a newer Debian suite), then retry." >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt is chatty; show its output only when it fails.
quietly() { "$@" > "$log" 2>&1 || { cat "$log" >&2; echo "error: '$*' failed" >&2; exit 1; }; }
if [ ${#missing[@]} -gt 0 ]; then
	echo "  DEPS    apt-get install ${missing[*]}"
	quietly apt-get update
	quietly apt-get install -y --no-install-recommends "${missing[@]}"
fi
if [ ${#newer[@]} -gt 0 ]; then
	echo "  DEPS    ${newer[*]} from a newer suite"
	eval "$(sed -n 's/^\([A-Z_]*\) *:= *\(.*\)$/\1="\2"/p' "$here/../kernel/version.mk")"
	export NEWER_SUITES PRIVATE_APT_DIR=${PRIVATE_APT_DIR:-/var/cache/zpool-deps/apt}
	dl=$(mktemp -d)
	trap 'rm -rf "$dl" "$log"' EXIT
	"$here/../kernel/private-apt.sh" update
	(cd "$dl" && "$here/../kernel/private-apt.sh" download "${newer[@]}")
	quietly apt-get install -y --no-install-recommends "$dl"/*.deb
fi
