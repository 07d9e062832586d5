#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job on a fresh Debian 12 machine, as root: install the build
# dependencies, build, install the tools under /usr with their config in
# /etc/vz, make the busybox OS template (offline), create container 101 from
# it, start it and show it working.  Safe to run again.
set -eu
cd "$(dirname "$0")"

make deps-check
make PREFIX=/usr
make install PREFIX=/usr

vztmpl list -H 2>/dev/null | grep -q '^busybox' || vztmpl create busybox

if vzctl status 101 | grep -q deleted; then
	vzctl create 101 --ostemplate busybox --hostname demo101.example.org --name demo
fi
vzctl status 101 | grep -q running || vzctl start 101 --wait

echo
echo "== vzctl exec 101 'uname -a; hostname; id; ps'"
vzctl exec 101 'uname -a; hostname; id; ps'
echo
echo "== vzlist -a"
vzlist -a
echo
echo "== vzctl status 101"
vzctl status 101
echo
echo "Container 101 is running. Try: vzctl enter 101 | vzctl console 101 (Esc . to leave)"
echo "Stop and remove it with: vzctl stop 101 && vzctl destroy 101"
