#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# guest-needs: setfattr getfattr setfacl getfacl
#
# vzmigrate between two node trees on this machine (each its own
# VZ_CONFDIR, VE_PRIVATE, LOCKDIR ...), over the plain TCP mode on
# loopback: the checks and their exit codes, the private area arriving
# with hard links, sparse files, xattrs, ACLs and numeric owners, a
# stopped and a running CT moved offline, -r no, --dry-run, an image-layout
# CT (offline: its root.img by blocks, 87-migrate-image.t online), and a
# receiver or a vzmigrate killed half way: the source CT intact and
# nothing left on the destination; a receiver killed with SIGKILL leaves a
# half-made CT that vzctl destroy or the next migration removes.  (Online
# migration: 83-migrate-online.t.)
. "$(dirname "$0")/lib.sh"
require_root
command -v tar >/dev/null || skip_all "tar missing"
tar --version 2>/dev/null | grep -q 'GNU tar' || skip_all "GNU tar missing"
vzmigrate=$VZ_BUILD/vzmigrate
[ -x "$vzmigrate" ] || skip_all "$vzmigrate not built"
setup_node
setup_second_node
mig_cleanup() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	VZ_CONFDIR=$B/etc T=$B cleanup_node
	T=$A
	cleanup_node
}
trap mig_cleanup EXIT

PORT=$((20000 + $$ % 20000))
onA() { VZ_CONFDIR=$A/etc "$@"; }
onB() { VZ_CONFDIR=$B/etc "$@"; }
# receive NODE-DIR: a receiver for one migration on 127.0.0.1:$PORT
receive() {
	rm -f "$1/recv.log"
	VZ_CONFDIR=$1/etc "$vzmigrate" --listen 127.0.0.1:$PORT >"$1/recv.log" 2>&1 &
	recv_pid=$!
	for i in $(seq 100); do grep -q listening "$1/recv.log" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
mig() { run "$vzmigrate" "$@"; }
gone_from_B() { [ ! -e "$B/etc/conf/$1.conf" ] && [ ! -e "$B/private/$1" ] && [ ! -e "$B/root/$1" ]; }

# --- the command line: exit 1
mig
is "$rc" 1 "no arguments: exit 1"
mig -r maybe tcp:127.0.0.1:$PORT 101
is "$rc" 1 "-r maybe: exit 1"
mig --bogus tcp:127.0.0.1:$PORT 101
is "$rc" 1 "an unknown option: exit 1"
mig --receive --listen 127.0.0.1:$PORT
is "$rc" 1 "--receive with --listen: exit 1"
mig -f gpu tcp:127.0.0.1:$PORT 101
is "$rc" 1 "-f with an unknown dependency: exit 1"
mig --online --precopy-rounds=x tcp:127.0.0.1:$PORT 101
is "$rc" 1 "--precopy-rounds=x: exit 1"
like "$out" "precopy-rounds takes a number from 0 to 63, not 'x'" "... saying what it takes"
mig --online --precopy-rounds=64 tcp:127.0.0.1:$PORT 101
is "$rc" 1 "--precopy-rounds=64 (at most 63): exit 1"
mig --online --precopy-min=lots tcp:127.0.0.1:$PORT 101
is "$rc" 1 "--precopy-min=lots: exit 1"
mig --online --precopy-shrink=0 tcp:127.0.0.1:$PORT 101
is "$rc" 1 "--precopy-shrink=0: exit 1"
mig --online --precopy-min-time=1e3 tcp:127.0.0.1:$PORT 101
is "$rc" 1 "--precopy-min-time=1e3: exit 1"
mig --online --timeout=-1 tcp:127.0.0.1:$PORT 101
is "$rc" 1 "--timeout=-1: exit 1"
run "$vzmigrate" --help
like "$out" "--precopy-shrink=PCT" "--help lists the pre-copy options"
mig tcp:127.0.0.1:$PORT 199
is "$rc" 10 "a CT that does not exist: exit 10"

CT=183
run onA "$vzctl" create $CT --ostemplate busybox
is "$rc" 0 "create CT $CT on node A"
P=$A/private/$CT
echo hello >"$P/root/f1"
ln "$P/root/f1" "$P/root/f2"
truncate -s 64M "$P/root/sparse"
echo tail >>"$P/root/sparse"
chown 300007:300009 "$P/root/f1"
have_xattr=no have_acl=no
command -v setfattr >/dev/null && setfattr -n user.vz -v kept "$P/root/f1" 2>/dev/null && have_xattr=yes
command -v setfacl >/dev/null && setfacl -m u:300042:r "$P/root/f2" 2>/dev/null && have_acl=yes

mig tcp:127.0.0.1:1 $CT
is "$rc" 4 "an unreachable destination: exit 4"
[ -e "$A/etc/conf/$CT.conf" ] && [ -e "$P/root/f1" ]
ok $? "... the CT stays on node A"

receive "$B"
mig --online tcp:127.0.0.1:$PORT $CT
is "$rc" 2 "--online for a stopped CT: exit 2"
wait $recv_pid
gone_from_B $CT
ok $? "... nothing on node B"

receive "$B"
mig --dry-run tcp:127.0.0.1:$PORT $CT
is "$rc" 0 "--dry-run"
like "$out" "Checks passed" "... says the checks passed"
wait $recv_pid
is "$?" 0 "... the receiver ends cleanly"
gone_from_B $CT
ok $? "... and makes nothing on node B"

# --- a stopped CT
receive "$B"
mig -t tcp:127.0.0.1:$PORT $CT
is "$rc" 0 "migrate the stopped CT A -> B"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(cat "$B/recv.log")"
like "$out" "Times: total" "-t prints the times"
wait $recv_pid
[ ! -e "$A/etc/conf/$CT.conf" ] && [ -e "$A/etc/conf/$CT.conf.destroyed" ] && [ ! -e "$P" ]
ok $? "node A: config set aside as .destroyed, private area removed (-r yes)"
Q=$B/private/$CT
[ -e "$B/etc/conf/$CT.conf" ] && [ -d "$Q" ]
ok $? "node B: config and private area"
is "$(stat -c %i "$Q/root/f1")" "$(stat -c %i "$Q/root/f2")" "a hard link stays a hard link"
is "$(cat "$Q/root/f2")" "hello" "... with its content"
blocks=$(stat -c %b "$Q/root/sparse")
[ "$(stat -c %s "$Q/root/sparse")" -eq $((64 * 1024 * 1024 + 5)) ] && [ "$blocks" -lt 1024 ]
ok $? "a sparse file stays sparse ($blocks blocks)"
is "$(stat -c %u:%g "$Q/root/f1")" "300007:300009" "numeric owners are kept"
is "$(stat -c %u "$Q/bin")" "300000" "... the CT's shifted ids too"
if [ $have_xattr = yes ]; then
	is "$(getfattr --only-values -n user.vz "$Q/root/f1" 2>/dev/null)" "kept" "an xattr is kept"
else
	ok 0 "# SKIP setfattr missing or no user xattrs here"
fi
if [ $have_acl = yes ]; then
	like "$(getfacl -p "$Q/root/f2" 2>/dev/null)" "user:300042:r--" "an ACL is kept"
else
	ok 0 "# SKIP setfacl missing or no ACLs here"
fi
run onB "$vzctl" start $CT --wait
is "$rc" 0 "the CT starts on node B"
run onB "$vzctl" exec $CT cat /root/f2
is "$out" "hello" "... and sees its files"

# --- a running CT, offline, back to A with -r no
# A service that saves its state when the CT stops, as daemons do: what it
# writes, removes and renames falls between the running sync and the pass
# taken once the CT is stopped, which vzmigrate makes of what changed.
run onB "$vzctl" exec $CT 'mkdir -p /var/spool/q/old && echo m1 >/var/spool/q/old/m1 && echo stale >/var/spool/gone'
is "$rc" 0 "a spool in the CT on node B"
printf '%s\n' '#!/bin/sh' '[ "$1" = stop ] || exit 0' 'echo saved >/var/spool/state' \
	'mkdir /var/spool/new && echo n >/var/spool/new/f' 'rm /var/spool/gone' \
	'mv /var/spool/q/old /var/spool/q/done' >"$B/root/$CT/etc/init.d/S90state"
chmod 755 "$B/root/$CT/etc/init.d/S90state"
# Every file of the CT arrived here a moment ago: the last pass takes two
# seconds before the running sync for changed, as it does with a clock step.
sleep 2
receive "$A"
run onB "$vzmigrate" -r no -t -v tcp:127.0.0.1:$PORT $CT
is "$rc" 0 "migrate the running CT B -> A offline, -r no"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(cat "$A/recv.log")"
like "$out" "Times: .*, running sync [0-9.]+ s" "... one more pass over the private area ran before the CT stopped"
like "$out" "The last pass: [0-9]{2,} bytes of changed names" "... and the stopped pass was given what changed, not \".\""
wait $recv_pid
run onA "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "it runs on node A"
run onA "$vzctl" exec $CT 'cat /var/spool/state /var/spool/new/f /var/spool/q/done/m1; ls /var/spool /var/spool/q'
is "$out" "saved
n
m1
/var/spool:
new
q
state

/var/spool/q:
done" "... with what its service wrote, removed and renamed while it stopped"
[ -e "$B/etc/conf/$CT.conf.migrated" ] && [ ! -e "$B/etc/conf/$CT.conf" ] && [ -d "$Q/root" ]
ok $? "node B keeps CTID.conf.migrated and the private area (-r no)"
run onB "$vzctl" status $CT
is "$out" "CTID $CT deleted unmounted down" "... and no CT"
rm -rf "$Q" "$B/etc/conf/$CT.conf.migrated"

# --- an image-layout CT (private/root.img), running, offline
CT4=186
run onA "$vzctl" create $CT4 --ostemplate busybox --layout image --diskspace 40M
is "$rc" 0 "create an image-layout CT on node A"
run onA "$vzctl" start $CT4 --wait
is "$rc" 0 "... start it"
onA "$vzctl" exec $CT4 'echo inside >/root/img-file' >/dev/null 2>&1
receive "$B"
mig tcp:127.0.0.1:$PORT $CT4
is "$rc" 0 "migrate the running image-layout CT A -> B offline"
[ "$rc" -eq 0 ] || printf '# %s
' "$out" "$(cat "$B/recv.log")"
wait $recv_pid
run onB "$vzctl" status $CT4
is "$out" "CTID $CT4 exist mounted running" "it runs on node B"
run onB "$vzctl" exec $CT4 cat /root/img-file
is "$out" "inside" "... with what was written in its image"
img=$B/private/$CT4/root.img
[ -f "$img" ] && [ "$(stat -c %s "$img")" -eq $((40 * 1024 * 1024)) ] &&
	[ $(($(stat -c %b "$img") * 512)) -lt $((40 * 1024 * 1024)) ]
ok $? "the image arrived whole and sparse ($(stat -c %b "$img" 2>/dev/null) blocks)"
[ ! -e "$A/etc/conf/$CT4.conf" ] && [ ! -e "$A/private/$CT4" ]
ok $? "node A: nothing left"
run onB "$vzctl" stop $CT4
is "$rc" 0 "... stop it on node B"

# --- refusals: the CT exists there, the CT is locked
CT2=184
run onA "$vzctl" create $CT2 --ostemplate busybox
run onB "$vzctl" create $CT2 --ostemplate busybox
echo mine >"$B/private/$CT2/root/marker"
receive "$B"
mig tcp:127.0.0.1:$PORT $CT2
is "$rc" 9 "a CT that exists on the destination: exit 9"
wait $recv_pid
[ -e "$A/etc/conf/$CT2.conf" ] && [ -d "$A/private/$CT2" ] && [ "$(cat "$B/private/$CT2/root/marker")" = mine ]
ok $? "... both copies untouched"
sleep 60 &
holder=$!
printf '%s\nmounting\n' $holder >"$A/lock/$CT2.lck"
mig tcp:127.0.0.1:$PORT $CT2
is "$rc" 20 "a locked CT: exit 20"
kill $holder
wait $holder 2>/dev/null
rm -f "$A/lock/$CT2.lck"

# --- fault injection: the receiver dies half way, vzmigrate dies half way
CT3=185
run onA "$vzctl" create $CT3 --ostemplate busybox
head -c 32M /dev/urandom >"$A/private/$CT3/root/big"
sum=$(md5sum <"$A/private/$CT3/root/big")
half_way() { # wait until node B has started receiving CT3's files
	for i in $(seq 400); do [ -d "$B/private/$CT3/root" ] && return 0; sleep 0.01; done
	return 1
}
receive "$B"
"$vzmigrate" tcp:127.0.0.1:$PORT $CT3 >"$A/mig.log" 2>&1 &
src=$!
half_way
ok $? "the transfer started"
kill -TERM $recv_pid
wait $src
src_rc=$?
wait $recv_pid
[ "$src_rc" -ne 0 ]
ok $? "receiver killed half way: vzmigrate fails (exit $src_rc)"
gone_from_B $CT3
ok $? "... nothing is left on node B"
[ -e "$A/etc/conf/$CT3.conf" ] && [ "$(md5sum <"$A/private/$CT3/root/big")" = "$sum" ]
ok $? "... the CT is intact on node A"

receive "$B"
"$vzmigrate" tcp:127.0.0.1:$PORT $CT3 >"$A/mig.log" 2>&1 &
src=$!
half_way
kill -KILL $src
wait $src 2>/dev/null
wait $recv_pid
is "$?" 4 "vzmigrate killed half way: the receiver reports the broken connection (exit 4)"
gone_from_B $CT3
ok $? "... and leaves nothing on node B"
[ -e "$A/etc/conf/$CT3.conf" ] && [ "$(md5sum <"$A/private/$CT3/root/big")" = "$sum" ]
ok $? "... the CT is intact on node A"
run onA "$vzctl" start $CT3
is "$rc" 0 "... and starts: the dead vzmigrate's lock is taken over"

# --- the receiver killed with SIGKILL: no chance to clean up.  It leaves a
# record of what it made ($LOCKDIR/CTID.incoming); a vzctl command, or the
# next receiver, finds its owner dead and removes the half-made CT.
incoming() { [ -e "$B/lock/$CT3.incoming" ]; }
stale_on_B() { # anything of CT3 on node B: config, private area, root, record, dump
	ls -d "$B/etc/conf/$CT3.conf" "$B/private/$CT3" "$B/root/$CT3" "$B/lock/$CT3.incoming" \
		"$B/dump/Dump.$CT3.incoming" 2>/dev/null
}
killed_receiver() {
	receive "$B"
	"$vzmigrate" tcp:127.0.0.1:$PORT $CT3 >"$A/mig.log" 2>&1 &
	src=$!
	half_way
	ok $? "$1: the transfer started"
	kill -KILL $recv_pid
	wait $recv_pid 2>/dev/null
	wait $src
	src_rc=$?
	[ "$src_rc" -ne 0 ]
	ok $? "$1: receiver killed with SIGKILL: vzmigrate fails (exit $src_rc)"
	run onA "$vzctl" status $CT3
	is "$out" "CTID $CT3 exist mounted running" "$1: the CT runs on node A"
	[ -e "$B/etc/conf/$CT3.conf" ] && incoming
	ok $? "$1: node B holds the half-made CT and the record of the dead receiver"
	printf '#   %s\n' $(stale_on_B)
}
killed_receiver sigkill
run onB "$vzctl" status $CT3
like "$out" "half made by a migration whose receiver \(pid $recv_pid\) died" \
	"vzctl status on node B says the CT is half made"
[ -e "$B/etc/conf/$CT3.conf" ] && incoming
ok $? "... and leaves it as it is"
run onB "$vzctl" destroy $CT3
is "$rc" 0 "vzctl destroy on node B removes the half-made CT"
like "$out" "Removing container $CT3: half made here" "... saying why"
[ -z "$(stale_on_B)" ]
ok $? "... nothing of it is left ($(stale_on_B))"

killed_receiver "sigkill again"
receive "$B"
mig tcp:127.0.0.1:$PORT $CT3
is "$rc" 0 "the next migration of the CT to node B succeeds"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(cat "$B/recv.log")"
wait $recv_pid
like "$(cat "$B/recv.log")" "Removing container $CT3: half made here" \
	"... its receiver removed the half-made CT first"
run onB "$vzctl" status $CT3
is "$out" "CTID $CT3 exist mounted running" "the CT runs on node B"
[ "$(md5sum <"$B/private/$CT3/root/big")" = "$sum" ]
ok $? "... with its files"
! incoming && [ ! -e "$B/dump/Dump.$CT3.incoming" ] && [ ! -e "$B/lock/$CT3.lck" ]
ok $? "... and no record, dump or lock of a migration left"
run onB "$vzctl" stop $CT3
is "$rc" 0 "... stop it"

finish
