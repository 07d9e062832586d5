#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# The escape battery: root inside a CT tries to reach the host.  Every vector
# runs in a user-namespaced CT (the default) and a privileged one
# (LOCAL_UID=0), then the layers are taken apart: a user-namespaced CT with
# SECCOMP="off" (the user namespace alone must still hold) and a privileged
# CT with SECCOMP="off" (shows what only seccomp stops there).  Syscalls
# busybox has no applet for come from selftests/escape/escape.c, built
# static here and copied into the CT; it prints the errno name of each
# refusal, so a missing binary or path never passes for a blocked attack.
#
# vector                          userns CT                privileged CT
# ------------------------------  -----------------------  --------------------------------
# mknod + read a host disk        EPERM: no mknod in a     EPERM: the devices cgroup
#                                 user ns                  refuses the node
# mknod /dev/mem, open /dev/mem   EPERM (user ns); none    EPERM (devices cgroup); none
#                                 in the CT's /dev         in the CT's /dev
# init/finit/delete_module        EPERM: seccomp, and no   EPERM: seccomp and the bounding
#                                 CAP_SYS_MODULE in the    set (CAP_SYS_MODULE dropped)
#                                 host's user ns
# write /proc/sys/kernel.*        EACCES: the sysctls are  EROFS (read-only bind); the
#                                 the host root's (checked bind can be removed (CT root
#                                 before the read-only     owns its mounts): ONLY THE USER
#                                 bind); still EACCES with NS stops the write after that,
#                                 the bind removed or in   so it is not attempted here
#                                 a freshly mounted procfs
# /proc/sysrq-trigger             EROFS (EACCES where the  the same, removable like
#                                 file is 0200); ENOENT if
#                                 the kernel has none      /proc/sys
# /sys/kernel/uevent_helper,      EROFS (sysfs read-only)  EROFS; a remount is possible,
# other /sys knobs                or ENOENT if absent; a   only the user ns stops that
#                                 fresh sysfs: EPERM
# cgroup v1 mount + release_agent mount OK (the CT's own   the same: the cgroup namespace
#                                 group only), release_    hides the hierarchy root
#                                 agent ENOENT; the        (setting it in the mount options
#                                 option: EINVAL           is not attempted)
#   on a pure cgroup v2 host      EPERM: memory's v1       EPERM (the same)
#                                 hierarchy would be new
# new named v1 hierarchy          EPERM: new hierarchies   EPERM: the same (the CT's
#   (none,name=...)               only in the host's       cgroup namespace)
#                                 cgroup namespace
# move to the host's root cgroup  stays in its own group   stays in its own group
#                                 (v1: every hierarchy;    (the same)
#                                 v2: cgroup2 mount too)
# open_by_handle_at (shocker)     EPERM: seccomp and no    EPERM: ONLY SECCOMP (the CT has
#                                 CAP_DAC_READ_SEARCH      CAP_DAC_READ_SEARCH); OK with
#                                 on the host              SECCOMP=off, shown below
# signal/ptrace/pidfd a host pid  ESRCH: pid namespace     ESRCH: pid namespace
# see host processes/mounts/nics  no: pid, mount, net ns   no: pid, mount, net ns
# read /proc/kcore                masked (0 bytes), EPERM  masked, EPERM unmasked (CAP_SYS_
#                                 unmasked (EACCES where   RAWIO dropped); ENOENT if absent
#                                 the file is 0400); or
#                                 ENOENT
# set the clock                   EPERM: seccomp + caps    EPERM: seccomp + bounding set
# change the host name            only its own (uts ns)    only its own (uts ns)
# kexec_load, kexec_file_load     EPERM: seccomp, and no   EPERM: ONLY SECCOMP (CAP_SYS_BOOT
#                                 CAP_SYS_BOOT on the host stays for reboot(2))
# keyctl/add_key/request_key      EPERM: seccomp           EPERM: ONLY SECCOMP (would reach
#                                                          host root's keyrings)
# bpf, perf_event_open, io_uring  EPERM: seccomp           EPERM: seccomp
# swapon, iopl, acct, syslog      EPERM: seccomp + caps    EPERM: seccomp; the bounding set
#                                                          too, except swapon (SYS_ADMIN)
# personality(READ_IMPLIES_EXEC)  EPERM: seccomp           EPERM: seccomp
# the same via i386 int 0x80/x32  EPERM: the filter covers EPERM
#                                 every x86 ABI
. "$(dirname "$0")/lib.sh"
require_root
# The QEMU guest has no compiler: its tier ships escape.c built beside it.
prebuilt=$repo/selftests/escape/escape
command -v gcc >/dev/null || [ -x "$prebuilt" ] || skip_all "gcc missing (package build-essential)"
setup_node

esc=$T/escape
if ! command -v gcc >/dev/null; then
	cp "$prebuilt" "$esc"
else
	gcc -static -O2 -o "$esc" "$repo/selftests/escape/escape.c" 2>"$T/gcc.err" ||
		skip_all "cannot build a static program (package libc6-dev): $(head -1 "$T/gcc.err")"
fi

# ---- the host side: a secret file, a host process, the host's disk
echo "host secret" >"$T/host-secret"
handle=$("$esc" gethandle "$T/host-secret") || skip_all "name_to_handle_at unsupported on $T"
marker=$((4000000 + $$)) # sleep seconds that tell this run's processes from another's
sleep $marker &
hostpid=$!
trap 'kill $hostpid 2>/dev/null; cleanup_node' EXIT
disk=$(stat -c '%Hd %Ld' "$T" 2>/dev/null || echo "8 0") # the disk under the CT, as major minor
host_hostname=$(hostname)
v2=$([ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && echo yes || echo no) # pure v2: QEMU guest
# lo, plus the fallback tunnels of built-in tunnel drivers (sit0 on the QEMU guest's kernel)
fresh_links=$(unshare -n ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort)
host_mask() { # host_mask FILE OK-RESULT: the result if the host has FILE, else ENOENT
	if [ -e "$1" ]; then echo "$2"; else echo "write open=ENOENT"; fi
}
sysrq_want=$(host_mask /proc/sysrq-trigger "write open=EROFS")
uevent_want=$(host_mask /sys/kernel/uevent_helper "write open=EROFS")
sysknob=
for f in /sys/kernel/mm/transparent_hugepage/enabled /sys/power/state /sys/kernel/profiling; do
	[ -e "$f" ] && sysknob=$f && break
done

# ---- the CTs: 101 userns, 102 privileged, 103 userns without seccomp, 104 privileged without
for ct in 101 102 103 104; do
	"$vzctl" --quiet create $ct --ostemplate busybox --hostname esc$ct >/dev/null 2>&1
done
for ct in 102 104; do
	echo 'LOCAL_UID="0"' >>"$T/etc/conf/$ct.conf"
	echo 'LOCAL_GID="0"' >>"$T/etc/conf/$ct.conf"
	chown -R 0:0 "$T/private/$ct"
done
for ct in 103 104; do
	echo 'SECCOMP="off"' >>"$T/etc/conf/$ct.conf"
done
for ct in 101 102 103 104; do
	cp "$esc" "$T/private/$ct/tmp/escape"
	printf '\x7fELF' >"$T/private/$ct/tmp/mod.ko"
done

vec() { # vec CT VECTOR ARGS...: the escape program inside the CT
	run "$vzctl" exec3 "$1" /tmp/escape "${@:2}"
}

for ct in 101 102; do
	kind=$([ $ct = 101 ] && echo userns || echo privileged)
	run "$vzctl" start $ct
	is "$rc" 0 "$kind: start"

	# seccomp is on, for exec'd processes and the CT's init alike, without no_new_privs
	run "$vzctl" exec $ct 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status /proc/1/status | tr -s "\t" " "'
	is "$out" "/proc/self/status:NoNewPrivs: 0
/proc/self/status:Seccomp: 2
/proc/1/status:NoNewPrivs: 0
/proc/1/status:Seccomp: 2" "$kind: seccomp filter active in exec and init, no_new_privs off"

	vec $ct mknod /tmp/disk $disk
	is "$out" "mknod mknod=EPERM" "$kind: mknod of the host's disk ($disk) refused"
	vec $ct mknodc /tmp/mem 1 1
	is "$out" "mknodc mknod=EPERM" "$kind: mknod of /dev/mem refused"
	vec $ct read /dev/mem
	is "$out" "read open=ENOENT" "$kind: no /dev/mem in the CT"
	vec $ct modules /tmp/mod.ko
	is "$out" "modules init_module=EPERM finit_module=EPERM delete_module=EPERM" \
		"$kind: init_module, finit_module, delete_module refused"

	# userns: the sysctl's owner (the host's root) refuses before the read-only mount does
	vec $ct write /proc/sys/kernel/randomize_va_space
	is "$out" "write open=$([ $kind = userns ] && echo EACCES || echo EROFS)" \
		"$kind: /proc/sys/kernel is not writable"
	vec $ct write /proc/sysrq-trigger
	# userns: where the file is 0200 (6.1), its owner (the host's root) refuses first
	like "$out" "^($sysrq_want$([ $kind = userns ] && [ -e /proc/sysrq-trigger ] && echo '|write open=EACCES'))\$" \
		"$kind: /proc/sysrq-trigger not writable$([ -e /proc/sysrq-trigger ] || echo ' (absent on this kernel)') ($out)"
	vec $ct write /sys/kernel/uevent_helper
	is "$out" "$uevent_want" "$kind: /sys/kernel/uevent_helper not writable$([ -e /sys/kernel/uevent_helper ] ||
		echo ' (absent on this kernel)')"
	if [ -n "$sysknob" ]; then
		vec $ct write "$sysknob"
		is "$out" "write open=EROFS" "$kind: $sysknob is read-only"
	fi
	if [ $kind = userns ]; then
		vec $ct unmask /proc/sys /proc/sys/kernel/randomize_va_space w
		is "$out" "unmask umount=OK write open=EACCES" \
			"userns: with /proc/sys unmasked, kernel sysctls are still the host's (EACCES)"
		vec $ct fsmount proc /tmp/proc sys/kernel/randomize_va_space
		is "$out" "fsmount mount=OK write open=EACCES" \
			"userns: through a fresh procfs too (EACCES)"
		if [ -n "$sysknob" ]; then
			vec $ct fsmount sysfs /tmp/sys "${sysknob#/sys/}"
			like "$out" "^fsmount (mount=EPERM|mount=OK write open=EACCES)\$" \
				"userns: a fresh sysfs is refused, or $sysknob in it ($out)"
		fi
	else
		vec $ct unmask /proc/sys
		is "$out" "unmask umount=OK " \
			"privileged: the /proc/sys mask can be removed (only a user ns would hold)"
	fi

	if [ "$v2" = yes ]; then
		vec $ct cgroup /tmp/cg memory
		is "$out" "cgroup mount=EPERM" \
			"$kind: (cgroup v2 host) no v1 memory hierarchy: it would be a new one"
	else
		vec $ct cgroup /tmp/cg memory
		is "$out" "cgroup mount=OK release_agent=ENOENT" \
			"$kind: a cgroup v1 mount shows only the CT's group: no release_agent"
	fi
	if [ $kind = userns ]; then
		vec $ct cgroup /tmp/cg memory,release_agent=/tmp/x
		like "$out" "^cgroup mount=(EINVAL|EBUSY)\$" "userns: release_agent= mount option refused ($out)"
	fi
	# A new hierarchy would have its own release_agent: none outside the host's cgroup ns.
	vec $ct cgroup /tmp/cg none,name=vzescape
	is "$out" "cgroup mount=EPERM" "$kind: no new named v1 hierarchy (cgroup namespace)"
	# try to leave for the root group of every hierarchy the CT can mount
	if [ "$v2" = yes ]; then
		"$vzctl" exec $ct 'mkdir -p /tmp/cgm && mount -t cgroup2 none /tmp/cgm &&
			echo $$ >/tmp/cgm/cgroup.procs; echo $$ >/sys/fs/cgroup/cgroup.procs;
			exec sleep '$((marker + 1)) >/dev/null 2>&1 &
	else
		"$vzctl" exec $ct 'mkdir -p /tmp/cgm && mount -t cgroup -o memory cgroup /tmp/cgm &&
			echo $$ >/tmp/cgm/cgroup.procs; for f in /sys/fs/cgroup/*/cgroup.procs; do
			echo $$ >"$f"; done; exec sleep '$((marker + 1)) >/dev/null 2>&1 &
	fi
	execpid=$!
	for _ in $(seq 50); do
		victim=$(pgrep -f "^sleep $((marker + 1))\$" | head -1)
		[ -n "$victim" ] && break
		sleep 0.1
	done
	# every hierarchy: the same group as the CT's init, seen from the host
	initpid=$(sed -n 's/^INIT_PID="\{0,1\}\([0-9]*\).*/\1/p' "$T/run/$ct.state")
	cgline=$(grep "$([ "$v2" = yes ] && echo '^0::' || echo ':memory:')" "/proc/${victim:-0}/cgroup" 2>/dev/null)
	like "$cgline" "vztest-$$/$ct" "$kind: writing to cgroup.procs leaves it in the CT's group ($cgline)"
	is "$(cat "/proc/${victim:-0}/cgroup" 2>&1)" "$(cat "/proc/${initpid:-0}/cgroup" 2>&1)" \
		"$kind: in every hierarchy, the same group as the CT's init"
	[ -n "$victim" ] && kill "$victim"
	wait $execpid 2>/dev/null

	vec $ct handle $handle
	is "$out" "handle open_by_handle_at=EPERM" "$kind: open_by_handle_at on a host file refused"

	vec $ct pid $hostpid
	is "$out" "pid kill=ESRCH ptrace=ESRCH pidfd_open=ESRCH" \
		"$kind: a guessed host pid ($hostpid) cannot be signalled, traced or opened"
	run "$vzctl" exec $ct "ps -o args= | grep -c '^sleep $marker'; ls -d /proc/$hostpid 2>&1"
	like "$(echo $out)" "^0 .*No such file" "$kind: the host's sleep is not visible"
	run "$vzctl" exec $ct 'ps -o pid= | wc -l'
	ok "$([ "$out" -lt 10 ]; echo $?)" "$kind: sees only its own processes ($out)"
	run "$vzctl" exec $ct 'cat /proc/mounts'
	ok "$(printf '%s' "$out" | grep -q "$T"; [ $? -ne 0 ]; echo $?)" "$kind: no host mounts"
	run "$vzctl" exec $ct 'ls /sys/class/net'
	is "$(echo "$out" | sort)" "$fresh_links" "$kind: no host network interfaces"

	if [ -e /proc/kcore ]; then
		vec $ct read /proc/kcore
		is "$out" "read open=OK bytes=0" "$kind: /proc/kcore is masked"
		vec $ct unmask /proc/kcore /proc/kcore r
		# userns: the owner (host root) may refuse first, or the missing capability
		like "$out" "^unmask umount=OK read open=(EPERM$([ $kind = userns ] && echo '|EACCES'))\$" \
			"$kind: unmasked /proc/kcore refuses (no CAP_SYS_RAWIO) ($out)"
	else
		vec $ct read /proc/kcore
		is "$out" "read open=ENOENT" "$kind: /proc/kcore (absent on this kernel)"
	fi

	vec $ct clock
	is "$out" "clock clock_settime=EPERM settimeofday=EPERM" "$kind: the host's clock cannot be set"
	run "$vzctl" exec $ct "hostname evil$ct && hostname"
	is "$out" "evil$ct" "$kind: the CT renames only itself"
	is "$(hostname)" "$host_hostname" "$kind: the host's name is unchanged"

	vec $ct kexec
	is "$out" "kexec kexec_load=EPERM kexec_file_load=EPERM" "$kind: kexec_load, kexec_file_load refused"
	vec $ct keys
	is "$out" "keys keyctl=EPERM add_key=EPERM request_key=EPERM" "$kind: kernel keyrings refused"
	vec $ct kernel
	is "$out" "kernel bpf=EPERM perf_event_open=EPERM io_uring_setup=EPERM" \
		"$kind: bpf, perf_event_open, io_uring refused"
	vec $ct hostwide /tmp/mod.ko
	is "$out" "hostwide swapon=EPERM iopl=EPERM acct=EPERM syslog=EPERM" \
		"$kind: swapon, iopl, acct, syslog refused"
	vec $ct persona
	is "$out" "persona query=OK read_implies_exec=EPERM mmap_page_zero=EPERM addr_no_randomize=OK" \
		"$kind: personality: dangerous flags refused, queries and ADDR_NO_RANDOMIZE not"
	if [ "$(uname -m)" = x86_64 ]; then
		vec $ct compat
		is "$out" "compat i386_init_module=EPERM i386_kexec_load=EPERM x32_init_module=EPERM x32_kexec_load=EPERM" \
			"$kind: the i386 and x32 entries are filtered too"
	fi
	"$vzctl" --quiet stop $ct --fast >/dev/null 2>&1
done

# ---- the layers apart: seccomp off
run "$vzctl" start 103
is "$rc" 0 "userns, SECCOMP=off: start"
run "$vzctl" exec 103 'grep -h "^Seccomp:" /proc/self/status /proc/1/status | tr -s "\t" " "'
is "$out" "Seccomp: 0
Seccomp: 0" "userns, SECCOMP=off: no filter in exec or init"
# kernels without module support (no /proc/modules) or I/O port calls say ENOSYS
nomod=$([ -e /proc/modules ] && echo EPERM || echo ENOSYS)
vec 103 modules /tmp/mod.ko
is "$out" "modules init_module=$nomod finit_module=$nomod delete_module=$nomod" \
	"userns, SECCOMP=off: modules still refused (user ns)"
vec 103 handle $handle
is "$out" "handle open_by_handle_at=EPERM" "userns, SECCOMP=off: open_by_handle_at still refused (user ns)"
vec 103 clock
is "$out" "clock clock_settime=EPERM settimeofday=EPERM" "userns, SECCOMP=off: clock still refused"
vec 103 kexec
like "$out" "^kexec kexec_load=(EPERM|ENOSYS) kexec_file_load=(EPERM|ENOSYS)$" \
	"userns, SECCOMP=off: kexec still refused (or not in this kernel)"
vec 103 mknod /tmp/disk $disk
is "$out" "mknod mknod=EPERM" "userns, SECCOMP=off: mknod still refused"
vec 103 hostwide /tmp/mod.ko
like "$out" "^hostwide swapon=EPERM iopl=(EPERM|ENOSYS) acct=EPERM syslog=EPERM$" \
	"userns, SECCOMP=off: swapon, iopl, acct, syslog still refused"
"$vzctl" --quiet stop 103 --fast >/dev/null 2>&1

run "$vzctl" start 104
is "$rc" 0 "privileged, SECCOMP=off: start"
run "$vzctl" exec 104 'grep -h "^Seccomp:" /proc/self/status /proc/1/status | tr -s "\t" " "'
is "$out" "Seccomp: 0
Seccomp: 0" "privileged, SECCOMP=off: no filter"
vec 104 handle $handle
is "$out" "handle open_by_handle_at=OK" \
	"privileged, SECCOMP=off: open_by_handle_at reaches a host file (why the filter exists)"
"$vzctl" --quiet stop 104 --fast >/dev/null 2>&1

# ---- entering the CT: nothing of the host comes along, nothing more than the CT's root has
run "$vzctl" start 101
exec 7<"$T/host-secret"
out=$(VZ_HOST_SECRET=leak "$vzctl" exec 101 'env; ls /proc/self/fd | tr "\n" " "' 2>&1)
ok "$(printf '%s' "$out" | grep -q VZ_HOST_SECRET; [ $? -ne 0 ]; echo $?)" "exec: no host environment variable"
like "$out" "^0 1 2 3 $" "exec: no host descriptor (fd 7 open on the host)"
if command -v script >/dev/null; then
	out=$( (sleep 0.5; printf 'echo env=$(env | grep -c VZ_HOST_SECRET) fds=$(ls /proc/$$/fd | tr "\\n" " ")\nexit\n'
		sleep 0.5) | VZ_HOST_SECRET=leak timeout 20 script -qec "$vzctl enter 101" /dev/null | tr -d '\r')
	like "$out" "env=0 " "enter: no host environment variable"
	like "$out" "fds=0 1 (10 )?2( 3)? *\$" "enter: only the shell's own descriptors (0-2, its tty 10, the \$(...) pipe)"
	ok "$(printf '%s' "$out" | grep -q 'fds=.* 7 '; [ $? -ne 0 ]; echo $?)" "enter: no host descriptor"
else
	ok 0 "enter: no host environment variable # SKIP script(1) missing"
	ok 0 "enter: only the shell's own descriptors # SKIP script(1) missing"
	ok 0 "enter: no host descriptor # SKIP script(1) missing"
fi
exec 7<&-
run "$vzctl" exec 101 'for f in /proc/self/status /proc/1/status; do
	grep -E "^(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|Seccomp|NoNewPrivs):" $f | tr -s "\t" " " | md5sum; done | uniq | wc -l'
is "$out" "1" "exec: same ids, capabilities and seccomp mode as the CT's init"
run "$vzctl" exec 101 'cat /proc/self/uid_map /proc/1/uid_map | tr -s " " | uniq'
is "$out" " 0 $(sed -n 's/^LOCAL_UID="\(.*\)"/\1/p' "$T/etc/conf/101.conf") 65536" \
	"exec: the same id map as the CT's init"
# setuid inside the CT keeps working (no no_new_privs): a set-user-ID copy run by uid 1000
cp "$esc" "$T/private/101/tmp/suid"
uid0=$(stat -c %u "$T/private/101/bin/busybox")
chown "$uid0:$uid0" "$T/private/101/tmp/suid" && chmod 4755 "$T/private/101/tmp/suid"
run "$vzctl" exec 101 '/tmp/escape runas 1000 /tmp/suid euid'
is "$out" "euid 0" "a set-user-ID program in the CT still works for its users"
# exec loads the filter saved when the CT started, the one its init runs under
echo 'SECCOMP="off"' >>"$T/etc/conf/101.conf"
run "$vzctl" exec 101 'grep ^Seccomp: /proc/self/status | tr -d "\t "'
is "$out" "Seccomp:2" "SECCOMP changed in the config: exec keeps the running CT's filter"
sed -i '/^SECCOMP=/d' "$T/etc/conf/101.conf"
printf 'junk' >"$T/run/101.seccomp"
run "$vzctl" exec 101 true
ok "$([ "$rc" -ne 0 ]; echo $?)" "a damaged saved filter: exec refuses to run ($rc)"
like "$out" "Corrupt seccomp filter" "and says why"
"$vzctl" --quiet stop 101 --fast >/dev/null 2>&1
ok "$([ ! -e "$T/run/101.seccomp" ]; echo $?)" "the saved filter is removed at stop"

# ---- SECCOMP values are checked
echo 'SECCOMP="relative/path"' >>"$T/etc/conf/101.conf"
run "$vzctl" start 101
like "$out" "Invalid value for SECCOMP" "a bad SECCOMP value is refused"
sed -i '/^SECCOMP=/d' "$T/etc/conf/101.conf"
printf '# test profile\n@default\n!keyctl\ngetcpu # a harmless call, refused here\n' >"$T/profile"
echo "SECCOMP=\"$T/profile\"" >>"$T/etc/conf/101.conf"
run "$vzctl" start 101
is "$rc" 0 "a profile file starts"
vec 101 keys
like "$out" "^keys keyctl=(OK|E[A-Z]+) add_key=EPERM" "profile: !keyctl lets keyctl through, the rest of @default holds"
is "$(echo "$out" | grep -c 'keyctl=EPERM')" 0 "profile: keyctl is no longer EPERM"
vec 101 kexec
is "$out" "kexec kexec_load=EPERM kexec_file_load=EPERM" "profile: @default still refuses kexec"
"$vzctl" --quiet stop 101 --fast >/dev/null 2>&1
finish
