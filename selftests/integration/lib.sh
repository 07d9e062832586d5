# SPDX-License-Identifier: GPL-2.0-or-later
# Shared TAP helpers and a private node tree for the vzctl integration tests.
# Every test runs in its own mktemp -d tree (VZ_CONFDIR, LOCKDIR, VE_ROOT ...),
# puts CT cgroups under the caller's own cgroup, and cleans up with a trap.

set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
VZ_BUILD=${VZ_BUILD:-$repo/build}
vzctl=$VZ_BUILD/vzctl
vzlist=$VZ_BUILD/vzlist

n=0
failed=0
ok() { # ok EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
is() { # is GOT WANT DESCRIPTION
	n=$((n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
		failed=$((failed + 1))
	fi
}
like() { # like GOT REGEX DESCRIPTION
	n=$((n + 1))
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		printf '#   got: %s\n#   expected to match: %s\n' "$1" "$2"
		failed=$((failed + 1))
	fi
}
# run CMD...: sets $out (stdout+stderr) and $rc
run() {
	out=$("$@" 2>&1)
	rc=$?
}
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
finish() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
	[ -x "$vzctl" ] || skip_all "$vzctl not built"
	[ -x /bin/busybox ] || skip_all "/bin/busybox missing (package busybox-static)"
}

# require_cgroup2_view: re-run the calling test in a private mount namespace
# whose /sys/fs/cgroup is the host's cgroup2 hierarchy (skip without one).
require_cgroup2_view() {
	[ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] ||
		[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || skip_all "no cgroup2 hierarchy"
	command -v unshare >/dev/null || skip_all "unshare missing (util-linux)"
	[ "${VZ_IN_V2_NS:-}" = 1 ] && return
	exec unshare -m --propagation private env VZ_IN_V2_NS=1 bash -c '
		if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
			mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup || exit 1
		fi
		exec bash "$0"' "$0"
}

# setup_node [LOCAL_UID]: a private node tree with a busybox template.
# require_criu: skip unless this kernel and CRIU can checkpoint.
require_criu() {
	command -v criu >/dev/null || skip_all "criu (package criu) missing"
	local out
	out=$(criu check 2>&1) ||
		skip_all "CRIU $(criu --version | sed -n 's/^Version: //p') cannot checkpoint on kernel $(uname -r): $(printf '%s' "$out" | grep Error | tail -1)"
}

setup_node() {
	T=$(mktemp -d /tmp/vz-test.XXXXXX)
	chmod 755 "$T"
	mkdir -p "$T/etc/conf" "$T/template/cache"
	cat >"$T/etc/vz.conf" <<CONF
LOCKDIR="$T/lock"
DUMPDIR="$T/dump"
TEMPLATE="$T/template"
VE_ROOT="$T/root/\$VEID"
VE_PRIVATE="$T/private/\$VEID"
RUNDIR="$T/run"
CGROUP_PARENT="vztest-$$"
LOGGING="yes"
LOGFILE="$T/vzctl.log"
LOCAL_UID="${1:-300000}"
LOCAL_GID="${1:-300000}"
STOP_TIMEOUT="10"
CONF
	export VZ_CONFDIR="$T/etc"
	cp -r "$repo/etc/dists" "$T/etc/dists"
	local cache=${VZ_TEST_CACHE:-/tmp/vz-test-busybox.tar.gz}
	if [ ! -s "$cache" ] || [ "$repo/templates/mk-busybox" -nt "$cache" ]; then
		sh "$repo/templates/mk-busybox" "${cache%.tar.gz}.$$.tar.gz" >/dev/null &&
			mv "${cache%.tar.gz}.$$.tar.gz" "$cache"
	fi
	cp "$cache" "$T/template/cache/busybox.tar.gz"
	trap cleanup_node EXIT
}

# Stop every CT of this tree (we started them all) and remove the tree.
cleanup_node() {
	local f id
	for f in "$T"/run/*.state; do
		[ -e "$f" ] || continue
		id=$(basename "$f" .state)
		"$vzctl" --quiet stop "$id" --fast >/dev/null 2>&1
	done
	for f in "$T"/root/*; do
		[ -d "$f" ] && mountpoint -q "$f" && umount -l "$f"
	done
	rm -rf "$T"
	# setup_second_node's CTs live under vztest-$$-b; a CT's group left by a
	# killed command goes too (only empty ones can be removed)
	find /sys/fs/cgroup -depth -type d \( -path "*/vztest-$$" -o -path "*/vztest-$$/*" \
		-o -path "*/vztest-$$-b" -o -path "*/vztest-$$-b/*" \) -exec rmdir {} \; 2>/dev/null
}

# setup_second_node (after setup_node): A=$T and B, a second node's tree
# with the same template cache and dists, for migrations between them.
setup_second_node() {
	A=$T
	B=$(mktemp -d /tmp/vz-test.XXXXXX)
	chmod 755 "$B"
	mkdir -p "$B/etc/conf" "$B/template/cache"
	cp "$A/template/cache/busybox.tar.gz" "$B/template/cache/"
	sed "s|$A|$B|g; s|vztest-$$|vztest-$$-b|" "$A/etc/vz.conf" >"$B/etc/vz.conf"
	cp -r "$A/etc/dists" "$B/etc/"
}

# setup_lan_nodes: network namespaces $LAN (a bridge with the client at
# 192.0.2.2), $NA (node A, 192.0.2.10) and $NB (node B, 192.0.2.11), both
# nodes answering ARP for their CTs on eth0; onA/onB run a command on a
# node, lan on the client.  The caller's EXIT trap deletes the namespaces.
LAN=vzt-lan-$$ NA=vzt-a-$$ NB=vzt-b-$$
setup_lan_nodes() {
	local node x tag ns addr
	for node in "$A" "$B"; do echo 'NEIGHBOUR_DEVS="eth0"' >>"$node/etc/vz.conf"; done
	ip netns add $LAN && ip netns add $NA && ip netns add $NB || return 1
	ip -n $LAN link add br0 type bridge
	ip -n $LAN addr add 192.0.2.2/24 dev br0
	for x in a:$NA:10 b:$NB:11; do
		IFS=: read -r tag ns addr <<<"$x"
		ip -n $LAN link add lan-$tag type veth peer name eth0 netns $ns
		ip -n $LAN link set lan-$tag master br0 up
		ip -n $ns addr add 192.0.2.$addr/24 dev eth0
		ip -n $ns link set eth0 up
		ip -n $ns link set lo up
		ip netns exec $ns sysctl -qw net.ipv4.ip_forward=1
	done
	ip -n $LAN link set br0 up
	ip -n $LAN link set lo up
}
cleanup_lan_nodes() {
	ip netns del $LAN 2>/dev/null
	ip netns del $NA 2>/dev/null
	ip netns del $NB 2>/dev/null
}
# lan_receive NODE-DIR NETNS ADDR: "$vzmigrate" --listen ADDR:$PORT on that
# node for one migration, returning once it listens; its pid in $recv_pid
lan_receive() {
	local i
	rm -f "$1/recv.log"
	nsenter --net=/run/netns/$2 env VZ_CONFDIR=$1/etc "$vzmigrate" --listen $3:$PORT >"$1/recv.log" 2>&1 &
	recv_pid=$!
	for i in $(seq 200); do grep -q listening "$1/recv.log" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
# setup_lan_migration: setup_node, the second node, the LAN namespaces,
# $PORT for the migrations, and an EXIT trap (lan_mig_cleanup) that kills
# the test's background jobs and removes both nodes and the namespaces.
lan_mig_cleanup() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	nsenter --net=/run/netns/$NB env VZ_CONFDIR=$B/etc T=$B bash -c ". $here/lib.sh; T=$B; cleanup_node" 2>/dev/null
	# a small file system a test put over node B's dump directory
	mountpoint -q "$B/dump" && umount -l "$B/dump"
	T=$A
	cleanup_node
	cleanup_lan_nodes
}
setup_lan_migration() {
	setup_node
	setup_second_node
	trap lan_mig_cleanup EXIT
	setup_lan_nodes || skip_all "cannot create network namespaces"
	PORT=$((20000 + $$ % 20000))
}
# Of CT $CT on a node (NODE-DIR): ct_state NODE-DIR KEY, a value of its
# state file; ct_counter, what its counter process last wrote to
# /tmp/counter; ct_runs, the counter advances there within a second;
# ct_gone, nothing of the CT there (config, private area, state file, an
# incoming dump or its record).
ct_state() { sed -n "s/^$2=\"\\(.*\\)\"/\\1/p" "$1/run/$CT.state"; }
ct_counter() { cat "$1/root/$CT/tmp/counter" 2>/dev/null; }
ct_runs() {
	local a b
	a=$(ct_counter "$1"); sleep 1; b=$(ct_counter "$1")
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]
}
ct_gone() {
	[ ! -e "$1/etc/conf/$CT.conf" ] && [ ! -e "$1/private/$CT" ] && [ ! -e "$1/run/$CT.state" ] &&
		[ ! -e "$1/dump/Dump.$CT.incoming" ] && [ ! -e "$1/lock/$CT.incoming" ]
}
# lan_client IP [PORT [NAME]]: one connection from the LAN client to a
# CT's server on PORT (default 8080; a line in, a line out), asked through
# the fifo $A/NAME (default "ask"): ask WORD, or ask_on NAME WORD, is the
# answer (needs $A)
lan_client() {
	local port=${2:-8080} fifo=$A/${3:-ask}
	rm -f "$fifo"
	mkfifo "$fifo"
	lan bash -c '
		for i in $(seq 40); do (exec 3<>/dev/tcp/'$1'/'$port') 2>/dev/null && break; sleep 0.5; done
		exec 3<>/dev/tcp/'$1'/'$port' || exit 1
		exec 4<>'"$fifo"'
		while read -r q <&4; do
			echo "$q" >&3
			if read -t 120 r <&3; then echo "$r" >'"$fifo"'.ans.$q; else echo "none" >'"$fifo"'.ans.$q; fi
		done' </dev/null >/dev/null 2>&1 &
}
ask_on() {
	rm -f "$A/$1.ans.$2"
	echo "$2" >"$A/$1"
	for i in $(seq 630); do [ -s "$A/$1.ans.$2" ] && break; sleep 0.2; done
	cat "$A/$1.ans.$2" 2>/dev/null
}
ask() { ask_on ask "$1"; }
onA() { nsenter --net=/run/netns/$NA env VZ_CONFDIR=$A/etc "$@"; }
onB() { nsenter --net=/run/netns/$NB env VZ_CONFDIR=$B/etc "$@"; }
lan() { nsenter --net=/run/netns/$LAN "$@"; }
