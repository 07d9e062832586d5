#!/bin/bash
# guest: yes
# guest-needs: mkfs.ext4 mke2fs e2fsck resize2fs tune2fs losetup dd df setpriv
# SPDX-License-Identifier: GPL-2.0-or-later
# The image layout: a CT whose private area is a sparse ext4 image, loop-
# mounted as its root.  DISKSPACE is enforced by the kernel (ENOSPC inside,
# the host keeps writing), grows online (with CAP_SYS_RESOURCE; without it
# a refusal naming it and the offline way), refuses to shrink below usage or
# while mounted, DISKINODES is the inode count, df inside shows the CT's
# own disk, and no loop device or mount is left behind after a stop, a
# forced stop, a killed monitor or a killed vzctl.  Bad input: exit codes.
. "$(dirname "$0")/lib.sh"
require_root
command -v mkfs.ext4 >/dev/null || skip_all "mkfs.ext4 missing (package e2fsprogs)"
[ -e /dev/loop-control ] || skip_all "no /dev/loop-control (loop device support)"
setup_node
export VZ_QUOTA_DIR=$T/vzquota

img=$T/private/101/root.img
# loop devices bound to a file (by its inode, as losetup -j reports them)
loops_of() { losetup -j "$1" 2>/dev/null | wc -l; }
# wait up to 5 s for the autoclear of the last loop device of a file
no_loops() {
	local i
	for i in $(seq 50); do
		[ "$(loops_of "$1")" -eq 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- create
run "$vzctl" create 101 --ostemplate busybox --layout image --diskspace 40M --diskinodes 2000
is "$rc" 0 "create --layout image --diskspace 40M --diskinodes 2000"
[ -f "$img" ]
ok $? "the private area holds root.img"
is "$(stat -c %s "$img")" $((40 * 1024 * 1024)) "the image is as big as DISKSPACE"
alloc=$(stat -c %b "$img")
[ $((alloc * 512)) -lt $((40 * 1024 * 1024)) ]
ok $? "the image is sparse ($((alloc / 2)) KB allocated)"
like "$(cat "$T/etc/conf/101.conf")" 'VE_LAYOUT="image"' "the config records the layout"
is "$(loops_of "$img")" 0 "create leaves no loop device behind"

# ---- start: df inside shows the CT's own disk
run "$vzctl" start 101
is "$rc" 0 "start"
[ "$rc" -eq 0 ] || printf '#   %s\n' "$out"
mountpoint -q "$T/root/101"
ok $? "VE_ROOT is mounted"
is "$(loops_of "$img")" 1 "one loop device while running"
run "$vzctl" exec2 101 df -k /
size=$(echo "$out" | awk 'NR==2 {print $2}')
[ -n "$size" ] && [ "$size" -gt 30000 ] && [ "$size" -le 40960 ]
ok $? "df inside shows the CT's size ($size KB of 40960)"
run "$vzctl" exec2 101 stat -f -c %c /
inodes=$out
[ "$inodes" -ge 2000 ] && [ "$inodes" -lt 2600 ]
ok $? "the file system has the DISKINODES inode count ($inodes)"
run "$vzctl" exec2 101 'df -k / | awk "NR == 2 { print \$3 }"; df -i / | awk "NR == 2 { print \$3 }"'
used_in=$(echo $out)
run "$vzlist" -H -o diskspace,diskinodes 101
is "$(echo $out)" "$used_in" "vzlist shows the usage df shows inside (1K blocks, inodes)"

# ---- limit: ENOSPC inside, the host keeps writing
run "$vzctl" exec2 101 dd if=/dev/zero of=/fill bs=1M count=60
[ "$rc" -ne 0 ]
ok $? "writing past DISKSPACE fails inside the CT"
like "$out" "No space left on device" "with ENOSPC"
dd if=/dev/zero of="$T/host-file" bs=1M count=8 2>/dev/null
ok $? "the host keeps writing meanwhile"
rm -f "$T/host-file"

# ---- grow: online where vzctl has CAP_SYS_RESOURCE (ext4's online resize
# needs it), else a clear refusal and the offline way.  Where the test has
# the capability, the refusal is checked with vzctl run without it.
capeff=$(awk '/^CapEff/ {print $2}' /proc/self/status)
have_res=$((0x$capeff >> 24 & 1))
nores() { setpriv --bounding-set=-sys_resource --inh-caps=-sys_resource -- "$@"; }
if [ $have_res -eq 1 ]; then
	run nores "$vzctl" set 101 --diskspace 80M --save
else
	run "$vzctl" set 101 --diskspace 80M --save
fi
is "$rc" 12 "online grow without CAP_SYS_RESOURCE: exit 12"
like "$out" "needs CAP_SYS_RESOURCE" "with a message naming the capability"
like "$out" "stop the container and run the same vzctl set again" "and the fix"
is "$(stat -c %s "$img")" $((40 * 1024 * 1024)) "the image is unchanged"
like "$(cat "$T/etc/conf/101.conf")" 'DISKSPACE="40M"' "the config is unchanged"
run "$vzctl" status 101
like "$out" "running" "the CT keeps running"
if [ $have_res -eq 1 ]; then
	run "$vzctl" set 101 --diskspace 80M --save
	is "$rc" 0 "with CAP_SYS_RESOURCE: set --diskspace 80M grows the running CT online"
	[ "$rc" -eq 0 ] || printf '#   %s\n' "$out"
	run "$vzctl" status 101
	like "$out" "running" "the CT kept running"
	"$vzctl" exec2 101 rm -f /fill
else
	"$vzctl" exec2 101 rm -f /fill
	run "$vzctl" stop 101
	run "$vzctl" set 101 --diskspace 80M --save
	is "$rc" 0 "set --diskspace 80M on the stopped CT (offline grow)"
	run "$vzctl" start 101
fi
run "$vzctl" exec2 101 df -k /
size2=$(echo "$out" | awk 'NR==2 {print $2}')
[ "$size2" -gt 70000 ]
ok $? "df inside shows the grown disk ($size2 KB)"
run "$vzctl" exec2 101 dd if=/dev/zero of=/more bs=1M count=20
is "$rc" 0 "the CT writes into the new space"
is "$(stat -c %s "$img")" $((80 * 1024 * 1024)) "the image grew"
like "$(cat "$T/etc/conf/101.conf")" 'DISKSPACE="80M"' "DISKSPACE saved"

# ---- refused shrinks change nothing
run "$vzctl" set 101 --diskspace 60M --save
is "$rc" 41 "shrink while mounted: exit 41"
like "$out" "cannot shrink a mounted" "with a clear message"
is "$(stat -c %s "$img")" $((80 * 1024 * 1024)) "the image is unchanged"
like "$(cat "$T/etc/conf/101.conf")" 'DISKSPACE="80M"' "the config is unchanged"
run "$vzctl" set 101 --diskinodes 9000 --save
is "$rc" 21 "changing DISKINODES: exit 21"
like "$out" "DISKINODES of container 101 is fixed" "with a clear message"

# ---- inode limit
run "$vzctl" exec2 101 'rm -f /fill /more; mkdir /many; i=0; while [ $i -lt 3000 ]; do : > /many/$i || exit 1; i=$((i+1)); done'
[ "$rc" -ne 0 ]
ok $? "creating more files than the inode count fails"
like "$out" "No space left on device" "with ENOSPC"
"$vzctl" exec2 101 rm -rf /many

# ---- stop: no loop device, no mount
run "$vzctl" stop 101
is "$rc" 0 "stop"
no_loops "$img"
ok $? "stop releases the loop device"
mountpoint -q "$T/root/101"
ok $((!$?)) "and unmounts VE_ROOT"

# ---- offline shrink: refused below usage, done above it
run "$vzctl" mount 101
dd if=/dev/zero of="$T/root/101/data" bs=1M count=50 2>/dev/null
sync
run "$vzctl" umount 101
run "$vzctl" set 101 --diskspace 30M --save
is "$rc" 46 "shrink below usage: exit 46"
like "$out" "Cannot shrink the disk of container 101 to 30720 KB: [0-9]+ KB are in use" "with a clear message"
is "$(stat -c %s "$img")" $((80 * 1024 * 1024)) "the image is unchanged"
like "$(cat "$T/etc/conf/101.conf")" 'DISKSPACE="80M"' "the config is unchanged"
run "$vzctl" mount 101
is "$rc" 0 "mount"
rm -f "$T/root/101/data"
run "$vzctl" umount 101
is "$rc" 0 "umount"
run "$vzctl" set 101 --diskspace 48M --save
is "$rc" 0 "shrink to 48M when the data fits"
[ "$rc" -eq 0 ] || printf '#   %s\n' "$out"
is "$(stat -c %s "$img")" $((48 * 1024 * 1024)) "the image shrank"
run "$vzctl" start 101
run "$vzctl" exec2 101 df -k /
size3=$(echo "$out" | awk 'NR==2 {print $2}')
[ "$size3" -gt 38000 ] && [ "$size3" -le 49152 ]
ok $? "df inside shows the shrunk disk ($size3 KB)"

# ---- forced stop
run "$vzctl" stop 101 --fast
is "$rc" 0 "stop --fast"
no_loops "$img"
ok $? "a forced stop releases the loop device"

# ---- kill -9 of the CT's monitor (which this test started), then of its init
run "$vzctl" start 101
MONITOR_PID=0 INIT_PID=0
. "$T/run/101.state" 2>/dev/null
[ "$MONITOR_PID" -gt 0 ] && kill -KILL "$MONITOR_PID"
[ "$INIT_PID" -gt 0 ] && kill -KILL "$INIT_PID"
for i in $(seq 50); do [ -d "/proc/$INIT_PID" ] || break; sleep 0.1; done
run "$vzctl" status 101
like "$out" "mounted down" "after kill -9 of monitor and init the CT is down and mounted"
run "$vzctl" umount 101
is "$rc" 0 "umount"
no_loops "$img"
ok $? "no loop device is left"
run "$vzctl" start 101
is "$rc" 0 "the CT starts again"
run "$vzctl" stop 101 --fast

# ---- kill -9 of vzctl in the middle of create: nothing is left
cp "$T/template/cache/busybox.tar.gz" "$T/template/cache/slow.tar.gz"
"$vzctl" create 102 --ostemplate slow --layout image --diskspace 64M >/dev/null 2>&1 &
cpid=$!
for i in $(seq 100); do
	[ -f "$T/private/102.tmp/root.img" ] && break
	sleep 0.02
done
kill -KILL $cpid
wait $cpid 2>/dev/null
sleep 0.5
leaked=$(losetup -a | grep -c "$T/private/102" || true)
for i in $(seq 50); do
	leaked=$(losetup -a | grep -c "$T/private/102")
	[ "$leaked" -eq 0 ] && break
	sleep 0.1
done
is "$leaked" 0 "kill -9 of create leaves no loop device"
grep -q "$T/private/102" /proc/self/mountinfo
ok $((!$?)) "and no mount"
run "$vzctl" create 102 --ostemplate busybox --layout image --diskspace 64M
is "$rc" 0 "create after a killed create"
run "$vzctl" destroy 102
is "$rc" 0 "destroy"
[ ! -e "$T/private/102" ]
ok $? "destroy removes the image"

# ---- bad input: clear errors, exit codes, nothing changed
run "$vzctl" create 103 --ostemplate busybox --layout image
is "$rc" 63 "image layout without DISKSPACE: exit 63"
like "$out" "needs DISKSPACE" "names the missing DISKSPACE"
[ ! -e "$T/private/103" ] && [ ! -e "$T/etc/conf/103.conf" ]
ok $? "and leaves nothing behind"
run "$vzctl" create 103 --ostemplate busybox --layout image --diskspace 1M
is "$rc" 21 "a too small image: exit 21"
run "$vzctl" create 103 --ostemplate busybox --layout image --diskspace 10Q
is "$rc" 21 "--diskspace 10Q: exit 21"
run "$vzctl" create 103 --ostemplate busybox --layout image --diskspace 2G:1G
is "$rc" 21 "--diskspace soft above hard: exit 21"
run "$vzctl" create 103 --ostemplate busybox --layout zfs
is "$rc" 21 "--layout zfs: exit 21"
run "$vzctl" set 101 --diskspace abc --save
is "$rc" 21 "set --diskspace abc: exit 21"
run "$vzctl" set 101 --diskspace unlimited --save
is "$rc" 21 "an image CT cannot be unlimited: exit 21"
run "$vzctl" set 101 --quotatime -5 --save
is "$rc" 21 "set --quotatime -5: exit 21"
like "$(cat "$T/etc/conf/101.conf")" 'DISKSPACE="48M"' "the config is unchanged by bad input"
if grep -qw v2_read_file_info /proc/kallsyms 2>/dev/null; then
	run "$vzctl" set 101 --quotaugidlimit 100 --save
	is "$rc" 0 "set --quotaugidlimit on a kernel with quota support"
	run "$vzctl" start 101
	is "$rc" 0 "the CT starts with ext4 user/group quota in its image"
	grep " $T/root/101 " /proc/self/mounts | grep -q usrquota
	ok $? "the image is mounted with usrquota"
	run "$vzctl" stop 101 --fast
else
	run "$vzctl" set 101 --quotaugidlimit 100 --save
	is "$rc" 5 "QUOTAUGIDLIMIT on a kernel without quota support: exit 5"
	like "$out" "CONFIG_QFMT_V2" "names the missing kernel support"
fi
run "$vzctl" destroy 101
is "$rc" 0 "destroy 101"

# ---- a simfs CT with DISK_QUOTA=yes where the file system has no project
# quota: start fails naming what is missing (exit 5) and leaves it unmounted
run "$vzctl" create 104 --ostemplate busybox --diskspace 100M
echo 'DISK_QUOTA="yes"' >>"$T/etc/conf/104.conf"
run "$vzctl" start 104
if [ "$rc" -eq 0 ]; then
	"$VZ_BUILD/vzquota" stat 104 >/dev/null
	ok $? "DISK_QUOTA=yes on a file system with project quota: the quota is on"
	"$vzctl" stop 104 --fast >/dev/null 2>&1
else
	is "$rc" 5 "DISK_QUOTA=yes without project quota: start fails with exit 5"
	like "$out" "[Pp]roject quota|not on ext4 or xfs" "naming what is missing"
	mountpoint -q "$T/root/104"
	ok $((!$?)) "and the CT is not left mounted"
	run "$vzctl" quotaon 104
	is "$rc" 5 "quotaon: exit 5"
fi
run "$vzctl" destroy 104
is "$rc" 0 "destroy 104"

finish
