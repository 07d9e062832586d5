#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# vzctl uses vz's kernel when it runs on it (kernel/README.md): at start the
# CT's cgroup v2 group gets the beancounter controller, beancounter.id = the
# CTID and beancounter.proc_virt = 1.  Inside the CT, /proc/user_beancounters
# shows the CT's own row only, /proc/meminfo's MemTotal is the CT's memory
# limit, /proc/cpuinfo and /sys/devices/system/cpu/online follow its cpuset,
# /proc/uptime is the CT's age; the host's files stay the host's.  Run for a
# user-namespaced and a privileged CT.  On another kernel this file skips
# (the QEMU guest tier runs it on vz's kernel).
. "$(dirname "$0")/lib.sh"
require_root
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || skip_all "not a pure cgroup v2 host"
grep -qw beancounter /sys/fs/cgroup/cgroup.controllers ||
	skip_all "the kernel has no beancounter cgroup controller (vz's kernel, see kernel/README.md)"
setup_node

"$vzctl" --quiet create 191 --ostemplate busybox >/dev/null 2>&1
"$vzctl" --quiet create 192 --ostemplate busybox >/dev/null 2>&1
sed -i 's/^LOCAL_UID=.*/LOCAL_UID="0"/; s/^LOCAL_GID=.*/LOCAL_GID="0"/' "$T/etc/conf/192.conf"
chown -R 0:0 "$T/private/192"

mem_mb=200
cpus_host=$(cat /sys/fs/cgroup/cpuset.cpus.effective 2>/dev/null)
ncpu_host=$(grep -c '^processor' /proc/cpuinfo)
host_memtotal=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)

# group_of CTID: the CT's cgroup v2 directory, as its monitor recorded it.
group_of() {
	sed -n 's/^CGROUP_[0-9]*=":\(.*\)"$/\1/p' "$T/run/$1.state" | head -1
}
# ids_in TEXT: the container ids of a /proc/user_beancounters text.
ids_in() {
	printf '%s\n' "$1" | awk '$1 ~ /:$/ && $1 != "Version:" { sub(/:$/, "", $1); print $1 }' | tr '\n' ' '
}

for ct in 191 192; do
	kind=$([ $ct = 191 ] && echo userns || echo privileged)
	t0=$(date +%s)
	run "$vzctl" start $ct
	is "$rc" 0 "$kind: start"
	cg=$(group_of $ct)
	ok "$([ -n "$cg" ] && [ -d "$cg" ]; echo $?)" "$kind: the CT's group is recorded ($cg)"
	is "$(cat "$cg/beancounter.id" 2>&1)" "$ct" "$kind: beancounter.id is the CTID"
	is "$(cat "$cg/beancounter.proc_virt" 2>&1)" "1" "$kind: /proc virtualization is on"
	like " $(cat "$(dirname "$cg")/cgroup.subtree_control") " " beancounter " \
		"$kind: the controller is enabled for the CT's group"

	# The OpenVZ files: the host sees the CT, the CT sees itself only.
	like " $(ids_in "$(cat /proc/user_beancounters)")" " $ct " "$kind: the host's user_beancounters has the CT's row"
	run "$vzctl" exec $ct 'cat /proc/user_beancounters'
	is "$(ids_in "$out")" "$ct " "$kind: inside, user_beancounters shows only the CT's own row"
	like "$(printf '%s\n' "$out" | head -1)" "^Version: 2\.5" "$kind: in OpenVZ's 2.5 format"
	run "$vzctl" exec $ct 'cut -c1-10 /proc/vz/veinfo'
	is "$(echo $out)" "$ct" "$kind: /proc/vz/veinfo inside lists the CT alone"

	# memory: vzctl set --ram where it exists, else memory.max directly.
	if ! "$vzctl" --quiet set $ct --ram ${mem_mb}M >/dev/null 2>&1; then
		echo $((mem_mb * 1024 * 1024)) >"$cg/memory.max"
	fi
	is "$(cat "$cg/memory.max")" "$((mem_mb * 1024 * 1024))" "$kind: memory limit ${mem_mb}M"
	run "$vzctl" exec $ct "awk '/^MemTotal:/ { print \$2 }' /proc/meminfo"
	is "$out" "$((mem_mb * 1024))" "$kind: inside, MemTotal is the CT's limit (kB)"
	run "$vzctl" exec $ct "awk '/^MemFree:/ { free = \$2 } /^MemTotal:/ { total = \$2 } END { print (free > 0 && free <= total) }' /proc/meminfo"
	is "$out" "1" "$kind: MemFree is within the CT's limit"
	is "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)" "$host_memtotal" "$kind: the host's MemTotal is untouched"

	# cpuset: one CPU for the CT when the machine has more.
	if [ "$ncpu_host" -ge 2 ] && [ -w "$cg/cpuset.cpus" ]; then
		echo 1 >"$cg/cpuset.cpus"
		run "$vzctl" exec $ct 'grep -c ^processor /proc/cpuinfo; grep ^processor /proc/cpuinfo | awk "{ print \$3 }"; cat /sys/devices/system/cpu/online'
		is "$(echo $out)" "1 1 1" "$kind: cpuinfo and cpu/online show the CT's cpuset (CPU 1)"
		is "$(grep -c '^processor' /proc/cpuinfo)" "$ncpu_host" "$kind: the host still sees $ncpu_host CPUs"
		echo "$cpus_host" >"$cg/cpuset.cpus"
	else
		n=$((n + 2))
		echo "ok $((n - 1)) # SKIP one CPU only, or no cpuset controller"
		echo "ok $n # SKIP one CPU only, or no cpuset controller"
	fi

	# uptime: the CT's own age, not the host's.
	run "$vzctl" exec $ct 'cut -d. -f1 /proc/uptime'
	age=$(($(date +%s) - t0))
	ok "$([ "$out" -ge 0 ] && [ "$out" -le $((age + 2)) ]; echo $?)" \
		"$kind: inside, uptime is the CT's age (${out} s, started ${age} s ago)"
	host_up=$(cut -d. -f1 /proc/uptime)
	ok "$([ "$host_up" -gt "$out" ]; echo $?)" "$kind: the host's uptime is its own (${host_up} s)"

	run "$vzctl" stop $ct --fast
	is "$rc" 0 "$kind: stop"
	ok "$(ids_in "$(cat /proc/user_beancounters)" | grep -qw $ct; [ $? -ne 0 ]; echo $?)" \
		"$kind: its row is gone after stop"
done

finish
