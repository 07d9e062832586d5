#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the vz test guest.  Mounts the pseudo file systems (cgroup2 only),
# runs every suite and prints one TAP 13 stream on the console:
#
#   upstream:    /kselftest/kselftest-list.txt (upstream cgroup + proc tests)
#   vz-kernel:   executables in /vz-tests/kernel (the project's kselftests)
#   integration: the project's guest-marked integration tests in
#                /vz-src/selftests/integration (mkinitramfs.sh -u), each
#                judged as TAP (plan, every "ok", exit status), then
#                executables and *.t in /vz-tests/integration (hook, see
#                QEMU_EXTRA_FILES), judged by exit status
#   kernel-log:  dmesg must be free of WARNING/BUG/Oops/panic lines
#
# Before the integration suite the guest becomes a node: every controller
# enabled in the root's cgroup.subtree_control, the host's GNU tools in
# front of busybox (dash as /bin/sh), / mode 0755, dmesg_restrict as on
# Debian, /tmp on the ext4 scratch disk (virtio serial
# "vzscratch"; a node keeps /vz on a disk file system, and tmpfs has no
# idmapped mounts before Linux 6.3), and the Debian template cache copied
# from the read-only disk with serial "vzcache".
#
# The output of each program is passed through with a "# " prefix, so the
# nested kselftest TAP is kept for the host (selftests/qemu/tap-check.sh).
# Kernel command line options read here:
#   vz.suites=a,b,...   run only these suites (default: all)
#   vz.timeout=SECONDS  per-program timeout (default 300)
#   vz.shell=1          drop to a shell instead of powering off (debugging)
#   vz.itimeout=SECONDS per-file timeout of the integration tests (default 420)
#   vz.itests=a.t,b.t   run only these of the guest-marked integration tests
#                       (the only way to run those marked "guest: on-request")
#   vz.utests=c:p,...   run only these upstream programs (collection:program,
#                       as in kselftest-list.txt)
#   vz.debcache=BYTES:NAME  the "vzcache" disk holds the first BYTES bytes of
#                       the Debian cache file NAME (17-debian.t's cache key)
#   vz.lan=ADDR/LEN     give eth0 (a NIC on a QEMU socket network joining
#                       two guests, selftests/qemu/run-pair.sh) this address;
#                       the integration tests get it as VZ_LAN_ADDR
#   vz.peer=ADDR        the other guest's address on that link (VZ_LAN_PEER)
#   vz.role=NAME        this guest's part in a two-guest test (VZ_LAN_ROLE)

# Nothing can pivot_root away from the initramfs root (rootfs), and every
# container start does: move a bind mount of it over / and continue there,
# as on a system booted from a disk.
if [ -z "${VZ_ROOT_BOUND:-}" ]; then
	/bin/busybox mkdir -p /.root
	/bin/busybox mount --bind / /.root && cd /.root && /bin/busybox mount --move . / &&
		exec /bin/busybox env VZ_ROOT_BOUND=1 /bin/busybox chroot . /init
	echo "# init: cannot move the root to a bind mount: containers cannot start"
fi
unset VZ_ROOT_BOUND

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
itimeout=420
itests=
utests=
debcache=
lan= peer= role=
shell=0
for opt in $(cat /proc/cmdline); do
	case "$opt" in
	vz.suites=*) suites=${opt#vz.suites=} ;;
	vz.timeout=*) timeout=${opt#vz.timeout=} ;;
	vz.itimeout=*) itimeout=${opt#vz.itimeout=} ;;
	vz.itests=*) itests=${opt#vz.itests=} ;;
	vz.utests=*) utests=${opt#vz.utests=} ;;
	vz.debcache=*) debcache=${opt#vz.debcache=} ;;
	vz.shell=*) shell=${opt#vz.shell=} ;;
	vz.lan=*) lan=${opt#vz.lan=} ;;
	vz.peer=*) peer=${opt#vz.peer=} ;;
	vz.role=*) role=${opt#vz.role=} ;;
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
		case ",${utests:-$coll:$prog}," in *",$coll:$prog,"*) ;; *) continue ;; esac
		run_prog upstream "$coll:$prog" "/kselftest/$coll" "./$prog"
	done </kselftest/kselftest-list.txt
fi

if want vz-kernel && [ -d /vz-tests/kernel ]; then
	for t in /vz-tests/kernel/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		run_prog vz-kernel "${t##*/}" /vz-tests/kernel "$t"
	done
fi

# virtio_disk SERIAL: the /dev node of the virtio disk with that serial.
virtio_disk() {
	for b in /sys/block/vd*; do
		[ -e "$b/serial" ] && [ "$(cat "$b/serial")" = "$1" ] && echo "/dev/${b##*/}" && return 0
	done
	return 1
}

# The guest as a node for the user-space tests (see the header).
node_setup() {
	# mktemp -d made the image's / 0700 (the upstream baseline was recorded
	# so); user-namespaced CTs, whose ids are not the host's, must pass it.
	chmod 0755 /
	for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
		echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control ||
			echo "# node: cannot enable the $c controller in the root cgroup"
	done
	echo "# node: root subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
	# As Debian's kernels set it (SECURITY_DMESG_RESTRICT): the escape
	# battery's SECCOMP=off layer counts on it for syslog(2).
	echo 1 >/proc/sys/kernel/dmesg_restrict
	for f in /usr/lib/vz-guest/bin/*; do
		[ -e "$f" ] || continue
		name=${f##*/}
		for d in /usr/sbin /usr/bin /sbin /bin; do
			[ -L "$d/$name" ] && ln -sf "$f" "$d/$name"
		done
		[ -e "/usr/bin/$name" ] || ln -s "$f" "/usr/bin/$name"
	done
	# busybox's sh prefers its own applets to PATH: the shell of a Debian host
	[ -x /usr/lib/vz-guest/bin/dash ] && ln -sf /usr/lib/vz-guest/bin/dash /bin/sh
	if scratch=$(virtio_disk vzscratch); then
		mount -t ext4 -o noinit_itable "$scratch" /tmp && chmod 1777 /tmp &&
			echo "# node: /tmp is ext4 on $scratch ($(df -h /tmp | awk 'NR == 2 { print $2 }'))"
	else
		echo "# node: no scratch disk: /tmp stays tmpfs (overlay CTs need idmapped tmpfs, Linux 6.3+)"
	fi
	export VZ_TEST_CACHE_DIR=/tmp/vz-test-templates
	if [ -n "$debcache" ] && disk=$(virtio_disk vzcache); then
		mkdir -p "$VZ_TEST_CACHE_DIR"
		head -c "${debcache%%:*}" "$disk" >"$VZ_TEST_CACHE_DIR/${debcache#*:}" &&
			echo "# node: Debian cache ${debcache#*:} from $disk"
	fi
	if [ -n "$lan" ]; then
		ip addr add "$lan" dev eth0 && ip link set eth0 up &&
			echo "# node: eth0 $lan, peer ${peer:-none}, role ${role:-none}"
		export VZ_LAN_ADDR=${lan%/*} VZ_LAN_PEER=$peer VZ_LAN_ROLE=$role
	fi
}

# run_tap NAME DIR CMD...: run a TAP test file like run_prog, and judge its
# TAP as prove does: a plan, as many results as planned, no "not ok"
# (except TODO), no "Bail out!", exit status 0; "1..0 # SKIP why" skips.
run_tap() {
	name=$1 dir=$2
	shift 2
	n=$((n + 1))
	echo "# [integration] $name"
	start=$(cut -d' ' -f1 /proc/uptime)
	(cd "$dir" && timeout -s KILL "$itimeout" "$@" </dev/null 2>&1; echo "$?" >/run/.rc) |
		tee /run/.tap | sed -e 's/^/# /'
	rc=$(cat /run/.rc 2>/dev/null || echo 255)
	end=$(cut -d' ' -f1 /proc/uptime)
	verdict=$(awk -v rc="$rc" '
		/^1\.\.[0-9]+/ { plan = $1; sub(/^1\.\./, "", plan); planned = 1
			if (plan == 0 && $0 ~ /# *[Ss][Kk][Ii][Pp]/) { why = $0; sub(/^1\.\.0 *# *[Ss][Kk][Ii][Pp] */, "", why) } }
		/^ok [0-9]+/ { got++; if ($0 ~ /# *(SKIP|skip)/) skipped++; else good++ }
		/^not ok [0-9]+/ { got++; if ($0 ~ /# *(TODO|todo)/) todo++; else bad++ }
		/^Bail out!/ { bail = 1 }
		END {
			printf "%d ok, %d not ok, %d skipped, %d todo of plan %s, exit %s, %.1f s\n", good, bad, skipped, todo, planned ? plan : "none", rc, '"$end - $start"'
			if (rc == 137) print "TIMEOUT"
			else if (bail) print "Bail out"
			else if (!planned) print "no plan"
			else if (bad) print bad " not ok"
			else if (got + 0 != plan + 0) print "planned " plan ", ran " got + 0
			else if (rc != 0) print "exit=" rc
			else if (plan == 0) print "SKIP " why
			else print "OK"
		}' /run/.tap)
	echo "# [integration] $name: $(echo "$verdict" | head -1)"
	result=$(echo "$verdict" | tail -1)
	case "$result" in
	OK) echo "ok $n integration: $name" ;;
	"SKIP "*) echo "ok $n integration: $name # SKIP ${result#SKIP }" ;;
	*) echo "not ok $n integration: $name # $result"; failed=$((failed + 1)) ;;
	esac
}

if want integration && [ -d /vz-src/selftests/integration ]; then
	node_setup
	for t in /vz-src/selftests/integration/*.t; do
		[ -f "$t" ] || continue
		case ",${itests:-${t##*/}}," in *",${t##*/},"*) ;; *) continue ;; esac
		if [ -z "$itests" ] && grep -qx "${t##*/}" /vz-src/selftests/integration/on-request 2>/dev/null; then
			echo "# [integration] ${t##*/}: on request only (vz.itests=${t##*/})"
			continue
		fi
		run_tap "${t##*/}" /vz-src/selftests/integration bash "$t"
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
