#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# What a CT's root can see and do: its own processes, host name and mounts
# only; no modules, no disk device nodes, no writes to /proc/sys or /sys,
# no host devices.  Runs for a user-namespaced CT (the default) and a
# privileged one (LOCAL_UID=0); both must hold every line below.
. "$(dirname "$0")/lib.sh"
require_root
setup_node
# A new network namespace has lo, plus the fallback tunnels of built-in
# tunnel drivers (sit0 on the QEMU guest's kernel): all the CT may see.
fresh_links=$(unshare -n ip -o link show | grep -c '^[0-9]')

"$vzctl" --quiet create 101 --ostemplate busybox --hostname iso101 >/dev/null 2>&1
"$vzctl" --quiet create 102 --ostemplate busybox --hostname iso102 >/dev/null 2>&1
echo 'LOCAL_UID="0"' >>"$T/etc/conf/102.conf"
echo 'LOCAL_GID="0"' >>"$T/etc/conf/102.conf"
chown -R 0:0 "$T/private/102"

# vz.conf with LOCAL_UID only: the group ids follow the user ids.
sed -i '/^LOCAL_GID=/d' "$T/etc/vz.conf"
"$vzctl" --quiet create 103 --ostemplate busybox >/dev/null 2>&1
u103=$(sed -n 's/^LOCAL_UID="\(.*\)"/\1/p' "$T/etc/conf/103.conf")
is "$(sed -n 's/^LOCAL_GID="\(.*\)"/\1/p' "$T/etc/conf/103.conf")" "$u103" "LOCAL_GID follows LOCAL_UID when unset"
"$vzctl" --quiet start 103 >/dev/null 2>&1
init103=$(sed -n 's/^INIT_PID="\(.*\)"/\1/p' "$T/run/103.state")
is "$(awk '{print $1, $2, $3}' "/proc/$init103/gid_map")" "0 $u103 65536" "the CT's groups map to its own range, never the host's"
"$vzctl" --quiet stop 103 --fast >/dev/null 2>&1

for ct in 101 102; do
	kind=$([ $ct = 101 ] && echo userns || echo privileged)
	run "$vzctl" start $ct
	is "$rc" 0 "$kind: start"
	run "$vzctl" exec $ct 'ps -o pid= | wc -l'
	ok "$([ "$out" -lt 10 ]; echo $?)" "$kind: sees only its own processes ($out)"
	run "$vzctl" exec $ct 'ps -o comm= | grep -c "^init$"'
	ok "$([ "$out" -ge 1 ]; echo $?)" "$kind: its init is there"
	run "$vzctl" exec $ct 'readlink /proc/1/exe'
	is "$out" "/bin/busybox" "$kind: PID 1 is the CT's own init binary"
	run "$vzctl" exec $ct hostname
	is "$out" "iso$ct" "$kind: own host name"
	ok "$([ "$(hostname)" != "iso$ct" ]; echo $?)" "$kind: host name of the host unchanged"
	run "$vzctl" exec $ct 'cat /proc/mounts'
	ok "$(printf '%s' "$out" | grep -q "$T"; [ $? -ne 0 ]; echo $?)" "$kind: host mounts are not visible"
	run "$vzctl" exec $ct 'ip link 2>/dev/null | grep -c "^[0-9]"'
	is "$out" "$fresh_links" "$kind: only a new network namespace's interfaces (loopback)"
	run "$vzctl" exec2 $ct 'mknod /tmp/disk b 8 0 && cat /tmp/disk >/dev/null'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "$kind: cannot mknod and read a disk"
	run "$vzctl" exec2 $ct 'ls /dev | grep -E "^(sd|vd|nvme|loop|mem|kmem|port)" | head -1'
	is "$out" "" "$kind: no host block or memory devices in /dev"
	printf '\x7fELF' >"$T/private/$ct/tmp/mod.ko"
	run "$vzctl" exec2 $ct 'insmod /tmp/mod.ko'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "$kind: cannot load a module"
	run "$vzctl" exec $ct 'grep CapBnd /proc/self/status'
	ok "$(( (0x${out##*[[:space:]]} >> 16) & 1 ))" "$kind: CAP_SYS_MODULE is not in the bounding set"
	ok "$(( (0x${out##*[[:space:]]} >> 17) & 1 ))" "$kind: CAP_SYS_RAWIO is not in the bounding set"
	ok "$(( (0x${out##*[[:space:]]} >> 25) & 1 ))" "$kind: CAP_SYS_TIME is not in the bounding set"
	run "$vzctl" exec2 $ct 'echo 1 > /proc/sys/kernel/sysrq'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "$kind: cannot write /proc/sys/kernel"
	run "$vzctl" exec2 $ct 'echo 1 > /proc/sysrq-trigger'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "$kind: cannot write /proc/sysrq-trigger"
	run "$vzctl" exec2 $ct 'echo x > /sys/kernel/uevent_helper'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "$kind: cannot write /sys"
	run "$vzctl" exec2 $ct 'cat /proc/kcore 2>/dev/null | head -c 1 | wc -c'
	is "$out" "0" "$kind: /proc/kcore reads nothing"
	run "$vzctl" exec2 $ct 'date -s "2001-01-01 00:00:00"'
	like "$out" "not permitted" "$kind: setting the clock is refused"
	ok "$([ "$(date +%Y)" -gt 2001 ]; echo $?)" "$kind: the host's clock is unchanged"
	run "$vzctl" exec2 $ct 'echo 1 > /proc/sys/net/ipv4/ip_forward && cat /proc/sys/net/ipv4/ip_forward'
	is "$out" "1" "$kind: its own network sysctls are writable"
	ok "$([ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$(ip netns exec 2>/dev/null; cat /proc/sys/net/ipv4/ip_forward)" ]; echo $?)" \
		"$kind: host's ip_forward untouched"
	"$vzctl" --quiet stop $ct --fast >/dev/null 2>&1
done
finish
