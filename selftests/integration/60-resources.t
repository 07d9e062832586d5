#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# guest-needs: losetup
# Resource management on the real cgroups of this kernel (v1 hybrid here,
# v2 in the guest): bad values change nothing, limits at start and live,
# a fork bomb stops at numproc, a memory hog is OOM-killed inside its CT,
# --cpulimit holds, --devices opens and closes a device, what the kernel
# cannot enforce is said (and is an error with --strict), --applyconfig,
# --setmode, --reset_ub.
. "$(dirname "$0")/lib.sh"
require_root
setup_node
cp "$repo"/etc/conf/ve-*.conf-sample "$T/etc/conf/"

v2=false
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && v2=true

# cgdir CTID CONTROLLER: the CT's group of a v1 controller (its v2 group on v2).
cgdir() {
	local line ctrls path
	while IFS= read -r line; do
		case $line in CGROUP_*) ;; *) continue ;; esac
		line=${line#*=\"}
		line=${line%\"}
		ctrls=${line%%:/*}
		path=${line#"$ctrls":}
		if $v2 && [ -z "$ctrls" ]; then
			echo "$path"
			return
		fi
		case ",$ctrls," in *",$2,"*) echo "$path" && return ;; esac
	done <"$T/run/$1.state"
}
# ubc CTID RESOURCE COLUMN(1 held .. 5 failcnt): a value of "vzctl ubc".
ubc() {
	"$vzctl" ubc "$1" | awk -v r="$2" -v c="$3" '
		NR > 2 { if ($1 ~ /:$/) { name = $2; o = 2 } else { name = $1; o = 1 }
			 if (name == r) print $(o + c) }'
}
# cpu_ns CTID: CPU time the CT's group used, in ns.
cpu_ns() {
	local d
	if $v2; then
		d=$(cgdir "$1" "")
		# In shell arithmetic: awk's %d may stop at 2^31 (mawk, busybox).
		echo $(($(awk '$1 == "usage_usec" { print $2 }' "$d/cpu.stat") * 1000))
	else
		d=$(cgdir "$1" cpuacct)
		cat "$d/cpuacct.usage"
	fi
}
mem_limit_file() {
	if $v2; then echo "$(cgdir "$1" "")/memory.max"; else echo "$(cgdir "$1" memory)/memory.limit_in_bytes"; fi
}
now_ms() { date +%s%3N; }
# numproc_limit CTID: the enforced NUMPROC, from whichever controller enforces
# it (vz's kernel: the beancounter controller; otherwise pids.max).
numproc_limit() {
	local d
	if $v2 && d=$(cgdir "$1" "") && [ -e "$d/beancounter.limit" ]; then
		awk '$1 == "numproc" { print $2 }' "$d/beancounter.limit"
	elif $v2; then
		cat "$(cgdir "$1" "")/pids.max"
	else
		cat "$(cgdir "$1" pids)/pids.max"
	fi
}

"$vzctl" --quiet create 101 --ostemplate busybox --hostname res.example.com >/dev/null 2>&1
conf=$T/etc/conf/101.conf

# ---- every malformed value exits 21, says why, changes nothing ----------
run "$vzctl" set 101 --numproc 100 --save
is "$rc" 0 "set --numproc on a stopped CT"
before=$(md5sum <"$conf")
bad() { # bad DESCRIPTION OPTION VALUE
	run "$vzctl" set 101 "$2" "$3" --save
	is "$rc" 21 "bad value exits 21: $1 ($2 $3)"
	like "$out" "Invalid value for $2" "  and says which option"
}
bad "negative" --numproc -5
bad "negative limit" --numproc 5:-1
bad "barrier > limit" --numproc 200:100
bad "barrier > limit in bytes" --kmemsize 2M:1M
bad "suffix on an object counter" --numfile 5K
bad "bad suffix" --ram 64X
bad "bad suffix" --privvmpages 1Q
bad "unlimited RAM is no size" --swap unlimited
bad "cpuunits out of range" --cpuunits 3
bad "cpulimit over 100% of the host" --cpulimit 150%
bad "cpulimit not a number" --cpulimit fast
bad "ioprio out of range" --ioprio 9
bad "iolimit bad unit" --iolimit 10Q
bad "cpumask reversed range" --cpumask 3-1
bad "devices: unknown type" --devices x:7:0:rw
bad "devices: bad access" --devices b:7:0:rx
bad "devnodes: no such device" --devnodes nosuchdev0:rw
bad "unknown feature" --features warp:on
bad "unknown capability" --capability warp_drive:on
bad "vm_overcommit negative" --vm_overcommit -1
is "$(md5sum <"$conf")" "$before" "the config is unchanged after every bad value"
run "$vzctl" set 101 --setmode sideways
is "$rc" 20 "--setmode takes restart or ignore only (exit 20)"

# ---- values as the config keeps them ------------------------------------
run "$vzctl" set 101 --ram 64M --swap 32M --vm_overcommit 1.5 --cpuunits 2000 \
	--iolimit 10 --ioprio 6 --features nfs:on --save
is "$rc" 0 "set resources on a stopped CT"
is "$(grep -E '^(PHYSPAGES|SWAPPAGES|VM_OVERCOMMIT|CPUUNITS|IOLIMIT|IOPRIO|FEATURES)=' "$conf" | sort | tr '\n' ' ')" \
	'CPUUNITS="2000" FEATURES="nfs:on" IOLIMIT="10" IOPRIO="6" PHYSPAGES="0:16384" SWAPPAGES="0:8192" VM_OVERCOMMIT="1.5" ' \
	"--ram/--swap as VSwap pages, the rest as given"
run "$vzctl" set 101 --features nfs:off --features ppp:on --save
is "$(sed -n 's/^FEATURES="\(.*\)"/\1/p' "$conf")" "nfs:off ppp:on" "--features entries merge by name"

# ---- at start ------------------------------------------------------------
run "$vzctl" start 101 --wait
is "$rc" 0 "start with limits"
is "$(cat "$(mem_limit_file 101)")" $((64 << 20)) "RAM limit in the memory cgroup"
if $v2 && [ ! -e "$(cgdir 101 "")/memory.swap.max" ]; then
	echo "ok $((n += 1)) # SKIP this kernel does not account swap per cgroup"
elif $v2; then
	is "$(cat "$(cgdir 101 "")/memory.swap.max")" $((32 << 20)) "swap limit (memory.swap.max)"
else
	is "$(cat "$(cgdir 101 memory)/memory.memsw.limit_in_bytes")" $((96 << 20)) \
		"RAM + swap limit (memory.memsw.limit_in_bytes)"
fi
if $v2; then
	is "$(cat "$(cgdir 101 "")/cpu.weight")" 200 "cpuunits 2000 -> cpu.weight 200"
else
	is "$(cat "$(cgdir 101 cpu)/cpu.shares")" 2048 "cpuunits 2000 -> cpu.shares 2048"
fi
is "$(ubc 101 numproc 3) $(ubc 101 numproc 4)" "100 100" "numproc barrier/limit in the ubc view"
is "$(ubc 101 physpages 4)" 16384 "physpages limit in the ubc view"
is "$(ubc 101 swappages 3) $(ubc 101 swappages 4)" "8192 8192" "swappages = the swap limit in the ubc view"
is "$(ubc 101 kmemsize 4)" 9223372036854775807 "what no cgroup enforces reads unlimited in the ubc view"

# ---- live changes ----------------------------------------------------------
before=$(md5sum <"$conf")
run "$vzctl" set 101 --ram 48M
is "$rc" 0 "live --ram change"
like "$out" "Settings were not saved" "without --save: warned"
is "$(cat "$(mem_limit_file 101)")" $((48 << 20)) "new RAM limit in the cgroup file"
is "$(ubc 101 physpages 4)" 12288 "new RAM limit in the user_beancounters view"
is "$(md5sum <"$conf")" "$before" "config unchanged without --save"
run "$vzctl" set 101 --ram 80M --save
is "$(sed -n 's/^PHYSPAGES="\(.*\)"/\1/p' "$conf")" "0:20480" "with --save the config follows"
run "$vzctl" set 101 --ram 8k --save
if [ "$rc" -ne 0 ]; then
	is "$(sed -n 's/^PHYSPAGES="\(.*\)"/\1/p' "$conf")" "0:20480" \
		"a RAM limit the kernel refuses (rc $rc) is not saved"
else
	# cgroup v2 takes any memory.max and OOM-kills what does not fit: the CT's init too.
	is "$rc" 0 "a tiny RAM limit the kernel accepted"
	"$vzctl" --quiet stop 101 --fast >/dev/null 2>&1
	"$vzctl" --quiet set 101 --ram 80M --save
	run "$vzctl" start 101
	is "$rc" 0 "the CT starts again with a sane RAM limit"
fi
run "$vzctl" set 101 --features sysfs:on --save
like "$out" "cannot be changed on a running container" "features on a running CT: warned"
run "$vzctl" set 101 --features sysfs:off --setmode ignore --save
ok "$(! printf '%s' "$out" | grep -q 'cannot be changed'; echo $?)" "--setmode ignore: no warning"

# --reset_ub: what the config says comes back
pids=$(if $v2; then cgdir 101 ""; else cgdir 101 pids; fi)
if [ -e "$pids/beancounter.limit" ]; then
	echo "numproc 7" >"$pids/beancounter.limit"
else
	echo 7 >"$pids/pids.max"
fi
run "$vzctl" set 101 --reset_ub
is "$rc" 0 "--reset_ub"
is "$(numproc_limit 101)" 100 "--reset_ub restores NUMPROC from the config"

# ---- a fork bomb stops at numproc; the host stays responsive --------------
run "$vzctl" set 101 --numproc 40 --save
is "$(numproc_limit 101)" 40 "live --numproc"
f0=$(ubc 101 numproc 5)
"$vzctl" exec 101 'while :; do sleep 60 & done' >/dev/null 2>&1 &
bomb=$!
sleep 2
t0=$(now_ms)
ls / >/dev/null && uname -a >/dev/null
t1=$(now_ms)
ok "$([ $((t1 - t0)) -lt 1000 ]; echo $?)" "a host command completes within a second during the bomb ($((t1 - t0)) ms)"
held=$(ubc 101 numproc 1)
ok "$([ "$held" -le 40 ] && [ "$held" -ge 30 ]; echo $?)" "the bomb stops at numproc (held $held of 40)"
f1=$(ubc 101 numproc 5)
ok "$([ "$f1" -gt "$f0" ]; echo $?)" "numproc failcnt grows ($f0 -> $f1)"
run "$vzctl" stop 101 --fast
is "$rc" 0 "stop the bombed CT"
wait "$bomb" 2>/dev/null

# ---- a memory hog is OOM-killed inside its CT only ----------------------
"$vzctl" --quiet set 101 --ram 32M --swap 0 --numproc 100 --save
run "$vzctl" start 101
is "$rc" 0 "start with 32M of RAM, no swap"
sleep 100 &
host_pid=$!
f0=$(ubc 101 physpages 5)
run "$vzctl" exec2 101 'awk "BEGIN { s = \"xxxxxxxxxxxxxxxx\"; while (1) s = s s }"'
is "$rc" 137 "the hog is killed (SIGKILL from the OOM killer)"
ok "$(kill -0 "$host_pid"; echo $?)" "a host process is untouched"
kill "$host_pid"
wait "$host_pid" 2>/dev/null
run "$vzctl" exec2 101 'echo alive'
is "$out" alive "the CT itself still runs"
f1=$(ubc 101 physpages 5)
ok "$([ "$f1" -gt "$f0" ]; echo $?)" "physpages failcnt grows ($f0 -> $f1)"
ok "$([ "$(ubc 101 oomguarpages 5)" -ge 1 ]; echo $?)" "the OOM kill counts in oomguarpages failcnt"
run "$vzctl" stop 101 --fast

# ---- --cpulimit 50 holds (tolerance +-15 points of one CPU) ---------------
# cpu_pct CTID SECONDS: the CT's CPU use over that time, in % of one CPU.
cpu_pct() {
	local c0 c1 t0 t1
	c0=$(cpu_ns "$1")
	t0=$(now_ms)
	sleep "$2"
	c1=$(cpu_ns "$1")
	t1=$(now_ms)
	echo $(((c1 - c0) / 10000 / (t1 - t0)))
}
"$vzctl" --quiet set 101 --ram 64M --cpulimit 50 --save
"$vzctl" --quiet start 101
"$vzctl" exec 101 'while :; do :; done & while :; do :; done' >/dev/null 2>&1 &
spin=$!
sleep 1
pct=$(cpu_pct 101 4)
ok "$([ "$pct" -le 65 ]; echo $?)" "--cpulimit 50 with two busy loops: ${pct}% of one CPU (at most 65)"
run "$vzctl" set 101 --cpulimit 0
if $v2; then
	like "$(cat "$(cgdir 101 "")/cpu.max")" "^max " "--cpulimit 0 lifts the limit (cpu.max)"
else
	is "$(cat "$(cgdir 101 cpu)/cpu.cfs_quota_us")" -1 "--cpulimit 0 lifts the limit (cfs_quota_us)"
fi
# The lower bound holds unless the host is too busy to give even 50%:
# then the limited CT must get what an unlimited one got, within 15 points.
free=$(cpu_pct 101 2)
want=$((free < 50 ? free - 15 : 35))
ok "$([ "$pct" -ge "$want" ]; echo $?)" \
	"  and at least ${want}% (${pct}%; unlimited the loops got ${free}%)"
run "$vzctl" stop 101 --fast
wait "$spin" 2>/dev/null

# ---- devices: denied, then allowed per --devices --------------------------
if command -v losetup >/dev/null && truncate -s 1M "$T/blk.img" &&
	loopdev=$(losetup -f --show "$T/blk.img" 2>/dev/null); then
	maj=$((0x$(stat -c %t "$loopdev"))) min=$((0x$(stat -c %T "$loopdev")))
	mknod -m 0666 "$T/private/101/blkdev" b "$maj" "$min"
	"$vzctl" --quiet start 101
	run "$vzctl" exec2 101 'dd if=/blkdev of=/dev/null bs=512 count=1'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "a block device the CT was not given cannot be read"
	like "$out" "not permitted" "  refused by the device controller (EPERM)"
	run "$vzctl" set 101 --devices "b:$maj:$min:r" --save
	is "$rc" 0 "--devices b:$maj:$min:r on the running CT"
	run "$vzctl" exec2 101 'dd if=/blkdev of=/dev/null bs=512 count=1'
	is "$rc" 0 "now it can be read"
	run "$vzctl" exec2 101 'dd if=/dev/zero of=/blkdev bs=512 count=1'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "but not written (r only)"
	run "$vzctl" set 101 --devices "b:$maj:$min:none" --save
	run "$vzctl" exec2 101 'dd if=/blkdev of=/dev/null bs=512 count=1'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "--devices ...:none takes it away again"
	run "$vzctl" exec2 101 'echo x >/dev/null && echo ok'
	is "$out" ok "the default devices stay"
	run "$vzctl" stop 101 --fast
	losetup -d "$loopdev"
else
	for i in 1 2 3 4 5 6 7 8; do echo "ok $((n += 1)) # SKIP no loop device (losetup)"; done
fi

# ---- --devnodes: the host's node in the CT's /dev, live and at start -------
# exec3 CTID SCRIPT: like exec2, with the CT's busybox sh, no shell on our side
if [ -c /dev/net/tun ]; then
	tun_mm=$(stat -c '%t:%T' /dev/net/tun)
	tun_maj=$((0x${tun_mm%:*})) tun_min=$((0x${tun_mm#*:}))
	# A node made on the host side, to see what the device controller allows.
	mknod -m 0666 "$T/private/101/tunnode" c "$tun_maj" "$tun_min"
	"$vzctl" --quiet start 101
	run "$vzctl" exec2 101 'test -e /dev/net/tun'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "no /dev/net/tun in a CT not given it"
	run "$vzctl" set 101 --devnodes net/tun:rw --save
	is "$rc" 0 "--devnodes net/tun:rw on the running CT"
	run "$vzctl" exec2 101 'stat -c "%F %t:%T %a %u" /dev/net/tun'
	is "$out" "character special file $tun_mm $(stat -c %a /dev/net/tun) 0" \
		"  /dev/net/tun appears: the host's numbers and mode, owned by the CT's root"
	run "$vzctl" exec2 101 'test -c /dev/net/tun && exec 3<>/dev/net/tun && echo opened'
	is "$out" opened "  and the CT's root can open it"
	run "$vzctl" set 101 --devnodes net/tun:none --save
	is "$rc" 0 "--devnodes net/tun:none on the running CT"
	run "$vzctl" exec2 101 'test -e /dev/net/tun'
	ok "$([ "$rc" -ne 0 ]; echo $?)" "  the node is gone"
	run "$vzctl" exec2 101 'exec 3<>/tunnode'
	like "$out" "not permitted" "  and the device controller refuses the device"
	"$vzctl" --quiet set 101 --devnodes net/tun:rw --save
	run "$vzctl" restart 101
	is "$rc" 0 "restart with DEVNODES=\"net/tun:rw\""
	run "$vzctl" exec2 101 'test -c /dev/net/tun && exec 3<>/dev/net/tun && echo opened'
	is "$out" opened "  the node is there after the restart and opens"
	run "$vzctl" exec2 101 'ls -a /dev | grep -c vz-devnodes'
	is "$out" 0 "  nothing of the staging left in /dev"
	# A reboot inside the CT starts a new init with what was saved meanwhile.
	"$vzctl" --quiet set 101 --devnodes net/tun:none --save
	old_init=$(sed -n 's/^INIT_PID="\(.*\)"/\1/p' "$T/run/101.state")
	"$vzctl" exec 101 reboot >/dev/null 2>&1
	for i in $(seq 100); do
		new_init=$(sed -n 's/^INIT_PID="\(.*\)"/\1/p' "$T/run/101.state" 2>/dev/null)
		[ -n "$new_init" ] && [ "$new_init" != "$old_init" ] && break
		sleep 0.1
	done
	run "$vzctl" exec2 101 'test -e /dev/net/tun'
	ok "$([ "$new_init" != "$old_init" ] && [ "$rc" -ne 0 ]; echo $?)" \
		"  after a reboot inside, the saved net/tun:none holds"
	"$vzctl" --quiet set 101 --devnodes net/tun:rw --save
	run "$vzctl" set 101 --devnodes nosuchdev0:rw --save
	is "$rc" 21 "a device the host does not have: exit 21 on a running CT too"
	is "$(sed -n 's/^DEVNODES="\(.*\)"/\1/p' "$conf")" "net/tun:rw" "  DEVNODES unchanged"
	"$vzctl" --quiet set 101 --devnodes net/tun:none --save
	rm -f "$T/private/101/tunnode"
	run "$vzctl" stop 101 --fast
else
	for i in $(seq 14); do echo "ok $((n += 1)) # SKIP no /dev/net/tun on this host"; done
fi

# ---- FEATURES ----------------------------------------------------------------
# start_out: the messages of the last (re)start
"$vzctl" --quiet set 101 --features ppp:on --save
run "$vzctl" start 101
is "$rc" 0 "start with FEATURES ppp:on"
start_out=$out
run "$vzctl" exec2 101 'stat -c "%F %t:%T %u" /dev/ppp'
is "$out" "character special file 6c:0 0" "ppp:on: /dev/ppp (108:0) for the CT's root"
if grep -qw ppp /proc/devices; then
	run "$vzctl" exec2 101 'exec 3<>/dev/ppp && echo opened'
	is "$out" opened "  and it opens"
else
	like "$start_out" "FEATURES ppp:on is not enforced: this kernel has no PPP driver" \
		"  a kernel without PPP is said at start"
fi
run "$vzctl" exec2 101 'exec 3<>/dev/ppp'
ok "$(! printf '%s' "$out" | grep -q 'not permitted'; echo $?)" "  the device controller lets it through"
run "$vzctl" stop 101 --fast
"$vzctl" --quiet set 101 --features ppp:off --save
run "$vzctl" start 101
run "$vzctl" exec2 101 'test -e /dev/ppp'
ok "$([ "$rc" -ne 0 ]; echo $?)" "ppp:off: no /dev/ppp"
run "$vzctl" stop 101 --fast

# sysfs:off: an empty /sys, the CT's root cannot mount one
"$vzctl" --quiet set 101 --features sysfs:off --save
run "$vzctl" start 101
is "$rc" 0 "start with FEATURES sysfs:off"
run "$vzctl" exec2 101 'ls /sys; ls /sys/fs'
is "$(echo $out)" "fs cgroup" "  /sys holds only the cgroup mount point"
run "$vzctl" exec2 101 'ls /sys/fs/cgroup | wc -l'
ok "$([ "${out:-0}" -gt 0 ]; echo $?)" "  the CT's cgroups are still mounted"
run "$vzctl" exec2 101 'mkdir -p /tmp/s && mount -t sysfs sysfs /tmp/s'
ok "$([ "$rc" -ne 0 ]; echo $?)" "  the CT's root cannot mount sysfs"
run "$vzctl" stop 101 --fast
"$vzctl" --quiet set 101 --features sysfs:on --save
run "$vzctl" start 101
run "$vzctl" exec2 101 'test -d /sys/kernel && echo sysfs'
is "$out" sysfs "sysfs:on: /sys is sysfs again"
run "$vzctl" stop 101 --fast

# Link types: on works inside, or the kernel's lack is said; off cannot be kept.
for f in bridge sit ipip ipgre; do
	kind=$f
	[ "$f" = ipgre ] && kind=gre
	"$vzctl" --quiet set 101 --features "$f:on" --save
	run "$vzctl" start 101
	start_out=$out
	if printf '%s' "$start_out" | grep -q "FEATURES $f:on is not enforced"; then
		like "$start_out" "FEATURES $f:on is not enforced: this kernel has no driver" \
			"$f:on on a kernel without it: said at start"
	else
		# Tunnels need addresses: one without is the fallback device (sit0...).
		if [ "$f" = bridge ]; then
			run "$vzctl" exec2 101 "ip link add vz$f type bridge && echo made"
		else
			run "$vzctl" exec2 101 \
				"ip tunnel add vz$f mode $kind remote 192.0.2.1 local 192.0.2.2 && echo made"
		fi
		is "$out" made "$f:on: the CT's root creates a $kind link"
	fi
	run "$vzctl" stop 101 --fast
	"$vzctl" --quiet set 101 --features "$f:off" --save
done
run "$vzctl" start 101
if [ -e /proc/modules ] || printf '%s' "$out" | grep -q "bridge:off"; then
	like "$out" "FEATURES bridge:off(, FEATURES [a-z]+:off)* (is|are) not enforced" \
		"an off the kernel cannot keep is said, in one line per reason"
else
	ok 0 "no link driver at all: nothing to say"
fi
run "$vzctl" stop 101 --fast

# nfs: not from a user namespace; --strict (STRICT_LIMITS) makes it an error
"$vzctl" --quiet set 101 --features "nfs:on nfsd:on" --features bridge:on --save
run "$vzctl" start 101
like "$out" "FEATURES nfs:on, FEATURES nfsd:on are not enforced: a CT in a user namespace can neither" \
	"nfs:on and nfsd:on in a user-namespaced CT: said at start"
run "$vzctl" stop 101 --fast
echo 'STRICT_LIMITS="yes"' >>"$conf"
run "$vzctl" start 101
is "$rc" 5 "  with STRICT_LIMITS=yes the start fails (exit 5)"
sed -i '/^STRICT_LIMITS=/d' "$conf"
"$vzctl" --quiet set 101 --features "nfs:off nfsd:off sit:off ipip:off ipgre:off" --save

# ---- VSwap: what --ram implies ----------------------------------------------
# memlock CTID: soft and hard RLIMIT_MEMLOCK of the CT's init
memlock() {
	"$vzctl" exec2 "$1" 'cat /proc/1/limits' | awk '/^Max locked memory/ { print $4, $5 }'
}
"$vzctl" --quiet set 101 --ram 64M --swap 32M --vm_overcommit 2 --save
run "$vzctl" start 101
is "$rc" 0 "start with --ram 64M --vm_overcommit 2"
like "$out" "VM_OVERCOMMIT is not enforced: no cgroup limits committed virtual memory" \
	"  privvmpages from --vm_overcommit: said that nothing limits it"
held=$(printf '%s' "$out" | sed -n 's/.*LOCKEDPAGES is held at \([0-9]*\) bytes.*/\1/p')
if [ -n "$held" ]; then
	is "$(memlock 101)" "$held $held" "  lockedpages: RLIMIT_MEMLOCK held at what vzctl may give"
else
	is "$(memlock 101)" "$((64 << 20)) $((64 << 20))" "  lockedpages = RAM: RLIMIT_MEMLOCK of init"
fi
run "$vzctl" set 101 --lockedpages 256 --save
is "$rc" 0 "live --lockedpages 256"
is "$(memlock 101)" "1048576 1048576" "  RLIMIT_MEMLOCK of the running CT follows"
run "$vzctl" exec2 101 'grep "^Max locked memory" /proc/self/limits; ulimit -l 2048'
like "$out" "1048576 +1048576" "  what vzctl exec runs gets it too"
ok "$([ "$rc" -ne 0 ]; echo $?)" "  the CT's root cannot raise it"
"$vzctl" --quiet set 101 --vm_overcommit 0 --save
run "$vzctl" set 101 --oomguarpages 8M
is "$rc" 0 "--oomguarpages 8M"
if $v2; then
	is "$(cat "$(cgdir 101 "")/memory.low")" $((8 << 20)) "  -> memory.low"
else
	is "$(cat "$(cgdir 101 memory)/memory.soft_limit_in_bytes")" $((8 << 20)) \
		"  -> memory.soft_limit_in_bytes (cgroup v1)"
fi
run "$vzctl" stop 101 --fast

# ---- the beancounter controller's counters --------------------------------
if grep -qw beancounter /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	"$vzctl" --quiet start 101
	run "$vzctl" set 101 --numfile 200
	is "$rc" 0 "--numfile on a kernel with the beancounter controller"
	ok "$(! printf '%s' "$out" | grep -q 'not enforced'; echo $?)" "  no warning"
	held=$(ubc 101 numfile 1)
	"$vzctl" --quiet set 101 --numfile $((held + 5))
	f0=$(ubc 101 numfile 5)
	"$vzctl" exec 101 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		sleep 30 </etc/hostname >/dev/null 2>&1 & done' >/dev/null 2>&1
	f1=$(ubc 101 numfile 5)
	ok "$([ "$f1" -gt "$f0" ]; echo $?)" "numfile refusals counted by the kernel ($f0 -> $f1)"
	run "$vzctl" stop 101 --fast
	for i in 1 2 3; do echo "ok $((n += 1)) # SKIP the warnings of a kernel without the beancounter controller"; done
else
	for i in 1 2 3; do echo "ok $((n += 1)) # SKIP this kernel has no beancounter controller"; done
	"$vzctl" --quiet start 101
	run "$vzctl" set 101 --numfile 200
	like "$out" "NUMFILE(, [A-Z_]+)* (is|are) not enforced" "a limit this kernel cannot enforce is said by name"
	before=$(md5sum <"$conf")
	run "$vzctl" set 101 --numtcpsock 50 --strict --save
	is "$rc" 5 "with --strict it is an error (exit 5)"
	is "$(md5sum <"$conf")" "$before" "  and nothing is saved"
	run "$vzctl" stop 101 --fast
fi

# ---- --applyconfig --------------------------------------------------------
run "$vzctl" set 101 --applyconfig vswap-512m --save
is "$rc" 0 "--applyconfig vswap-512m"
is "$(sed -n 's/^PHYSPAGES="\(.*\)"/\1/p' "$conf") $(sed -n 's/^SWAPPAGES="\(.*\)"/\1/p' "$conf")" \
	"0:512M 0:1G" "the sample's RAM and swap"
is "$(sed -n 's/^HOSTNAME="\(.*\)"/\1/p' "$conf")" res.example.com "HOSTNAME is kept"
run "$vzctl" set 101 --applyconfig nosuch --save
is "$rc" 109 "--applyconfig of a missing sample exits 109"

finish
