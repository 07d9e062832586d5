#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# SET_HOSTNAME: HOSTNM is the new host name, IP_ADDR the CT's first address
# (may be empty).  Sets the running name, /etc/hostname and the /etc/hosts
# line of the name (127.0.1.1 without an address, as Debian does).
[ -n "${HOSTNM:-}" ] || exit 0
hostname "$HOSTNM" 2>/dev/null
printf '%s\n' "$HOSTNM" >/etc/hostname.vz && mv /etc/hostname.vz /etc/hostname || exit 1
short=${HOSTNM%%.*}
names=$HOSTNM
[ "$short" != "$HOSTNM" ] && names="$HOSTNM $short"
addr=${IP_ADDR%% *}
addr=${addr%%/*}
[ -n "$addr" ] || addr=127.0.1.1
[ -f /etc/hosts ] || printf '127.0.0.1\tlocalhost\n' >/etc/hosts
# Drop the old line of this marker, keep everything else.
grep -v '# vz hostname$' /etc/hosts >/etc/hosts.vz
printf '%s\t%s # vz hostname\n' "$addr" "$names" >>/etc/hosts.vz
mv /etc/hosts.vz /etc/hosts
