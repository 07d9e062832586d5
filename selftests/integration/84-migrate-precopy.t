#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# guest-needs: criu nft
#
# Live migration with memory pre-copy (vzmigrate --online): CRIU pre-dumps
# the running CT in rounds through a page server on the destination,
# tunnelled in the migration stream, then dumps only what is still dirty.
# Nodes as in 83-migrate-online.t (network namespaces A and B on a LAN
# namespace with the client).  A busybox CT holding 32 MiB in a shell
# variable, a counter and a TCP server moves A -> B: the first round
# carries the 32 MiB, the frozen dump far less, and the memory, the counter
# and the client's connection are intact.  Then faults during the
# pre-copy, each ending with the CT serving on its node and nothing of it
# (config, private area, images) on the other: the receiver killed, the
# link cut (vzmigrate --timeout), the destination's dump directory full,
# vzmigrate itself killed.  (The options' bad values: 82-migrate.t.)
. "$(dirname "$0")/lib.sh"
require_root
require_criu
command -v nsenter >/dev/null || skip_all "nsenter (package util-linux) missing"
command -v ip >/dev/null || skip_all "ip (package iproute2) missing"
vzmigrate=$VZ_BUILD/vzmigrate
[ -x "$vzmigrate" ] || skip_all "$vzmigrate not built"
setup_lan_migration

# precopying NODE-DIR: the first pre-copy round arrives there (the source CT runs)
precopying() { [ -d "$1/dump/Dump.$CT.incoming/1" ]; }

CT=184
IP=192.0.2.184
MEM=33554432
run onA "$vzctl" create $CT --ostemplate busybox --ipadd $IP
is "$rc" 0 "create CT $CT with $IP on node A"
run onA "$vzctl" start $CT --wait
is "$rc" 0 "start it"
cat >"$A/root/$CT/srv.sh" <<'SH'
#!/bin/sh
while read -r line; do echo "$line $(cat /tmp/counter)"; done
SH
# 32 MiB in a shell variable: anonymous memory the pre-copy rounds move.
# Its length is taken only when asked (/tmp/check): ash copies the value to
# measure it, which would dirty 32 MiB more each time.
cat >"$A/root/$CT/hold.sh" <<SH
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
chmod 755 "$A/root/$CT/srv.sh" "$A/root/$CT/hold.sh"
onA "$vzctl" exec $CT 'setsid sh -c "i=0; while :; do i=\$((i+1)); echo \$i >/tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.1; done" </dev/null >/dev/null 2>&1 &'
onA "$vzctl" exec $CT 'setsid /hold.sh </dev/null >/dev/null 2>&1 &'
onA "$vzctl" exec $CT 'setsid nc -ll -p 8080 -e /srv.sh </dev/null >/dev/null 2>&1 &'
for i in $(seq 600); do [ -s "$A/root/$CT/tmp/len" ] && break; sleep 0.1; done
len=$(cat "$A/root/$CT/tmp/len")
[ "${len:-0}" -gt $((MEM - 16)) ]
ok $? "the CT holds its 32 MiB ($len bytes)"

# The client on the LAN: one connection, one question per round.
lan_client $IP
r=$(ask one)
like "$r" "^one [0-9]+$" "the client's connection answers on node A ($r)"
# memory NODE-DIR: the length of the CT's 32 MiB variable, measured now
memory() {
	rm -f "$1/root/$CT/tmp/len"
	touch "$1/root/$CT/tmp/check"
	for i in $(seq 600); do [ -s "$1/root/$CT/tmp/len" ] && break; sleep 0.1; done
	cat "$1/root/$CT/tmp/len" 2>/dev/null
}

# serves NODE-DIR WORD: after a failed migration, the CT runs on its node and answers
serves() {
	local r
	run onA "$vzctl" status $CT
	is "$out" "CTID $CT exist mounted running" "$2: the CT still runs on node A"
	ct_runs "$A"
	ok $? "$2: ... and is not frozen"
	r=$(ask "$2")
	like "$r" "^$2 [0-9]+$" "$2: the client's connection answers ($r)"
	is "$(memory "$A")" "$len" "$2: the CT's memory is intact"
	ct_gone "$B"
	ok $? "$2: node B: no config, private area or images left"
}

# --- faults during the pre-copy, the CT running on A
# the receiver killed in the first round
lan_receive "$B" $NB 192.0.2.11
nsenter --net=/run/netns/$NA env VZ_CONFDIR=$A/etc "$vzmigrate" --online tcp:192.0.2.11:$PORT $CT >"$A/mig.log" 2>&1 &
src=$!
for i in $(seq 6000); do precopying "$B" && break; sleep 0.01; done
precopying "$B"
ok $? "the first pre-copy round reached node B"
kill -TERM $recv_pid
wait $src
src_rc=$?
wait $recv_pid
[ $src_rc -ne 0 ]
ok $? "receiver killed during the pre-copy: vzmigrate fails (exit $src_rc)"
sed 's/^/#   /' "$A/mig.log"
serves "$A" receiverkilled

# the link cut in the first round: both sides give up after --timeout
lan_receive "$B" $NB 192.0.2.11
nsenter --net=/run/netns/$NA env VZ_CONFDIR=$A/etc "$vzmigrate" --online --timeout 4 tcp:192.0.2.11:$PORT $CT >"$A/mig.log" 2>&1 &
src=$!
for i in $(seq 6000); do precopying "$B" && break; sleep 0.01; done
ip -n $LAN link set lan-b down
wait $src
src_rc=$?
wait $recv_pid
recv_rc=$?
ip -n $LAN link set lan-b up
is "$src_rc" 4 "link cut during the pre-copy: vzmigrate fails with exit 4 (connection)"
[ $recv_rc -ne 0 ]
ok $? "... and the receiver gives up too (exit $recv_rc)"
sed 's/^/#   /' "$A/mig.log" "$B/recv.log"
serves "$A" linkcut

# the destination's dump directory full (8 MiB for 32 MiB of memory)
mkdir -p "$B/dump"
mount -t tmpfs -o size=8m,mode=0700 vztest "$B/dump"
lan_receive "$B" $NB 192.0.2.11
run onA "$vzmigrate" --online tcp:192.0.2.11:$PORT $CT
wait $recv_pid
is "$rc" 6 "destination full during the pre-copy: vzmigrate fails with exit 6 (copy)"
like "$out" "No space left on device" "... and says why ($(printf '%s' "$out" | grep -m1 'space'))"
sed 's/^/#   /' "$B/recv.log"
[ -z "$(ls -A "$B/dump")" ]
ok $? "the full dump directory was emptied"
umount "$B/dump"
serves "$A" diskfull

# vzmigrate itself killed in the first round
lan_receive "$B" $NB 192.0.2.11
nsenter --net=/run/netns/$NA env VZ_CONFDIR=$A/etc "$vzmigrate" --online tcp:192.0.2.11:$PORT $CT >"$A/mig.log" 2>&1 &
src=$!
for i in $(seq 6000); do precopying "$B" && break; sleep 0.01; done
kill -KILL $src
wait $src 2>/dev/null
wait $recv_pid
echo "# the receiver exited with $?"
for i in $(seq 100); do ct_runs "$A" && break; done
serves "$A" sourcekilled

# --- A -> B with pre-copy.  Only the time rule may end it: the second
# round's few pages would cross in far less than 100 ms at the first
# round's rate, though the round itself takes longer (CRIU's fixed costs).
lan_receive "$B" $NB 192.0.2.11
run onA "$vzmigrate" --online --precopy-min=0 --precopy-shrink=1000 --precopy-min-time=100 -t \
	tcp:192.0.2.11:$PORT $CT
is "$rc" 0 "vzmigrate --online A -> B"
printf '# %s\n' "$out"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$B/recv.log"
wait $recv_pid
if [ "$rc" -ne 0 ]; then
	finish
	exit 1
fi
round1=$(printf '%s\n' "$out" | tr '\r' '\n' | sed -n 's/^Pre-copy round 1: \([0-9]*\)\.[0-9] MB.*/\1/p')
[ "${round1:-0}" -ge 32 ]
ok $? "pre-copy round 1 moved the CT's memory (${round1:-?} MB)"
like "$out" "Pre-copy: 2 rounds, .*freezing now \(the pages left would cross in under 100 ms\)" \
	"... and round 2's pages would cross quickly: no third round"
final=$(printf '%s\n' "$out" | sed -n 's/^Times: .*frozen .*; pages \([0-9]*\)\.[0-9] MB.*/\1/p')
[ -n "$final" ] && [ "$final" -lt 16 ]
ok $? "the frozen dump carried only what was dirtied since (${final:-?} MB)"
run onB "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "the CT runs on node B"
ct_runs "$B"
ok $? "... its counter continues there"
ct_gone "$A"
ok $? "node A: nothing left of the CT but its config set aside"
r=$(ask two)
like "$r" "^two [0-9]+$" "the same connection answers from node B ($r)"
is "$(memory "$B")" "$len" "the CT's memory arrived intact"
[ -z "$(ls -A "$B/dump" 2>/dev/null)" ]
ok $? "node B: the received images are gone after the restore"

# --- and back to A in one round at most, the CT stopped there
lan_receive "$A" $NA 192.0.2.10
run onB "$vzmigrate" --online --precopy-rounds=1 -t tcp:192.0.2.10:$PORT $CT
is "$rc" 0 "vzmigrate --online --precopy-rounds=1 B -> A"
printf '# %s\n' "$out"
wait $recv_pid
like "$out" "Pre-copy: 1 round," "... in one round"
r=$(ask three)
like "$r" "^three [0-9]+$" "the same connection answers from node A again ($r)"
is "$(memory "$A")" "$len" "the CT's memory is intact"
run onA "$vzctl" stop $CT
is "$rc" 0 "stop the CT on node A"

finish
