#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ADD_IP: list the CT's routed addresses in an ifupdown-format file (busybox
# ifup reads the same format).  VE_STATE=starting rewrites the venet0 block
# from IP_ADDR; running adds IP_ADDR to it.  CFG names the file.
CFG=${CFG:-/etc/network/interfaces}
BEGIN="# vz venet0 begin: written by vzctl ADD_IP and DEL_IP"
END='# vz venet0 end'

with_len() {
	case $1 in
	*/*) echo "$1" ;;
	*:*) echo "$1/128" ;;
	*) echo "$1/32" ;;
	esac
}

mkdir -p "${CFG%/*}" || exit 1
[ -f "$CFG" ] || : >"$CFG" || exit 1
have=
if [ "$VE_STATE" != starting ]; then
	have=$(sed -n "/^$BEGIN\$/,/^$END\$/s/^	up ip addr replace \([^ ]*\) dev venet0.*/\1/p" "$CFG")
fi
list=
for a in $have $IP_ADDR; do
	a=$(with_len "$a")
	case " $list " in
	*" $a "*) ;;
	*) list="$list $a" ;;
	esac
done

{
	sed "/^$BEGIN\$/,/^$END\$/d" "$CFG"
	echo "$BEGIN"
	echo "auto venet0"
	echo "iface venet0 inet manual"
	echo "	up ip link set venet0 up || true"
	for a in $list; do
		echo "	up ip addr replace $a dev venet0 || true"
	done
	echo "$END"
} >"$CFG.vz" && mv "$CFG.vz" "$CFG"
