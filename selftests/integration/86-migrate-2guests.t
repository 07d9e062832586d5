#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# guest-needs: criu nft
#
# Live migration between two machines: two QEMU guests of vz's kernel on
# one Ethernet link (selftests/qemu/run-pair.sh), guest A at 192.0.2.10
# (vz.role=a) driving the test, guest B at 192.0.2.11 (vz.role=b) serving
# it: B's copy of this file is a node that runs, one at a time, the shell
# commands A sends on a control connection (busybox nc) and answers with
# their output and status.  Both are nodes with NEIGHBOUR_DEVS=eth0, so the
# one that hosts the CT answers ARP for its address 192.0.2.186 on the link.
# A busybox CT with a counter and a TCP server, holding a connection from a
# client on guest A outside the CT: first the receiver on B is stopped
# (SIGTERM) while the CT is frozen and its dump crosses the link, and the
# CT goes on serving on A with nothing of it left on B; then the link is
# cut (as by a pulled cable: B drops every frame in and out of eth0, so A
# sees silence, no reset) three times, with vzmigrate --online
# --timeout=10 running: during the memory pre-copy, while the CT is
# frozen for the final dump, and while B restores it from the dump (A's
# copy frozen); each time vzmigrate gives up on its own while the
# link is still cut, the CT goes on serving on A, unfrozen and unlocked,
# and once the link is back B holds nothing of the CT (its receiver gave
# up too); then vzmigrate --online A -> B: the counter continues on B,
# the client's connection answers across the link, and A holds nothing of
# the CT.
# Without a peer (a single guest, the host) the test skips.
. "$(dirname "$0")/lib.sh"
require_root
[ -n "${VZ_LAN_ROLE:-}" ] && [ -n "${VZ_LAN_PEER:-}" ] ||
	skip_all "needs two guests on one link (selftests/qemu/run-pair.sh)"
require_criu
vzmigrate=$VZ_BUILD/vzmigrate
[ -x "$vzmigrate" ] || skip_all "$vzmigrate not built"
command -v nc >/dev/null || skip_all "nc (busybox) missing"
setup_node
echo 'NEIGHBOUR_DEVS="eth0"' >>"$T/etc/vz.conf"
sysctl -qw net.ipv4.ip_forward=1

CT=186
IP=192.0.2.186
PORT=7186 # the migration
CTL=7187  # the control connection
TMO=10    # vzmigrate --timeout in the link-cut cases
CUT=40    # how long guest B stays cut off the link (s): well beyond TMO
clean_on() { # clean_on NODE-DIR: nothing of the CT there, not even a lock
	ct_gone "$1" && [ ! -e "$1/lock/$CT.lck" ]
}

if [ "$VZ_LAN_ROLE" = b ]; then
	B=$T
	# receive: vzmigrate --listen for one migration, returning once it
	# listens; its pid in $recv_pid
	receive() {
		local i
		rm -f "$B/recv.log"
		"$vzmigrate" --listen "$VZ_LAN_ADDR:$PORT" >"$B/recv.log" 2>&1 &
		recv_pid=$!
		for i in $(seq 600); do grep -q listening "$B/recv.log" 2>/dev/null && return 0; sleep 0.1; done
		return 1
	}
	# receive_stop_frozen: receive, and stop the receiver (SIGTERM) once
	# the final dump's pages arrive (the source CT is frozen then)
	receive_stop_frozen() {
		receive || return 1
		(
			for i in $(seq 30000); do
				compgen -G "$B/dump/Dump.$CT.incoming/dump/pagemap-*.img" >/dev/null && break
				kill -0 $recv_pid 2>/dev/null || exit
				sleep 0.02
			done
			echo "# receiver stopped while the dump arrived" >"$B/stopped"
			kill -TERM $recv_pid
		) >/dev/null 2>&1 &
	}
	# cut_link_when GLOB: once a file matching GLOB arrives (while the
	# receiver runs), cut this guest off the link for $CUT s, as a pulled
	# cable would: every frame in and out of eth0 dropped below IP, so
	# guest A's packets vanish without an answer and nothing here resets
	# a connection.  Returns once the (still passing) tables are in place;
	# the cutter's pid in $cut_pid, what it did in $B/cut.
	cut_link_when() {
		rm -f "$B/cut"
		nft -f - <<-NFT || return 1
			table netdev vzt_cut {
				chain rx { type filter hook ingress device "eth0" priority 0; policy accept; }
				chain tx { type filter hook egress device "eth0" priority 0; policy accept; }
			}
		NFT
		(
			for i in $(seq 30000); do
				compgen -G "$1" >/dev/null && break
				kill -0 $recv_pid 2>/dev/null || break
				sleep 0.02
			done
			if compgen -G "$1" >/dev/null &&
				nft 'add rule netdev vzt_cut rx drop; add rule netdev vzt_cut tx drop'; then
				echo "# link cut once $1 arrived" >"$B/cut"
				sleep $CUT
			else
				echo "# link NOT cut: $1 never arrived" >"$B/cut"
			fi
			nft delete table netdev vzt_cut && echo "# link restored after $CUT s" >>"$B/cut"
		) >/dev/null 2>&1 &
		cut_pid=$!
	}
	# recv_end: the receiver's end (waiting at most 30 s, then killing
	# it), its exit status and log
	recv_end() {
		local i
		for i in $(seq 300); do kill -0 $recv_pid 2>/dev/null || break; sleep 0.1; done
		if kill -0 $recv_pid 2>/dev/null; then
			echo "receiver still running after 30 s"
			kill -KILL $recv_pid
		fi
		wait $recv_pid
		echo "receiver exit $?"
		cat "$B/recv.log"
	}
	# cut_end: wait for the cutter (link restored), then recv_end
	cut_end() {
		wait $cut_pid
		cat "$B/cut"
		recv_end
	}
	coproc CTLC { nc -l -p $CTL; }
	served=0
	while IFS= read -r -t 900 cmd <&"${CTLC[0]}"; do
		[ "$cmd" = done ] && { served=1; break; }
		echo "# peer: $cmd"
		eval "$cmd" >"$B/ctl.out" 2>&1 </dev/null
		rc=$?
		{ sed 's/^/| /' "$B/ctl.out"; echo "rc $rc"; } >&"${CTLC[1]}"
	done
	ok $((1 - served)) "served guest A's test to its end"
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	nft delete table netdev vzt_cut 2>/dev/null
	finish
	exit
fi

A=$T
# peer CMD: run CMD on guest B; its output in $out, its status in $rc
peer() {
	local line
	out= rc=255
	printf '%s\n' "$*" >&3 || return
	while IFS= read -r -t 900 line <&3; do
		case "$line" in
		"| "*) out+=${out:+$'\n'}${line#| } ;;
		"rc "*) rc=${line#rc }; break ;;
		esac
	done
}
for i in $(seq 600); do
	exec 3<>/dev/tcp/$VZ_LAN_PEER/$CTL && break
	sleep 1
done 2>/dev/null
peer 'uname -r'
is "$rc" 0 "control connection to guest B ($VZ_LAN_PEER, kernel $out)"
if [ "$rc" -ne 0 ]; then
	finish
	exit 1
fi
mig_cleanup() {
	local p
	trap '' PIPE
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	peer "\"\$vzctl\" --quiet stop $CT --fast"
	echo done >&3
	cleanup_node
}
trap mig_cleanup EXIT

run "$vzctl" create $CT --ostemplate busybox --ipadd $IP
is "$rc" 0 "create CT $CT with $IP on guest A"
run "$vzctl" start $CT --wait
is "$rc" 0 "start it"
cat >"$A/root/$CT/srv.sh" <<'SH'
#!/bin/sh
while read -r line; do echo "$line $(cat /tmp/counter)"; done
SH
chmod 755 "$A/root/$CT/srv.sh"
"$vzctl" exec $CT 'setsid sh -c "i=0; while :; do i=\$((i+1)); echo \$i >/tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.1; done" </dev/null >/dev/null 2>&1 &'
"$vzctl" exec $CT 'setsid nc -ll -p 8080 -e /srv.sh </dev/null >/dev/null 2>&1 &'
sleep 1

# The client, on guest A outside the CT: one connection, one question per
# round (a coprocess: its descriptors are this shell's).
coproc CLI {
	for i in $(seq 60); do (exec 4<>/dev/tcp/$IP/8080) 2>/dev/null && break; sleep 0.5; done
	exec 4<>/dev/tcp/$IP/8080 || exit 1
	while read -r q; do
		echo "$q" >&4
		read -r -t 180 r <&4 || r=none
		echo "$r"
	done
}
# ask WORD: the answer on the client's connection in $ans
ask() {
	ans=none
	echo "$1" >&"${CLI[1]}" && read -r -t 200 ans <&"${CLI[0]}"
}
ask one
r1=$ans
like "$r1" "^one [0-9]+$" "the client's connection answers on guest A ($r1)"

# --- the receiver on B stopped while the frozen CT's dump crosses the link
peer receive_stop_frozen
is "$rc" 0 "guest B receives"
run "$vzmigrate" --online tcp:$VZ_LAN_PEER:$PORT $CT
mig_rc=$rc
printf '#   %s\n' "$out"
peer 'wait $recv_pid; echo "receiver exit $?"; cat "$B/stopped"; cat "$B/recv.log"'
printf '#   B: %s\n' "$out"
like "$out" "receiver stopped while the dump arrived" "guest B stopped the receiver while the CT was frozen"
[ "$mig_rc" -ne 0 ]
ok $? "vzmigrate fails (exit $mig_rc)"
run "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "the CT still runs on guest A"
ct_runs "$A"
ok $? "... and is not frozen"
peer "clean_on \$B"
is "$rc" 0 "guest B holds nothing of the CT"
ask two
r2=$ans
like "$r2" "^two [0-9]+$" "the client's connection still answers on guest A ($r2)"

# --- the link cut during a migration, as by a pulled cable
# link_up: guest B answers on the link
link_up() { ping -c 1 -W 1 "$VZ_LAN_PEER" >/dev/null 2>&1; }
# cut_case PHASE GLOB: vzmigrate --online --timeout=$TMO A -> B, guest B
# cutting itself off the link once a file matching GLOB arrives there
cut_case() {
	local phase=$1 glob=$2 t0 t1 mig_rc mig_out down i before
	before=$(echo "$ans" | cut -d' ' -f2)
	peer "receive && cut_link_when \"\$B/$glob\""
	is "$rc" 0 "guest B receives, to cut the link $phase"
	[ "$rc" = 0 ] || return
	t0=$(date +%s)
	run timeout 300 "$vzmigrate" --online --timeout=$TMO tcp:$VZ_LAN_PEER:$PORT $CT
	mig_rc=$rc mig_out=$out
	t1=$(date +%s)
	link_up
	down=$?
	printf '#   %s\n' "$mig_out"
	[ "$down" -ne 0 ]
	ok $? "vzmigrate gave up while the link was still cut (after $((t1 - t0)) s, --timeout=$TMO)"
	is "$mig_rc" 4 "... exits 4 (the connection broke or timed out)"
	like "$mig_out" "vzmigrate: .*(timed out|Connection timed out)" "... saying the connection timed out"
	run "$vzctl" status $CT
	is "$out" "CTID $CT exist mounted running" "the CT still runs on guest A"
	ct_runs "$A"
	ok $? "... and is not frozen"
	ask "cut-$phase"
	like "$ans" "^cut-$phase [0-9]+$" "the client's connection still answers on guest A ($ans)"
	[ "$(echo "$ans" | cut -d' ' -f2)" -gt "$before" ] 2>/dev/null
	ok $? "... with a later counter ($before -> $(echo "$ans" | cut -d' ' -f2))"
	[ ! -e "$A/lock/$CT.lck" ] && [ ! -e "$A/dump/migrate.$CT" ]
	ok $? "vzmigrate left neither its lock nor its working files on guest A"
	run "$vzctl" set $CT --description "survived a cut link $phase" --save
	is "$rc" 0 "a locking vzctl command on the CT works"
	for i in $(seq 90); do link_up && break; sleep 1; done
	link_up
	ok $? "guest B answers on the link again"
	peer cut_end
	printf '#   B: %s\n' "$out"
	like "$out" "link cut once .* arrived" "guest B cut the link $phase"
	like "$out" "receiver exit 4$" "the receiver on guest B gave up (exit 4: the connection broke or timed out)"
	[ "${out#*receiver still running}" = "$out" ]
	ok $? "... by itself"
	peer "clean_on \$B"
	is "$rc" 0 "guest B holds nothing of the CT (config, private area, state, dump, lock, record)"
	peer "\"\$vzctl\" status $CT"
	is "$out" "CTID $CT deleted unmounted down" "vzctl status on guest B: no CT, nothing half made"
	cut_out=$mig_out
}
# While the private area is first copied (24 MB more of it to send): a
# broken link is a broken link (exit 4), not a copy failure.
dd if=/dev/urandom of="$A/private/$CT/big" bs=1M count=24 2>/dev/null
cut_case privcopy "private/$CT/big"
rm -f "$A/private/$CT/big"
# During the pre-copy: a process of the CT holds 16 MB more, for round 1
# to send, and the link goes once the first of them arrive on B.
"$vzctl" exec $CT 'setsid sh -c "echo \$\$ >/tmp/hog.pid; x=a; i=0; while [ \$i -lt 24 ]; do x=\$x\$x; i=\$((i + 1)); done; echo \${#x} >/tmp/hog; while :; do sleep 1000; done" </dev/null >/dev/null 2>&1 &'
for i in $(seq 120); do [ -s "$A/root/$CT/tmp/hog" ] && break; sleep 0.5; done
is "$(cat "$A/root/$CT/tmp/hog" 2>/dev/null)" 16777216 "a process of the CT holds 16 MB"
cut_case precopy "dump/Dump.$CT.incoming/1/pagemap-*.img"
like "$cut_out" "Pre-copy round 1 \(running\)" "... (the link went during the pre-copy: round 1 began)"
[ "${cut_out#*Pre-copy round 1:}" = "$cut_out" ] && [ "${cut_out#*freezing now}" = "$cut_out" ]
ok $? "... (round 1 never ended, the CT was never frozen for the dump)"
"$vzctl" exec $CT 'kill -- -$(cat /tmp/hog.pid)'
# While the CT is frozen: the link goes once the final dump's pages
# arrive on B (CRIU's dump fails and resumes the CT) ...
cut_case frozen "dump/Dump.$CT.incoming/dump/pagemap-*.img"
like "$cut_out" "Dumping the container \(frozen\)" "... (the link went while the CT was frozen for the dump)"
# ... and once B restores the CT from the dump, the source waiting for
# its answer (B's copy runs until B gives up: it must go, A's resumes).
cut_case restoring "dump/Dump.$CT.incoming/dump/restore.log"
like "$cut_out" "Restoring on the destination" "... (the link went while B restored the CT, A's frozen)"
like "$cut_out" "Rolling back: the container resumes on this node" "... (vzmigrate says it resumes here)"
r2=$ans

# --- A -> B across the link
peer receive
is "$rc" 0 "guest B receives"
# (--keep-dst: a failed restore leaves its log on B)
init_pid=$(sed -n 's/^INIT_PID="\(.*\)"/\1/p' "$A/run/$CT.state")
mounts=$(cat /proc/$init_pid/mountinfo 2>/dev/null)
run "$vzmigrate" --online --keep-dst -t tcp:$VZ_LAN_PEER:$PORT $CT
mig_rc=$rc
is "$rc" 0 "vzmigrate --online guest A -> guest B"
printf '#   %s\n' "$out"
peer recv_end
printf '#   B: %s\n' "$out"
if [ "$mig_rc" -ne 0 ]; then
	printf '#   the CT'"'"'s mounts on A: %s\n' "$mounts"
	peer "grep -E 'Error|mnt' \$B/dump/Dump.$CT.incoming/dump/restore.log | tail -40"
	printf '#   B restore.log: %s\n' "$out"
	peer "\"\$vzctl\" --quiet destroy $CT; rm -rf \$B/dump/Dump.$CT.incoming"
fi
peer "\"\$vzctl\" status $CT"
is "$out" "CTID $CT exist mounted running" "the CT runs on guest B"
peer "ct_runs \$B"
is "$rc" 0 "... its counter continues there"
clean_on "$A"
ok $? "guest A holds nothing of the CT (config, private area, state)"
ask three
r3=$ans
like "$r3" "^three [0-9]+$" "the same connection answers from guest B across the link ($r3)"
[ "$(echo "$r3" | cut -d' ' -f2)" -gt "$(echo "$r2" | cut -d' ' -f2)" ] 2>/dev/null
ok $? "... with a later counter ($(echo "$r2" | cut -d' ' -f2) -> $(echo "$r3" | cut -d' ' -f2))"
peer "ip neigh show proxy $IP dev eth0 | wc -l"
is "$out" 1 "guest B answers ARP for $IP on the link"
peer "\"\$vzctl\" stop $CT"
is "$rc" 0 "stop the CT on guest B"

finish
