#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftests/qemu/mkinitramfs.sh - build the initramfs of the vz test guest.
#
# Usage: mkinitramfs.sh -o OUT.cpio.gz [-k KSELFTEST_DIR] [-t VZ_TEST_DIR]
#
#   -k DIR   installed upstream kselftests (run_kselftest.sh layout with
#            kselftest-list.txt), copied to /kselftest
#   -t DIR   the project's kselftest binaries, copied to /vz-tests/kernel
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
out= ksft= vzt=
while getopts "o:k:t:" opt; do
	case "$opt" in
	o) out=$OPTARG ;;
	k) ksft=$OPTARG ;;
	t) vzt=$OPTARG ;;
	*) echo "usage: $0 -o OUT [-k KSELFTEST_DIR] [-t VZ_TEST_DIR]" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "mkinitramfs: -o is required" >&2; exit 2; }

die() { echo "mkinitramfs: ERROR: $*" >&2; exit 1; }

BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: apt-get install busybox-static"
case "$(ldd "$BUSYBOX" 2>&1 || true)" in *"not a dynamic executable"*) ;; *) false ;; esac ||
	die "$BUSYBOX is not statically linked: apt-get install busybox-static"

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

# libgcc_s is dlopen()ed by glibc for pthread_cancel(): ldd cannot see it.
for lib in /lib/x86_64-linux-gnu/libgcc_s.so.1; do
	[ -e "$lib" ] && mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
done

# Shared libraries of every dynamically linked ELF file in the image.
find "$root" -type f -perm -u+x -print0 | while IFS= read -r -d '' f; do
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
