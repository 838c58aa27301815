#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run apt-get/apt-cache against a newer Debian suite without touching the
# system's apt configuration: the source list, package lists and cache
# live under $PRIVATE_APT_DIR.  The mirror is the one the machine already
# uses for its own release.
#
#   private-apt.sh update
#   private-apt.sh download PKG[=VERSION]...   (into the current directory)
#   private-apt.sh policy PKG
set -euo pipefail

dir=${PRIVATE_APT_DIR:?PRIVATE_APT_DIR must name a directory}
suites=${NEWER_SUITES:-forky sid}

die() { echo "private-apt: $*" >&2; exit 1; }

mirror() {
	local codename uri
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot tell this system's Debian release from /etc/os-release"
	uri=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null |
	      awk -v c="$codename" '$1 == c { print $2; exit }')
	[ -n "$uri" ] || die "no apt mirror configured for '$codename'; run 'apt-get update' first"
	echo "${uri%/}"
}

opts=(-o "Dir::Etc::SourceList=$dir/sources.list"
      -o "Dir::Etc::SourceParts=/dev/null"
      -o "Dir::State::Lists=$dir/lists"
      -o "Dir::Cache=$dir/cache"
      -o "Debug::NoLocking=1"
      -o "APT::Sandbox::User=root")

cmd=${1:?usage: private-apt.sh update|download|policy ...}
shift
case "$cmd" in
update)
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	m=$(mirror)
	: > "$dir/sources.list.new"
	for s in $suites; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m $s main" \
			>> "$dir/sources.list.new"
	done
	mv "$dir/sources.list.new" "$dir/sources.list"
	apt-get "${opts[@]}" -qq update
	;;
download)
	apt-get "${opts[@]}" -qq download "$@"
	;;
policy)
	apt-cache "${opts[@]}" policy "$@"
	;;
*)
	die "unknown command '$cmd'"
	;;
esac
