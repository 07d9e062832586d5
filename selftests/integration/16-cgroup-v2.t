#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# The cgroup v2 backend on this host: in a private mount namespace the
# host's cgroup2 hierarchy (hybrid "unified") is bound over /sys/fs/cgroup,
# so vzctl sees a pure v2 host.  The CT's group, its cgroup namespace, the
# eBPF device filter and the clean-up are real; only the v1 controllers are
# absent.  The full v2 run is in the kernel tier.
. "$(dirname "$0")/lib.sh"
require_root
require_cgroup2_view
setup_node
sed -i 's/^CGROUP_PARENT=.*/CGROUP_PARENT="\/vztest-v2-'$$'"/' "$T/etc/vz.conf"
cg=/sys/fs/cgroup/vztest-v2-$$

"$vzctl" --quiet create 101 --ostemplate busybox >/dev/null 2>&1
"$vzctl" --quiet create 102 --ostemplate busybox >/dev/null 2>&1
sed -i 's/^LOCAL_UID=.*/LOCAL_UID="0"/; s/^LOCAL_GID=.*/LOCAL_GID="0"/' "$T/etc/conf/102.conf"
chown -R 0:0 "$T/private/102"

run "$vzctl" start 101 --wait
is "$rc" 0 "start on cgroup v2"
ok "$([ -d "$cg/101" ]; echo $?)" "the CT's group is <CGROUP_PARENT>/<CTID>"
run "$vzctl" exec 101 'grep "^0::" /proc/self/cgroup'
is "$out" "0::/" "the CT sees its own group as the root (cgroup namespace)"
init=$(sed -n 's/^INIT_PID="\(.*\)"/\1/p' "$T/run/101.state")
sleep 0.5
in_ns=
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$(readlink "/proc/$init/ns/pid")" ] && in_ns="$in_ns ${p#/proc/}"
done
is "$(sort -n "$cg/101/cgroup.procs" | tr '\n' ' ')" "$(printf '%s\n' $in_ns | sort -n | tr '\n' ' ')" \
	"the CT's group holds exactly the processes of its pid namespace"
is "$(stat -c %u "$cg/101/cgroup.procs")" 300000 "the group is delegated to the CT's root"
run "$vzctl" stop 101 --fast
is "$rc" 0 "stop"
ok "$([ ! -e "$cg/101" ]; echo $?)" "the group is removed at stop"

run "$vzctl" start 102
is "$rc" 0 "privileged CT starts"
run "$vzctl" exec2 102 'mknod /tmp/null c 1 3 && echo x > /tmp/null && echo allowed'
is "$out" "allowed" "device filter: an allowed device can be created and opened"
run "$vzctl" exec2 102 'mknod /tmp/tty1 c 4 1'
ok "$([ "$rc" -ne 0 ]; echo $?)" "device filter: a host tty node cannot be created"
like "$out" "not permitted" "refused with EPERM"
run "$vzctl" exec2 102 'mknod /tmp/sda b 8 0'
ok "$([ "$rc" -ne 0 ]; echo $?)" "device filter: no block device nodes"
run "$vzctl" stop 102 --fast
is "$rc" 0 "stop privileged CT"
rmdir "$cg" 2>/dev/null
ok "$([ ! -e "$cg" ]; echo $?)" "nothing left in the hierarchy"
finish
