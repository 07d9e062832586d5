#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ADD_IP for Debian: the routed addresses in /etc/network/interfaces.d/venet0
# (ifupdown, "manual": ifup never fights vzctl over them) and in
# /etc/systemd/network/50-vz-venet0.network (systemd-networkd, which keeps
# what vzctl configured and routes through the same gateways).
BEGIN="# vz venet0 begin: written by vzctl ADD_IP and DEL_IP"
NETWORKD=/etc/systemd/network/50-vz-venet0.network

with_len() {
	case $1 in
	*/*) echo "$1" ;;
	*:*) echo "$1/128" ;;
	*) echo "$1/32" ;;
	esac
}

have=
if [ "$VE_STATE" != starting ]; then
	if [ -f "$NETWORKD" ]; then
		have=$(sed -n 's/^Address=//p' "$NETWORKD")
	elif [ -f /etc/network/interfaces.d/venet0 ]; then
		have=$(awk '$1 == "up" && $4 == "replace" { print $5 }' /etc/network/interfaces.d/venet0)
	fi
fi
list=
for a in $have $IP_ADDR; do
	a=$(with_len "$a")
	case " $list " in
	*" $a "*) ;;
	*) list="$list $a" ;;
	esac
done

if [ -d /etc/systemd ]; then
	mkdir -p "${NETWORKD%/*}" || exit 1
	{
		echo "$BEGIN"
		echo "[Match]"
		echo "Name=venet0"
		echo
		echo "[Network]"
		echo "KeepConfiguration=yes"
		echo "LinkLocalAddressing=no"
		echo "IPv6AcceptRA=no"
		for a in $list; do
			echo "Address=$a"
		done
		echo
		echo "[Route]"
		echo "Gateway=169.254.0.1"
		echo "GatewayOnLink=yes"
		case "$list" in
		*:*)
			echo
			echo "[Route]"
			echo "Gateway=fe80::1"
			;;
		esac
	} >"$NETWORKD.vz" && mv "$NETWORKD.vz" "$NETWORKD" || exit 1
fi
if [ -d /etc/network/interfaces.d ]; then
	{
		echo "$BEGIN"
		echo "auto venet0"
		echo "iface venet0 inet manual"
		echo "	up ip link set venet0 up || true"
		for a in $list; do
			echo "	up ip addr replace $a dev venet0 || true"
		done
	} >/etc/network/interfaces.d/venet0.vz &&
		mv /etc/network/interfaces.d/venet0.vz /etc/network/interfaces.d/venet0 || exit 1
fi
exit 0
