#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/kernel/run.sh - patched vs unpatched kernel micro-benchmarks.
#
# Builds (or takes from the cache) the vz kernel and the unpatched kernel of
# the same base and config fragments, boots each under the same QEMU setup
# with bench/kernel/microbench run from a non-root cgroup (with the
# beancounter controller enabled when the kernel has it), and prints the
# ops/s of both and their ratio.  The numbers are TCG numbers: relative
# overhead is meaningful, absolute rates are not.
#
# Environment: BENCH_SECONDS (per round, default 1), BENCH_ROUNDS (best of,
# default 5), KERNEL_OUT (default <repo>/build/kernel), BENCH_VZ_IMAGE and
# BENCH_VANILLA_IMAGE (image directories to use instead of building), and
# the kernel.mk variables (KERNEL_CACHE_DIR, KERNEL_JOBS, KERNEL_QEMU_*).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${KERNEL_OUT:-$TOP/build/kernel}/bench
mkdir -p "$OUT"

gcc -O2 -Wall -Wextra -Werror -o "$OUT/microbench" "$HERE/microbench.c"
cat >"$OUT/bench.t" <<EOS
#!/bin/sh
# Run the micro-benchmarks from a non-root cgroup, charged when possible.
cg=/sys/fs/cgroup/bench
if grep -qw beancounter /sys/fs/cgroup/cgroup.controllers; then
	echo +beancounter >/sys/fs/cgroup/cgroup.subtree_control || exit 1
fi
mkdir -p \$cg && echo \$\$ >\$cg/cgroup.procs || exit 1
echo "# cgroup: \$(cat /proc/self/cgroup), controllers: \$(cat \$cg/cgroup.controllers)"
BENCH_SECONDS=${BENCH_SECONDS:-1} BENCH_ROUNDS=${BENCH_ROUNDS:-5} exec /usr/local/bin/microbench
EOS
chmod +x "$OUT/bench.t"

export QEMU_EXTRA_FILES="$OUT/microbench:/usr/local/bin/microbench $OUT/bench.t:/vz-tests/integration/bench.t"
for flavour in vz vanilla; do
	if [ $flavour = vz ]; then
		img=${BENCH_VZ_IMAGE:-$("$TOP/kernel/build.sh" --dir)}
	else
		img=${BENCH_VANILLA_IMAGE:-$("$TOP/kernel/build.sh" --unpatched --dir)}
	fi
	"$TOP/selftests/qemu/run.sh" -i "$img" -s integration -l "$OUT/console-$flavour.log" \
		>"$OUT/run-$flavour.out" 2>&1 || {
		tail -n 30 "$OUT/run-$flavour.out"
		echo "bench-kernel: the $flavour run failed" >&2
		exit 1
	}
	tr -d '\r' <"$OUT/console-$flavour.log" |
		sed -n 's/.*bench: \([a-z_]*\) \([0-9]*\)$/\1 \2/p' >"$OUT/result-$flavour.txt"
done

echo "bench-kernel: ops/s under TCG, best of ${BENCH_ROUNDS:-5} x ${BENCH_SECONDS:-1} s"
printf '%-14s %14s %14s %10s\n' benchmark patched unpatched ratio
join <(sort "$OUT/result-vz.txt") <(sort "$OUT/result-vanilla.txt") | while read -r name vz vanilla; do
	awk -v n="$name" -v a="$vz" -v b="$vanilla" \
		'BEGIN { printf "%-14s %14d %14d %9.3f\n", n, a, b, (b > 0 ? a / b : 0) }'
done
