#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# The whole life of a CT: create, mount, start, status, exec*, set, stop,
# restart, destroy; status golden lines; exec exit codes.
. "$(dirname "$0")/lib.sh"
require_root
setup_node

run "$vzctl" status 101
is "$out" "CTID 101 deleted unmounted down" "status of a CT that does not exist"

run "$vzctl" create 101 --ostemplate busybox --hostname ct101.example.org --name web1
is "$rc" 0 "create from the busybox cache"
ok "$([ -f "$T/etc/conf/101.conf" ]; echo $?)" "create wrote conf/101.conf"
is "$(grep -c '^OSTEMPLATE="busybox"$' "$T/etc/conf/101.conf")" 1 "OSTEMPLATE saved without suffix"
is "$(readlink "$T/etc/names/web1")" "$T/etc/conf/101.conf" "names/web1 points to the config"
is "$(stat -c %u "$T/private/101/bin/busybox")" 300000 "files are owned by the CT's id range"
ok "$([ ! -e "$T/private/101.tmp" ]; echo $?)" "no .tmp left behind"

run "$vzctl" status web1
is "$out" "CTID 101 exist unmounted down" "status by name, stopped"

run "$vzctl" mount 101
is "$rc" 0 "mount"
run "$vzctl" status 101
is "$out" "CTID 101 exist mounted down" "status mounted"
run "$vzctl" umount 101
is "$rc" 0 "umount"

run "$vzctl" start 101 --wait
is "$rc" 0 "start --wait"
run "$vzctl" status 101
is "$out" "CTID 101 exist mounted running" "status running"

run "$vzctl" exec 101 'echo $((6*7))'
is "$out" "42" "exec runs the joined arguments through sh -c"
run "$vzctl" exec 101 false
is "$rc" 8 "exec of a failing command exits 8"
run "$vzctl" exec2 101 'exit 7'
is "$rc" 7 "exec2 returns the command's exit code"
run "$vzctl" exec3 101 /bin/echo "a  b" c
is "$out" "a  b c" "exec3 passes argv without a shell"
run "$vzctl" exec3 101 /no/such/program
is "$rc" 127 "exec3 of a missing program returns 127"
out=$(printf 'echo from-stdin\nexit 3\n' | "$vzctl" exec2 101 - 2>&1); rc=$?
is "$out:$rc" "from-stdin:3" "exec - reads a script from stdin"
printf 'echo script $VEID_UNSET ran in $(hostname)\n' >"$T/script.sh"
run "$vzctl" runscript 101 "$T/script.sh"
is "$out" "script ran in ct101.example.org" "runscript runs a host script inside"

run "$vzctl" exec 101 hostname
is "$out" "ct101.example.org" "the CT has its own host name"
run "$vzctl" exec 101 'cat /etc/hostname'
is "$out" "ct101.example.org" "/etc/hostname follows HOSTNAME"
run "$vzctl" exec 101 'echo $PATH:$HOME:${SSH_AUTH_SOCK:-none}:$(id -u)'
is "$out" "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/root:none:0" \
	"exec gets a clean environment as root"
run "$vzctl" exec 101 'ls /proc/self/fd | wc -l'
is "$out" "4" "exec leaks no host file descriptor (0 1 2 + ls's own)"

run "$vzctl" set 101 --hostname renamed.example.org --save
is "$rc" 0 "set --hostname --save on a running CT"
run "$vzctl" exec 101 hostname
is "$out" "renamed.example.org" "host name changed live"
is "$(grep '^HOSTNAME=' "$T/etc/conf/101.conf")" 'HOSTNAME="renamed.example.org"' "and saved"
run "$vzctl" exec 101 'grep "renamed.example.org" /etc/hosts'
like "$out" "^127.0.1.1[[:space:]]+renamed.example.org renamed" "SET_HOSTNAME puts the name in /etc/hosts"
run "$vzctl" set 101 --description "web server" --onboot yes
like "$out" "not saved" "set without --save warns"
ok "$(grep -q DESCRIPTION "$T/etc/conf/101.conf"; [ $? -ne 0 ]; echo $?)" "and does not save"
run "$vzctl" set 101 --nameserver 192.0.2.53 --searchdomain example.org --save
run "$vzctl" exec 101 'cat /etc/resolv.conf'
is "$out" "$(printf 'search example.org\nnameserver 192.0.2.53')" "nameserver applied live"
run "$vzctl" set 101 --userpasswd guest:secret
is "$rc" 0 "userpasswd adds a user and sets a password"
run "$vzctl" exec 101 'grep -c "^guest:" /etc/shadow'
is "$out" "1" "the user exists in the CT's shadow"

run "$vzctl" restart 101 --fast
is "$rc" 0 "restart"
run "$vzctl" exec 101 'grep -c "renamed.example.org" /etc/hosts; cat /etc/resolv.conf'
is "$out" "$(printf '1\nsearch example.org\nnameserver 192.0.2.53')" "host name and DNS are applied again at start"
run "$vzctl" status 101
is "$out" "CTID 101 exist mounted running" "running after restart"

# NAMESERVER="inherit" (vz.conf's usual default) is the host's servers, at every start.
sed -i 's/^NAMESERVER=.*/NAMESERVER="inherit"/' "$T/etc/conf/101.conf"
want="search example.org"
for ns in $(awk '$1 == "nameserver" { print $2 }' /etc/resolv.conf); do
	want=$(printf '%s\nnameserver %s' "$want" "$ns")
done
run "$vzctl" restart 101 --fast
run "$vzctl" exec 101 'cat /etc/resolv.conf'
is "$out" "$want" "NAMESERVER=inherit gives the CT the host's name servers at start"

run "$vzctl" stop 101
is "$rc" 0 "graceful stop through the CT's init"
like "$out" "Container was stopped" "stop reports it"
run "$vzctl" status 101
is "$out" "CTID 101 exist unmounted down" "stopped and unmounted"
ok "$([ -z "$(ls "$T/run")" ]; echo $?)" "no run state left after stop"
ok "$(find /sys/fs/cgroup -type d -path "*vztest-$$/101" | grep -q .; [ $? -ne 0 ]; echo $?)" \
	"no cgroup left after stop"

run "$vzctl" start 101
"$vzctl" exec 101 'halt' >/dev/null 2>&1
for i in $(seq 50); do "$vzctl" status 101 | grep -q down && break; sleep 0.1; done
run "$vzctl" status 101
is "$out" "CTID 101 exist unmounted down" "halt inside the CT stops and unmounts it"

# Action scripts: global and per-CT on the host, <CTID>.start/.stop inside.
printf 'echo "$VEID $VE_ROOT" >> %s/actions\n' "$T" >"$T/etc/conf/vps.mount"
printf 'echo "premount $VEID" >> %s/actions\n' "$T" >"$T/etc/conf/101.premount"
printf 'echo "umount $VEID" >> %s/actions\n' "$T" >"$T/etc/conf/101.umount"
printf 'hostname > /tmp/started-in\n' >"$T/etc/conf/101.start"
printf 'echo stopped > /tmp/stopped-in\n' >"$T/etc/conf/101.stop"
run "$vzctl" start 101
is "$(cat "$T/actions" 2>/dev/null | tr '\n' ' ')" "premount 101 101 $T/root/101 " \
	"premount and mount scripts run on the host with VEID and VE_ROOT"
is "$(cat "$T/private/101/tmp/started-in" 2>/dev/null)" "renamed.example.org" "101.start runs inside the CT"
run "$vzctl" stop 101 --fast
is "$(cat "$T/private/101/tmp/stopped-in" 2>/dev/null)" "stopped" "101.stop runs inside the CT before it stops"
like "$(tail -1 "$T/actions")" "umount 101" "umount script runs at stop"
printf 'exit 3\n' >"$T/etc/conf/101.premount"
run "$vzctl" start 101
is "$rc" 79 "a failing premount script -> 79"
run "$vzctl" status 101
is "$out" "CTID 101 exist unmounted down" "and the CT is neither mounted nor started"
rm -f "$T/etc/conf/"101.{premount,umount,start,stop} "$T/etc/conf/vps.mount"

run "$vzctl" destroy 101
is "$rc" 0 "destroy"
run "$vzctl" status 101
is "$out" "CTID 101 deleted unmounted down" "status after destroy"
ok "$([ ! -e "$T/private/101" ] && [ -f "$T/etc/conf/101.conf.destroyed" ] && [ ! -L "$T/etc/names/web1" ]; echo $?)" \
	"private area removed, config renamed, name link gone"
# POST_CREATE: a host script with the new CT mounted; failing, it leaves no CT.
printf 'echo "$VEID" > "$VE_ROOT/etc/post-created"\n' >"$T/etc/dists/scripts/test-post.sh"
echo 'POST_CREATE=test-post.sh' >>"$T/etc/dists/busybox.conf"
run "$vzctl" create 101 --ostemplate busybox
is "$rc" 0 "the id can be used again"
is "$(cat "$T/private/101/etc/post-created" 2>/dev/null)" "101" "POST_CREATE ran on the mounted CT with VEID and VE_ROOT"
run "$vzctl" status 101
is "$out" "CTID 101 exist unmounted down" "and left it unmounted"
printf 'exit 4\n' >"$T/etc/dists/scripts/test-post.sh"
run "$vzctl" create 109 --ostemplate busybox
is "$rc" 79 "a failing POST_CREATE -> 79"
ok "$([ ! -e "$T/etc/conf/109.conf" ] && [ ! -e "$T/private/109" ] && ! mountpoint -q "$T/root/109"; echo $?)" \
	"and no CT is left behind"
"$vzctl" destroy 101 >/dev/null 2>&1
finish
