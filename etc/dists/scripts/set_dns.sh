#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# SET_DNS: NAMESERVER and SEARCHDOMAIN are space-separated lists (either may
# be empty); /etc/resolv.conf is rewritten from them.
{
	[ -n "${SEARCHDOMAIN:-}" ] && echo "search $SEARCHDOMAIN"
	for ns in ${NAMESERVER:-}; do echo "nameserver $ns"; done
} >/etc/resolv.conf.vz && mv /etc/resolv.conf.vz /etc/resolv.conf
