#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# DEL_IP: remove IP_ADDR (or, with IPDELALL=yes, the whole venet0 block) from
# the ifupdown-format file CFG written by ifupdown-add_ip.sh.
CFG=${CFG:-/etc/network/interfaces}
BEGIN="# vz venet0 begin: written by vzctl ADD_IP and DEL_IP"
END='# vz venet0 end'

[ -f "$CFG" ] || exit 0
del=
for a in $IP_ADDR; do
	del="$del ${a%/*}"
done
awk -v b="$BEGIN" -v e="$END" -v all="$IPDELALL" -v del="$del " '
$0 == b { inb = 1 }
inb && all == "yes" { if ($0 == e) inb = 0; next }
inb && $1 == "up" && $4 == "replace" {
	a = $5
	sub(/\/.*/, "", a)
	if (index(del, " " a " "))
		next
}
$0 == e { inb = 0 }
{ print }' "$CFG" >"$CFG.vz" && mv "$CFG.vz" "$CFG"
