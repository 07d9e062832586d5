#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vzctl chkpnt/restore on a node whose kernel/CRIU pair cannot checkpoint
# (a stock host kernel newer than the installed CRIU understands): a clear
# error naming both versions and exit 5, the CT untouched and no dump left.
# Also the command line and state checks that need no working CRIU, and
# the suspend/resume steps (the cgroup freezer only).
. "$(dirname "$0")/lib.sh"
require_root
command -v criu >/dev/null || skip_all "criu (package criu) missing"
setup_node

CT=181
run "$vzctl" create $CT --ostemplate busybox
is "$rc" 0 "create"

# --- bad input: exit 20/31/14, nothing changes
run "$vzctl" chkpnt $CT
is "$rc" 31 "chkpnt of a stopped CT: exit 31"
like "$out" "not running" "... says it is not running"
run "$vzctl" chkpnt 199
is "$rc" 14 "chkpnt of a CT that does not exist: exit 14"
run "$vzctl" chkpnt $CT --resume --kill
is "$rc" 20 "--resume with --kill: exit 20"
run "$vzctl" chkpnt $CT --undump
is "$rc" 20 "chkpnt --undump: exit 20"
run "$vzctl" restore $CT --suspend
is "$rc" 20 "restore --suspend: exit 20"
run "$vzctl" chkpnt $CT --dumpfile
is "$rc" 20 "--dumpfile without a value: exit 20"
run "$vzctl" chkpnt $CT --dumpfile ""
is "$rc" 20 "--dumpfile '': exit 20"
run "$vzctl" restore $CT
is "$rc" 17 "restore without a dump: exit 17"
like "$out" "Dump\.$CT" "... names the dump directory"
mkdir -p "$T/bad"
printf 'not a dump' >"$T/bad/meta.img"
run "$vzctl" restore $CT --dumpfile "$T/bad"
is "$rc" 17 "restore from a corrupt dump: exit 17"
like "$out" "bad magic|truncated" "... says what is wrong with it"
run "$vzctl" status $CT
is "$out" "CTID $CT exist unmounted down" "status unchanged by the refused commands"

run "$vzctl" start $CT --wait
is "$rc" 0 "start"
"$vzctl" exec $CT 'sh -c "i=0; while :; do i=\$((i+1)); echo \$i >/tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.1; done" </dev/null >/dev/null 2>&1 &'
sleep 1
init_before=$(sed -n 's/^INIT_PID="\(.*\)"/\1/p' "$T/run/$CT.state")

run "$vzctl" restore $CT
is "$rc" 32 "restore of a running CT: exit 32"
run "$vzctl" chkpnt $CT --dump
is "$rc" 20 "--dump of a CT that is not suspended: exit 20"
like "$out" "not suspended" "... says to suspend it first"

counter() { cat "$T/root/$CT/tmp/counter" 2>/dev/null; }

# --- suspend / resume: the cgroup freezer alone
run "$vzctl" chkpnt $CT --suspend
is "$rc" 0 "chkpnt --suspend"
run "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running suspended" "status says suspended"
a=$(counter); sleep 1; b=$(counter)
is "$b" "$a" "a suspended CT does not run (counter stays at $a)"

if criu check >/dev/null 2>&1; then
	echo "# criu check passes on $(uname -r): the 'cannot checkpoint' error is not testable here"
else
	kernel=$(uname -r)
	criu_version=$(criu --version | sed -n 's/^Version: //p')
	run "$vzctl" chkpnt $CT --dump
	is "$rc" 5 "chkpnt --dump where CRIU cannot checkpoint: exit 5"
	like "$out" "CRIU $criu_version cannot checkpoint on kernel $kernel" \
		"... names CRIU $criu_version and kernel $kernel"
	run "$vzctl" status $CT
	is "$out" "CTID $CT exist mounted running suspended" "... the CT stays suspended"
	[ ! -e "$T/dump/Dump.$CT" ]
	ok $? "... and no dump is left"
fi

run "$vzctl" chkpnt $CT --resume
is "$rc" 0 "chkpnt --resume"
run "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "status: running, not suspended"
a=$(counter); sleep 1; b=$(counter)
[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]
ok $? "the counter runs again ($a -> $b)"
run "$vzctl" chkpnt $CT --resume
is "$rc" 20 "--resume of a CT that is not suspended: exit 20"
run "$vzctl" chkpnt $CT --kill
is "$rc" 20 "--kill of a CT that is not suspended: exit 20"

if ! criu check >/dev/null 2>&1; then
	run "$vzctl" chkpnt $CT
	is "$rc" 5 "chkpnt where CRIU cannot checkpoint: exit 5"
	like "$out" "CRIU $criu_version cannot checkpoint on kernel $kernel: .*vdso|CRIU $criu_version cannot checkpoint on kernel $kernel: " \
		"... a clear error, not a CRIU trace"
	is "$(printf '%s\n' "$out" | wc -l)" 1 "... in one line"
	init_after=$(sed -n 's/^INIT_PID="\(.*\)"/\1/p' "$T/run/$CT.state")
	is "$init_after" "$init_before" "... the CT keeps running with the same init"
	a=$(counter); sleep 1; b=$(counter)
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]
	ok $? "... and is not left frozen ($a -> $b)"
	[ ! -e "$T/dump/Dump.$CT" ]
	ok $? "... no dump directory is left"
	run "$vzctl" chkpnt $CT --dumpfile "$T/mine"
	is "$rc" 5 "chkpnt --dumpfile: exit 5"
	[ ! -e "$T/mine" ]
	ok $? "... the directory it created is removed"
	mkdir "$T/full" && echo keep >"$T/full/x"
	run "$vzctl" chkpnt $CT --dumpfile "$T/full"
	is "$rc" 16 "chkpnt into a non-empty directory: exit 16"
	is "$(cat "$T/full/x")" "keep" "... its content is left alone"
fi

# --- suspend, then kill: the CT goes, as after a dump
run "$vzctl" chkpnt $CT --suspend
is "$rc" 0 "suspend again"
run "$vzctl" chkpnt $CT --kill
is "$rc" 0 "chkpnt --kill of the suspended CT"
run "$vzctl" status $CT
is "$out" "CTID $CT exist unmounted down" "the CT is down"

finish
