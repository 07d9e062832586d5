#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vzlist: OpenVZ's columns, options, JSON and exit statuses, against golden
# files written from OpenVZ 4.x's formats (src/vzlist.c field table).  Runs
# in a private tree through VZ_CONFDIR; never touches /etc/vz or /vz.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
GOLDEN=$HERE/golden
: "${VZ_BUILD:=$HERE/../../build}"
# vztmpl finds its builders here when vz is not installed.
if [ -z "${VZ_TEMPLATE_SCRIPTS:-}" ] && [ -x "$HERE/../../templates/mk-busybox" ]; then
	export VZ_TEMPLATE_SCRIPTS=$HERE/../../templates
fi
VZLIST=$VZ_BUILD/vzlist

T=$(mktemp -d /tmp/vz-30-vzlist.XXXXXX)
CT_RUN=""

cleanup() {
	if [ -n "$CT_RUN" ]; then
		"$VZ_BUILD/vzctl" stop "$CT_RUN" --fast >/dev/null 2>&1
		"$VZ_BUILD/vzctl" destroy "$CT_RUN" >/dev/null 2>&1
	fi
	rm -rf "$T"
	find /sys/fs/cgroup -depth -type d -name "vzlist-test-$$" -exec rmdir {} \; 2>/dev/null
}
trap cleanup EXIT

NR=0
FAILED=0
ok() {
	NR=$((NR + 1))
	echo "ok $NR - $1"
}
not_ok() {
	NR=$((NR + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $NR - $1"
}
skip() {
	NR=$((NR + 1))
	echo "ok $NR - $1 # SKIP $2"
}
check() { # description, command...
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# Run vzlist; stdout, stderr and the status land in $T/out, $T/err, $RC.
RC=0
run() {
	"$VZLIST" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# Paths differ per run: the golden files say @TMP@.
golden() { # description, golden file, vzlist arguments...
	local desc=$1 file=$2
	shift 2
	run "$@"
	sed -e "s|$T|@TMP@|g" "$T/out" >"$T/out.norm"
	if [ "$RC" -eq 0 ] && cmp -s "$GOLDEN/$file" "$T/out.norm"; then
		ok "$desc"
	else
		not_ok "$desc (exit $RC)"
		diff -u "$GOLDEN/$file" "$T/out.norm" | sed 's/^/# /'
		sed 's/^/# stderr: /' "$T/err"
	fi
}

expect_fail() { # description, exit status, message (grep -F), vzlist arguments...
	local desc=$1 status=$2 msg=$3
	shift 3
	run "$@"
	if [ "$RC" -eq "$status" ] && grep -qF -- "$msg" "$T/err"; then
		ok "$desc"
	else
		not_ok "$desc (exit $RC, want $status and '$msg')"
		sed 's/^/# stderr: /' "$T/err"
	fi
}

PLAN=43
echo "1..$PLAN"

if [ "$(id -u)" -ne 0 ] || [ ! -x "$VZLIST" ]; then
	for i in $(seq $PLAN); do
		skip "vzlist" "needs root and $VZLIST"
	done
	exit 0
fi

# ---- the private tree ---------------------------------------------------
chmod 755 "$T"
mkdir -p "$T/conf" "$T/names" "$T/root" "$T/lock" "$T/dump" "$T/run" \
	"$T/template/cache" "$T/private"
cat >"$T/vz.conf" <<EOF
LOCKDIR="$T/lock"
DUMPDIR="$T/dump"
TEMPLATE="$T/template"
VE_ROOT="$T/root/\$VEID"
VE_PRIVATE="$T/private/\$VEID"
RUNDIR="$T/run"
CGROUP_PARENT="vzlist-test-$$"
LOGFILE="$T/vzctl.log"
EOF
export VZ_CONFDIR=$T

cat >"$T/conf/101.conf" <<'EOF'
# a web server with most of the keys vzlist shows
HOSTNAME="web1.example.com"
IP_ADDRESS="10.0.0.1 10.0.0.2/24"
NAME="web"
DESCRIPTION="Main web server"
OSTEMPLATE="debian-12-x86_64"
PHYSPAGES="0:256M"
SWAPPAGES="0:512M"
NUMPROC="400"
DISKSPACE="2G:2.2G"
DISKINODES="131072:144179"
CPUUNITS="1000"
NAMESERVER="8.8.8.8 1.1.1.1"
SEARCHDOMAIN="example.com"
ONBOOT="yes"
BOOTORDER="10"
EOF
cat >"$T/conf/102.conf" <<'EOF'
HOSTNAME="db.example.com"
IP_ADDRESS="192.168.1.5"
NAME="db"
DESCRIPTION='say "hi" \ to the db'
PHYSPAGES="0:1G"
NUMPROC="200:250"
KMEMSIZE="unlimited"
CPULIMIT="50"
CPUS="2"
IOPRIO="6"
ONBOOT="no"
BOOTORDER="5"
EOF
cat >"$T/conf/103.conf" <<'EOF'
HOSTNAME="a-very-long-host-name-for-trimming.example.org"
IP_ADDRESS="2001:0db8:85a3::8a2e:0370:7334 10.1.2.3 0.0.0.0"
NUMPROC="1000"
EOF
# A NAME without its names/ link is not shown (OpenVZ checks the link).
echo 'NAME="orphan"' >"$T/conf/104.conf"
# Garbage in a config file: skipped with a warning, the rest listed.
printf 'HOSTNAME="broken.example.com"\nthis is not a config line\n' >"$T/conf/105.conf"
# No private area: counted but not shown, as OpenVZ does.
echo 'HOSTNAME="ghost.example.com"' >"$T/conf/106.conf"
# Not CT configs.
echo 'HOSTNAME="destroyed.example.com"' >"$T/conf/107.conf.destroyed"
echo 'PHYSPAGES="0:256M"' >"$T/conf/ve-vswap-256m.conf-sample"
echo 'HOSTNAME="x"' >"$T/conf/abc.conf"
for id in 101 102 103 104 105; do
	mkdir -p "$T/private/$id"
done
ln -s ../conf/101.conf "$T/names/web"
ln -s "$T/conf/102.conf" "$T/names/db"

# ---- text output --------------------------------------------------------
golden "-a: default columns, all CTs" vzlist-all.txt -a
check "-a: warning names the broken config" grep -q "$T/conf/105.conf" "$T/err"
check "-a: broken, destroyed, sample and ghost CTs are not listed" \
	bash -c "! grep -Eq 'broken|destroyed|ghost|^ +10[5-7] ' '$T/out'"
golden "-a -H: no header" vzlist-all-H.txt -a -H
golden "--all --no-header: long options" vzlist-all-H.txt --all --no-header
golden "-o with several fields" vzlist-fields.txt -a \
	-o ctid,name,physpages.l,swappages.l,numproc.b,numproc.l,kmemsize.l,diskspace.s,diskspace.h,diskinodes.h,cpulimit,cpuunits,cpus,ioprio,onboot,bootorder,layout
golden "-s hostname: unset first" vzlist-sort-hostname.txt -a -s hostname -o ctid,hostname
golden "-s -hostname: reversed" vzlist-sort-hostname-rev.txt -a -s -hostname -o ctid,hostname
golden "--sort -physpages.l: numeric, reversed" vzlist-sort-physpages-rev.txt -a \
	--sort -physpages.l -o ctid,physpages.l
golden "-1: CTIDs only" vzlist-1.txt -a -1
golden "-n: names in the first column" vzlist-n.txt -a -n
golden "-N glob on names" vzlist-N-glob.txt -a -N 'w?b*'
golden "-h glob on host names" vzlist-h-glob.txt -a -h '*.example.com'
golden "-h glob matching nothing: header only" vzlist-header-only.txt -a -h 'nomatch*'
golden "-S: not running CTs" vzlist-S.txt -S -o ctid,status
golden "long values cut when not the last column" vzlist-trim.txt -a -o ctid,ip,hostname,status
golden "-t: nothing cut" vzlist-no-trim.txt -a -t -o ctid,ip,hostname,status
golden "a name as argument lists that (stopped) CT" vzlist-by-name.txt db
golden "-L: field names and headers" vzlist-L.txt -L

golden "-d glob on descriptions" vzlist-by-name.txt -a -d '*"hi"*'
golden "a CT without its private area is not shown" vzlist-header-only.txt 106

run
check "default: only running CTs; none here, exit 0" test "$RC" -eq 0 -a ! -s "$T/out"
check "default: none running, 'Container(s) not found' on stderr" grep -qx 'Container(s) not found' "$T/err"

# ---- JSON ---------------------------------------------------------------
golden "-j -o: selected fields" vzlist-selected.json -a -j \
	-o ctid,name,smart_name,hostname,description,ip,nameserver,searchdomain,status,numproc,physpages,diskspace,diskinodes,uptime,cpulimit,cpuunits,cpus,ioprio,onboot,bootorder,layout
golden "-j: every field, OpenVZ's keys and order" vzlist-102.json -j 102
golden "-j -1 with CT arguments" vzlist-1.json -j -1 103 web
check "-j: valid JSON for all CTs" bash -c "'$VZLIST' -a -j 2>/dev/null | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 4'"
run -a -j -h 'nomatch*'
check "-j filtered to nothing: an empty array" test "$RC" -eq 0 -a "$(cat "$T/out")" = "$(printf '[\n]')"

# ---- bad input ----------------------------------------------------------
expect_fail "unknown option: exit 20" 20 "invalid option" -x
expect_fail "unknown long option: exit 20" 20 "unrecognized option" --bogus
expect_fail "unknown field in -o: exit 20" 20 "Unknown field: nosuchfield" -o ctid,nosuchfield
expect_fail "unknown field in -s: exit 20" 20 "Invalid sort field name: -nosuchfield" -s -nosuchfield
expect_fail "-j with a suffixed field: exit 20" 20 "Field \`physpages.l' is not available in JSON output" -j -o physpages.l
expect_fail "nonexistent CTID: exit 1 (as OpenVZ)" 1 "Container(s) not found" 999
expect_fail "unknown name: exit 1 (as OpenVZ)" 1 "CT ID nosuchname is invalid." nosuchname
expect_fail "broken config asked for by id: not found" 1 "Container(s) not found" 105

# ---- an empty tree ------------------------------------------------------
mkdir -p "$T/empty/conf"
cp "$T/vz.conf" "$T/empty/vz.conf"
VZ_CONFDIR=$T/empty run -a
check "no CTs: nothing on stdout, exit 0" test "$RC" -eq 0 -a ! -s "$T/out"
VZ_CONFDIR=$T/empty run -a -j
check "no CTs, -j: []" test "$RC" -eq 0 -a "$(cat "$T/out")" = "[]"

# ---- a running CT (optional until vzctl start exists) --------------------
running_ct() {
	local tmpl
	[ -x "$VZ_BUILD/vzctl" ] && [ -x "$VZ_BUILD/vztmpl" ] || return 1
	"$VZ_BUILD/vztmpl" create busybox >"$T/tmpl.log" 2>&1 || return 1
	tmpl=$(ls "$T/template/cache" 2>/dev/null | sed -n 's/\.tar\(\.gz\|\.xz\)\?$//p' | head -1)
	[ -n "$tmpl" ] || return 1
	"$VZ_BUILD/vzctl" create 150 --ostemplate "$tmpl" --hostname run.example.com \
		>>"$T/tmpl.log" 2>&1 || return 1
	CT_RUN=150
	"$VZ_BUILD/vzctl" start 150 >>"$T/tmpl.log" 2>&1 || return 1
}
RUN_TESTS=(
	"running CT listed by default"
	"-S leaves the running CT out"
	"running CT: numproc is its process count"
	"running CT: uptime as OpenVZ prints it"
	"running CT: JSON status and numproc"
)
if running_ct; then
	run -H -o ctid,status,hostname
	check "${RUN_TESTS[0]}" test "$(grep -c . "$T/out")" -eq 1 -a -z \
		"$(grep -Ev '^ +150 running +run\.example\.com$' "$T/out")"
	run -S -1
	check "${RUN_TESTS[1]}" bash -c "[ $RC -eq 0 ] && ! grep -qw 150 '$T/out'"
	run -H -o numproc 150
	check "${RUN_TESTS[2]}" grep -Eq '^ +[1-9][0-9]*$' "$T/out"
	run -H -o uptime 150
	check "${RUN_TESTS[3]}" grep -Eq '^[0-9]{3}d[0-9]{2}h:[0-9]{2}m:[0-9]{2}s$' "$T/out"
	run -j -o ctid,status,numproc 150
	check "${RUN_TESTS[4]}" python3 -c '
import json, sys
ct = json.load(open(sys.argv[1]))[0]
assert ct["status"] == "running" and ct["numproc"]["held"] >= 1, ct' "$T/out"
else
	for t in "${RUN_TESTS[@]}"; do
		skip "$t" "vzctl start or the busybox template is not available"
	done
fi

[ "$FAILED" -eq 0 ]
