#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# guest-needs: criu nft
#
# Live migration (vzmigrate --online) of an image-layout CT: its disk is
# private/root.img, an ext4 image loop-mounted as the CT's root (first
# checkpointed and restored on one node: vzctl chkpnt/restore).  The image
# goes by blocks while the CT runs; once CRIU has frozen the CT, its file
# system is synced into the image and only the blocks written since the
# copy travel.  Nodes as in 84-migrate-precopy.t (network namespaces A and
# B on a LAN namespace with the client).  A busybox image CT with a 24 MiB
# file written before the migration, a writer appending its counter to a
# journal file every 0.1 s right up to the freeze, 8 MiB of memory in a
# shell variable and a TCP server holding the client's connection moves
# A -> B: the file, every line of the journal (a lost write right before
# the freeze would leave a gap, the writer's memory going on from where it
# was), the memory and the connection are intact, df shows the same disk.
# Faults: the receiver killed with SIGTERM and with SIGKILL during the
# image copy (the CT serves on A; SIGTERM leaves nothing on B, SIGKILL a
# half-made CT that vzctl status names and the next migration removes), and
# vzmigrate killed with SIGKILL while the CT is frozen (the CT serves on A,
# not frozen, not in the kernel's checkpoint state, its lock free).  Then
# the frozen phase of the image CT against a simfs CT of the same content.
. "$(dirname "$0")/lib.sh"
require_root
require_criu
command -v nsenter >/dev/null || skip_all "nsenter (package util-linux) missing"
command -v ip >/dev/null || skip_all "ip (package iproute2) missing"
command -v mkfs.ext4 >/dev/null || skip_all "mkfs.ext4 (package e2fsprogs) missing"
vzmigrate=$VZ_BUILD/vzmigrate
[ -x "$vzmigrate" ] || skip_all "$vzmigrate not built"
setup_lan_migration

MEM=8388608
# journal_ok NODE-DIR: line n of the writer's journal is n, and there are at least $2 lines
journal_ok() {
	local j=$1/root/$CT/root/journal
	[ -s "$j" ] && awk -v min="${2:-1}" '$0 != NR { bad = 1 } END { exit bad || NR < min }' "$j"
}
disk_kb() { # disk_KB ONFN: the 1K-blocks df shows for / inside the CT
	"$1" "$vzctl" exec $CT df -k / 2>/dev/null | awk 'NR == 2 { print $2 }'
}
# cgroup_file NAME: the file of the CT's cgroup on node A (empty if none)
cgroup_file() {
	find /sys/fs/cgroup -path "*vztest-$$/$CT/$1" 2>/dev/null | head -1
}

# start_ct CTID IP LAYOUT-OPTIONS...: a CT with the 24 MiB file, the writer,
# the memory holder and the TCP server, on node A
start_ct() {
	local ct=$1 ip=$2 root
	shift 2
	run onA "$vzctl" create $ct --ostemplate busybox --ipadd $ip "$@"
	is "$rc" 0 "create CT $ct ($*)"
	run onA "$vzctl" start $ct --wait
	is "$rc" 0 "... start it"
	root=$A/root/$ct
	cp "$A/before" "$root/root/before"
	cat >"$root/srv.sh" <<'SH'
#!/bin/sh
while read -r line; do echo "$line $(cat /tmp/counter)"; done
SH
	cat >"$root/writer.sh" <<'SH'
#!/bin/sh
i=0
while :; do
	i=$((i+1))
	echo $i >>/root/journal
	echo $i >/tmp/counter.new; mv /tmp/counter.new /tmp/counter
	sleep 0.1
done
SH
	cat >"$root/hold.sh" <<SH
#!/bin/sh
x=\$(yes abcdefghijklmno | head -c $MEM)
echo \${#x} >/tmp/len
while :; do
	if [ -e /tmp/check ]; then
		echo \${#x} >/tmp/len.new; mv /tmp/len.new /tmp/len; rm -f /tmp/check
	fi
	sleep 1
done
SH
	chmod 755 "$root/srv.sh" "$root/writer.sh" "$root/hold.sh"
	onA "$vzctl" exec $ct 'setsid /writer.sh </dev/null >/dev/null 2>&1 &'
	onA "$vzctl" exec $ct 'setsid /hold.sh </dev/null >/dev/null 2>&1 &'
	onA "$vzctl" exec $ct 'setsid nc -ll -p 8080 -e /srv.sh </dev/null >/dev/null 2>&1 &'
	for i in $(seq 600); do [ -s "$root/tmp/len" ] && break; sleep 0.1; done
}
memory() { # memory NODE-DIR: the length of the CT's variable, measured now
	rm -f "$1/root/$CT/tmp/len"
	touch "$1/root/$CT/tmp/check"
	for i in $(seq 600); do [ -s "$1/root/$CT/tmp/len" ] && break; sleep 0.1; done
	cat "$1/root/$CT/tmp/len" 2>/dev/null
}
serves() { # serves WORD: after a failed migration, the CT runs on node A and answers
	local r
	run onA "$vzctl" status $CT
	is "$out" "CTID $CT exist mounted running" "$1: the CT still runs on node A"
	ct_runs "$A"
	ok $? "$1: ... and is not frozen"
	r=$(ask "$1")
	like "$r" "^$1 [0-9]+$" "$1: the client's connection answers ($r)"
	is "$(memory "$A")" "$len" "$1: the CT's memory is intact"
	journal_ok "$A"
	ok $? "$1: the journal has every line"
}
# copying NODE-DIR: the image copy has begun there
copying() { [ -e "$1/private/$CT/root.img" ]; }
# times OUT: "frozen S delta MB" of vzmigrate -t
times_of() {
	printf '%s\n' "$1" | sed -n 's/^Times: .*, frozen \([0-9.]*\) s (.*pages \([0-9.]*\) MB, delta \([0-9.]*\) MB, dump \([0-9.]*\) MB).*/\1 \2 \3 \4/p'
}

head -c 24M /dev/urandom >"$A/before"
sum=$(md5sum <"$A/before")

CT=186
IP=192.0.2.186
start_ct $CT $IP --layout image --diskspace 256M
len=$(memory "$A")
[ "${len:-0}" -gt $((MEM - 16)) ]
ok $? "the image CT holds its 8 MiB ($len bytes)"

# --- on one node: vzctl chkpnt + restore mount the image where CRIU expects the root
run onA "$vzctl" chkpnt $CT
is "$rc" 0 "vzctl chkpnt of the image CT"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(tail -20 "$A"/dump/Dump.$CT.log 2>/dev/null)"
run onA "$vzctl" status $CT
is "$out" "CTID $CT exist unmounted down suspended" "... it is down, its image unmounted"
run onA "$vzctl" restore $CT
is "$rc" 0 "vzctl restore of the image CT"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(tail -20 "$A"/dump/Dump.$CT/restore.log 2>/dev/null)"
ct_runs "$A"
ok $? "... its writer goes on"
journal_ok "$A"
ok $? "... with every line of its journal"
is "$(memory "$A")" "$len" "... and its memory"
lan_client $IP
r=$(ask one)
like "$r" "^one [0-9]+$" "the client's connection answers on node A ($r)"
kb_before=$(disk_kb onA)
[ -n "$kb_before" ] && [ "$kb_before" -gt 200000 ]
ok $? "df inside the CT shows its 256M disk ($kb_before KB)"

# --- the receiver killed during the image copy (SIGTERM): it cleans up
lan_receive "$B" $NB 192.0.2.11
nsenter --net=/run/netns/$NA env VZ_CONFDIR=$A/etc "$vzmigrate" --online tcp:192.0.2.11:$PORT $CT >"$A/mig.log" 2>&1 &
src=$!
for i in $(seq 6000); do copying "$B" && break; sleep 0.01; done
copying "$B"
ok $? "sigterm: the image copy reached node B"
kill -TERM $recv_pid
wait $src
src_rc=$?
wait $recv_pid
[ $src_rc -ne 0 ]
ok $? "sigterm: receiver killed during the image copy: vzmigrate fails (exit $src_rc)"
sed 's/^/#   /' "$A/mig.log"
serves sigterm
ct_gone "$B"
ok $? "sigterm: node B: nothing left"

# --- vzmigrate killed with SIGKILL while the CT is frozen
state_file=$(cgroup_file beancounter.state)
events=$(cgroup_file cgroup.events)
frozen_now() { # CRIU holds the CT: the kernel's checkpoint state, or the freezer
	if [ -n "$state_file" ]; then
		grep -q checkpoint "$state_file" 2>/dev/null
	else
		grep -q 'frozen 1' "$events" 2>/dev/null
	fi
}
echo "# checkpoint state file: ${state_file:-none}, now: $(cat "$state_file" 2>/dev/null)"
lan_receive "$B" $NB 192.0.2.11
nsenter --net=/run/netns/$NA env VZ_CONFDIR=$A/etc "$vzmigrate" --online tcp:192.0.2.11:$PORT $CT >"$A/mig.log" 2>&1 &
src=$!
for i in $(seq 30000); do frozen_now && break; sleep 0.01; done
frozen_now
ok $? "vzmigrate killed: the CT was frozen for its dump"
kill -KILL $src
wait $src 2>/dev/null
wait $recv_pid
echo "# the receiver exited with $?"
for i in $(seq 100); do ct_runs "$A" && break; done
serves vzmigratekilled
grep -q 'frozen 0' "$events"
ok $? "vzmigratekilled: the CT's cgroup is not frozen ($(tr '\n' ' ' <"$events"))"
if [ -n "$state_file" ]; then
	! grep -q checkpoint "$state_file"
	ok $? "vzmigratekilled: the kernel's checkpoint state is left ($(cat "$state_file"))"
else
	ok 0 "# SKIP no checkpoint state in this kernel (beancounter.state)"
fi
run onA "$vzctl" set $CT --description moved-later --save
is "$rc" 0 "vzmigratekilled: a vzctl command that locks the CT works (the lock is free)"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out"
ct_gone "$B"
ok $? "vzmigratekilled: node B: nothing left"

# --- the same with SIGKILL: the receiver leaves a half-made CT behind
lan_receive "$B" $NB 192.0.2.11
nsenter --net=/run/netns/$NA env VZ_CONFDIR=$A/etc "$vzmigrate" --online tcp:192.0.2.11:$PORT $CT >"$A/mig.log" 2>&1 &
src=$!
for i in $(seq 6000); do copying "$B" && break; sleep 0.01; done
copying "$B"
ok $? "sigkill: the image copy reached node B"
kill -KILL $recv_pid
dead_receiver=$recv_pid
wait $recv_pid 2>/dev/null
wait $src
src_rc=$?
[ $src_rc -ne 0 ]
ok $? "sigkill: receiver killed during the image copy: vzmigrate fails (exit $src_rc)"
serves sigkill
[ -e "$B/etc/conf/$CT.conf" ] && [ -e "$B/lock/$CT.incoming" ]
ok $? "sigkill: node B holds the half-made CT and the dead receiver's record"
run onB "$vzctl" status $CT
like "$out" "half made by a migration whose receiver \(pid $dead_receiver\) died" \
	"sigkill: vzctl status on node B says so"

# --- A -> B: the receiver first removes what the SIGKILLed one left
lan_receive "$B" $NB 192.0.2.11
lines=$(wc -l <"$A/root/$CT/root/journal")
run onA "$vzmigrate" --online -t tcp:192.0.2.11:$PORT $CT
is "$rc" 0 "vzmigrate --online of the image CT A -> B"
printf '# %s\n' "$out"
[ "$rc" -eq 0 ] || printf '# %s\n' "$(cat "$B/recv.log")" "$(tail -30 "$A"/dump/migrate.$CT/dump/dump.log 2>/dev/null)"
wait $recv_pid
if [ "$rc" -ne 0 ]; then
	finish
	exit 1
fi
image_times=$(times_of "$out")
like "$(cat "$B/recv.log")" "Removing container $CT: half made here" \
	"... its receiver removed the half-made CT first"
run onB "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "the CT runs on node B"
ct_runs "$B"
ok $? "... its writer goes on there"
r=$(ask two)
like "$r" "^two [0-9]+$" "the same connection answers from node B ($r)"
is "$(memory "$B")" "$len" "the CT's memory arrived intact"
is "$(md5sum <"$B/root/$CT/root/before")" "$sum" "the file written before the migration arrived"
journal_ok "$B" "$lines"
ok $? "every line of the journal arrived, the last ones written right before the freeze ($(wc -l <"$B/root/$CT/root/journal") lines, $(tail -1 "$B/root/$CT/root/journal"))"
is "$(disk_kb onB)" "$kb_before" "df inside the CT shows the same disk"
img=$B/private/$CT/root.img
[ "$(stat -c %s "$img")" -eq $((256 * 1024 * 1024)) ] &&
	[ $(($(stat -c %b "$img") * 512)) -lt $((128 * 1024 * 1024)) ]
ok $? "node B's image is whole and sparse ($(stat -c %b "$img") blocks)"
ct_gone "$A"
ok $? "node A: nothing left of the CT but its config set aside"
[ -z "$(ls -A "$B/dump" 2>/dev/null)" ] && [ ! -e "$B/lock/$CT.incoming" ]
ok $? "node B: no images or migration record left"
read -r frozen pages delta dump <<<"$image_times"
awk -v d="${delta:-99}" 'BEGIN { exit !(d < 8) }'
ok $? "the frozen phase sent the image's changed blocks, not the image (delta ${delta:-?} MB of a 24 MB file)"
run onB "$vzctl" stop $CT
is "$rc" 0 "stop the image CT on node B"

# --- the same content in a simfs CT, for the frozen phase's figures
CT=187
start_ct $CT 192.0.2.187
lan_receive "$B" $NB 192.0.2.11
run onA "$vzmigrate" --online -t tcp:192.0.2.11:$PORT $CT
is "$rc" 0 "vzmigrate --online of the simfs CT A -> B"
printf '# %s\n' "$out"
wait $recv_pid
simfs_times=$(times_of "$out")
journal_ok "$B"
ok $? "... its journal arrived whole too"
read -r sfrozen spages sdelta sdump <<<"$simfs_times"
echo "# frozen phase, image CT: ${frozen:-?} s; pages ${pages:-?} MB, private area delta ${delta:-?} MB, dump ${dump:-?} MB"
echo "# frozen phase, simfs CT: ${sfrozen:-?} s; pages ${spages:-?} MB, private area delta ${sdelta:-?} MB, dump ${sdump:-?} MB"
run onB "$vzctl" stop $CT
is "$rc" 0 "stop the simfs CT on node B"

finish
