#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# guest-needs: criu nft
#
# Checkpoint and restore of a whole CT on one node (vz's 6.1 kernel in the
# QEMU guest, where CRIU works): a busybox CT with a counter process and a
# TCP server holding a client connection open.  After vzctl chkpnt + vzctl
# restore the counter continues where it stopped, the same connection
# answers, the CT has a new monitor that is its init's parent, exec and
# stop work as before.  Then the step options: --suspend, --dump, --kill,
# restore --undump, --resume.  Then a CT on a bridged veth (NETIF) whose
# address and a route are the CT's own: both come back, and so does a
# client's connection through the bridge.
#
# The node side is a network namespace this test makes (vzt-node-PID); the
# client runs there and talks to the CT's routed address 192.0.2.180.
. "$(dirname "$0")/lib.sh"
require_root
require_criu
command -v nsenter >/dev/null || skip_all "nsenter (package util-linux) missing"
command -v ip >/dev/null || skip_all "ip (package iproute2) missing"
setup_node

NODE=vzt-node-$$
cpt_cleanup() {
	cleanup_node
	ip netns del "$NODE" 2>/dev/null
}
trap cpt_cleanup EXIT
ip netns add "$NODE" || skip_all "cannot create a network namespace"
ip -n "$NODE" link set lo up
# The node's own address: the source of the client's connection.
ip -n "$NODE" link add vzt-n0 type veth peer name vzt-n1
ip -n "$NODE" addr add 198.51.100.1/32 dev vzt-n0
ip -n "$NODE" link set vzt-n0 up
ip -n "$NODE" link set vzt-n1 up
vz() { nsenter --net="/run/netns/$NODE" "$vzctl" "$@"; }
in_node() { nsenter --net="/run/netns/$NODE" "$@"; }
echo 'NEIGHBOUR_DEVS=""' >>"$T/etc/vz.conf"

CT=180
IP=192.0.2.180
run vz create $CT --ostemplate busybox --ipadd $IP
is "$rc" 0 "create CT $CT with $IP"
run vz start $CT --wait
is "$rc" 0 "start"
if [ "$rc" -ne 0 ]; then
	printf '# %s\n' "$out"
	finish
	exit 1
fi

state() { sed -n "s/^$1=\"\\(.*\\)\"/\\1/p" "$T/run/$CT.state"; }
counter() { cat "$T/root/$CT/tmp/counter" 2>/dev/null; }
ppid_of() { awk '/^PPid:/ { print $2 }' "/proc/$1/status"; }

cat >"$T/root/$CT/srv.sh" <<'SH'
#!/bin/sh
while read -r line; do echo "$line $(cat /tmp/counter)"; done
SH
chmod 755 "$T/root/$CT/srv.sh"
vz exec $CT 'setsid sh -c "i=0; while :; do i=\$((i+1)); echo \$i >/tmp/counter.new; mv /tmp/counter.new /tmp/counter; sleep 0.1; done" </dev/null >/dev/null 2>&1 &'
vz exec $CT 'setsid nc -ll -p 8080 -e /srv.sh </dev/null >/dev/null 2>&1 &'
sleep 1

# The client: one connection, a question before and one after the restore.
in_node bash -c '
	for i in $(seq 40); do (exec 3<>/dev/tcp/'$IP'/8080) 2>/dev/null && break; sleep 0.5; done
	exec 3<>/dev/tcp/'$IP'/8080 || exit 1
	echo one >&3; read -t 10 r <&3; echo "$r" >'"$T"'/r1
	while [ ! -e '"$T"'/go ]; do sleep 0.1; done
	echo two >&3; read -t 60 r <&3; echo "$r" >'"$T"'/r2' </dev/null >/dev/null 2>&1 &
client=$!
for i in $(seq 50); do [ -s "$T/r1" ] && break; sleep 0.2; done
r1=$(cat "$T/r1" 2>/dev/null)
like "$r1" "^one [0-9]+$" "the client's connection answers before the checkpoint ($r1)"
[ -n "$r1" ] || printf '# %s\n' "$(vz exec $CT 'ps; netstat -ltn' 2>&1)" "$(in_node ip route 2>&1)" \
	"$(in_node bash -c "exec 3<>/dev/tcp/$IP/8080 && echo connected" 2>&1)"

# The CT's own firewall (what nft or iptables-nft in it makes): a rule that
# counts and drops, with a packet counted already.
ctnft() { nsenter --net="/proc/$(state INIT_PID)/ns/net" nft "$@"; }
knock() { in_node timeout 2 bash -c "exec 3<>/dev/tcp/$IP/7777" 2>/dev/null; }
packets() { ctnft list table inet vzt_fw 2>/dev/null | sed -n 's/.*dport 7777 counter packets \([0-9]*\) .*/\1/p'; }
printf '%s\n' 'table inet vzt_fw {' ' chain input {' \
	'  type filter hook input priority 0; policy accept;' '  tcp dport 7777 counter drop' ' }' '}' |
	ctnft -f -
ok $? "a firewall rule in the CT"
knock
p1=$(packets)
[ -n "$p1" ] && [ "$p1" -ge 1 ]
ok $? "... that drops and counts ($p1 packets)"
# What the CT keeps in its /dev and /dev/shm (vzctl saves them, not CRIU).
run vz exec $CT 'echo kept >/dev/shm/data && mkdir /dev/shm/dir && ln /dev/shm/data /dev/shm/dir/link &&
	ln -s /proc/self/fd/0 /dev/mystdin && chmod 1750 /dev/shm/dir'
is "$rc" 0 "files in the CT's /dev/shm and /dev"
devlook='cat /dev/shm/dir/link; stat -c "%a %h %u:%g %Y" /dev/shm/dir /dev/shm/data /dev/shm; readlink /dev/mystdin;
	echo x >/dev/null && echo null ok'
dev_before=$(vz exec $CT "$devlook" 2>&1)
# Network sysctls the CT set for itself: its namespace is restored new.
sysctls='for f in ipv4/ip_forward ipv4/tcp_keepalive_time ipv4/conf/venet0/rp_filter ipv4/tcp_fin_timeout; do
	echo "$f $(cat /proc/sys/net/$f)"; done'
run vz exec $CT 'echo 1 >/proc/sys/net/ipv4/ip_forward && echo 600 >/proc/sys/net/ipv4/tcp_keepalive_time &&
	echo 2 >/proc/sys/net/ipv4/conf/venet0/rp_filter'
is "$rc" 0 "the CT sets ip_forward, tcp_keepalive_time and venet0's rp_filter"
sysctl_before=$(vz exec $CT "$sysctls" 2>&1)
like "$sysctl_before" "ip_forward 1" "... ($(echo $sysctl_before))"
# Policy routing of the CT's own: a rule and the table it points to.
ctip() { nsenter --net="/proc/$(state INIT_PID)/ns/net" ip "$@"; }
ctip rule add from $IP lookup 100 priority 1000 && ctip route add 198.51.100.0/24 dev venet0 table 100
ok $? "a policy routing rule and a route in its table in the CT"

# A link the CT made itself (a tun device, as OpenVPN makes) would not come
# back: the checkpoint is refused up front and the CT runs on.
nsenter --net="/proc/$(state INIT_PID)/ns/net" ip tuntap add vzt-tun0 mode tun
ok $? "a tun device in the CT"
run vz chkpnt $CT
is "$rc" 16 "chkpnt of a CT with a link of its own is refused"
like "$out" "interface 'vzt-tun0' of its own making" "... naming the interface"
run vz status $CT
is "$out" "CTID $CT exist mounted running" "... and the CT runs on"
a=$(counter); sleep 0.5; b=$(counter)
[ -n "$a" ] && [ "$b" -gt "$a" ]
ok $? "... not frozen ($a -> $b)"
nsenter --net="/proc/$(state INIT_PID)/ns/net" ip link del vzt-tun0

monitor_before=$(state MONITOR_PID)
run vz chkpnt $CT
is "$rc" 0 "chkpnt"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(grep -E 'Error|Warn' "$T/dump/Dump.$CT.log" 2>/dev/null | tail -20)" \
	"$(cat /sys/fs/cgroup/vztest-$$/$CT/cgroup.events 2>/dev/null)"
run vz status $CT
is "$out" "CTID $CT exist unmounted down suspended" "status: down and suspended"
dump=$T/dump/Dump.$CT
[ -s "$dump/meta.img" ] && [ -s "$dump/ve.conf" ] && [ -s "$dump/inventory.img" ]
ok $? "the dump holds CRIU's images, the config and our metadata"
like "$(cat "$T/run/criu-check" 2>&1)" "^boot=.* kernel=$(uname -r) criu=/.* version=[0-9]" \
	"CRIU's check is remembered for this boot in RUNDIR"
lines=$(wc -l <"$dump/dump.log" 2>/dev/null)
[ -n "$lines" ] && [ "$lines" -lt 50 ]
ok $? "CRIU logged errors and warnings only, not its debug log ($lines lines)"
cp "$dump/sysctl.net" "$T/sysctl.net" 2>/dev/null
stopped_at=$(cat "$dump/../../private/$CT/tmp/counter" 2>/dev/null)
in_node ip link show venet$CT >/dev/null 2>&1
is "$?" 1 "the CT's link is gone from the node"

run vz restore $CT
is "$rc" 0 "restore"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(tail -30 "$dump/restore.log" 2>/dev/null)"
run vz status $CT
is "$out" "CTID $CT exist mounted running" "status: running"
[ ! -e "$dump" ]
ok $? "the dump is removed once the CT runs again"
a=$(counter); sleep 1; b=$(counter)
[ -n "$a" ] && [ -n "$stopped_at" ] && [ "$a" -ge "$stopped_at" ] && [ "$a" -lt $((stopped_at + 30)) ] &&
	[ "$b" -gt "$a" ]
ok $? "the counter continues where it stopped ($stopped_at -> $a -> $b)"
[ -n "$b" ] && [ "$b" != "$a" ] || printf '# %s\n' "$(vz exec $CT 'ps -o pid,stat,args; cat /tmp/counter' 2>&1)" \
	"$(cat /sys/fs/cgroup/vztest-$$/$CT/cgroup.events 2>&1)" "$(grep State /proc/$(state INIT_PID)/status)"
init=$(state INIT_PID)
monitor=$(state MONITOR_PID)
[ -n "$monitor" ] && [ "$monitor" != "$monitor_before" ]
ok $? "a new monitor ($monitor_before -> $monitor)"
is "$(ppid_of "$init")" "$monitor" "the monitor is the parent of the restored init"
p2=$(packets)
[ -n "$p2" ] && [ "$p2" -ge "$p1" ]
ok $? "the CT's firewall rule is back, its counter kept ($p1 -> $p2)"
[ -n "$p2" ] || printf '# %s\n' "$(ctnft list ruleset 2>&1)"
tables=$(ctnft list tables 2>&1)
is "$tables" "table inet vzt_fw" "only the CT's own table: CRIU's network lock did not come along"
knock
p3=$(packets)
[ -n "$p3" ] && [ -n "$p2" ] && [ "$p3" -gt "$p2" ]
ok $? "... and it drops again ($p2 -> $p3)"
is "$(vz exec $CT "$sysctls" 2>&1)" "$sysctl_before" \
	"the CT's network sysctls come back; one it did not set keeps the default"
is "$(grep -cxE 'ipv4/ip_forward=1|ipv4/tcp_keepalive_time=600|ipv4/conf/venet0/rp_filter=2' \
	"$T/sysctl.net" 2>/dev/null)" 3 \
	"... the dump held the three it changed, venet0's compared with a new interface's default"
grep -q '^ipv4/tcp_fin_timeout=' "$T/sysctl.net" 2>/dev/null
is "$?" 1 "... and not what it left at the default"
printf '# sysctl.net: %s\n' "$(tr '\n' ' ' <"$T/sysctl.net" 2>/dev/null | cut -c1-400)"
like "$(ctip rule show 2>&1)" "^1000:[[:space:]]+from $IP lookup 100" "the CT's policy routing rule comes back"
like "$(ctip route show table 100 2>&1)" "^198.51.100.0/24 dev venet0" "... and the route of its table"
is "$(ctip rule show 2>&1 | wc -l)" 4 "... beside the three a namespace has, not twice"
run vz exec $CT "$devlook"
like "$out" "^kept" "/dev/shm comes back with its files"
is "$out" "$dev_before" "... their modes, links, owners and times, /dev's own symlink; /dev/null works"

touch "$T/go"
for i in $(seq 100); do [ -s "$T/r2" ] && break; sleep 0.2; done
r2=$(cat "$T/r2" 2>/dev/null)
n1=${r1#one }
n2=${r2#two }
like "$r2" "^two [0-9]+$" "the same connection answers after the restore ($r2)"
[ -n "$n2" ] && [ "$n2" -gt "$n1" ] 2>/dev/null
ok $? "... with a later counter ($n1 -> $n2)"
wait "$client"

run vz exec $CT 'cat /tmp/counter; hostname'
is "$rc" 0 "exec in the restored CT"
run in_node bash -c "exec 3<>/dev/tcp/$IP/8080 && echo three >&3 && read -t 10 r <&3 && echo \$r"
like "$out" "^three [0-9]+$" "a new connection to the restored server works"

# --- step by step: suspend, dump (stays frozen), kill; undump, resume
run vz chkpnt $CT --suspend
is "$rc" 0 "chkpnt --suspend"
run vz status $CT
is "$out" "CTID $CT exist mounted running suspended" "status: running suspended"
run vz --verbose chkpnt $CT --dump --dumpfile "$T/steps"
is "$rc" 0 "chkpnt --dump --dumpfile"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(tail -20 "$T/steps/dump.log" 2>/dev/null)"
lines=$(wc -l <"$T/steps/dump.log" 2>/dev/null)
[ -n "$lines" ] && [ "$lines" -gt 300 ]
ok $? "... with --verbose, CRIU wrote its debug log ($lines lines)"
a=$(counter); sleep 1; b=$(counter)
is "$b" "$a" "after --dump the CT stays frozen"
run vz chkpnt $CT --kill
is "$rc" 0 "chkpnt --kill"
run vz status $CT
like "$out" "^CTID $CT exist (un)?mounted down" "the CT is down"
run vz restore $CT --undump --dumpfile "$T/steps"
is "$rc" 0 "restore --undump"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(tail -30 "$T/steps/restore.log" 2>/dev/null)"
run vz status $CT
is "$out" "CTID $CT exist mounted running suspended" "undumped: running but suspended"
a=$(counter); sleep 1; b=$(counter)
is "$b" "$a" "the undumped CT does not run yet"
run vz restore $CT --resume
is "$rc" 0 "restore --resume"
a=$(counter); sleep 1; b=$(counter)
[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]
ok $? "resumed: the counter runs ($a -> $b)"
[ -e "$T/steps/meta.img" ]
ok $? "a dump given with --dumpfile is kept"

run vz stop $CT
is "$rc" 0 "stop the restored CT"
run vz status $CT
is "$out" "CTID $CT exist unmounted down" "status after stop"
[ ! -e "$T/run/$CT.state" ] && [ ! -e "$T/run/$CT.sock" ]
ok $? "the monitor cleaned up the run state"

# --- a bridged interface (NETIF): the CT's veth in a bridge of the node,
# the address on it the CT's own (given inside, as its distribution would)
BR=vzt-br0
ip -n "$NODE" link add $BR type bridge && ip -n "$NODE" addr add 203.0.113.1/24 dev $BR &&
	ip -n "$NODE" link set $BR up
ok $? "a bridge $BR on the node"
CT=181
BIP=203.0.113.181
run vz create $CT --ostemplate busybox
is "$rc" 0 "create CT $CT"
run vz set $CT --netif_add eth0,,,,$BR --save
is "$rc" 0 "--netif_add eth0 in bridge $BR"
run vz start $CT --wait
is "$rc" 0 "start CT $CT"
vz exec $CT "ip addr add $BIP/24 dev eth0 && ip route add 198.51.100.0/24 via 203.0.113.1"
ok $? "the CT gives its eth0 $BIP and a route of its own"
vz exec $CT 'setsid nc -ll -p 8081 -e /bin/cat </dev/null >/dev/null 2>&1 &'
rm -f "$T/go" "$T/b1" "$T/b2"
in_node bash -c '
	for i in $(seq 40); do (exec 3<>/dev/tcp/'$BIP'/8081) 2>/dev/null && break; sleep 0.5; done
	exec 3<>/dev/tcp/'$BIP'/8081 || exit 1
	echo one >&3; read -t 10 r <&3; echo "$r" >'"$T"'/b1
	while [ ! -e '"$T"'/go ]; do sleep 0.1; done
	echo two >&3; read -t 60 r <&3; echo "$r" >'"$T"'/b2' </dev/null >/dev/null 2>&1 &
client=$!
for i in $(seq 50); do [ -s "$T/b1" ] && break; sleep 0.2; done
is "$(cat "$T/b1" 2>/dev/null)" "one" "a client's connection through the bridge answers"
run vz chkpnt $CT
is "$rc" 0 "chkpnt of the bridged CT"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(grep -E 'Error|Warn' "$T/dump/Dump.$CT.log" 2>/dev/null | tail -20)"
[ -s "$T/dump/Dump.$CT/meta.img" ] && [ ! -e "$T/dump/Dump.$CT/nft.rules" ]
ok $? "a CT without a firewall of its own: no nft.rules (CRIU's lock tables are not the CT's)"
in_node ip link show veth$CT.0 >/dev/null 2>&1
is "$?" 1 "its veth is gone from the node"
run vz restore $CT
is "$rc" 0 "restore of the bridged CT"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out" "$(tail -30 "$T/dump/Dump.$CT/restore.log" 2>/dev/null)"
run in_node ip link show veth$CT.0
like "$out" "master $BR " "its veth is in $BR again"
run vz exec $CT 'ip -4 addr show dev eth0; ip route'
like "$out" "inet $BIP/24" "eth0 keeps the CT's own address"
like "$out" "198.51.100.0/24 via 203.0.113.1" "... and the CT's own route"
touch "$T/go"
for i in $(seq 100); do [ -s "$T/b2" ] && break; sleep 0.2; done
is "$(cat "$T/b2" 2>/dev/null)" "two" "the same connection answers after the restore"
wait "$client"
run in_node bash -c "exec 3<>/dev/tcp/$BIP/8081 && echo three >&3 && read -t 10 r <&3 && echo \$r"
is "$out" "three" "a new connection through the bridge works"
run vz stop $CT
is "$rc" 0 "stop the bridged CT"

finish
