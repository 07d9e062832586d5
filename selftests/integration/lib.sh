# SPDX-License-Identifier: GPL-2.0-or-later
# Shared TAP helpers and a private node tree for the vzctl integration tests.
# Every test runs in its own mktemp -d tree (VZ_CONFDIR, LOCKDIR, VE_ROOT ...),
# puts CT cgroups under the caller's own cgroup, and cleans up with a trap.

set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
VZ_BUILD=${VZ_BUILD:-$repo/build}
vzctl=$VZ_BUILD/vzctl
vzlist=$VZ_BUILD/vzlist

n=0
failed=0
ok() { # ok EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
is() { # is GOT WANT DESCRIPTION
	n=$((n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
		failed=$((failed + 1))
	fi
}
like() { # like GOT REGEX DESCRIPTION
	n=$((n + 1))
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		printf '#   got: %s\n#   expected to match: %s\n' "$1" "$2"
		failed=$((failed + 1))
	fi
}
# run CMD...: sets $out (stdout+stderr) and $rc
run() {
	out=$("$@" 2>&1)
	rc=$?
}
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
finish() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
	[ -x "$vzctl" ] || skip_all "$vzctl not built"
	[ -x /bin/busybox ] || skip_all "/bin/busybox missing (package busybox-static)"
}

# require_cgroup2_view: re-run the calling test in a private mount namespace
# whose /sys/fs/cgroup is the host's cgroup2 hierarchy (skip without one).
require_cgroup2_view() {
	[ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] ||
		[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || skip_all "no cgroup2 hierarchy"
	command -v unshare >/dev/null || skip_all "unshare missing (util-linux)"
	[ "${VZ_IN_V2_NS:-}" = 1 ] && return
	exec unshare -m --propagation private env VZ_IN_V2_NS=1 bash -c '
		if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
			mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup || exit 1
		fi
		exec bash "$0"' "$0"
}

# setup_node [LOCAL_UID]: a private node tree with a busybox template.
setup_node() {
	T=$(mktemp -d /tmp/vz-test.XXXXXX)
	chmod 755 "$T"
	mkdir -p "$T/etc/conf" "$T/template/cache"
	cat >"$T/etc/vz.conf" <<CONF
LOCKDIR="$T/lock"
DUMPDIR="$T/dump"
TEMPLATE="$T/template"
VE_ROOT="$T/root/\$VEID"
VE_PRIVATE="$T/private/\$VEID"
RUNDIR="$T/run"
CGROUP_PARENT="vztest-$$"
LOGGING="yes"
LOGFILE="$T/vzctl.log"
LOCAL_UID="${1:-300000}"
LOCAL_GID="${1:-300000}"
STOP_TIMEOUT="10"
CONF
	export VZ_CONFDIR="$T/etc"
	cp -r "$repo/etc/dists" "$T/etc/dists"
	local cache=${VZ_TEST_CACHE:-/tmp/vz-test-busybox.tar.gz}
	if [ ! -s "$cache" ] || [ "$repo/templates/mk-busybox" -nt "$cache" ]; then
		sh "$repo/templates/mk-busybox" "${cache%.tar.gz}.$$.tar.gz" >/dev/null &&
			mv "${cache%.tar.gz}.$$.tar.gz" "$cache"
	fi
	cp "$cache" "$T/template/cache/busybox.tar.gz"
	trap cleanup_node EXIT
}

# Stop every CT of this tree (we started them all) and remove the tree.
cleanup_node() {
	local f id
	for f in "$T"/run/*.state; do
		[ -e "$f" ] || continue
		id=$(basename "$f" .state)
		"$vzctl" --quiet stop "$id" --fast >/dev/null 2>&1
	done
	for f in "$T"/root/*; do
		[ -d "$f" ] && mountpoint -q "$f" && umount -l "$f"
	done
	rm -rf "$T"
	find /sys/fs/cgroup -depth -type d -name "vztest-$$" -exec rmdir {} \; 2>/dev/null
}
