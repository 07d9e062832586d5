#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/kernel/run.sh - the patched kernel against the unpatched one, and
# the in-kernel /proc virtualization against LXCFS.
#
# Builds (or takes from the cache) the vz kernel and the unpatched kernel of
# the same base and config fragments and boots each in the same QEMU setup:
# TCG with -icount (deterministic virtual time: the guest's clock advances
# by 2^shift ns per executed instruction, so timings inside the guest are
# instruction counts and repeat from run to run, unlike TCG's wall clock),
# one vCPU, no address space randomization (nokaslr, randomize_va_space
# 0), the initramfs of selftests/qemu with this directory's programs.
# In the guest (bench.t, run as an integration hook):
#
#  1. microbench ops (fork+exit, fork+exec, open+close, TCP and Unix
#     socket+close, pty open+close, queued signal, flock, POSIX lock)
#     three times: from the root cgroup ("root", a task of the host; on
#     the patched kernel charging is on, since a beancounter group exists,
#     but the root is not charged), from a non-root cgroup with the
#     beancounter controller and a barrier and limit on every resource
#     ("ct", a container: the charged paths), and from such a cgroup
#     below a non-root parent without limits ("vzct": vzctl's layout,
#     $CGROUP_PARENT/<CTID> with CGROUP_PARENT=/vz, two levels charged);
#  2. on both kernels: /proc/meminfo, /proc/cpuinfo, /proc/uptime read
#     BENCH_PROC_READS times from the root cgroup (the host view), and
#     through LXCFS from a container-like cgroup (memory.max 256M, cpuset
#     0) in a mount namespace with LXCFS's files bound over /proc's;
#  3. on the patched kernel: the same reads from that cgroup with
#     beancounter.proc_virt set (the kernel's virtualization).
#
# Prints ns per operation (virtual, i.e. instructions with shift 0) of
# both kernels and the overhead of the patched one, then the /proc reads
# and the LXCFS/kernel ratio.  -icount counts instructions, it does not
# model caches or the cost of atomic operations: the overhead shown is the
# extra work the patches execute.
#
# Environment: BENCH_ROUNDS (rounds per operation, fastest kept, default 3),
# BENCH_PROC_READS (default 2000), BENCH_ICOUNT (the -icount option,
# default shift=0,sleep=off), BENCH_BOOTS (boots per kernel, default 1: a
# second boot shows the repeatability), KERNEL_OUT (default
# <repo>/build/kernel), BENCH_VZ_IMAGE and BENCH_VANILLA_IMAGE (image
# directories to use instead of building), and the kernel.mk variables
# (KERNEL_CACHE_DIR, KERNEL_JOBS).  Needs lxcfs (make kernel-deps).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${KERNEL_OUT:-$TOP/build/kernel}/bench
ICOUNT=${BENCH_ICOUNT:-shift=0,sleep=off}
BOOTS=${BENCH_BOOTS:-1}
READS=${BENCH_PROC_READS:-2000}
mkdir -p "$OUT"

LXCFS=$(command -v lxcfs || true)
LIBLXCFS=/usr/lib/x86_64-linux-gnu/lxcfs
[ -n "$LXCFS" ] && [ -f "$LIBLXCFS/liblxcfs.so" ] ||
	{ echo "bench-kernel: lxcfs missing: make kernel-deps (package lxcfs)" >&2; exit 1; }

gcc -O2 -Wall -Wextra -Werror -o "$OUT/microbench" "$HERE/microbench.c"
cat >"$OUT/bench.t" <<EOS
#!/bin/sh
# Guest side of bench/kernel/run.sh.
cg=/sys/fs/cgroup
mb=/usr/local/bin/microbench
patched=0
grep -qw beancounter \$cg/cgroup.controllers && patched=1
echo "# kernel \$(uname -r), beancounter: \$patched, controllers: \$(cat \$cg/cgroup.subtree_control)"
# Same address space layout in every run (the kernel's: nokaslr).
echo 0 >/proc/sys/kernel/randomize_va_space
# delegate DIR: the controllers for DIR's children.
delegate() {
	for c in memory pids cpuset; do
		grep -qw \$c \$1/cgroup.subtree_control || echo +\$c >\$1/cgroup.subtree_control || return 1
	done
	[ \$patched = 0 ] || grep -qw beancounter \$1/cgroup.subtree_control ||
		echo +beancounter >\$1/cgroup.subtree_control
}

# ops_in DIR LABEL: the operations from cgroup DIR, a container with a
# barrier and a limit on every resource.
ops_in() {
	mkdir -p \$1 || return 1
	if [ \$patched = 1 ]; then
		for r in numproc numfile numflock numpty numsiginfo numtcpsock numothersock; do
			echo "\$r 1000000" >\$1/beancounter.barrier &&
				echo "\$r 1100000" >\$1/beancounter.limit || return 1
		done
		echo "# kernel: \$2 cgroup barriers: \$(tr '\\n' ' ' <\$1/beancounter.barrier)"
	fi
	BENCH_ROUNDS=${BENCH_ROUNDS:-3} sh -c "echo \\\$\\\$ >\$1/cgroup.procs && exec \$mb ops \$2"
}

delegate \$cg || exit 1
mkdir -p \$cg/bench
echo "# kernel: bench cgroup controllers: \$(cat \$cg/bench/cgroup.controllers)"
BENCH_ROUNDS=${BENCH_ROUNDS:-3} \$mb ops root || exit 1
ops_in \$cg/bench ct || exit 1
# vzctl's layout: the container below /vz, which has no limits.
mkdir -p \$cg/vz && delegate \$cg/vz && ops_in \$cg/vz/bench vzct || exit 1

# A container-like cgroup for the /proc readers.
ct=\$cg/ct
mkdir -p \$ct
echo 256M >\$ct/memory.max && echo 0 >\$ct/cpuset.cpus || exit 1
\$mb proc $READS host || exit 1
if [ \$patched = 1 ]; then
	echo 1 >\$ct/beancounter.proc_virt || exit 1
	sh -c "echo \\\$\\\$ >\$ct/cgroup.procs && exec \$mb proc $READS virt" || exit 1
	echo 0 >\$ct/beancounter.proc_virt
fi
mkdir -p /var/lib/lxcfs
lxcfs -f /var/lib/lxcfs >/tmp/lxcfs.log 2>&1 &
lxcfs=\$!
i=0
while ! [ -s /var/lib/lxcfs/proc/meminfo ] && [ \$i -lt 100 ]; do
	sleep 0.1
	i=\$((i + 1))
done
if ! [ -s /var/lib/lxcfs/proc/meminfo ]; then
	echo "# lxcfs did not come up:"
	sed 's/^/#   /' /tmp/lxcfs.log
	exit 1
fi
sh -c "echo \\\$\\\$ >\$ct/cgroup.procs && exec \$mb proc $READS lxcfs /var/lib/lxcfs"
rc=\$?
kill \$lxcfs
wait \$lxcfs
umount /var/lib/lxcfs 2>/dev/null
exit \$rc
EOS
chmod +x "$OUT/bench.t"

export QEMU_EXTRA_FILES="$OUT/microbench:/usr/local/bin/microbench
	$OUT/bench.t:/vz-tests/integration/bench.t $LXCFS:/usr/bin/lxcfs
	$LIBLXCFS:$LIBLXCFS"
"$TOP/selftests/qemu/mkinitramfs.sh" -o "$OUT/initramfs.cpio.gz"

# boot IMAGE_DIR LOG: one boot under TCG with -icount.
boot() {
	timeout -s KILL "${KERNEL_QEMU_TIMEOUT:-1500}" \
		qemu-system-x86_64 -accel tcg -icount "$ICOUNT" -m 1024 -smp 1 \
		-nographic -no-reboot -nodefaults -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$1/bzImage" -initrd "$OUT/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=4 nokaslr vz.suites=integration vz.timeout=3000 vz.itimeout=3000" \
		</dev/null >"$2" 2>&1 || true
	grep -q '^ok [0-9]* integration: bench.t' "$2"
}

for flavour in vz vanilla; do
	if [ $flavour = vz ]; then
		img=${BENCH_VZ_IMAGE:-$("$TOP/kernel/build.sh" --dir)}
	else
		img=${BENCH_VANILLA_IMAGE:-$("$TOP/kernel/build.sh" --unpatched --dir)}
	fi
	: >"$OUT/result-$flavour.txt"
	for b in $(seq "$BOOTS"); do
		log=$OUT/console-$flavour-$b.log
		echo "bench-kernel: booting $flavour ($img), -icount $ICOUNT, boot $b/$BOOTS" >&2
		t0=$(date +%s)
		if ! boot "$img" "$log"; then
			tail -n 40 "$log" | tr -d '\r' >&2
			echo "bench-kernel: the $flavour run failed (console: $log)" >&2
			exit 1
		fi
		echo "bench-kernel: $flavour boot $b took $(($(date +%s) - t0)) s" >&2
		tr -d '\r' <"$log" | sed -n 's/.*bench: \([a-z_]*\) \([0-9.]*\)$/\1 \2/p' |
			sed "s/^/$b /" >>"$OUT/result-$flavour.txt"
		tr -d '\r' <"$log" | grep -E '# (kernel|host|virt|lxcfs): ' | sed "s/^/  [$flavour] /" >&2 || true
	done
done

# value FLAVOUR BOOT NAME
value() { awk -v b="$2" -v n="$3" '$1 == b && $2 == n { print $3 }' "$OUT/result-$1.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.4f", a / b }'; }

echo "bench-kernel: QEMU TCG -icount $ICOUNT (guest ns = executed instructions x 2^shift), 1 vCPU"
echo "bench-kernel: charged paths, ns/op (fastest of ${BENCH_ROUNDS:-3} rounds); ratio = patched/unpatched"
echo "bench-kernel: root = from the root cgroup (host task), ct = from a beancounter group with limits (container),"
echo "bench-kernel: vzct = the same group below /vz, as vzctl places containers (two levels charged)"
for b in $(seq "$BOOTS"); do
	printf '%-4s %-4s %-14s %14s %14s %9s %9s\n' boot in benchmark patched unpatched ratio overhead
	for where in root ct vzct; do
		for name in fork_exit fork_exec open_close socket_tcp socket_unix pty_open sigqueue flock posix_lock; do
			vz=$(value vz "$b" ${where}_$name)
			va=$(value vanilla "$b" ${where}_$name)
			r=$(ratio "$vz" "$va")
			printf '%-4s %-4s %-14s %14s %14s %9s %9s\n' "$b" $where $name "${vz:--}" "${va:--}" "$r" \
				"$(awk -v r="$r" 'BEGIN { if (r == "-") print "-"; else printf "%+.2f%%", (r - 1) * 100 }')"
		done
	done
done
echo "bench-kernel: /proc reads, ns/read (${READS} reads); host = root cgroup, virt = beancounter.proc_virt, lxcfs = LXCFS over FUSE"
printf '%-4s %-9s %-8s %12s %12s %12s %12s\n' boot file kernel host virt lxcfs lxcfs/virt
for b in $(seq "$BOOTS"); do
	for f in meminfo cpuinfo uptime; do
		for flavour in vz vanilla; do
			h=$(value $flavour "$b" host_$f)
			v=$(value $flavour "$b" virt_$f)
			l=$(value $flavour "$b" lxcfs_$f)
			printf '%-4s %-9s %-8s %12s %12s %12s %12s\n' "$b" $f \
				"$([ $flavour = vz ] && echo patched || echo unpatched)" \
				"${h:--}" "${v:--}" "${l:--}" "$(ratio "$l" "$v")"
		done
	done
done
