#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel/checkpatch.sh - run scripts/checkpatch.pl --strict on every patch
# of patches/series, with the checkpatch.pl of the pinned base.  Exit 1 if
# any patch has an error, warning or check.
#
# Needs the pristine tree that kernel/build.sh unpacks (it is unpacked here
# if missing), perl, and for the SPDX check python3-ply and python3-git.

set -euo pipefail

KDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${KERNEL_CACHE_DIR:-/var/cache/vz/kernel}
SRC_TAR=${KERNEL_SRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
# shellcheck source=/dev/null
. "$KDIR/BASE"

pkg_version=$(dpkg-query -W -f='${Version}' "$DEBIAN_PACKAGE" 2>/dev/null || echo unknown)
tree="$CACHE/pristine/$pkg_version"
if [ ! -f "$tree/.complete" ]; then
	mkdir -p "$tree.tmp"
	tar -xJf "$SRC_TAR" -C "$tree.tmp" --strip-components=1
	touch "$tree.tmp/.complete"
	mv "$tree.tmp" "$tree"
fi

# scripts/spdxcheck.py runs under /usr/bin/env python3: prefer Debian's,
# which has the ply and git modules from the packages.
export PATH=/usr/bin:$PATH

fail=0
while read -r p _; do
	case "$p" in ''|'#'*) continue ;; esac
	if (cd "$tree" && ./scripts/checkpatch.pl --strict -q "$KDIR/patches/$p"); then
		echo "checkpatch: ok      $p"
	else
		echo "checkpatch: PROBLEM $p"
		fail=1
	fi
done <"$KDIR/patches/series"
exit $fail
