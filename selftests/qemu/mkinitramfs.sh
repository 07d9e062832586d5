#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftests/qemu/mkinitramfs.sh - build the initramfs of the vz test guest.
#
# Usage: mkinitramfs.sh -o OUT.cpio.gz [-k KSELFTEST_DIR] [-t VZ_TEST_DIR]
#                       [-u REPO]
#
#   -k DIR   installed upstream kselftests (run_kselftest.sh layout with
#            kselftest-list.txt), copied to /kselftest
#   -t DIR   the project's kselftest binaries, copied to /vz-tests/kernel
#   -u REPO  the user-space tier: a checkout with the tools built in
#            REPO/build.  Its programs, etc/, templates/ and the integration
#            tests whose header has a "# guest: yes" line (or "on-request":
#            run only when vz.itests names it) go to /vz-src, laid
#            out like the checkout, so the tests find everything as on the
#            host; the host tools they use (GNU coreutils, util-linux,
#            iproute2, ... and every "# guest-needs: prog|/path ..." of a
#            selected test) go to /usr/lib/vz-guest/bin, which the guest's
#            /init puts in front of busybox for the integration suite only.
#
# QEMU_EXTRA_FILES (environment): space-separated HOST:GUEST pairs copied
# into the image (a directory is copied recursively).  Executables and *.t
# files placed in /vz-tests/integration are run by the guest after the
# kernel suites and their TAP is parsed like the rest.  Every dynamically
# linked ELF file in the image gets its shared libraries (found with ldd)
# copied along, so host-built binaries run unchanged.
#
# The guest gets busybox-static (all applets), bash, and /init from
# selftests/qemu/init.sh.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out= ksft= vzt= repo=
while getopts "o:k:t:u:" opt; do
	case "$opt" in
	o) out=$OPTARG ;;
	k) ksft=$OPTARG ;;
	t) vzt=$OPTARG ;;
	u) repo=$OPTARG ;;
	*) echo "usage: $0 -o OUT [-k KSELFTEST_DIR] [-t VZ_TEST_DIR] [-u REPO]" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "mkinitramfs: -o is required" >&2; exit 2; }

die() { echo "mkinitramfs: ERROR: $*" >&2; exit 1; }

BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: apt-get install busybox-static"
case "$(ldd "$BUSYBOX" 2>&1 || true)" in *"not a dynamic executable"*) ;; *) false ;; esac ||
	die "$BUSYBOX is not statically linked: apt-get install busybox-static"

# Packages whose programs the integration tests expect to behave as on a
# Debian host (GNU options, util-linux's nsenter/unshare/script, iproute2).
# dash becomes /bin/sh: busybox's sh runs its own applets before PATH.
GUEST_TOOL_PACKAGES="dash coreutils grep sed findutils diffutils util-linux mount bsdutils iproute2
	procps tar gzip xz-utils hostname mawk"

# guest_tool NAME|PATH: a host program into /usr/lib/vz-guest/bin, or a
# file or directory given by absolute path to the same path in the guest.
guest_tool() {
	local need=$1 path
	case "$need" in
	/*)
		[ -e "$need" ] || { echo "mkinitramfs: warning: guest-needs '$need' is not on this host" >&2; return 0; }
		mkdir -p "$root$(dirname "$need")"
		cp -a "$need" "$root$(dirname "$need")/"
		return 0
		;;
	esac
	path=$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v "$need") ||
		{ echo "mkinitramfs: warning: guest-needs '$need' is not installed on this host" >&2; return 0; }
	[ -e "$root/usr/lib/vz-guest/bin/$need" ] || cp -L "$path" "$root/usr/lib/vz-guest/bin/$need"
}

# header_lines FILE KEY: the values of "# KEY: ..." lines in FILE's leading comment block.
header_lines() {
	awk -v key="# $2:" 'NR > 1 && !/^#/ { exit } index($0, key) == 1 { print substr($0, length(key) + 1) }' "$1"
}

# What runs in the guest is what its kernel changes: cgroup v2 only, the
# beancounter controller, idmapped overlay on 6.1, systemd on v2, quotas,
# CRIU.  Left to the host tier: 15-boot (the boot scripts), 20-vztmpl
# (debootstrap), 30-vzlist (output formats), 50-network (the same netlink
# code on both kernels; it needs python3, ~50 MB more image).  The guest
# tier took ~4-5 min of TCG for the lifecycle, isolation, bad input,
# locking, terminal, cgroup v2, Debian, overlay, kernel feature and escape
# tests (17-debian.t alone 65-145 s).
user_tier() {
	local repo=$1 src=$root/vz-src t f pkg need
	[ -x "$repo/build/vzctl" ] || die "$repo/build/vzctl missing: run make all first"
	mkdir -p "$src/build" "$src/selftests/integration" "$src/selftests/escape" \
		"$root/usr/lib/vz-guest/bin"
	for f in "$repo"/build/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp -L "$f" "$src/build/"
	done
	cp -a "$repo/etc" "$src/etc"
	cp -a "$repo/templates" "$src/templates"
	# No compiler in the guest: the escape battery's helper is built here.
	if [ -f "$repo/selftests/escape/escape.c" ]; then
		gcc -static -O2 -o "$src/selftests/escape/escape" "$repo/selftests/escape/escape.c" ||
			die "cannot build selftests/escape/escape.c statically (package libc6-dev)"
	fi
	cp "$repo/selftests/integration/lib.sh" "$src/selftests/integration/"
	[ -d "$repo/selftests/integration/golden" ] &&
		cp -a "$repo/selftests/integration/golden" "$src/selftests/integration/"
	local selected=
	for t in "$repo"/selftests/integration/*.t; do
		case "$(header_lines "$t" guest | tr -d ' ')" in
		yes) ;;
		on-request) echo "${t##*/}" >>"$src/selftests/integration/on-request" ;;
		*) continue ;;
		esac
		cp "$t" "$src/selftests/integration/"
		selected="$selected ${t##*/}"
		for need in $(header_lines "$t" guest-needs); do
			guest_tool "$need"
		done
	done
	echo "mkinitramfs: integration tests for the guest:${selected:- none}" >&2
	for pkg in $GUEST_TOOL_PACKAGES; do
		dpkg -s "$pkg" >/dev/null 2>&1 || die "package $pkg is not installed (make deps)"
	done
	for pkg in $GUEST_TOOL_PACKAGES; do
		dpkg -L "$pkg" 2>/dev/null | grep -E '^/(usr/)?s?bin/[^/]+$' || true
	done | while read -r f; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		[ -e "$root/usr/lib/vz-guest/bin/${f##*/}" ] || cp -L "$f" "$root/usr/lib/vz-guest/bin/"
	done
	# libvz unpacks templates in C.UTF-8 (lib/template.c): Debian's libc-bin has it.
	if [ -d /usr/lib/locale/C.utf8 ]; then
		mkdir -p "$root/usr/lib/locale"
		cp -a /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"
	fi
	# dlopen()ed by libvz at unpack time (lib/archive-dl.c): ldd cannot see it.
	f=$(ldconfig -p | awk '!f && $1 == "libarchive.so.13" && /x86-64/ { print $NF; f = 1 }')
	[ -n "$f" ] || die "libarchive.so.13 missing (package libarchive13)"
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
}

root=$(mktemp -d /tmp/vz-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,usr/bin,usr/sbin,lib,lib64}
mkdir -p "$root"/vz-tests/{kernel,integration} "$root/sys/fs/cgroup"
cp "$BUSYBOX" "$root/bin/busybox"
cp "$HERE/init.sh" "$root/init"
chmod 0755 "$root/init"
cp -L /bin/bash "$root/bin/bash"

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
nogroup:x:65534:
EOF
echo "vz-guest" >"$root/etc/hostname"
: >"$root/etc/fstab"

if [ -n "$ksft" ]; then
	[ -f "$ksft/kselftest-list.txt" ] || die "$ksft has no kselftest-list.txt"
	cp -a "$ksft" "$root/kselftest"
fi
if [ -n "$vzt" ]; then
	[ -d "$vzt" ] || die "$vzt does not exist"
	cp -a "$vzt/." "$root/vz-tests/kernel/"
fi

for pair in ${QEMU_EXTRA_FILES:-}; do
	src=${pair%%:*}
	dst=${pair#*:}
	[ "$src" != "$pair" ] && [ -n "$dst" ] || die "QEMU_EXTRA_FILES entry '$pair' is not HOST:GUEST"
	[ -e "$src" ] || die "QEMU_EXTRA_FILES: '$src' does not exist"
	mkdir -p "$root$(dirname "$dst")"
	if [ -d "$src" ]; then
		mkdir -p "$root$dst"
		cp -a "$src/." "$root$dst/"
	else
		cp -aL "$src" "$root$dst"
	fi
done

[ -z "$repo" ] || user_tier "$repo"

# libgcc_s is dlopen()ed by glibc for pthread_cancel(): ldd cannot see it.
for lib in /lib/x86_64-linux-gnu/libgcc_s.so.1; do
	[ -e "$lib" ] && mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
done

# Shared libraries of every dynamically linked ELF file in the image.
find "$root" -type f \( -perm -u+x -o -name "*.so*" \) -print0 | while IFS= read -r -d '' f; do
	head -c4 "$f" 2>/dev/null | grep -q 'ELF' || continue
	ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }' || true
done | sort -u | while read -r lib; do
	[ -e "$root$lib" ] && continue
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1))" >&2
