#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftests/qemu/tap-check.sh - judge the console log of a vz test guest.
#
# Usage: tap-check.sh CONSOLE_LOG [BASELINE]
#        tap-check.sh --record OUT CONSOLE_LOG
#        tap-check.sh --merge OUT RECORDED...
#
# The run fails (exit 1) on any of:
#   - a top-level "not ok" of the vz-kernel, integration or kernel-log suites;
#   - an upstream kselftest result (program or subtest) that differs from
#     BASELINE (results of the unpatched base kernel, see kernel/README.md);
#   - a kernel message with WARNING:/BUG:/Oops/panic on the console;
#   - no "# vz-harness: done" line (guest crashed, hung or timed out).
# --record writes the upstream results of CONSOLE_LOG in baseline format:
#   "<ok|not_ok|skip> <collection>:<program>[/<subtest>]", sorted.
# Baseline lines "flaky <name>" exclude a result from the comparison.
# --merge combines several --record files of the same kernel: a result that
# is not the same in all of them becomes "flaky <name>".

set -euo pipefail

if [ "${1:-}" = --merge ]; then
	out=${2:?usage: tap-check.sh --merge OUT RECORDED...}
	shift 2
	{
		echo "# Upstream cgroup+proc kselftest results on the unpatched base kernel,"
		echo "# merged from $# runs with selftests/qemu/tap-check.sh --merge: a result"
		echo "# that differed between the runs is marked flaky (see kernel/README.md)."
		awk -v runs=$# '
			/^#/ || NF < 2 { next }
			{ seen[$2]++; if (!($2 in r)) r[$2] = $1; else if (r[$2] != $1) r[$2] = "flaky" }
			END { for (n in r) print (seen[n] < runs ? "flaky" : r[n]), n }' "$@" | sort -k2
	} >"$out"
	echo "tap-check: $(grep -c '^flaky' "$out" || true) flaky of $(grep -vc '^#' "$out") results in $out"
	exit 0
fi

record=
if [ "${1:-}" = --record ]; then
	record=$2
	shift 2
fi
log=${1:?usage: tap-check.sh [--record OUT] CONSOLE_LOG [BASELINE]}
baseline=${2:-}

# Upstream results as "<result> <name>" lines.
upstream_results() {
	tr -d '\r' <"$log" | awk '
	function res(line) {
		if (line ~ /# SKIP/ || line ~ /# skip/) return "skip"
		if (line ~ /^not ok/) return "not_ok"
		return "ok"
	}
	/^# \[upstream\] / && !/: exit / { prog = substr($0, 14); next }
	/^(ok|not ok) [0-9]+ upstream: / {
		name = $0; sub(/^(ok|not ok) [0-9]+ upstream: /, "", name); sub(/ #.*/, "", name)
		print res($0), name; prog = ""; next
	}
	prog != "" && /^# (ok|not ok) [0-9]+ / {
		line = substr($0, 3); name = line
		sub(/^(ok|not ok) [0-9]+ /, "", name)
		# kselftest.h puts the directive first: "ok 3 # SKIP name"
		if (name ~ /^# (SKIP|skip) /) sub(/^# (SKIP|skip) /, "", name)
		else sub(/ #.*/, "", name)
		print res(line), prog "/" name
	}' | sort -k2 -u
}

if [ -n "$record" ]; then
	{
		echo "# Upstream cgroup+proc kselftest results on the unpatched base kernel."
		echo "# Recorded with: selftests/qemu/tap-check.sh --record (see kernel/README.md)"
		upstream_results
	} >"$record"
	echo "tap-check: wrote $(grep -vc '^#' "$record") results to $record"
	exit 0
fi

fail=0
summary=$(tr -d '\r' <"$log" | awk '
	/^(ok|not ok) [0-9]+ [a-z-]+: / {
		suite = $0; sub(/^(ok|not ok) [0-9]+ /, "", suite); sub(/:.*/, "", suite)
		total[suite]++
		if ($0 ~ /^not ok/) { bad[suite]++; if (suite != "upstream") { fails++; print "FAILED: " $0 > "/dev/stderr" } }
		else if ($0 ~ /# SKIP/) skip[suite]++
		else good[suite]++
	}
	/^# vz-harness: done/ { done = 1 }
	/^\[ *[0-9]+\.[0-9]+\] .*(WARNING:|BUG:|Oops|Kernel panic|general protection fault|kernel BUG)/ {
		crash++; print "KERNEL: " $0 > "/dev/stderr"
	}
	END {
		for (s in total)
			printf "  %-12s %3d programs: %3d ok, %3d skipped, %3d not ok\n", s, total[s], good[s], skip[s], bad[s]
		if (!done) { print "NOHARNESS"; print "FAILED: the guest did not finish (crash, hang or timeout)" > "/dev/stderr" }
		if (fails) print "FAILS " fails
		if (crash) print "CRASH " crash
	}') || true
echo "$summary" | grep -v -E '^(NOHARNESS|FAILS|CRASH)' || true
echo "$summary" | grep -q -E '^(NOHARNESS|FAILS|CRASH)' && fail=1

if [ -n "$baseline" ] && grep -q 'upstream: ' <(tr -d '\r' <"$log"); then
	[ -f "$baseline" ] || { echo "tap-check: baseline $baseline missing" >&2; exit 1; }
	got=$(mktemp)
	trap 'rm -f "$got"' EXIT
	upstream_results >"$got"
	diffs=$(awk '
		FNR == NR {
			if ($1 == "flaky") { flaky[$2] = 1; next }
			if ($0 ~ /^#/ || NF < 2) next
			want[$2] = $1; next
		}
		{ have[$2] = $1 }
		END {
			for (n in want) {
				if (n in flaky) continue
				if (!(n in have)) print "missing:  " n " (baseline " want[n] ")"
				else if (have[n] != want[n]) print "changed:  " n " " want[n] " -> " have[n]
			}
			for (n in have)
				if (!(n in want) && !(n in flaky)) print "new:      " n " " have[n]
		}' "$baseline" "$got" | sort)
	same=$(awk 'FNR == NR { if ($1 != "flaky" && $0 !~ /^#/) w[$2] = $1; next } ($2 in w) && w[$2] == $1' "$baseline" "$got" | wc -l)
	if [ -n "$diffs" ]; then
		echo "  upstream results differ from the unpatched baseline ($baseline):"
		echo "$diffs" | sed 's/^/    /'
		fail=1
	else
		echo "  upstream     $same results identical to the unpatched baseline"
	fi
fi

if [ "$fail" = 0 ]; then
	echo "check-kernel: PASS"
else
	echo "check-kernel: FAIL"
fi
exit "$fail"
