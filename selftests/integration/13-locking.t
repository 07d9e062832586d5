#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# Per-CT locks: a held lock exits 9, a stale one is taken over, --skiplock
# bypasses it; two concurrent commands on one CT never both run; kill -9 of
# vzctl in the middle of create or start leaves nothing half-made and the
# next run succeeds.
. "$(dirname "$0")/lib.sh"
require_root
setup_node

"$vzctl" --quiet create 101 --ostemplate busybox >/dev/null 2>&1
mkdir -p "$T/lock"

sleep 60 &
holder=$!
printf '%d\nstart\n' "$holder" >"$T/lock/101.lck"
run "$vzctl" start 101
is "$rc" 9 "a lock held by a live process -> 9"
like "$out" "locked by pid $holder" "the message names the holder"
run "$vzctl" status 101
is "$out" "CTID 101 exist unmounted down" "status does not need the lock"
run "$vzctl" --skiplock mount 101
is "$rc" 0 "--skiplock ignores the lock"
"$vzctl" --quiet --skiplock umount 101 >/dev/null 2>&1
kill "$holder"
wait "$holder" 2>/dev/null
run "$vzctl" start 101
is "$rc" 0 "a lock whose holder died is stale and taken over"
like "$out" "stale lock" "with a warning"
ok "$([ ! -e "$T/lock/101.lck" ]; echo $?)" "the lock is released after the command"
"$vzctl" --quiet stop 101 --fast >/dev/null 2>&1

# Two starts at once: exactly one starts the CT, the other gets 9 or 32.
"$vzctl" start 101 >"$T/a.out" 2>&1 &
pa=$!
"$vzctl" start 101 >"$T/b.out" 2>&1 &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
codes=$(printf '%s\n' "$ra" "$rb" | sort -n | tr '\n' ' ')
like "$codes" "^0 (9|32) $" "concurrent starts: one succeeds, the other is refused ($codes)"
run "$vzctl" status 101
is "$out" "CTID 101 exist mounted running" "and the CT runs once"
is "$(ls "$T/run" | grep -c state)" 1 "with one monitor"
"$vzctl" --quiet stop 101 --fast >/dev/null 2>&1

# kill -9 in the middle of create: a template big enough to take a while.
big=$T/big
mkdir -p "$big"
tar -xzf /tmp/vz-test-busybox.tar.gz -C "$big"
head -c 300M /dev/urandom >"$big/bigfile"
tar -C "$big" --numeric-owner -cf "$T/template/cache/big.tar" .
rm -rf "$big"
"$vzctl" create 102 --ostemplate big >/dev/null 2>&1 &
pc=$!
for i in $(seq 100); do [ -e "$T/private/102.tmp/bigfile" ] && break; sleep 0.02; done
kill -KILL $pc
wait $pc 2>/dev/null
ok "$([ ! -e "$T/etc/conf/102.conf" ]; echo $?)" "create killed mid-unpack: no config"
run "$vzctl" status 102
is "$out" "CTID 102 deleted unmounted down" "create killed mid-unpack: the CT does not exist"
run "$vzctl" create 102 --ostemplate busybox
is "$rc" 0 "a re-run of create succeeds"
like "$out" "interrupted create" "and says it cleared the remains"
ok "$([ ! -e "$T/private/102.tmp" ] && [ -x "$T/private/102/sbin/init" ] && [ ! -e "$T/private/102/bigfile" ]; echo $?)" \
	"the re-created private area is clean"

# kill -9 in the middle of start: a mount action script that takes its time.
printf 'sleep 3\n' >"$T/etc/conf/101.mount"
"$vzctl" start 101 >/dev/null 2>&1 &
ps_=$!
sleep 1
kill -KILL $ps_
wait $ps_ 2>/dev/null
pkill -KILL -f "$T/etc/conf/101.mount" 2>/dev/null
rm -f "$T/etc/conf/101.mount"
run "$vzctl" status 101
like "$out" "down$" "start killed mid-way: the CT is not running"
run "$vzctl" start 101
is "$rc" 0 "a re-run of start succeeds"
run "$vzctl" exec 101 true
is "$rc" 0 "and the CT works"
run "$vzctl" stop 101 --fast
is "$rc" 0 "and stops"
run "$vzctl" status 101
is "$out" "CTID 101 exist unmounted down" "leaving nothing mounted"
# Started from another cgroup: later commands find the CT's groups all the same
# (CGROUP_PARENT is relative to the caller's cgroup in the test's vz.conf).
other=/sys/fs/cgroup/pids$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup | sed 's|/$||')/vzt-other-$$
if mkdir "$other" 2>/dev/null; then
	(echo "$BASHPID" >"$other/cgroup.procs" && exec "$vzctl" --quiet start 101) >/dev/null 2>&1
	run "$vzctl" exec 101 true
	is "$rc" 0 "exec from another cgroup than start's finds the CT's groups"
	run "$vzctl" stop 101 --fast
	is "$rc" 0 "and stop cleans them up"
	ok "$([ ! -e "$other/vztest-$$/101" ]; echo $?)" "no group left where start ran"
	find "$other" -depth -type d -exec rmdir {} \; 2>/dev/null
fi
finish
