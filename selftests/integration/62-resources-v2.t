#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Resources on the cgroup v2 backend of this host: as in 16-cgroup-v2.t, a
# private mount namespace binds the hybrid host's cgroup2 hierarchy over
# /sys/fs/cgroup.  The eBPF device program follows --devices live and at
# start; the controllers this hierarchy lacks (here usually all but
# hugetlb) make each limit a named warning, or exit 5 with --strict; the
# beancounter view is synthesized from the v2 group.  On a pure v2 host it
# runs on the real hierarchy.
. "$(dirname "$0")/lib.sh"
require_root
command -v losetup >/dev/null || skip_all "losetup missing (util-linux)"
require_cgroup2_view
setup_node
sed -i 's/^CGROUP_PARENT=.*/CGROUP_PARENT="\/vztest-res-v2-'$$'"/' "$T/etc/vz.conf"
cg=/sys/fs/cgroup/vztest-res-v2-$$/102

"$vzctl" --quiet create 102 --ostemplate busybox >/dev/null 2>&1
sed -i 's/^LOCAL_UID=.*/LOCAL_UID="0"/; s/^LOCAL_GID=.*/LOCAL_GID="0"/' "$T/etc/conf/102.conf"
chown -R 0:0 "$T/private/102"
truncate -s 1M "$T/blk.img"
loopdev=$(losetup -f --show "$T/blk.img") || skip_all "no free loop device"
trap 'losetup -d "$loopdev"; cleanup_node; rmdir "/sys/fs/cgroup/vztest-res-v2-$$" 2>/dev/null' EXIT
maj=$((0x$(stat -c %t "$loopdev"))) min=$((0x$(stat -c %T "$loopdev")))

run "$vzctl" start 102
is "$rc" 0 "privileged CT starts on cgroup v2"
run "$vzctl" exec2 102 "mknod /blk b $maj $min"
ok "$([ "$rc" -ne 0 ]; echo $?)" "the device program refuses a node of a device not given"
run "$vzctl" set 102 --devices "b:$maj:$min:r"
is "$rc" 0 "--devices b:$maj:$min:r live"
run "$vzctl" exec2 102 "mknod /blk b $maj $min && dd if=/blk of=/dev/null bs=512 count=1 2>/dev/null && echo read"
is "$out" read "the new program lets it be created and read"
run "$vzctl" exec2 102 'dd if=/dev/zero of=/blk bs=512 count=1'
ok "$([ "$rc" -ne 0 ]; echo $?)" "but not written"
like "$out" "not permitted" "  (EPERM from the device program)"
run "$vzctl" set 102 --devices c:1:3:none
run "$vzctl" exec2 102 'echo x >/dev/null'
ok "$([ "$rc" -ne 0 ]; echo $?)" "c:1:3:none takes /dev/null away"
run "$vzctl" set 102 --devices c:1:3:rw --devices "b:$maj:$min:rw" --save
run "$vzctl" exec2 102 'echo x >/dev/null && dd if=/dev/zero of=/blk bs=512 count=1 2>/dev/null && echo written'
is "$out" written "one program replaces the other: /dev/null back, the disk writable"
run "$vzctl" restart 102
is "$rc" 0 "restart"
run "$vzctl" exec2 102 "dd if=/blk of=/dev/null bs=512 count=1 2>/dev/null && echo read"
is "$out" read "the saved DEVICES apply at start"

# ---- what this hierarchy cannot enforce --------------------------------------
if [ -e "$cg/memory.max" ]; then
	for i in 1 2 3 4; do echo "ok $((n += 1)) # SKIP this hierarchy has the memory controller"; done
else
	run "$vzctl" set 102 --ram 64M --save
	is "$rc" 0 "--ram without a memory controller: not an error"
	like "$out" "PHYSPAGES(, [A-Z_]+)* (is|are) not enforced: no memory cgroup controller" "  but said by name"
	run "$vzctl" set 102 --ram 32M --strict --save
	is "$rc" 5 "with --strict: exit 5"
	is "$(sed -n 's/^PHYSPAGES="\(.*\)"/\1/p' "$T/etc/conf/102.conf")" "0:16384" "  and the config keeps its value"
fi
if [ -e "$cg/pids.max" ]; then
	echo "ok $((n += 1)) # SKIP this hierarchy has the pids controller"
else
	run "$vzctl" set 102 --numproc 50
	like "$out" "NUMPROC(, [A-Z_]+)* (is|are) not enforced" "--numproc without a pids controller is said by name"
fi

# ---- the beancounter view of a v2 group ----------------------------------------
run "$vzctl" ubc 102
is "$rc" 0 "vzctl ubc on cgroup v2"
held=$(printf '%s\n' "$out" | awk '$1 == "numproc" { print $2 }')
ok "$([ "${held:-0}" -ge 1 ]; echo $?)" "numproc held counts the CT's processes ($held)"
run "$vzctl" stop 102 --fast
is "$rc" 0 "stop"
ok "$([ ! -e "$cg" ]; echo $?)" "the group is removed"
finish
