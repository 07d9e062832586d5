#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host boot and shutdown (etc/vz-boot, run by vz.service): ONBOOT CTs start
# by BOOTORDER, highest first; at shutdown every running CT stops, in the
# reverse order.
. "$(dirname "$0")/lib.sh"
require_root
setup_node
export VZCTL=$vzctl VZLIST=$vzlist

for id in 101 102 103 104; do
	"$vzctl" --quiet create $id --ostemplate busybox >/dev/null 2>&1
done
"$vzctl" --quiet set 101 --onboot yes --bootorder 5 --save >/dev/null
"$vzctl" --quiet set 102 --onboot yes --bootorder 50 --save >/dev/null
"$vzctl" --quiet set 103 --onboot no --save >/dev/null
"$vzctl" --quiet set 104 --onboot yes --save >/dev/null

run "$repo/etc/vz-boot" start
is "$(printf '%s\n' "$out" | grep '^Starting' | tr '\n' ' ')" \
	"Starting CT 102 Starting CT 101 Starting CT 104 " "ONBOOT CTs start by BOOTORDER, unordered last"
for id in 101 102 104; do
	run "$vzctl" status $id
	is "$out" "CTID $id exist mounted running" "CT $id runs after boot"
done
run "$vzctl" status 103
is "$out" "CTID 103 exist unmounted down" "ONBOOT=no stays down"
run "$repo/etc/vz-boot" start
is "$(printf '%s\n' "$out" | grep -c '^Starting')" 0 "a second start leaves running CTs alone"

"$vzctl" --quiet start 103 >/dev/null
run "$repo/etc/vz-boot" stop
is "$(printf '%s\n' "$out" | grep '^Stopping' | tr '\n' ' ')" \
	"Stopping CT 103 Stopping CT 104 Stopping CT 101 Stopping CT 102 " \
	"shutdown stops every running CT, reverse boot order"
for id in 101 102 103 104; do
	run "$vzctl" status $id
	is "$out" "CTID $id exist unmounted down" "CT $id is down after shutdown"
done
run "$repo/etc/vz-boot" frobnicate
is "$rc" 20 "unknown action -> 20"
finish
