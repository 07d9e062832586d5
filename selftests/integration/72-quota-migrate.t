#!/bin/bash
# guest: yes
# guest-needs: mkfs.ext4 mke2fs losetup find mknod mkfifo
# SPDX-License-Identifier: GPL-2.0-or-later
# A simfs CT with DISK_QUOTA=yes migrated (offline) between two node trees
# whose private areas are on ext4 file systems with project quota
# (-O quota,project, prjquota) this test makes and loop-mounts: the
# receiver tags the empty private area as vzctl create does, so everything
# that arrives is born in the CT's project: the quota init at the first
# mount on the destination has nothing to write, and the quota counts every
# inode of the tree, symlinks, device nodes and fifos too.  Needs a kernel
# with project quotas (the project's 6.1 kernel); skipped elsewhere, naming
# why.
. "$(dirname "$0")/lib.sh"
require_root
vzquota=$VZ_BUILD/vzquota
vzmigrate=$VZ_BUILD/vzmigrate
[ -x "$vzquota" ] || skip_all "$vzquota not built"
[ -x "$vzmigrate" ] || skip_all "$vzmigrate not built"
command -v mkfs.ext4 >/dev/null || skip_all "mkfs.ext4 missing (package e2fsprogs)"
tar --version 2>/dev/null | grep -q 'GNU tar' || skip_all "GNU tar missing"
setup_node
setup_second_node
qm_cleanup() {
	local p node m
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	for node in "$A" "$B"; do
		for m in "$node"/root/* "$node/mnt"; do
			mountpoint -q "$m" 2>/dev/null && umount -l "$m"
		done
		rm -f "$node.img"
	done
	VZ_CONFDIR=$B/etc T=$B cleanup_node
	T=$A
	cleanup_node
}
trap qm_cleanup EXIT

# prj_fs NODE-DIR: an ext4 with project quota on NODE-DIR/mnt, the node's
# VE_PRIVATE on it
prj_fs() {
	truncate -s 256M "$1.img"
	mkdir -p "$1/mnt"
	mkfs.ext4 -q -F -O quota,project -E quotatype=prjquota "$1.img" >/dev/null 2>&1 &&
		mount -o loop,prjquota "$1.img" "$1/mnt" 2>/dev/null || return 1
	sed -i '/^VE_PRIVATE=/d' "$1/etc/vz.conf"
	echo "VE_PRIVATE=\"$1/mnt/private/\$VEID\"" >>"$1/etc/vz.conf"
}
prj_fs "$A" && prj_fs "$B" ||
	skip_all "this kernel cannot mount ext4 with prjquota (needs CONFIG_QUOTA, CONFIG_QFMT_V2)"

PORT=$((20000 + $$ % 20000))
onA() { VZ_CONFDIR=$A/etc VZ_QUOTA_DIR=$A/vzquota "$@"; }
onB() { VZ_CONFDIR=$B/etc VZ_QUOTA_DIR=$B/vzquota "$@"; }
receive() {
	rm -f "$B/recv.log"
	onB "$vzmigrate" --listen 127.0.0.1:$PORT >"$B/recv.log" 2>&1 &
	recv_pid=$!
	for i in $(seq 100); do grep -q listening "$B/recv.log" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
inodes_of() { "$vzquota" -b stat "$1" | awk 'NR==2 { print $1 }'; }
# tree_inodes DIR [FIND-TESTS...]: inodes in DIR's tree, each once
tree_inodes() {
	local dir=$1
	shift
	find "$dir" -xdev "$@" -printf '%i\n' | sort -u | wc -l
}

CT=172
# Only node A's defaults have DISK_QUOTA: node B learns it from the CT's config.
echo 'DISK_QUOTA="yes"' >>"$A/etc/vz.conf"
run onA "$vzctl" create $CT --ostemplate busybox --layout simfs --diskspace 20M:24M \
	--diskinodes 2000:2200
is "$rc" 0 "create CT $CT with DISK_QUOTA=yes on node A's prjquota ext4"
[ "$rc" -eq 0 ] || printf '#   %s\n' "$out"
echo 'DISK_QUOTA="yes"' >>"$A/etc/conf/$CT.conf"
P=$A/mnt/private/$CT
# What a full distribution template brings besides symlinks
mkdir -p "$P/dev" && mknod "$P/dev/null" c 1 3 && mknod "$P/dev/loop9" b 7 9 &&
	mkfifo "$P/dev/initctl" && ln -s /proc/self/fd "$P/dev/fd"
ok $? "node A: device nodes, a fifo and a symlink in the private area"
run onA "$vzctl" mount $CT
is "$rc" 0 "mount on node A turns the CT's quota on"
sync
is "$(onA inodes_of $CT)" "$(tree_inodes "$P")" "node A: the quota counts every inode (create tagged the tree)"
[ -e "$A/vzquota/quota.$CT" ]
ok $? "node A: the CT has a quota file"
run onA "$vzctl" umount $CT
is "$rc" 0 "umount on node A"

receive
run onA "$vzmigrate" tcp:127.0.0.1:$PORT $CT
is "$rc" 0 "migrate the stopped CT A -> B"
[ "$rc" -eq 0 ] || printf '#   %s\n' "$out" "$(cat "$B/recv.log")"
wait $recv_pid
Q=$B/mnt/private/$CT
[ -d "$Q" ] && [ ! -e "$P" ]
ok $? "the private area is on node B's prjquota ext4, gone from node A"
[ ! -e "$A/vzquota/quota.$CT" ]
ok $? "node A dropped the CT's quota"

run onB "$vzctl" --verbose mount $CT
is "$rc" 0 "mount on node B turns the CT's quota on"
[ "$rc" -eq 0 ] || printf '#   %s\n' "$out"
like "$out" "Tagged 0 of [0-9]+ files" "node B: its first init has nothing to write"
sync
run onB "$vzquota" stat $CT
is "$rc" 0 "node B: vzquota stat of the CT"
like "$(echo "$out" | sed -n 2p)" '^ +1k-blocks +[0-9]+  +20480 +24576 ' "node B: with DISKSPACE as limits"
special=$(tree_inodes "$Q" ! -type f ! -type d)
[ "$special" -ge 5 ]
ok $? "node B: the tree has symlinks and special files ($special)"
q=$(onB inodes_of $CT)
is "$q" "$(tree_inodes "$Q")" "node B: the quota counts every inode of the tree, special files too"
[ "$q" -gt "$(tree_inodes "$Q" \( -type f -o -type d \))" ]
ok $? "node B: more than its files and directories"

# Made in the mounted CT: counted as well
ln -s bin/busybox "$B/root/$CT/newsym"
mknod "$B/root/$CT/newnull" c 1 3
sync
is "$(onB inodes_of $CT)" $((q + 2)) "node B: special files made afterwards count too"
run onB "$vzctl" umount $CT
is "$rc" 0 "umount on node B"
run onB "$vzctl" destroy $CT
is "$rc" 0 "destroy on node B"
[ ! -e "$B/vzquota/quota.$CT" ]
ok $? "destroy drops the quota"

finish
