#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# DEL_IP for Debian: drop IP_ADDR (all of them with IPDELALL=yes) from the
# files debian-add_ip.sh writes.
NETWORKD=/etc/systemd/network/50-vz-venet0.network
IFACE=/etc/network/interfaces.d/venet0

if [ "$IPDELALL" = yes ]; then
	rm -f "$NETWORKD" "$IFACE"
	exit 0
fi
del=
for a in $IP_ADDR; do
	del="$del ${a%/*}"
done
for f in "$NETWORKD" "$IFACE"; do
	[ -f "$f" ] || continue
	awk -v del="$del " '
	{ a = "" }
	/^Address=/ { a = substr($0, 9) }
	$1 == "up" && $4 == "replace" { a = $5 }
	a != "" { sub(/\/.*/, "", a); if (index(del, " " a " ")) next }
	{ print }' "$f" >"$f.vz" && mv "$f.vz" "$f" || exit 1
done
exit 0
