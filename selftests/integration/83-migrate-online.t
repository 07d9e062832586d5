#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# guest-needs: criu nft
#
# Live migration (vzmigrate --online) between two nodes in one machine
# (vz's kernel in the QEMU guest, where CRIU works).  Three network
# namespaces made by this test: a LAN (a bridge with the client at
# 192.0.2.2) and nodes A (192.0.2.10) and B (192.0.2.11) on it, each with
# its own vz.conf tree and NEIGHBOUR_DEVS=eth0, so the node that hosts the
# CT answers ARP for its address 192.0.2.183, as on a real hosting LAN.
# A busybox CT with a counter and a TCP server holding the client's
# connection moves A -> B: the counter continues, the same connection
# answers.  Then faults: the receiver killed while the CT is frozen, and
# vzmigrate itself killed; both times the CT goes on serving on its node
# and nothing is left on the other.  Last, a CT on a bridged veth (NETIF)
# with an address of its own moves with a client's connection through the
# bridges.  (Faults during memory pre-copy: 84-migrate-precopy.t.)
. "$(dirname "$0")/lib.sh"
require_root
require_criu
command -v nsenter >/dev/null || skip_all "nsenter (package util-linux) missing"
command -v ip >/dev/null || skip_all "ip (package iproute2) missing"
vzmigrate=$VZ_BUILD/vzmigrate
[ -x "$vzmigrate" ] || skip_all "$vzmigrate not built"
setup_lan_migration

# frozen NODE-DIR: the final dump's pages arrive there (the source CT is frozen)
frozen() { compgen -G "$1/dump/Dump.$CT.incoming/dump/pagemap-*.img" >/dev/null; }

CT=183
IP=192.0.2.183
run onA "$vzctl" create $CT --ostemplate busybox --ipadd $IP
is "$rc" 0 "create CT $CT with $IP on node A"
run onA "$vzctl" start $CT --wait
is "$rc" 0 "start it"
cat >"$A/root/$CT/srv.sh" <<'SH'
#!/bin/sh
while read -r line; do echo "$line $(cat /tmp/counter)"; done
SH
chmod 755 "$A/root/$CT/srv.sh"
onA "$vzctl" exec $CT 'setsid sh -c "i=0; while :; do i=\$((i+1)); echo \$i >/tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.1; done" </dev/null >/dev/null 2>&1 &'
onA "$vzctl" exec $CT 'setsid nc -ll -p 8080 -e /srv.sh </dev/null >/dev/null 2>&1 &'
sleep 1

# The client on the LAN: one connection, one question per round.
lan_client $IP
r1=$(ask one)
like "$r1" "^one [0-9]+$" "the client's connection answers on node A ($r1)"

# --- A -> B, online
cp "$A/run/$CT.seccomp" "$A/seccomp.before" 2>/dev/null
lan_receive "$B" $NB 192.0.2.11
run onA "$vzmigrate" --online -t tcp:192.0.2.11:$PORT $CT
is "$rc" 0 "vzmigrate --online A -> B"
printf '# %s\n' "$out"
like "$out" "Times: .*, running sync [0-9.]+ s" "... one more pass over the private area ran before the freeze"
[ "$rc" -eq 0 ] || printf '# %s\n' "$(cat "$B/recv.log")" "$(tail -30 "$A"/dump/migrate.$CT/dump/dump.log 2>/dev/null)"
wait $recv_pid
if [ "$rc" -ne 0 ]; then
	finish
	exit 1
fi
run onB "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "the CT runs on node B"
ct_runs "$B"
ok $? "... its counter continues there"
ct_gone "$A"
ok $? "node A: nothing left of the CT but its config set aside"
r2=$(ask two)
like "$r2" "^two [0-9]+$" "the same connection answers from node B ($r2)"
[ "${r2#two }" -gt "${r1#one }" ] 2>/dev/null
ok $? "... with a later counter (${r1#one } -> ${r2#two })"
monitor=$(ct_state "$B" MONITOR_PID)
is "$(awk '/^PPid:/ { print $2 }' /proc/"$(ct_state "$B" INIT_PID)"/status)" "$monitor" \
	"node B's monitor is the parent of the CT's init"
# Node B compiled the CT's seccomp filter when the config arrived, not
# while the CT was frozen: vzctl exec there loads that very program.
[ -s "$A/seccomp.before" ] && cmp -s "$A/seccomp.before" "$B/run/$CT.seccomp"
ok $? "node B keeps the CT's seccomp filter, the same program as node A's"
run onB "$vzctl" exec $CT 'grep -h "^Seccomp:" /proc/self/status /proc/1/status | tr -s "\t" " "'
is "$out" "Seccomp: 2
Seccomp: 2" "... and vzctl exec there runs under it, as the restored init does"

# --- the receiver dies while the CT is frozen: the CT resumes on B
lan_receive "$A" $NA 192.0.2.10
nsenter --net=/run/netns/$NB env VZ_CONFDIR=$B/etc "$vzmigrate" --online tcp:192.0.2.10:$PORT $CT >"$B/mig.log" 2>&1 &
src=$!
for i in $(seq 6000); do frozen "$A" && break; sleep 0.01; done
frozen "$A"
ok $? "the dump started to arrive on node A"
kill -TERM $recv_pid
wait $src
src_rc=$?
wait $recv_pid
[ $src_rc -ne 0 ]
ok $? "receiver killed while the CT was frozen: vzmigrate fails (exit $src_rc)"
sed 's/^/#   /' "$B/mig.log"
run onB "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "the CT still runs on node B"
ct_runs "$B"
ok $? "... and is not frozen"
ct_gone "$A"
ok $? "node A: nothing left"
r3=$(ask three)
like "$r3" "^three [0-9]+$" "the client's connection still answers ($r3)"

# --- vzmigrate itself killed while the CT is frozen
lan_receive "$A" $NA 192.0.2.10
nsenter --net=/run/netns/$NB env VZ_CONFDIR=$B/etc "$vzmigrate" --online tcp:192.0.2.10:$PORT $CT >"$B/mig.log" 2>&1 &
src=$!
for i in $(seq 6000); do frozen "$A" && break; sleep 0.01; done
kill -KILL $src
wait $src 2>/dev/null
wait $recv_pid
echo "# the receiver exited with $?"
for i in $(seq 100); do ct_runs "$B" && break; done
run onB "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "vzmigrate killed: the CT still runs on node B"
ct_runs "$B"
ok $? "... and is not frozen"
ct_gone "$A"
ok $? "node A: nothing left"
r4=$(ask four)
like "$r4" "^four [0-9]+$" "the client's connection still answers ($r4)"

# --- and back to A for good
lan_receive "$A" $NA 192.0.2.10
run onB "$vzmigrate" --online --noiter -t tcp:192.0.2.10:$PORT $CT
is "$rc" 0 "vzmigrate --online --noiter (stop-and-copy) B -> A"
printf '# %s\n' "$out"
wait $recv_pid
ct_runs "$A"
ok $? "the counter runs on node A"
r5=$(ask five)
like "$r5" "^five [0-9]+$" "the same connection answers from node A again ($r5)"
run onA "$vzctl" stop $CT
is "$rc" 0 "stop the CT on node A"

# --- a bridged CT (NETIF): its veth in a bridge of the node, each node's
# bridge on the LAN; the address is the CT's own, given inside
for x in a:$NA b:$NB; do
	IFS=: read -r tag ns <<<"$x"
	ip -n $LAN link add lbr-$tag type veth peer name up0 netns $ns &&
		ip -n $LAN link set lbr-$tag master br0 up && ip -n $ns link add vzbr0 type bridge &&
		ip -n $ns link set up0 master vzbr0 up && ip -n $ns link set vzbr0 up || break
done
ok $? "a bridge vzbr0 on each node, joined to the LAN"
CT=184
BIP=192.0.2.184
run onA "$vzctl" create $CT --ostemplate busybox
is "$rc" 0 "create CT $CT on node A"
run onA "$vzctl" set $CT --netif_add eth0,,,,vzbr0 --save
is "$rc" 0 "--netif_add eth0 in bridge vzbr0"
run onA "$vzctl" start $CT --wait
is "$rc" 0 "start it"
onA "$vzctl" exec $CT "ip addr add $BIP/24 dev eth0"
ok $? "the CT gives its eth0 $BIP"
onA "$vzctl" exec $CT 'setsid nc -ll -p 8081 -e /bin/cat </dev/null >/dev/null 2>&1 &'
# The CT's own firewall (nft in it would make the same): it must move too.
ctnft() { nsenter --net="/proc/$(ct_state "$1" INIT_PID)/ns/net" nft "${@:2}"; }
printf '%s\n' 'table inet vzt_fw {' ' chain input {' \
	'  type filter hook input priority 0; policy accept;' '  tcp dport 7777 counter drop' ' }' '}' |
	ctnft "$A" -f -
ok $? "a firewall rule in the bridged CT"
onA "$vzctl" exec $CT 'echo 1 >/proc/sys/net/ipv4/conf/eth0/arp_ignore && echo 0 >/proc/sys/net/ipv4/tcp_sack'
ok $? "the CT sets eth0's arp_ignore and turns tcp_sack off"
ctip() { nsenter --net="/proc/$(ct_state "$1" INIT_PID)/ns/net" ip "${@:2}"; }
ctip "$A" rule add from $BIP lookup 200 priority 2000 && ctip "$A" route add default dev eth0 table 200
ok $? "a policy routing rule of the CT's and a default route in its table"
lan_client $BIP 8081 bask
bask() { ask_on bask "$1"; } # the answer on the bridged CT's one connection
is "$(bask one)" "one" "the client's connection through the bridge answers on node A"
lan_receive "$B" $NB 192.0.2.11
run onA "$vzmigrate" --online -t tcp:192.0.2.11:$PORT $CT
is "$rc" 0 "vzmigrate --online of the bridged CT A -> B"
printf '# %s\n' "$out"
[ "$rc" -eq 0 ] || printf '# %s\n' "$(cat "$B/recv.log")"
wait $recv_pid
run onB "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "it runs on node B"
run nsenter --net=/run/netns/$NB ip link show veth$CT.0
like "$out" "master vzbr0 " "its veth is in node B's bridge"
run onB "$vzctl" exec $CT 'ip -4 addr show dev eth0'
like "$out" "inet $BIP/24" "eth0 keeps the CT's own address"
run ctnft "$B" list ruleset
like "$out" "tcp dport 7777 counter packets [0-9]+ bytes [0-9]+ drop" "its firewall rule came along"
printf '%s' "$out" | grep -q CRIU
is "$?" 1 "... and no table of CRIU's network lock"
run onB "$vzctl" exec $CT 'cat /proc/sys/net/ipv4/conf/eth0/arp_ignore /proc/sys/net/ipv4/tcp_sack'
is "$(echo $out)" "1 0" "its network sysctls came along"
like "$(ctip "$B" rule show 2>&1)" "^2000:[[:space:]]+from $BIP lookup 200" "its policy routing rule came along"
like "$(ctip "$B" route show table 200 2>&1)" "^default dev eth0" "... and the route of its table"
is "$(bask two)" "two" "the same connection answers from node B"
run lan bash -c "exec 3<>/dev/tcp/$BIP/8081 && echo three >&3 && read -t 10 r <&3 && echo \$r"
is "$out" "three" "a new connection reaches it on node B"
run onB "$vzctl" stop $CT
is "$rc" 0 "stop the bridged CT on node B"

finish
