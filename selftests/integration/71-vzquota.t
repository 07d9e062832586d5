#!/bin/bash
# guest: yes
# guest-needs: mkfs.ext4 mke2fs mkfs.xfs losetup dd find sync mkfifo mknod xargs chattr getfattr setfattr
# SPDX-License-Identifier: GPL-2.0-or-later
# vzquota on project quotas, on an ext4 (-O quota,project, prjquota) and an
# xfs (prjquota) image this test makes and loop-mounts: hard limit ->
# EDQUOT while the rest of the file system keeps writing, inode limit, soft
# limit that turns hard after a short grace, stat/show golden output, live
# shrink below usage, hard links and renames cannot move usage out of the
# quota, usage right after a forced unmount and a killed writer without any
# rescan, off/on/drop; init over a tree with many and deep directories,
# hard links, special files (not tagged: counted only when made after init)
# and a mount inside; a re-init that trusts the tree's mark still tags a
# directory taken out of the project, and a copied mark is not trusted;
# bad arguments with exit codes.  Needs a kernel with
# project quotas (the project's 6.1 kernel); skipped elsewhere, naming why.
. "$(dirname "$0")/lib.sh"
vzquota=$VZ_BUILD/vzquota
require_root
[ -x "$vzquota" ] || skip_all "$vzquota not built"
command -v mkfs.ext4 >/dev/null || skip_all "mkfs.ext4 missing (package e2fsprogs)"

setup_node
export VZ_QUOTA_DIR=$T/vzquota
cleanup() {
	local f m
	for f in "$T"/run/*.state; do
		[ -e "$f" ] && "$vzctl" --quiet stop "$(basename "$f" .state)" --fast >/dev/null 2>&1
	done
	for m in "$T"/mnt-*; do
		mountpoint -q "$m" 2>/dev/null && umount -l "$m"
	done
	cleanup_node
}
trap cleanup EXIT

# mkfs_img FS: a 512 MB sparse image (xfs needs 300 MB) with project
# quota, mounted on $T/mnt-FS
mkfs_img() {
	local fs=$1 img=$T/$1.img mnt=$T/mnt-$1
	truncate -s 512M "$img"
	mkdir -p "$mnt"
	case $fs in
	ext4) mkfs.ext4 -q -F -O quota,project -E quotatype=prjquota "$img" >/dev/null 2>&1 || return 1 ;;
	xfs) mkfs.xfs -q -f "$img" >/dev/null 2>&1 || return 1 ;;
	esac
	mount -o loop,prjquota "$img" "$mnt" 2>/dev/null
}

mkfs_img ext4 || skip_all "this kernel cannot mount ext4 with prjquota (needs CONFIG_QUOTA, CONFIG_QFMT_V2)"

# Root with CAP_SYS_RESOURCE is exempt from quota limits: writers drop it.
nocap() { setpriv --bounding-set=-sys_resource --inh-caps=-sys_resource -- "$@"; }
# The kernel's usage for a tree: st_blocks of everything in it (1K blocks).
tree_kb() { find "$1" -xdev -printf '%b\n' | awk '{ s += $1 } END { print int((s + 1) / 2) }'; }
usage_of() { "$vzquota" -b stat "$1" | awk 'NR==1 { print $1 }'; }
inodes_of() { "$vzquota" -b stat "$1" | awk 'NR==2 { print $1 }'; }

# Golden output: the numbers that depend on the file system are replaced.
golden() { sed -E 's/^( *1k-blocks) +[0-9]+/\1 USAGE/; s/^( *inodes) +[0-9]+/\1 INODES/'; }

for fs in ext4 xfs; do
	if [ $fs = xfs ]; then
		if ! command -v mkfs.xfs >/dev/null; then
			ok 0 "# SKIP xfs: mkfs.xfs missing (package xfsprogs)"
			continue
		fi
		if ! mkfs_img xfs; then
			ok 0 "# SKIP xfs: this kernel cannot mount xfs with prjquota (CONFIG_XFS_QUOTA)"
			continue
		fi
	fi
	mnt=$T/mnt-$fs
	id=$([ $fs = ext4 ] && echo 201 || echo 202)
	# xfs reports an exhausted project quota as ENOSPC, as df shows it full
	edquot=$([ $fs = ext4 ] && echo "Disk quota exceeded" || echo "No space left on device")
	edquot_name=$([ $fs = ext4 ] && echo EDQUOT || echo ENOSPC)
	priv=$mnt/private/$id
	mkdir -p "$priv/etc" "$mnt/outside"
	echo hello >"$priv/etc/hostname"
	dd if=/dev/zero of="$priv/data" bs=1K count=100 2>/dev/null

	run "$vzquota" init $id -p "$priv" -b 4000 -B 5000 -i 100 -I 120 -e 2 -n 2
	is "$rc" 0 "$fs: init tags the tree"
	run "$vzquota" on $id
	is "$rc" 0 "$fs: on"
	run "$vzquota" on $id
	is "$rc" 5 "$fs: on twice: exit 5"
	sync
	is "$(usage_of $id)" "$(tree_kb "$priv")" "$fs: stat usage is the tree's blocks"
	is "$(inodes_of $id)" 4 "$fs: stat counts the tree's 4 inodes"
	run "$vzquota" stat $id
	is "$(echo "$out" | golden)" "$(cat "$here/golden/71-stat.txt")" "$fs: stat output (golden)"
	run "$vzquota" show $id
	is "$(echo "$out" | golden)" "$(cat "$here/golden/71-stat.txt")" "$fs: show output (golden)"

	# ---- hard limit: EDQUOT inside, the rest of the file system keeps writing
	run nocap dd if=/dev/zero of="$priv/big" bs=1K count=6000 conv=fsync
	[ "$rc" -ne 0 ]
	ok $? "$fs: writing past the hard limit fails"
	like "$out" "$edquot" "$fs: with $edquot_name"
	sync
	[ "$(usage_of $id)" -le 5000 ]
	ok $? "$fs: usage stays under the hard limit ($(usage_of $id) KB)"
	dd if=/dev/zero of="$mnt/outside/host" bs=1K count=6000 2>/dev/null
	ok $? "$fs: outside the quota the file system keeps writing"
	rm -f "$priv/big"

	# ---- inode limit
	run nocap sh -c "i=0; while [ \$i -lt 200 ]; do : > '$priv/f'\$i || exit 1; i=\$((i+1)); done"
	[ "$rc" -ne 0 ]
	ok $? "$fs: more files than the inode hard limit fail"
	like "$out" "$edquot" "$fs: with $edquot_name"
	[ "$(inodes_of $id)" -le 120 ]
	ok $? "$fs: inodes stay under the hard limit ($(inodes_of $id))"
	rm -f "$priv"/f*

	# ---- soft limit + grace: over soft is allowed, then acts as hard
	run "$vzquota" setlimit $id -b 300 -B 5000 -e 2
	is "$rc" 0 "$fs: setlimit soft 300, grace 2 s"
	run nocap dd if=/dev/zero of="$priv/soft" bs=1K count=400 conv=fsync
	is "$rc" 0 "$fs: writing over the soft limit works within the grace"
	run "$vzquota" stat $id
	like "$(echo "$out" | sed -n 2p)" '^ +1k-blocks +[0-9]+\* +300 +5000 +00:0[0-9]$' \
		"$fs: stat marks the excess with * and shows the grace"
	sleep 3
	run nocap dd if=/dev/zero of="$priv/soft2" bs=1K count=100 conv=fsync
	[ "$rc" -ne 0 ]
	ok $? "$fs: after the grace the soft limit acts as hard"
	run "$vzquota" stat $id
	like "$(echo "$out" | sed -n 2p)" 'none$' "$fs: the grace shows none"
	rm -f "$priv/soft" "$priv/soft2"

	# ---- live shrink below usage: accepted, further writes refused
	dd if=/dev/zero of="$priv/keep" bs=1K count=1000 conv=fsync 2>/dev/null
	run "$vzquota" setlimit $id -b 0 -B 500
	is "$rc" 0 "$fs: setlimit hard 500 below the usage"
	run nocap dd if=/dev/zero of="$priv/more" bs=1K count=10 conv=fsync
	[ "$rc" -ne 0 ]
	ok $? "$fs: no more writes once the hard limit is below the usage"
	run "$vzquota" stat $id
	like "$(echo "$out" | sed -n 2p)" '^ +1k-blocks +[0-9]+\* +0 +500 ' "$fs: stat shows * over the hard limit"
	rm -f "$priv/keep" "$priv/more"
	"$vzquota" setlimit $id -b 4000 -B 5000 >/dev/null

	# ---- links and renames cannot move usage out of the quota
	dd if=/dev/zero of="$mnt/outside/foreign" bs=1K count=50 2>/dev/null
	run ln "$mnt/outside/foreign" "$priv/link"
	[ "$rc" -ne 0 ]
	ok $? "$fs: a hard link of a foreign file into the quota is refused"
	run mv "$mnt/outside/foreign" "$priv/moved"
	sync
	is "$rc" 0 "$fs: a foreign file moved in is copied (EXDEV fallback)"
	before=$(usage_of $id)
	dd if=/dev/zero of="$priv/mine" bs=1K count=200 conv=fsync 2>/dev/null
	sync
	before=$(usage_of $id)
	ln "$priv/mine" "$mnt/outside/mine-link" 2>/dev/null
	rm -f "$priv/mine"
	sync
	is "$(usage_of $id)" "$before" "$fs: a hard link outside keeps the usage in the quota"
	mv "$mnt/outside/mine-link" "$mnt/outside/renamed" 2>/dev/null
	sync
	is "$(usage_of $id)" "$before" "$fs: renaming outside keeps the usage in the quota"
	rm -f "$mnt/outside/renamed" "$priv/moved"
	sync

	# ---- killed writer, then a forced unmount: stat is right without a rescan
	dd if=/dev/zero of="$priv/writer" bs=1K count=4000 2>/dev/null &
	wpid=$!
	sleep 0.2
	kill -KILL $wpid 2>/dev/null
	wait $wpid 2>/dev/null
	sync
	is "$(usage_of $id)" "$(tree_kb "$priv")" "$fs: after a killed writer stat matches the tree"
	want=$(tree_kb "$priv")
	umount -l "$mnt"
	mount -o loop,prjquota "$T/$fs.img" "$mnt"
	is "$(usage_of $id)" "$want" "$fs: after a forced unmount and remount stat is right, no rescan"
	is "$(inodes_of $id)" "$(find "$priv" -xdev | wc -l)" "$fs: and so are the inodes"

	# ---- off lifts the limits, on enforces them again, drop
	run "$vzquota" off $id
	is "$rc" 0 "$fs: off"
	run "$vzquota" off $id
	is "$rc" 6 "$fs: off twice: exit 6"
	run "$vzquota" stat $id
	is "$rc" 6 "$fs: stat of a quota that is off: exit 6"
	run dd if=/dev/zero of="$priv/free" bs=1K count=6000 conv=fsync
	is "$rc" 0 "$fs: without limits the tree grows past them"
	rm -f "$priv/free"
	run "$vzquota" on $id
	is "$rc" 0 "$fs: on again"
	run nocap dd if=/dev/zero of="$priv/big" bs=1K count=6000 conv=fsync
	[ "$rc" -ne 0 ]
	ok $? "$fs: the limit is back"
	rm -f "$priv/big" "$priv/writer"
	run "$vzquota" drop $id
	is "$rc" 5 "$fs: drop while on: exit 5"
	run "$vzquota" drop $id -f
	is "$rc" 0 "$fs: drop -f"
	run "$vzquota" show $id
	is "$rc" 11 "$fs: show after drop: exit 11"
done

# ---- init walks the whole tree in parallel: many and deep directories,
# hard links, special files, another file system mounted inside; a re-init
# changes nothing
# unique_kb TREE: 1K blocks of the regular files and directories, each inode once
unique_kb() {
	find "$1" -xdev \( -type f -o -type d \) -printf '%i %b\n' | sort -u -k1,1 |
		awk '{ s += $2 } END { print int((s + 1) / 2) }'
}
unique_inodes() { find "$1" -xdev \( -type f -o -type d \) -printf '%i\n' | sort -u | wc -l; }
for fs in ext4 xfs; do
	mountpoint -q "$T/mnt-$fs" || continue
	id=$([ $fs = ext4 ] && echo 205 || echo 206)
	tree=$T/mnt-$fs/tagged
	mkdir -p "$tree"
	(cd "$tree" && for d in $(seq 40); do
		mkdir -p d$d/sub && (cd d$d && seq 25 | xargs touch && echo data >sub/f)
	done)
	p=$tree/deep
	for i in $(seq 30); do p=$p/$i; done
	mkdir -p "$p" && echo leaf >"$p/leaf"
	dd if=/dev/zero of="$tree/d1/big" bs=1K count=64 2>/dev/null
	ln "$tree/d1/big" "$tree/d2/big-link"
	ln -s big "$tree/d1/sym"
	ln -s "$(printf 'x%.0s' $(seq 100))" "$tree/d1/longsym"
	mkfifo "$tree/d1/fifo"
	mknod "$tree/d1/null" c 1 3
	mkdir -p "$tree/mnt"
	mount -t tmpfs -o size=1m tmpfs "$tree/mnt" && echo inside >"$tree/mnt/f"
	sync
	run "$vzquota" init $id -p "$tree" -b 0 -B 0 -i 0 -I 0 -e 0 -n 0
	is "$rc" 0 "$fs: init of a tree of 1040 files, 30 levels deep, a hard link, special files, a mount"
	[ "$rc" -eq 0 ] || printf '#   %s\n' "$out"
	# the directory under the mount was out of reach: it stays in project 0
	umount "$tree/mnt" && rmdir "$tree/mnt"
	"$vzquota" on $id >/dev/null
	sync
	want_i=$(unique_inodes "$tree")
	is "$(inodes_of $id)" "$want_i" \
		"$fs: the quota counts every file and directory, a hard link once, no special file made before init"
	is "$(usage_of $id)" "$(unique_kb "$tree")" "$fs: and their blocks"
	ln -s d1/big "$tree/newsym"
	mkfifo "$tree/newfifo"
	sync
	is "$(inodes_of $id)" $((want_i + 2)) "$fs: special files made after init inherit the id and count"
	"$vzquota" off $id >/dev/null
	run "$vzquota" -v init $id -p "$tree" -b 0 -B 0 -i 0 -I 0 -e 0 -n 0
	is "$rc" 0 "$fs: init again of the tagged tree"
	"$vzquota" on $id >/dev/null
	is "$(inodes_of $id)" $((want_i + 2)) "$fs: changes nothing"
	like "$out" "files in tagged directories trusted" \
		"$fs: a re-init reads only the directories: the walk before it left its mark"

	# A directory taken out of the project by hand: a trusted re-init
	# finds it without the id and tags it and its files again.
	chattr -R -p 0 "$tree/d3"
	sync
	is "$(inodes_of $id)" $((want_i + 2 - 28)) "$fs: chattr -R -p 0 takes d3's 28 inodes out of the quota"
	"$vzquota" off $id >/dev/null
	run "$vzquota" -v init $id -p "$tree" -b 0 -B 0 -i 0 -I 0 -e 0 -n 0
	is "$rc" 0 "$fs: init again with d3 out of the project"
	like "$out" "Tagged 28 of" "$fs: ... tags d3, d3/sub and their files"
	"$vzquota" on $id >/dev/null
	is "$(inodes_of $id)" $((want_i + 2)) "$fs: ... and every file in them: all counted again"

	# A file taken out by hand is what a trusted walk does not see; without
	# the mark init checks every file.
	chattr -p 0 "$tree/d4/1"
	"$vzquota" off $id >/dev/null
	setfattr -x trusted.vz.quota-tagged "$tree"
	run "$vzquota" -v init $id -p "$tree" -b 0 -B 0 -i 0 -I 0 -e 0 -n 0
	unlike_out=$(printf '%s' "$out" | grep -c "trusted")
	is "$unlike_out" 0 "$fs: without the mark init checks every file"
	like "$out" "Tagged 1 of" "$fs: ... and finds the one taken out"
	"$vzquota" on $id >/dev/null
	is "$(inodes_of $id)" $((want_i + 2)) "$fs: ... counted again"
	mark=$(getfattr --only-values -n trusted.vz.quota-tagged "$tree" 2>/dev/null)
	like "$mark" "^id=$id ino=[0-9]+ fsid=" "$fs: the walk marked the tree again ($mark)"
	"$vzquota" drop $id -f >/dev/null

	# The mark copied onto another tree (rsync -X) names another inode.
	copy=$T/mnt-$fs/copy
	mkdir -p "$copy/a" && touch "$copy/a/1" "$copy/a/2" "$copy/3"
	setfattr -n trusted.vz.quota-tagged -v "$mark" "$copy"
	run "$vzquota" -v init $id -p "$copy" -b 0 -B 0 -i 0 -I 0 -e 0 -n 0
	is "$rc" 0 "$fs: init of a tree carrying another tree's mark"
	like "$out" "Tagged 5 of 5" "$fs: ... checks and tags every file"
	"$vzquota" drop $id -f >/dev/null
	rm -rf "$tree" "$copy"
done

# ---- vzctl: DISK_QUOTA=yes gives simfs and overlay CTs on ext4 and xfs a
# project quota; df inside shows its limit (statfs of a directory with the
# project inherit flag reports the project's limits on both)
echo 'DISK_QUOTA="yes"' >>"$T/etc/vz.conf"
for combo in ext4:simfs:211 xfs:overlay:212 ext4:overlay:213 xfs:simfs:214; do
	IFS=: read -r fs layout id <<<"$combo"
	mountpoint -q "$T/mnt-$fs" || continue
	sed -i "/^VE_PRIVATE=/d" "$T/etc/vz.conf"
	echo "VE_PRIVATE=\"$T/mnt-$fs/private/\$VEID\"" >>"$T/etc/vz.conf"
	run "$vzctl" create $id --ostemplate busybox --layout $layout --diskspace 20M:24M \
		--diskinodes 2000:2200
	is "$rc" 0 "$layout on $fs: create with DISKSPACE 20M:24M"
	if [ "$layout" = simfs ]; then
		like "$(getfattr --only-values -n trusted.vz.quota-tagged "$T/mnt-$fs/private/$id" 2>&1)" \
			"^id=$id ino=[0-9]+ fsid=" \
			"$layout on $fs: create marked the private area it tagged while empty"
	fi
	run "$vzctl" start $id
	is "$rc" 0 "$layout on $fs: start turns the project quota on"
	[ "$rc" -eq 0 ] || printf '#   %s\n' "$out"
	if [ "$layout" = simfs ]; then
		# create tagged the empty private area, so the template's symlinks
		# and device nodes were born in the project: every inode counts.
		# The running CT may make a file between the two counts: take a
		# moment when they are read without one in between.
		for try in 1 2 3 4 5; do
			sync
			q=$(inodes_of $id)
			f=$(find "$T/mnt-$fs/private/$id" -xdev -printf '%i\n' | sort -u | wc -l)
			[ "$q" = "$f" ] && [ "$q" = "$(inodes_of $id)" ] && break
			sleep 1
		done
		is "$q" "$f" "$layout on $fs: the quota counts every inode of the template, symlinks too"
	fi
	run "$vzquota" stat $id
	is "$rc" 0 "$layout on $fs: vzquota stat of the CT"
	like "$(echo "$out" | sed -n 2p)" '^ +1k-blocks +[0-9]+  +20480 +24576 ' \
		"$layout on $fs: with DISKSPACE as limits"
	run "$vzctl" exec2 $id df -k /
	is "$(echo "$out" | awk 'NR==2 {print $2}')" 20480 "$layout on $fs: df inside shows the quota"
	run "$vzctl" exec2 $id dd if=/dev/zero of=/fill bs=1M count=40
	[ "$rc" -ne 0 ]
	ok $? "$layout on $fs: writing past the hard limit fails inside the CT"
	like "$out" "quota exceeded|No space left" "$layout on $fs: with EDQUOT"
	dd if=/dev/zero of="$T/mnt-$fs/outside/host2" bs=1M count=8 2>/dev/null
	ok $? "$layout on $fs: the host keeps writing"
	rm -f "$T/mnt-$fs/outside/host2"
	run "$vzctl" set $id --diskspace 40M:44M --save
	is "$rc" 0 "$layout on $fs: set --diskspace live"
	run "$vzctl" exec2 $id df -k /
	is "$(echo "$out" | awk 'NR==2 {print $2}')" 40960 "$layout on $fs: df inside follows"
	run "$vzctl" exec2 $id dd if=/dev/zero of=/fill2 bs=1M count=10
	is "$rc" 0 "$layout on $fs: the CT writes into the new space"
	run "$vzctl" set $id --quotaugidlimit 100
	is "$rc" 67 "$layout on $fs: QUOTAUGIDLIMIT with a project quota: exit 67"
	run "$vzctl" quotaoff $id
	is "$rc" 0 "$layout on $fs: quotaoff"
	run "$vzctl" quotaoff $id
	is "$rc" 66 "$layout on $fs: quotaoff twice: exit 66"
	run "$vzctl" quotaon $id
	is "$rc" 0 "$layout on $fs: quotaon"
	run "$vzctl" stop $id
	is "$rc" 0 "$layout on $fs: stop"
	run "$vzctl" destroy $id
	is "$rc" 0 "$layout on $fs: destroy"
	[ ! -e "$VZ_QUOTA_DIR/quota.$id" ]
	ok $? "$layout on $fs: destroy drops the quota"
done

# ---- bad arguments
run "$vzquota"
is "$rc" 2 "no command: exit 2"
run "$vzquota" stat
is "$rc" 2 "no quota id: exit 2"
run "$vzquota" stat abc
is "$rc" 2 "a bad quota id: exit 2"
run "$vzquota" frobnicate 201
is "$rc" 2 "an unknown command: exit 2"
run "$vzquota" init 203 -p "$T/mnt-ext4/private/201" -b 1 -B 2
is "$rc" 2 "init without all limits: exit 2"
run "$vzquota" init 203 -p "$T/mnt-ext4/private/201" -b 1 -B 2 -i 1 -I 2 -e 1x -n 1
is "$rc" 2 "a bad grace time: exit 2"
run "$vzquota" init 203 -p "$T/mnt-ext4/private/201" -b 3 -B 2 -i 1 -I 2 -e 1 -n 1
is "$rc" 2 "soft above hard: exit 2"
run "$vzquota" init 203 -p "$T/nonexistent" -b 1 -B 2 -i 1 -I 2 -e 1 -n 1
is "$rc" 13 "a path that does not exist: exit 13"
run "$vzquota" init 203 -p "$T" -b 1 -B 2 -i 1 -I 2 -e 1 -n 1
is "$rc" 3 "a tree without project quota: exit 3"
like "$out" "not enabled|no project quota" "naming what is missing"
run "$vzquota" stat 204
is "$rc" 11 "stat of an unknown quota: exit 11"
run "$vzquota" setlimit 204 -b 1
is "$rc" 11 "setlimit of an unknown quota: exit 11"
run "$vzquota" setlimit 204
is "$rc" 2 "setlimit without limits: exit 2"
# ext4 with the quota features but mounted without prjquota: accounted, not enforced
truncate -s 64M "$T/noprj.img"
mkfs.ext4 -q -F -O quota,project -E quotatype=prjquota "$T/noprj.img" >/dev/null 2>&1
mkdir -p "$T/mnt-noprj"
mount -o loop "$T/noprj.img" "$T/mnt-noprj"
run "$vzquota" init 203 -p "$T/mnt-noprj" -b 1 -B 2 -i 1 -I 2 -e 1 -n 1
is "$rc" 3 "a file system mounted without prjquota: exit 3"
like "$out" "mount it with -o prjquota" "naming the fix"
umount "$T/mnt-noprj"
[ ! -e "$VZ_QUOTA_DIR/quota.203" ]
ok $? "bad input leaves no quota file"

finish
