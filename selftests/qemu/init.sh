#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the vz test guest.  Mounts the pseudo file systems (cgroup2 only),
# runs every suite and prints one TAP 13 stream on the console:
#
#   upstream:    /kselftest/kselftest-list.txt (upstream cgroup + proc tests)
#   vz-kernel:   executables in /vz-tests/kernel (the project's kselftests)
#   integration: executables and *.t in /vz-tests/integration (hook for the
#                project's user-space tests, see QEMU_EXTRA_FILES)
#   kernel-log:  dmesg must be free of WARNING/BUG/Oops/panic lines
#
# The output of each program is passed through with a "# " prefix, so the
# nested kselftest TAP is kept for the host (selftests/qemu/tap-check.sh).
# Kernel command line options read here:
#   vz.suites=a,b,...   run only these suites (default: all)
#   vz.timeout=SECONDS  per-program timeout (default 300)
#   vz.shell=1          drop to a shell instead of powering off (debugging)

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
# Scripts expect /usr/bin/true, /usr/bin/env...: make every applet visible
# under both prefixes.
for f in /bin/* /sbin/*; do
	[ -e "/usr${f}" ] || ln -s "$f" "/usr${f}"
done
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /tmp /run /root /sys/fs/cgroup
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ip link set lo up 2>/dev/null
hostname vz-guest
# The test programs run from the root cgroup: leave the hierarchy pure v2.

suites=all
timeout=300
shell=0
for opt in $(cat /proc/cmdline); do
	case "$opt" in
	vz.suites=*) suites=${opt#vz.suites=} ;;
	vz.timeout=*) timeout=${opt#vz.timeout=} ;;
	vz.shell=*) shell=${opt#vz.shell=} ;;
	esac
done

want() {
	[ "$suites" = all ] && return 0
	case ",$suites," in *",$1,"*) return 0 ;; esac
	return 1
}

n=0
failed=0

# run_prog SUITE NAME DIR CMD...: run CMD in DIR with a timeout, print
# its output prefixed with "# " and one top-level TAP result line.
run_prog() {
	suite=$1 name=$2 dir=$3
	shift 3
	n=$((n + 1))
	echo "# [$suite] $name"
	start=$(cut -d' ' -f1 /proc/uptime)
	(cd "$dir" && timeout -s KILL "$timeout" "$@" </dev/null 2>&1; echo "$?" >/tmp/.rc) |
		sed -e 's/^/# /'
	rc=$(cat /tmp/.rc 2>/dev/null || echo 255)
	end=$(cut -d' ' -f1 /proc/uptime)
	echo "# [$suite] $name: exit $rc after $(echo "$start $end" | awk '{printf "%.1f", $2 - $1}') s"
	case "$rc" in
	0) echo "ok $n $suite: $name" ;;
	4) echo "ok $n $suite: $name # SKIP" ;;
	137) echo "not ok $n $suite: $name # TIMEOUT ${timeout}s"; failed=$((failed + 1)) ;;
	*) echo "not ok $n $suite: $name # exit=$rc"; failed=$((failed + 1)) ;;
	esac
}

echo "TAP version 13"
echo "# vz guest: $(uname -r) $(uname -v)"
echo "# cmdline: $(cat /proc/cmdline)"
echo "# cgroup controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"

# Upstream first: on a freshly booted guest, as when the baseline was
# recorded, whatever the other suites enable or leave behind.
if want upstream && [ -f /kselftest/kselftest-list.txt ]; then
	while IFS=: read -r coll prog; do
		[ -n "$prog" ] || continue
		run_prog upstream "$coll:$prog" "/kselftest/$coll" "./$prog"
	done </kselftest/kselftest-list.txt
fi

if want vz-kernel && [ -d /vz-tests/kernel ]; then
	for t in /vz-tests/kernel/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		run_prog vz-kernel "${t##*/}" /vz-tests/kernel "$t"
	done
fi

if want integration && [ -d /vz-tests/integration ]; then
	for t in /vz-tests/integration/*; do
		[ -f "$t" ] || continue
		case "$t" in
		*.t) if [ -x "$t" ]; then cmd=$t; else cmd="sh $t"; fi ;;
		*) [ -x "$t" ] || continue; cmd=$t ;;
		esac
		# shellcheck disable=SC2086
		run_prog integration "${t##*/}" /vz-tests/integration $cmd
	done
fi

n=$((n + 1))
bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Kernel panic|general protection fault|kernel BUG|UBSAN:|KASAN:|rcu_sched self-detected stall|INFO: task .* blocked')
if [ -z "$bad" ]; then
	echo "ok $n kernel-log: no WARNING/BUG/Oops in dmesg"
else
	echo "$bad" | sed -e 's/^/# dmesg: /'
	echo "not ok $n kernel-log: no WARNING/BUG/Oops in dmesg"
	failed=$((failed + 1))
fi

echo "1..$n"
echo "# vz-harness: done tests=$n failed=$failed"

if [ "$shell" = 1 ]; then
	setsid cttyhack sh
fi
sync
# isa-debug-exit: QEMU exits with (value << 1) | 1.
if [ "$failed" -eq 0 ]; then v='\000'; else v='\001'; fi
printf "$v" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
poweroff -f
