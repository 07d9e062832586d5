#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# guest-needs: criu nft ssh ssh-keygen
#
# Live migration of a full system: a Debian 12 CT (17-debian.t's template
# cache) boots systemd and sshd on node A; a client on the LAN logs in with
# a key and keeps one ssh session open, a shell answering each line it is
# sent with a count kept in that shell.  vzmigrate --online moves the CT to
# node B (network namespaces as in 83-migrate-online.t): the same session
# answers with the next count, systemd is still PID 1 and running (or
# degraded), a new login works, and node A holds nothing of the CT.  What
# it takes: no service in a UTS namespace of its own (templates/mk-debian:
# CRIU cannot dump one), and systemd's cgroup tree with its controllers
# recreated before CRIU restores the inotify watches on it (lib/cpt-meta.c).
# Those controllers are enabled only after CRIU has passed init through the
# CT's group, the root of its cgroup namespace (a group with controllers
# enabled for its children takes no process): systemd enables some there
# shortly after boot or not, so the test enables memory itself, and the
# restore always meets that case.
. "$(dirname "$0")/lib.sh"
require_root
require_criu
command -v nsenter >/dev/null || skip_all "nsenter (package util-linux) missing"
command -v ip >/dev/null || skip_all "ip (package iproute2) missing"
command -v ssh >/dev/null && command -v ssh-keygen >/dev/null ||
	skip_all "ssh, ssh-keygen (package openssh-client) missing"
vzmigrate=$VZ_BUILD/vzmigrate
[ -x "$vzmigrate" ] || skip_all "$vzmigrate not built"
key=$(sha256sum "$repo/templates/mk-debian" | cut -c1-12)
cache=${VZ_TEST_CACHE_DIR:-/var/cache/vz/test-templates}/debian-12-x86_64-$key.tar.xz
[ -s "$cache" ] || skip_all "no Debian 12 cache $cache (17-debian.t builds it)"
setup_lan_migration
ln -s "$cache" "$A/template/cache/debian-12-x86_64.tar.xz"
ln -s "$cache" "$B/template/cache/debian-12-x86_64.tar.xz"

CT=185
IP=192.0.2.185
HN=deb185.example.org
# ssh_ct ARGS...: ssh from the LAN client into the CT as root with the key
ssh_ct() {
	lan ssh -i "$A/id" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=60 root@$IP "$@"
}

run onA "$vzctl" create $CT --ostemplate debian-12-x86_64 --ipadd $IP --hostname $HN
is "$rc" 0 "create a Debian 12 CT with $IP on node A"
run onA "$vzctl" start $CT --wait
is "$rc" 0 "start it (systemd)"
run onA "$vzctl" exec $CT 'timeout 180 systemctl is-system-running --wait'
like "$out" "^(running|degraded)$" "systemd is up on node A ($out)"
ssh-keygen -q -t ed25519 -N '' -C vztest -f "$A/id"
run onA "$vzctl" exec $CT "umask 077 && mkdir -p /root/.ssh && echo '$(cat "$A/id.pub")' >/root/.ssh/authorized_keys"
is "$rc" 0 "the client's key in root's authorized_keys"
for i in $(seq 60); do
	run onA "$vzctl" exec $CT 'ss -Hltn "sport = :22" | wc -l'
	[ "$out" -ge 1 ] 2>/dev/null && break
	sleep 1
done
run ssh_ct 'echo login-$(hostname)'
is "$out" "login-$HN" "ssh login into the CT with the key"

# The session kept open: a shell in the CT that answers each line with the
# number of lines it has read.
coproc SSH { ssh_ct 'n=0; while read -r l; do n=$((n+1)); echo "$l $n $(hostname)"; done' 2>&1; }
# ask WORD: the session's answer in $ans (coproc descriptors: no subshell)
ask() {
	ans=none
	echo "$1" >&"${SSH[1]}" && read -r -t 180 ans <&"${SSH[0]}"
}
ask one
r1=$ans
is "$r1" "one 1 $HN" "the ssh session answers on node A"

cgroup_of() { sed -n 's/^CGROUP_[0-9]*=":\(.*\)"$/\1/p' "$1/run/$CT.state" | head -1; }
cg_a=$(cgroup_of "$A")
echo "# node A: $(find "$cg_a" -mindepth 1 -type d | wc -l) groups below the CT's, its subtree_control '$(cat "$cg_a/cgroup.subtree_control")'"

grep -qw memory "$cg_a/cgroup.subtree_control" || echo +memory >"$cg_a/cgroup.subtree_control"
like "$(cat "$cg_a/cgroup.subtree_control")" '(^| )memory( |$)' \
	"the CT's group has memory enabled for its children, as systemd may do"
# (--keep-dst: on failure B keeps what it received, for the diagnostics below)
lan_receive "$B" $NB 192.0.2.11
run onA "$vzmigrate" --online --keep-dst -t tcp:192.0.2.11:$PORT $CT
is "$rc" 0 "vzmigrate --online A -> B"
printf '# %s\n' "$out"
wait $recv_pid
if [ "$rc" -ne 0 ]; then
	printf '# %s\n' "$(cat "$B/recv.log")"
	for f in "$A"/dump/migrate.$CT/dump/dump.log "$A"/dump/migrate.$CT.log \
		$(find "$B/dump" -name restore.log 2>/dev/null); do
		[ -s "$f" ] && { echo "# --- $f"; grep -E "Error|Warn|cg:|cgns|Can't move" "$f" | tail -40 | sed 's/^/# /'; }
	done
	finish
	exit 1
fi
run onB "$vzctl" status $CT
is "$out" "CTID $CT exist mounted running" "the CT runs on node B"
cg_b=$(cgroup_of "$B")
echo "# node B: $(find "$cg_b" -mindepth 1 -type d | wc -l) groups below the CT's, its subtree_control '$(cat "$cg_b/cgroup.subtree_control")'"
ct_gone "$A"
ok $? "node A holds nothing of the CT"
ask two
r2=$ans
is "$r2" "two 2 $HN" "the same ssh session answers from node B, its shell state intact"
run onB "$vzctl" exec $CT 'readlink -f /proc/1/exe'
is "$out" "/usr/lib/systemd/systemd" "systemd is still PID 1"
run onB "$vzctl" exec $CT 'systemctl is-system-running'
like "$out" "^(running|degraded)$" "systemd is running ($out)"
[ "$out" = degraded ] && onB "$vzctl" exec $CT 'systemctl --failed --no-legend --plain' | sed 's/^/#   failed: /'
run ssh_ct 'echo new-$(hostname); systemctl is-active ssh'
is "$out" "$(printf 'new-%s\nactive' $HN)" "a new ssh login works on node B, sshd active"
ask three
r3=$ans
is "$r3" "three 3 $HN" "the first session still answers"
eval "exec ${SSH[1]}>&-"
run onB "$vzctl" stop $CT
is "$rc" 0 "stop the CT on node B through systemd"

finish
