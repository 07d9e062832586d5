#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Networking: routed (venet) IPv4 and IPv6 addresses and bridged veth.
#
# Nothing here touches the machine's own links, routes, neighbours or
# sysctls.  The node is a network namespace this test makes (vzt-node-PID,
# with a bridge br0 holding 192.0.2.1/24 and 2001:db8::1/64), and an
# "outside host" namespace (vzt-out-PID, 192.0.2.2 and 2001:db8::2) hangs off
# that bridge through a veth.  vzctl runs in the node namespace through
# nsenter --net (not "ip netns exec", which remounts /sys and so hides the
# cgroup file systems).  Addresses come from the documentation ranges only.
. "$(dirname "$0")/lib.sh"
require_root
command -v ip >/dev/null || skip_all "ip (package iproute2) missing"
command -v nsenter >/dev/null || skip_all "nsenter (package util-linux) missing"
command -v python3 >/dev/null || skip_all "python3 missing"
setup_node

NODE=vzt-node-$$
OUT=vzt-out-$$
net_cleanup() {
	cleanup_node
	ip netns del "$OUT" 2>/dev/null
	ip netns del "$NODE" 2>/dev/null
}
trap net_cleanup EXIT

ip netns add "$NODE" && ip netns add "$OUT" || skip_all "cannot create network namespaces"
node() { ip -n "$NODE" "$@"; }
outside() { ip netns exec "$OUT" "$@"; }
vz() { nsenter --net="/run/netns/$NODE" "$vzctl" "$@"; }
in_node() { nsenter --net="/run/netns/$NODE" "$@"; }

# No DAD on the node's own links: their link-local routes exist from the start,
# so the before/after snapshots compare like with like.
in_node sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip link add vzt-o$$ netns "$OUT" type veth peer name vzt-n$$ netns "$NODE"
node link add br0 type bridge
node link set vzt-n$$ master br0
for l in lo vzt-n$$ br0; do node link set "$l" up; done
ip -n "$OUT" link set lo up
ip -n "$OUT" link set vzt-o$$ up
node addr add 192.0.2.1/24 dev br0
node addr add 2001:db8::1/64 dev br0 nodad
ip -n "$OUT" addr add 192.0.2.2/24 dev vzt-o$$
ip -n "$OUT" addr add 2001:db8::2/64 dev vzt-o$$ nodad
ip -n "$OUT" route add 198.51.100.0/24 via 192.0.2.1
ip -n "$OUT" route add 203.0.113.0/24 via 192.0.2.1
node route add default via 192.0.2.2
node -6 route add default via 2001:db8::2
# The node namespace's own sysctls (not the machine's): a router that answers
# ARP/NDP for its CTs at once.
in_node sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv6.conf.all.proxy_ndp=1 net.ipv4.neigh.br0.proxy_delay=0 \
	net.ipv6.neigh.br0.proxy_delay=0
echo 'NEIGHBOUR_DEVS="detect"' >>"$T/etc/vz.conf"
cp -r "$repo/etc/dists" "$T/etc/dists"

snapshot() {
	node -d link show | sed -E 's/ [a-z_]+_timer +[0-9.]+//g'
	node route show table all
	node -6 route show table all
	node neigh show proxy
}
before=$(snapshot)

# ---- bad and duplicate addresses
run vz create 101 --ostemplate busybox --ipadd 192.0.2.300
is "$rc" 71 "create --ipadd with a malformed address -> 71"
run vz create 101 --ostemplate busybox --ipadd 192.0.2.101 --ipadd 2001:db8::101 --hostname ct101
is "$rc" 0 "create --ipadd IPv4 and IPv6"
is "$(grep '^IP_ADDRESS=' "$T/etc/conf/101.conf")" 'IP_ADDRESS="192.0.2.101 2001:db8::101"' \
	"IP_ADDRESS saved"
for bad in 192.0.2.1/33 2001:db8::zz 127.0.0.1 224.0.0.1 ::1 "" 192.0.2.5/; do
	run vz set 101 --ipadd "$bad"
	is "$rc" 71 "set --ipadd '$bad' -> 71"
done
run vz set 101 --ipdel nonsense
is "$rc" 71 "set --ipdel with a malformed address -> 71"

# ---- routed start
run vz start 101
is "$rc" 0 "start a CT with routed addresses"
is "$(node -o link show venet101 | grep -c 'state UP')" 1 "host end venet101 is up"
like "$(node route show 192.0.2.101)" "dev venet101" "host route to the IPv4 address"
like "$(node -6 route show 2001:db8::101)" "dev venet101" "host route to the IPv6 address"
like "$(node neigh show proxy)" "192.0.2.101 dev br0 proxy" "proxy ARP on the detected device br0"
like "$(node neigh show proxy)" "2001:db8::101 dev br0 proxy" "proxy NDP on br0"
run vz exec 101 'ip -o addr show dev venet0'
like "$out" "inet 192.0.2.101/32" "venet0 holds the IPv4 address as /32"
like "$out" "inet6 2001:db8::101/128" "and the IPv6 address as /128"
run vz exec 101 'ip route; ip -6 route'
like "$out" "default via 169.254.0.1 dev venet0 onlink" "IPv4 default route in the CT"
like "$out" "default via fe80::1 dev venet0" "IPv6 default route in the CT"

run outside busybox ping -c 2 -W 2 192.0.2.101
is "$rc" 0 "outside host pings the CT (IPv4)"
run outside busybox ping -c 2 -W 2 2001:db8::101
is "$rc" 0 "outside host pings the CT (IPv6)"
run vz exec 101 'ping -c 2 -W 2 192.0.2.2'
is "$rc" 0 "the CT pings the outside host (IPv4)"
run vz exec 101 'ping6 -c 2 -W 2 2001:db8::2'
is "$rc" 0 "the CT pings the outside host (IPv6)"

# TCP both ways (busybox nc: one connection, then it exits).
listening() { # listening PORT CMD...: wait until CMD's netstat shows a listener on PORT
	local port=$1 i
	shift
	for i in $(seq 60); do
		"$@" netstat -ltn 2>/dev/null | grep -q ":$port " && return 0
		sleep 0.05
	done
	return 1
}
tcp_in() { # ADDR MESSAGE: outside -> CT 101 port 8080
	vz exec 101 'rm -f /tmp/got; nc -l -p 8080 </dev/null >/tmp/got 2>&1 &'
	listening 8080 vz exec 101
	echo "$2" | outside busybox nc -w 3 "$1" 8080
	# The listener writes what it got after the client has gone: on a busy
	# node that can take a while, so wait for it instead of a fixed pause.
	local i got=
	for i in $(seq 50); do
		got=$(vz exec 101 'cat /tmp/got')
		[ -n "$got" ] && break
		sleep 0.1
	done
	echo "$got"
}
tcp_out() { # ADDR MESSAGE: CT 101 -> outside port 9090
	# One line, then close: busybox nc -l would close on its own stdin's EOF,
	# racing the client's write.
	outside python3 -c 'import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 9090))
s.listen(1)
c, _ = s.accept()
print(c.makefile().readline().strip())' >"$T/got-out" 2>&1 &
	local l=$!
	listening 9090 outside busybox
	vz exec 101 "echo $2 | nc -w 3 $1 9090"
	wait "$l"
	cat "$T/got-out"
}
is "$(tcp_in 192.0.2.101 hello-v4)" "hello-v4" "TCP outside -> CT (IPv4)"
is "$(tcp_in 2001:db8::101 hello-v6)" "hello-v6" "TCP outside -> CT (IPv6)"
is "$(tcp_out 192.0.2.2 from-ct-v4)" "from-ct-v4" "TCP CT -> outside (IPv4)"
is "$(tcp_out 2001:db8::2 from-ct-v6)" "from-ct-v6" "TCP CT -> outside (IPv6)"

# ---- dists: ADD_IP at start wrote the distribution's config
run vz exec 101 'cat /etc/network/interfaces'
like "$out" "up ip addr replace 192.0.2.101/32 dev venet0" "ADD_IP put the IPv4 address in /etc/network/interfaces"
like "$out" "2001:db8::101/128" "and the IPv6 one"

# ---- duplicates
run vz create 102 --ostemplate busybox --ipadd 192.0.2.101
is "$rc" 0 "create a second CT with the same address"
run vz start 102
is "$rc" 78 "starting it -> 78 (address used by CT 101)"
like "$out" "already used by container 101" "the message names the CT"
is "$(node -o link show | grep -c venet102)" 0 "and leaves no link behind"
run vz set 102 --ipdel all --ipadd 192.0.2.1 --save
run vz start 102
is "$rc" 78 "an address of the node itself -> 78"
run vz set 102 --ipdel all --ipadd 198.51.100.102 --save
run vz start 102
is "$rc" 0 "start with a free address"
run vz set 102 --ipadd 2001:db8::101
is "$rc" 78 "live --ipadd of CT 101's IPv6 address -> 78"

# ---- live add and delete
run vz set 102 --ipadd 192.0.2.102 --ipadd 2001:db8::102/64
is "$rc" 0 "live --ipadd IPv4 and IPv6/64"
run outside busybox ping -c 1 -W 2 192.0.2.102
is "$rc" 0 "the new IPv4 address answers at once"
run outside busybox ping -c 1 -W 2 2001:db8::102
is "$rc" 0 "the new IPv6 address answers at once"
run vz exec 102 'ip -o addr show dev venet0'
like "$out" "2001:db8::102/64" "the length given is kept in the CT"
run vz exec 102 'cat /etc/network/interfaces'
like "$out" "192.0.2.102/32" "ADD_IP ran for the live addition"
run vz set 102 --ipdel 198.51.100.102 --ipdel 2001:db8::102
is "$rc" 0 "live --ipdel"
run vz exec 102 'ip -o addr show dev venet0 scope global'
is "$(printf '%s\n' "$out" | grep -c 'inet')" 1 "one address left in the CT"
like "$out" "192.0.2.102/32" "the earlier unsaved --ipadd is still there"
is "$(node route show 198.51.100.102 | wc -l)" 0 "host route of the removed address is gone"
like "$(node neigh show proxy)" "192.0.2.102 dev br0" "the kept address is still published"
ok "$(node neigh show proxy | grep -q '2001:db8::102'; [ $? -ne 0 ]; echo $?)" \
	"the removed address is no longer published"
run vz exec 102 'cat /etc/network/interfaces'
ok "$(printf '%s' "$out" | grep -q 198.51.100.102; [ $? -ne 0 ]; echo $?)" "DEL_IP removed it from the config"
is "$(grep '^IP_ADDRESS=' "$T/etc/conf/102.conf")" 'IP_ADDRESS="198.51.100.102"' \
	"without --save the config is unchanged"
run vz set 102 --ipadd 203.0.113.102 --save
is "$(grep '^IP_ADDRESS=' "$T/etc/conf/102.conf")" 'IP_ADDRESS="198.51.100.102 203.0.113.102"' \
	"--save writes the edited list"

# ---- two routed CTs do not see each other's traffic
rx() { vz exec 102 'cat /sys/class/net/venet0/statistics/rx_bytes'; }
r0=$(rx)
outside busybox ping -q -c 50 -i 0.01 -s 1000 192.0.2.101 >/dev/null 2>&1
vz exec 101 'ping -q -c 50 -i 0.01 -s 1000 192.0.2.2' >/dev/null 2>&1
r1=$(rx)
ok "$([ $((r1 - r0)) -lt 20000 ]; echo $?)" \
	"CT 102's venet0 received $((r1 - r0)) bytes while CT 101 moved 100 kB"
run vz exec 102 'ping -c 1 -W 1 192.0.2.101'
is "$rc" 0 "CTs reach each other only through the node's routing (ping 101 from 102)"

# ---- reboot inside the CT: plugged in again
old_init=$(sed -n 's/^INIT_PID="\(.*\)"/\1/p' "$T/run/101.state")
vz exec 101 reboot >/dev/null 2>&1
for i in $(seq 50); do
	new_init=$(sed -n 's/^INIT_PID="\(.*\)"/\1/p' "$T/run/101.state" 2>/dev/null)
	[ -n "$new_init" ] && [ "$new_init" != "$old_init" ] && break
	sleep 0.1
done
ok "$([ "$new_init" != "$old_init" ]; echo $?)" "CT 101 rebooted (new init)"
run outside busybox ping -c 1 -W 3 192.0.2.101
is "$rc" 0 "after a reboot inside the CT the address answers again"
run vz restart 102 --fast
is "$rc" 0 "restart a routed CT"
# The old host ends are reaped in the background for up to a second: the
# new ones, of the same names, must survive that.
sleep 1.2
run outside busybox ping -c 1 -W 3 192.0.2.101
is "$rc" 0 "a second after the reboot CT 101 still answers"
run outside busybox ping -c 1 -W 3 198.51.100.102
is "$rc" 0 "a second after the restart CT 102 answers (saved address)"

# ---- bridged veth
run vz create 104 --ostemplate busybox
run vz set 104 --netif_add eth0,,,,nobridge0 --save
run vz start 104
is "$rc" 130 "a missing bridge -> 130"
like "$out" "Bridge nobridge0 does not exist" "with a clear message"
run vz status 104
is "$out" "CTID 104 exist unmounted down" "the failed start is undone"
is "$(node -o link show | grep -c 'veth104')" 0 "and no link is left"
run vz set 104 --ifname eth0 --bridge br0 --save
is "$rc" 0 "--ifname eth0 --bridge br0 changes the netif"
like "$(grep '^NETIF=' "$T/etc/conf/104.conf")" \
	'ifname=eth0,mac=00:18:51:..:..:..,host_ifname=veth104.0,host_mac=00:18:51:..:..:..,bridge=br0' \
	"NETIF has generated MACs and host name"
run vz start 104
is "$rc" 0 "start a bridged CT"
like "$(node -o link show master br0)" "veth104.0" "host end attached to br0"
mac=$(vz exec 104 'cat /sys/class/net/eth0/address')
like "$(grep '^NETIF=' "$T/etc/conf/104.conf")" "mac=$(echo "$mac" | tr a-f A-F)" "the CT's eth0 has the MAC of NETIF"
run vz exec 104 'ip addr add 192.0.2.150/24 dev eth0 && ping -c 2 -W 2 192.0.2.2'
is "$rc" 0 "a bridged CT reaches the outside host through br0"
run outside busybox ping -c 1 -W 2 192.0.2.150
is "$rc" 0 "and the outside host reaches it"
run vz set 104 --netif_add eth1,,veth104.x,,br0
is "$rc" 0 "live --netif_add"
like "$(node -o link show master br0)" "veth104.x" "the new host end is on br0"
run vz exec 104 'ip -o link show eth1'
like "$out" "eth1" "the CT has eth1"
run vz set 104 --netif_del eth1
is "$rc" 0 "live --netif_del"
is "$(node -o link show | grep -c 'veth104.x')" 0 "its host end is gone"
run vz set 104 --netif_add eth2,,,,nobridge0
is "$rc" 130 "live --netif_add with a missing bridge -> 130"
run vz restart 104 --fast
is "$(vz exec 104 'cat /sys/class/net/eth0/address')" "$mac" "the MAC is stable across restarts"
run vz set 104 --ipadd 203.0.113.104
is "$rc" 0 "live --ipadd on a CT started without routed addresses"
run outside busybox ping -c 1 -W 3 203.0.113.104
is "$rc" 0 "its new venet0 address answers"

# ---- forwarding off in the node: started all the same, with a warning
in_node sysctl -qw net.ipv4.ip_forward=0
run vz create 105 --ostemplate busybox --ipadd 203.0.113.105
run vz start 105
is "$rc" 0 "start with forwarding off in the node"
like "$out" "forwarding is disabled" "warns about net.ipv4.ip_forward"
in_node sysctl -qw net.ipv4.ip_forward=1

# ---- a Debian 12 CT (the cache 17-debian.t builds, if it is there): systemd
# boots with venet0 as vzctl set it up; ADD_IP wrote the distribution's files
key=$(sha256sum "$repo/templates/mk-debian" 2>/dev/null | cut -c1-12)
debcache=${VZ_TEST_CACHE_DIR:-/var/cache/vz/test-templates}/debian-12-x86_64-$key.tar.xz
if [ -s "$debcache" ]; then
	ln -s "$debcache" "$T/template/cache/debian-12-x86_64.tar.xz"
	run vz create 121 --ostemplate debian-12-x86_64 --ipadd 203.0.113.121 --ipadd 2001:db8::121
	run vz start 121 --wait
	is "$rc" 0 "start a routed Debian 12 CT"
	run vz exec 121 'systemctl is-system-running'
	is "$out" "running" "systemd is running, no failed unit"
	run vz exec 121 'cat /etc/systemd/network/50-vz-venet0.network /etc/network/interfaces.d/venet0'
	like "$out" "Address=203.0.113.121/32" "debian-add_ip.sh wrote the systemd-networkd file"
	like "$out" "up ip addr replace 2001:db8::121/128 dev venet0" "and the ifupdown one"
	run outside busybox ping -c 1 -W 3 2001:db8::121
	is "$rc" 0 "the Debian CT answers on IPv6"
	run vz stop 121 --fast
else
	for i in 1 2 3 4 5; do
		n=$((n + 1))
		echo "ok $n # SKIP no Debian 12 cache (17-debian.t builds it)"
	done
fi

# ---- stop leaves the node as it was
for id in 101 102 104 105 121; do vz stop "$id" --fast >/dev/null 2>&1; done
ok "$(ls "$T"/run/*.net >/dev/null 2>&1; [ $? -ne 0 ]; echo $?)" "no network record left"
# The host ends go with the CTs' network namespaces, which the kernel tears
# down in the background: give it a moment.
for i in $(seq 40); do
	node -o link show | grep -Eq 'venet|veth10' || break
	sleep 0.05
done
after=$(snapshot)
is "$after" "$before" "links, routes (all tables, v4 and v6) and proxy entries as before"
[ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | sed 's/^/# /'

for id in 101 102 104 105 121; do vz destroy "$id" >/dev/null 2>&1; done
is "$(ls -A "$T/run")" "" "destroy leaves nothing of the CTs' networks in RUNDIR"
finish
