#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftests/qemu/run-pair.sh - boot two guests of the vz kernel joined by a
# QEMU socket network and run the two-guest integration tests on them.
#
# Usage: run-pair.sh -i IMAGE_DIR -u REPO [-l LOG_PREFIX] [-T TESTS]
#                    [-a EXTRA_APPEND]
#
#   -i DIR     a kernel image directory made by kernel/build.sh --dir
#   -u REPO    a checkout with the tools built in REPO/build (as run.sh -u)
#   -l PREFIX  console logs PREFIX-a.log and PREFIX-b.log (default: in a
#              temporary directory)
#   -T LIST    comma-separated integration tests for both guests (default
#              86-migrate-2guests.t)
#   -a ARGS    extra kernel command line for both guests
#
# One initramfs (mkinitramfs.sh -u REPO) boots twice, each guest with its
# own scratch disk and one virtio NIC on a point-to-point Ethernet link:
# QEMU's socket network, guest A listening on a free TCP port of the
# loopback address and guest B connecting to it, so the link is a TCP
# stream between the two QEMU processes and no interface or address of
# this machine is involved.  Guest A is 192.0.2.10/24 (vz.role=a), guest
# B 192.0.2.11/24 (vz.role=b), each told the other's address (vz.peer,
# see init.sh).  Both run only the integration suite with TESTS; A drives
# the test and B serves it.  Passes (exit 0) when both console logs pass
# tap-check.sh and guest A ran every one of TESTS without skipping it.
#
# Environment: as run.sh; KERNEL_QEMU_SMP defaults to 1 here (two guests
# share the machine), KERNEL_ITEST_TIMEOUT to 900.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
img= repo= prefix= tests=86-migrate-2guests.t append=
while getopts "i:u:l:T:a:" opt; do
	case "$opt" in
	i) img=$OPTARG ;;
	u) repo=$OPTARG ;;
	l) prefix=$OPTARG ;;
	T) tests=$OPTARG ;;
	a) append=$OPTARG ;;
	*) sed -n '4,30p' "$0" >&2; exit 2 ;;
	esac
done
[ -n "$img" ] && [ -f "$img/bzImage" ] || { echo "run-pair.sh: -i IMAGE_DIR with a bzImage is required" >&2; exit 2; }
[ -n "$repo" ] || { echo "run-pair.sh: -u REPO is required" >&2; exit 2; }
export KERNEL_QEMU_SMP=${KERNEL_QEMU_SMP:-1} KERNEL_ITEST_TIMEOUT=${KERNEL_ITEST_TIMEOUT:-900}

tmp=$(mktemp -d /tmp/vz-qemu-pair.XXXXXX)
pids=
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "$prefix" ] || prefix=$tmp/console
mkdir -p "$(dirname "$prefix")"

"$HERE/mkinitramfs.sh" -o "$tmp/initramfs.cpio.gz" -u "$repo"

# A free TCP port on the loopback address for the link.
listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
port=
for i in $(seq 50); do
	p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
	listening "$p" || { port=$p; break; }
done
[ -n "$port" ] || { echo "run-pair.sh: no free TCP port found" >&2; exit 1; }

# guest NAME ADDR PEER NETDEV MAC: run.sh for one guest in the background
guest() {
	"$HERE/run.sh" -i "$img" -u "$repo" -I "$tmp/initramfs.cpio.gz" -s integration \
		-l "$prefix-$1.log" \
		-q "-netdev socket,id=lan,$4 -device virtio-net-pci,netdev=lan,mac=$5" \
		-a "vz.itests=$tests vz.lan=$2/24 vz.peer=$3 vz.role=$1 $append" \
		>"$tmp/run-$1.out" 2>&1 &
	pids="$pids $!"
}
t0=$(date +%s)
echo "run-pair.sh: guests A and B on a socket network (127.0.0.1:$port), logs $prefix-{a,b}.log"
guest a 192.0.2.10 192.0.2.11 "listen=127.0.0.1:$port" 52:54:00:00:02:0a
pid_a=$!
# B connects: only once A's QEMU listens (or has given up).
for i in $(seq 600); do
	listening "$port" && break
	kill -0 "$pid_a" 2>/dev/null || break
	sleep 0.1
done
guest b 192.0.2.11 192.0.2.10 "connect=127.0.0.1:$port" 52:54:00:00:02:0b
pid_b=$!
rc_a=0 rc_b=0
wait "$pid_a" || rc_a=$?
wait "$pid_b" || rc_b=$?
pids=
echo "run-pair.sh: both guests done after $(($(date +%s) - t0)) s"
for g in a b; do
	echo "run-pair.sh: guest ${g^^}:"
	grep -E '^(run\.sh|FAILED|KERNEL|  [a-z-]+ |check-kernel)' "$tmp/run-$g.out" | sed 's/^/  /' || true
done
fail=0
[ "$rc_a" = 0 ] && [ "$rc_b" = 0 ] || fail=1
# A skipped test would pass tap-check: A must have run each of them.
for t in ${tests//,/ }; do
	if ! tr -d '\r' <"$prefix-a.log" | grep -E "^ok [0-9]+ integration: $t\$" >/dev/null; then
		echo "run-pair.sh: guest A did not run $t to success (skipped or missing)"
		fail=1
	fi
done
if [ "$fail" = 0 ]; then
	echo "check-kernel (two guests): PASS"
else
	echo "check-kernel (two guests): FAIL"
fi
exit "$fail"
