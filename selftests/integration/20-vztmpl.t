#!/bin/bash
# shellcheck disable=SC2016,SC2317
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vztmpl and the busybox template, in a private tree (VZ_CONFDIR in a mktemp -d
# directory); never touches /etc/vz or /vz.
#
# Needs: VZ_BUILD (the Makefile exports it; default <repo>/build), root for the
# boot test, busybox-static, unshare and nsenter (util-linux).

. "$(dirname "$0")/lib.sh"
vztmpl=$VZ_BUILD/vztmpl
diag() { sed 's/^/# /' "$@"; }

[ -x "$vztmpl" ] || skip_all "$vztmpl not built"
[ -x /bin/busybox ] || skip_all "/bin/busybox missing (package busybox-static)"

echo "1..42"

T=$(mktemp -d /tmp/vz-test-vztmpl.XXXXXX)
upid=
cleanup() {
	if [ -x "$vzctl" ] && [ -e "$T/conf/150.conf" ]; then
		"$vzctl" --quiet stop --fast 150 >/dev/null 2>&1
		"$vzctl" --quiet destroy 150 >/dev/null 2>&1
	fi
	if [ -n "$upid" ] && kill -0 "$upid" 2>/dev/null; then
		for p in $(pgrep -P "$upid"); do kill -KILL "$p" 2>/dev/null; done
		kill -KILL "$upid" 2>/dev/null
		wait "$upid" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

chmod 0755 "$T" # the CT's id range must reach its root
cat >"$T/vz.conf" <<EOF
LOCKDIR="$T/lock"
DUMPDIR="$T/dump"
TEMPLATE="$T/template"
VE_ROOT="$T/root/\$VEID"
VE_PRIVATE="$T/private/\$VEID"
RUNDIR="$T/run"
CGROUP_PARENT=""
LOCAL_UID="1157627904"
LOCAL_GID="1157627904"
STOP_TIMEOUT="15"
LOGGING="yes"
LOGFILE="$T/vzctl.log"
EOF
mkdir -p "$T/conf"
export VZ_CONFDIR=$T
export VZ_TEMPLATE_SCRIPTS=$repo/templates
unset BUSYBOX SOURCE_DATE_EPOCH
cache=$T/template/cache
tarball=$cache/busybox.tar.gz

# ---- create
"$vztmpl" create busybox >"$T/out" 2>&1
ok $? "create busybox succeeds"
[ -f "$tarball" ]
rc=$?
[ $rc -eq 0 ] || diag "$T/out"
ok $rc "create writes \$TEMPLATE/cache/busybox.tar.gz"

tar -tzf "$tarball" >"$T/list" 2>/dev/null
for f in ./sbin/init ./bin/sh ./bin/busybox ./etc/inittab ./etc/init.d/rcS ./etc/passwd \
	./etc/shadow ./etc/os-release; do
	grep -qx "$f" "$T/list"
	ok $? "tarball contains $f"
done
bad=$(tar -tvzf "$tarball" --numeric-owner | awk '$2 != "0/0"' | wc -l)
is "$bad" 0 "every entry is owned by 0/0 (numeric)"
mode=$(tar -tvzf "$tarball" ./tmp/ | awk '{print $1}')
is "$mode" drwxrwxrwt "/tmp is 1777"

mkdir "$T/x"
tar -C "$T/x" -xzf "$tarball" ./etc/inittab ./etc/os-release ./etc/shadow
grep -qx '::sysinit:/etc/init.d/rcS' "$T/x/etc/inittab" &&
	grep -q '^::shutdown:' "$T/x/etc/inittab" &&
	grep -q '^::askfirst:-/bin/sh' "$T/x/etc/inittab"
ok $? "inittab has sysinit, askfirst shell and shutdown actions"
grep -qx 'ID=busybox' "$T/x/etc/os-release"
ok $? "os-release says ID=busybox"
grep -q '^root:!' "$T/x/etc/shadow"
ok $? "root is locked in /etc/shadow"

meta=$cache/busybox.meta
sha=$(sha256sum <"$tarball" | cut -d' ' -f1)
grep -qx "SHA256=\"$sha\"" "$meta" &&
	grep -qx "SIZE=\"$(stat -c %s "$tarball")\"" "$meta" &&
	grep -qx 'NAME="busybox"' "$meta" &&
	grep -q '^CREATED="[0-9-]*T[0-9:]*Z"$' "$meta" &&
	grep -q '^PACKAGES="busybox-static=' "$meta"
rc=$?
ok $rc "busybox.meta has NAME, CREATED, SHA256, SIZE, PACKAGES"
[ $rc -eq 0 ] || diag "$meta"

# ---- no overwrite without --force
"$vztmpl" create busybox >"$T/out" 2>&1
rc=$?
is "$rc" 44 "second create without --force fails (44)"
grep -q -- '--force' "$T/out"
ok $? "the message points to --force"
is "$(sha256sum <"$tarball" | cut -d' ' -f1)" "$sha" "the first cache is left intact"

# ---- list
"$vztmpl" list >"$T/out" 2>&1
ok $? "list succeeds"
head -1 "$T/out" | grep -q '^TEMPLATE' && grep -q '^busybox .*busybox\.tar\.gz$' "$T/out"
ok $? "list shows a header and busybox"
is "$("$vztmpl" list -H | awk '{print $1}')" busybox "list -H prints only the template"

# ---- remove refused while a CT uses it
echo 'OSTEMPLATE="busybox"' >"$T/conf/101.conf"
"$vztmpl" remove busybox >"$T/out" 2>&1
is $? 9 "remove is refused while CT 101 has OSTEMPLATE=busybox (9)"
grep -q '101' "$T/out"
ok $? "the message names CT 101"
[ -f "$tarball" ] && [ -f "$meta" ]
ok $? "the refused remove leaves the cache"
rm -f "$T/conf/101.conf"
echo 'OSTEMPLATE="busybox"' >"$T/conf/101.conf.destroyed"
"$vztmpl" remove busybox >"$T/out" 2>&1
ok $? "remove succeeds once no CT config names it"
[ ! -e "$tarball" ] && [ ! -e "$meta" ]
ok $? "remove deletes the tarball and the .meta"

# ---- bad input
"$vztmpl" remove busybox >/dev/null 2>&1
is $? 91 "remove of a missing template: 91"
"$vztmpl" create ../evil >/dev/null 2>&1
is $? 21 "create ../evil: 21"
"$vztmpl" remove .hidden >/dev/null 2>&1
is $? 21 "remove .hidden: 21"
"$vztmpl" create busybox --bogus >/dev/null 2>&1
is $? 20 "unknown option: 20"
"$vztmpl" frobnicate >/dev/null 2>&1
is $? 20 "unknown command: 20"

# ---- a failed build leaves nothing behind
BUSYBOX=/nonexistent "$vztmpl" create busybox >"$T/out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -q busybox-static "$T/out"
ok $? "create with BUSYBOX=/nonexistent fails naming busybox-static (rc $rc)"
left=$(find "$cache" -mindepth 1 -name '*busybox*' ! -name .busybox.lock | wc -l)
is "$left" 0 "the failed build left no file in cache/"

# ---- kill -9 of vztmpl in the middle of create: all or nothing, a re-run works
"$vztmpl" create busybox >/dev/null 2>&1 &
kpid=$!
sleep 0.3
kill -KILL "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
sleep 2 # the builder gets SIGTERM from the kernel (parent-death signal) and cleans up
hidden=$(find "$cache" -mindepth 1 -name '.busybox.tar*' | wc -l)
if [ -e "$tarball" ]; then whole=$([ -e "$meta" ] && echo 1 || echo 0); else whole=1; fi
is "$hidden.$whole" "0.1" "kill -9 during create leaves no temporary file and no cache without .meta"
"$vztmpl" create --force busybox >/dev/null 2>&1 && [ -f "$tarball" ] && [ -f "$meta" ]
ok $? "create --force after the kill succeeds"

# ---- the template boots, and its init obeys halt (what vzctl stop sends)
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! command -v nsenter >/dev/null; then
	for _ in 1 2 3; do
		n=$((n + 1))
		echo "ok $n # SKIP boot test needs root, unshare and nsenter"
	done
else
	r=$T/bootroot
	mkdir "$r"
	tar -C "$r" --numeric-owner -xzf "$tarball"
	unshare --fork --pid --mount --uts --ipc --net --mount-proc=/proc --root="$r" \
		/sbin/init </dev/null >"$T/console" 2>&1 &
	upid=$!
	init=
	for _ in $(seq 100); do
		init=$(pgrep -P "$upid" -x init) && pgrep -P "$init" -x syslogd >/dev/null && break
		sleep 0.1
	done
	# --root/--wd: run the CT's own halt.  The shell checks it really is in
	# the CT (its PID 1 is busybox init, its os-release says busybox) before
	# it halts anything.
	inct() { nsenter --target "$init" --all --root --wd "$@"; }
	got=$(inct /bin/sh -c 'echo "$(hostname) $(ip -o link show lo | grep -o "<[^>]*>")"' 2>&1)
	case "$got" in
	"localhost <"*UP*) rc=0 ;;
	*) rc=1 ;;
	esac
	ok $rc "booted: rcS ran (hostname, syslogd up; got '$got')"
	inct /bin/sh -c 'grep -qx ID=busybox /etc/os-release &&
		[ "$(cat /proc/1/comm)" = init ] && exec /sbin/halt' >/dev/null 2>&1
	for _ in $(seq 100); do
		kill -0 "$upid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$upid"
	rc=$?
	upid=
	is "$rc" 130 "halt in the CT ends init by reboot(2) within 10 s (SIGINT status)"
	grep -q 'Requesting system halt' "$T/console"
	rc=$?
	ok $rc "init ran the shutdown sequence"
	[ $rc -eq 0 ] || diag "$T/console"
fi

# ---- the same through vzctl: its stop (halt in the CT) is handled by init
if [ "$(id -u)" -ne 0 ] || [ ! -x "$vzctl" ]; then
	for _ in 1 2 3; do
		n=$((n + 1))
		echo "ok $n # SKIP vzctl test needs root and $vzctl"
	done
else
	"$vzctl" create 150 --ostemplate busybox >"$T/out" 2>&1 &&
		"$vzctl" start 150 >>"$T/out" 2>&1
	rc=$?
	ok $rc "vzctl create + start a CT from the busybox cache"
	[ $rc -eq 0 ] || diag "$T/out"
	is "$("$vzctl" exec 150 cat /proc/1/comm 2>&1)" init "busybox init is the CT's PID 1"
	start=$(date +%s)
	"$vzctl" stop 150 >"$T/out" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	status=$("$vzctl" status 150 2>/dev/null)
	case "$rc.$status" in
	0.*" down"*) [ "$took" -lt 10 ] ;;
	*) false ;;
	esac
	rc=$?
	ok $rc "vzctl stop: init shuts down on halt, well within STOP_TIMEOUT (${took}s: $status)"
	[ $rc -eq 0 ] || diag "$T/out"
fi

exit $((failed > 0))
