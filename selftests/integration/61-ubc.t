#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# The beancounter view: "vzctl ubc" and vzubc print /proc/user_beancounters
# 2.5 byte for byte (golden files hold every column but held and maxheld,
# which change from run to run; their layout is checked apart), from the
# kernel's own file where it has one; vzlist's beancounter fields agree.
# UPDATE_GOLDEN=1 rewrites the golden files.
. "$(dirname "$0")/lib.sh"
require_root
[ -x "$VZ_BUILD/vzubc" ] || skip_all "$VZ_BUILD/vzubc not built"
setup_node
vzubc=$VZ_BUILD/vzubc
golden_dir=$here/golden

# golden NAME DESCRIPTION: compare $out (held and maxheld cut out) with golden/NAME.
golden() {
	local got
	got=$(printf '%s\n' "$out" | cut -c1-24,67-)
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		printf '%s\n' "$got" >"$golden_dir/$1"
	fi
	n=$((n + 1))
	if [ "$got" = "$(cat "$golden_dir/$1")" ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		diff <(cat "$golden_dir/$1") <(printf '%s\n' "$got") | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}
# layout: every row 129 characters, held and maxheld right-aligned numbers.
layout() {
	printf '%s\n' "$out" | awk '
		NR == 1 { if ($0 != "Version: 2.5") bad = "version line" ; next }
		length($0) != 129 { bad = "line " NR " is " length($0) " characters"; exit }
		NR > 2 && substr($0, 25, 42) !~ /^ *[0-9]+ +[0-9]+$/ { bad = "held/maxheld of line " NR; exit }
		NR > 2 && substr($0, 25, 21) !~ /^ *[0-9]+$/ { bad = "held of line " NR; exit }
		END { if (bad != "") { print bad; exit 1 } }'
}

for id in 101 102 103; do
	"$vzctl" --quiet create $id --ostemplate busybox >/dev/null 2>&1
done
"$vzctl" --quiet set 101 --ram 256M --swap 512M --numproc 240 --save
run "$vzctl" start 101
is "$rc" 0 "start 101 (256M RAM, 512M swap, numproc 240)"
run "$vzctl" start 102
is "$rc" 0 "start 102 (no limits)"

run "$vzctl" ubc 101
is "$rc" 0 "vzctl ubc 101"
golden ubc-101.txt "vzctl ubc 101: header, rows, thresholds, failcnt"
msg=$(layout)
is "$?" 0 "vzctl ubc 101: row layout ${msg}"
is "$(printf '%s\n' "$out" | grep -c '^      101:  kmemsize ')" 1 "the id only on the first row"
is "$(printf '%s\n' "$out" | grep -c ' dummy ')" 4 "four dummy rows"
one=$out

run "$vzubc"
is "$rc" 0 "vzubc: every running CT"
golden ubc-all.txt "vzubc: 101 and 102, not the stopped 103"
msg=$(layout)
is "$?" 0 "vzubc: row layout ${msg}"
is "$(printf '%s\n' "$out" | sed -n '/^      101:/,/^      102:/p' | sed '$d' | cut -c1-24,67-)" \
	"$(printf '%s\n' "$one" | tail -n +3 | cut -c1-24,67-)" "vzubc and vzctl ubc agree on 101"
run "$vzubc" 102 101
is "$(printf '%s\n' "$out" | grep -o '^ *[0-9]*:' | tr -d ' \n')" "101:102:" "named CTs in CTID order"

# ---- what the kernel says, where it says it --------------------------------
if [ -r /proc/user_beancounters ] && grep -q '^ *101:' /proc/user_beancounters; then
	kern=$(sed -n '/^ *101:/,/swappages/p' /proc/user_beancounters | cut -c1-24,67-)
	run "$vzctl" ubc 101
	is "$(printf '%s\n' "$out" | tail -n +3 | cut -c1-24,67-)" "$kern" \
		"on this kernel the rows are the kernel's /proc/user_beancounters"
else
	echo "ok $((n += 1)) # SKIP this kernel has no /proc/user_beancounters (rows synthesized from cgroups)"
fi

# ---- vzlist's beancounter fields -------------------------------------------
run "$vzlist" -H -o ctid,physpages.b,physpages.l,swappages.l,numproc.b,numproc.l,numproc.f 101
like "$out" "^ +101 +9223372036854775807 +65536 +131072 +240 +240 +0$" \
	"vzlist: barrier, limit and failcnt of a running CT from the beancounter view"
run "$vzlist" -H -o numproc,numproc.m,physpages,physpages.m 101
like "$out" "^ +[1-9][0-9]* +[1-9][0-9]* +[1-9][0-9]* +[1-9][0-9]*$" "vzlist: held and maxheld measured"
run "$vzlist" -j -o ctid,physpages,numproc 101
like "$(printf '%s' "$out" | tr -d ' \n')" \
	'^\[\{"ctid":101,"physpages":\{"held":[1-9][0-9]*,"maxheld":[1-9][0-9]*,"barrier":9223372036854775807,"limit":65536,"failcnt":[0-9]+\},"numproc":\{"held":[1-9][0-9]*,"maxheld":[1-9][0-9]*,"barrier":240,"limit":240,"failcnt":0\}\}\]$' \
	"vzlist -j: beancounter objects with measured values"

# ---- errors ------------------------------------------------------------------
run "$vzctl" ubc 103
is "$rc" 31 "vzctl ubc of a stopped CT exits 31"
like "$out" "not running" "  and says so"
run "$vzctl" ubc 104
is "$rc" 14 "vzctl ubc of a CT that does not exist exits 14"
run "$vzctl" ubc 0
is "$rc" 21 "vzctl ubc 0 (the host) exits 21"
run "$vzctl" ubc abc/def
is "$rc" 21 "vzctl ubc with a bad id exits 21"
run "$vzubc" --bogus
is "$rc" 20 "vzubc with an unknown option exits 20"
run "$vzubc" --help
like "$out" "^Usage: vzubc" "vzubc --help"

"$vzctl" --quiet stop 101 --fast
"$vzctl" --quiet stop 102 --fast
run "$vzubc"
is "$out" "$(printf 'Version: 2.5\n%10s  %-12s %20s %20s %20s %20s %20s' uid resource held maxheld barrier limit failcnt)" \
	"vzubc with nothing running: the header only"
finish
