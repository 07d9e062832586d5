#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftests/qemu/run.sh - boot a kernel under QEMU (TCG) with the test
# initramfs and judge the TAP it prints.
#
# Usage: run.sh -i IMAGE_DIR [-t VZ_TEST_DIR] [-b BASELINE] [-s SUITES]
#               [-l CONSOLE_LOG] [-r RECORD_BASELINE_OUT] [-a EXTRA_APPEND]
#               [-u REPO [-c DEBIAN_CACHE]] [-I INITRAMFS] [-q QEMU_ARGS]
#
#   -i DIR   a kernel image directory made by kernel/build.sh --dir
#            (bzImage + kselftest/ with the upstream cgroup/proc tests)
#   -t DIR   the project's kselftest binaries (selftests/kernel)
#   -b FILE  upstream results of the unpatched base to compare with
#   -s LIST  comma-separated suites: vz-kernel,upstream,integration (default all)
#   -l FILE  where to keep the console log (default: a temporary file)
#   -r FILE  record the upstream results of this run as a baseline
#   -a ARGS  extra kernel command line
#   -u REPO  add the user-space tier (mkinitramfs.sh -u): the checkout's
#            tools and guest-marked integration tests, plus an ext4 scratch
#            disk (sparse, KERNEL_SCRATCH_SIZE, default 8G) the guest mounts
#            on /tmp
#   -c FILE  the Debian template cache (17-debian.t's), handed to the guest
#            as a read-only raw virtio disk
#   -I FILE  boot this initramfs (made by mkinitramfs.sh) instead of
#            building one (-t and the image's kselftests are then not
#            added; -u still adds the scratch disk)
#   -q ARGS  extra QEMU arguments, split at spaces (run-pair.sh's NIC)
#
# Environment: QEMU_EXTRA_FILES (see mkinitramfs.sh), KERNEL_QEMU_TIMEOUT
# (whole boot, default 2400 s), KERNEL_TEST_TIMEOUT (per program, default
# 300 s), KERNEL_QEMU_MEM (default 2048), KERNEL_QEMU_SMP (default 2),
# KERNEL_QEMU_ICOUNT (QEMU's -icount option, e.g. shift=0: the guest's clock
# counts executed instructions; benchmarks use it).
#
# TCG runs single-threaded (all vCPUs in one host thread): with QEMU 7.2's
# multi-threaded TCG a vCPU can go on executing the translated int3 of a
# static key the guest kernel has just patched back to a NOP; the kernel
# sees no breakpoint there and retries the instruction, forever (an
# unkillable task, "rcu_preempt kthread starved"; reproduced on the
# unpatched kernel too by flipping cpusets_enabled_key).
# no_timer_check: TCG on a loaded machine can make the kernel think the
# IO-APIC timer does not work and stop the boot.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
img= vzt= baseline= suites=all log= record= append= repo= debcache= initrd= qargs=
while getopts "i:t:b:s:l:r:a:u:c:I:q:" opt; do
	case "$opt" in
	i) img=$OPTARG ;;
	t) vzt=$OPTARG ;;
	b) baseline=$OPTARG ;;
	s) suites=$OPTARG ;;
	l) log=$OPTARG ;;
	r) record=$OPTARG ;;
	a) append=$OPTARG ;;
	u) repo=$OPTARG ;;
	c) debcache=$OPTARG ;;
	I) initrd=$OPTARG ;;
	q) qargs=$OPTARG ;;
	*) sed -n '4,35p' "$0" >&2; exit 2 ;;
	esac
done
[ -n "$img" ] && [ -f "$img/bzImage" ] || { echo "run.sh: -i IMAGE_DIR with a bzImage is required" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "run.sh: qemu-system-x86_64 missing: make kernel-deps" >&2; exit 1; }

tmp=$(mktemp -d /tmp/vz-qemu.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
[ -n "$log" ] || log=$tmp/console.log
mkdir -p "$(dirname "$log")"

t0=$(date +%s)
if [ -n "$initrd" ]; then
	[ -s "$initrd" ] || { echo "run.sh: initramfs $initrd missing" >&2; exit 2; }
else
	initrd=$tmp/initramfs.cpio.gz
	kargs=(-o "$initrd")
	[ -d "$img/kselftest" ] && kargs+=(-k "$img/kselftest")
	[ -n "$vzt" ] && kargs+=(-t "$vzt")
	[ -n "$repo" ] && kargs+=(-u "$repo")
	"$HERE/mkinitramfs.sh" "${kargs[@]}"
fi

cmdline="console=ttyS0 panic=-1 oops=panic loglevel=4 printk.time=1 no_timer_check"
cmdline+=" vz.suites=$suites vz.timeout=${KERNEL_TEST_TIMEOUT:-300}"
cmdline+=" vz.itimeout=${KERNEL_ITEST_TIMEOUT:-420} $append"
disks=()
if [ -n "$repo" ]; then
	# Sparse; the guest mounts it with noinit_itable, so only what the
	# tests write reaches the host's disk.
	truncate -s "${KERNEL_SCRATCH_SIZE:-8G}" "$tmp/scratch.img"
	mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$tmp/scratch.img"
	disks+=(-drive "file=$tmp/scratch.img,format=raw,if=none,id=vzscratch,cache=unsafe"
		-device virtio-blk-pci,drive=vzscratch,serial=vzscratch)
	if [ -n "$debcache" ]; then
		[ -s "$debcache" ] || { echo "run.sh: $debcache missing" >&2; exit 2; }
		disks+=(-drive "file=$debcache,format=raw,if=none,id=vzcache,readonly=on"
			-device virtio-blk-pci,drive=vzcache,serial=vzcache)
		cmdline+=" vz.debcache=$(stat -c %s "$debcache"):$(basename "$debcache")"
	fi
fi

echo "run.sh: booting $img/bzImage under TCG (console log: $log)"
set +e
timeout -s KILL "${KERNEL_QEMU_TIMEOUT:-2400}" \
	qemu-system-x86_64 -accel tcg,thread=single ${KERNEL_QEMU_ICOUNT:+-icount "$KERNEL_QEMU_ICOUNT"} \
	-m "${KERNEL_QEMU_MEM:-2048}" -smp "${KERNEL_QEMU_SMP:-2}" \
	-nographic -no-reboot -nodefaults -serial stdio \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	"${disks[@]}" $qargs -kernel "$img/bzImage" -initrd "$initrd" \
	-append "$cmdline" </dev/null 2>&1 | tee "$log"
qrc=${PIPESTATUS[0]}
set -e
t1=$(date +%s)
echo "run.sh: QEMU exited with $qrc after $((t1 - t0)) s"
[ "$qrc" = 137 ] && echo "run.sh: QEMU killed after ${KERNEL_QEMU_TIMEOUT:-2400} s (KERNEL_QEMU_TIMEOUT)"

if [ -n "$record" ]; then
	"$HERE/tap-check.sh" --record "$record" "$log"
fi
"$HERE/tap-check.sh" "$log" ${baseline:+"$baseline"}
