#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# A Debian 12 CT is a real system: systemd as PID 1 reaching "running" with
# no failed unit, journald, sshd listening, host name/DNS/password set by
# vzctl, a login shell from enter, shutdown through systemd.  The cache is
# built once per machine with debootstrap from apt's mirror and reused,
# keyed by the builder script (its package list), outside the repository.
. "$(dirname "$0")/lib.sh"
require_root
setup_node

key=$(sha256sum "$repo/templates/mk-debian" | cut -c1-12)
cache_dir=${VZ_TEST_CACHE_DIR:-/var/cache/vz/test-templates}
cache=$cache_dir/debian-12-x86_64-$key.tar.xz
mkdir -p "$cache_dir"
if [ ! -s "$cache" ]; then
	command -v debootstrap >/dev/null || skip_all "debootstrap missing (package debootstrap)"
	echo "# building the Debian 12 cache (debootstrap, a few minutes)"
	if ! sh "$repo/templates/mk-debian" "$cache_dir/debian-12-x86_64-$key.tmp.tar.xz" 2>"$T/mk.log"; then
		if grep -qE "Failed getting release|Couldn't download|Temporary failure|unable to fetch" "$T/mk.log"; then
			skip_all "the Debian mirror of apt's sources is unreachable"
		fi
		sed 's/^/# /' "$T/mk.log" | tail -20
		echo "not ok 1 - build the Debian 12 cache"
		echo "1..1"
		exit 1
	fi
	mv "$cache_dir/debian-12-x86_64-$key.tmp.tar.xz" "$cache"
	rm -f "$cache_dir/debian-12-x86_64-$key.tmp.packages"
fi
ln -s "$cache" "$T/template/cache/debian-12-x86_64.tar.xz"

run "$vzctl" create 120 --ostemplate debian-12-x86_64 --hostname deb120.example.org
is "$rc" 0 "create a Debian 12 CT"
ok "$([ "$(cat "$T/private/120/etc/machine-id")" = "" ]; echo $?)" "the cache carries no machine-id"
ok "$(ls "$T/private/120/etc/ssh/" | grep -q ssh_host; [ $? -ne 0 ]; echo $?)" "nor ssh host keys"
run "$vzctl" start 120 --wait
is "$rc" 0 "start --wait returns once systemd is up"
run "$vzctl" exec 120 'systemctl is-system-running'
is "$out" "running" "systemd reports running"
run "$vzctl" exec 120 'systemctl --failed --no-legend --plain | wc -l'
is "$out" "0" "no failed unit"
run "$vzctl" exec 120 'readlink -f /proc/1/exe'
is "$out" "/usr/lib/systemd/systemd" "systemd is PID 1"
run "$vzctl" exec 120 'ss -Hltn "sport = :22" | wc -l'
ok "$([ "$out" -ge 1 ]; echo $?)" "sshd listens on port 22"
run "$vzctl" exec 120 'test -s /etc/ssh/ssh_host_ed25519_key && test -s /etc/machine-id && echo yes'
is "$out" "yes" "host keys and machine-id were made at first boot"
run "$vzctl" exec 120 'logger -t vztest hello-journal; sleep 0.5; journalctl -b -t vztest --no-pager -o cat'
is "$out" "hello-journal" "journald records messages"
run "$vzctl" exec 120 hostname
is "$out" "deb120.example.org" "host name"
run "$vzctl" set 120 --nameserver 192.0.2.53 --searchdomain example.org --userpasswd root:s3cret --save
is "$rc" 0 "set DNS and the root password"
run "$vzctl" exec 120 'grep -c "^nameserver 192.0.2.53$" /etc/resolv.conf'
is "$out" "1" "DNS server in resolv.conf"
run "$vzctl" exec 120 'grep "^root:" /etc/shadow | cut -d: -f2 | cut -c1-3'
is "$out" '$y$' "root password set (yescrypt hash)"
if command -v script >/dev/null; then
	out=$( (sleep 1; printf 'shopt -q login_shell && echo login-shell; echo $0\nexit\n'; sleep 0.5) |
		timeout 20 script -qec "$vzctl enter 120" /dev/null | tr -d '\r')
	like "$out" "login-shell" "enter gives a login shell"
	like "$out" "/bin/bash" "running bash"
fi
run "$vzctl" stop 120
is "$rc" 0 "stop through systemd"
run "$vzctl" status 120
is "$out" "CTID 120 exist unmounted down" "down and unmounted"
run "$vzctl" start 120 --wait
run "$vzctl" exec 120 'systemctl is-system-running; hostname'
is "$out" "$(printf 'running\ndeb120.example.org')" "second boot is as good as the first"
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	cg=$(sed -n 's/^CGROUP_[0-9]*=":\(.*\)"$/\1/p' "$T/run/120.state" | head -1)
	run "$vzctl" exec 120 'cat /proc/self/cgroup; systemctl show -P ControlGroup init.scope'
	# The exec joins the CT's group itself, or its .vzctl leaf at a moment
	# when systemd has controllers enabled for its children (it does so
	# while a unit that needs one runs, e.g. one started by a timer after
	# boot); either way it is inside the CT's tree, and systemd's own
	# units are below the CT's group.  The leaf case is forced below.
	in_ct=1
	case "$out" in
	"$(printf '0::/\n/init.scope')") in_ct=0; echo "# exec joined the CT's group" ;;
	"$(printf '0::/.vzctl\n/init.scope')")
		in_ct=0; echo "# exec joined the .vzctl leaf: subtree_control '$(cat "$cg/cgroup.subtree_control")'" ;;
	*) printf '%s\n' "$out" | sed 's/^/#   got: /' ;;
	esac
	ok "$in_ct" "cgroup v2: systemd's units below the CT's group, exec in it"
	# As systemd does for a unit that needs a controller: enable it for the
	# children.  The group may then hold no process: exec joins a leaf.
	echo +pids >"$cg/cgroup.subtree_control"
	run "$vzctl" exec 120 'cat /proc/self/cgroup; systemctl is-system-running'
	is "$out" "$(printf '0::/.vzctl\nrunning')" "cgroup v2: with controllers enabled below it, exec joins the .vzctl leaf"
fi
"$vzctl" --quiet stop 120 >/dev/null 2>&1

head -c 1000000 "$cache" >"$T/template/cache/debian-broken.tar.xz"
run "$vzctl" create 121 --ostemplate debian-broken
is "$rc" 91 "a truncated Debian cache -> 91"
ok "$([ ! -e "$T/etc/conf/121.conf" ] && [ ! -e "$T/private/121" ] && [ ! -e "$T/private/121.tmp" ]; echo $?)" \
	"and no CT is left behind"
"$vzctl" --quiet destroy 120 >/dev/null 2>&1

# The same system on the overlay layout (the unpacked cache shared read-only,
# through an idmapped mount for this user-namespaced CT).
run "$vzctl" create 122 --ostemplate debian-12-x86_64 --layout overlay --hostname deb122.example.org
is "$rc" 0 "overlay: create a Debian 12 CT"
run "$vzctl" start 122 --wait
is "$rc" 0 "overlay: start --wait"
run "$vzctl" exec 122 'systemctl is-system-running; hostname; ss -Hltn "sport = :22" | wc -l'
like "$(echo $out)" "^running deb122.example.org [1-9]" "overlay: systemd running, sshd listening"
run "$vzctl" stop 122
is "$rc" 0 "overlay: stop through systemd"
run "$vzctl" destroy 122
is "$rc" 0 "overlay: destroy"

# A mirror that does not answer: a clear error, nothing half-written in the cache.
if ! command -v debootstrap >/dev/null; then # the QEMU guest: the cache came from the host
	for i in 1 2 3 4; do
		n=$((n + 1))
		echo "ok $n # SKIP vztmpl create needs debootstrap (package debootstrap)"
	done
	finish
	exit
fi
out=$(MIRROR=http://127.0.0.1:9/debian VZ_TEMPLATE_SCRIPTS=$repo/templates \
	timeout 120 "$VZ_BUILD/vztmpl" create debian-12-x86_64 --force 2>&1)
rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "vztmpl create with an unreachable mirror fails ($rc)"
like "$out" "debootstrap failed \(mirror http://127.0.0.1:9/debian\)" "naming the mirror"
is "$(ls -A "$T/template/cache" | grep -v -e '^debian-12-x86_64.tar.xz$' -e '^debian-broken.tar.xz$' -e '^busybox.tar.gz$' -e '^\..*\.lock$' | tr '\n' ' ')" "" \
	"and leaves nothing in the cache directory"
ok "$([ -L "$T/template/cache/debian-12-x86_64.tar.xz" ]; echo $?)" "the existing cache is kept"
finish
