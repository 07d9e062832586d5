#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel/build.sh - build the vz kernel (or the unpatched base) into a cache.
#
# Usage: kernel/build.sh [--unpatched] [--key] [--dir]
#
#   (no option)   build if needed; print the path of bzImage on stdout
#   --unpatched   same base + config fragments, but without patches/series
#                 (and without configs/series.config): the reference kernel
#                 for regression results and benchmarks
#   --key         only print the cache key
#   --dir         build if needed; print the image directory instead
#
# Environment (all optional):
#   KERNEL_CACHE_DIR  cache root (default /var/cache/vz/kernel)
#   KERNEL_SRC_TAR    source tarball (default /usr/src/linux-source-6.1.tar.xz)
#   KERNEL_JOBS       make -j (default: nproc)
#   KERNEL_CC         compiler (default "ccache gcc" if ccache exists, else gcc)
#   KERNEL_ALLOW_BASE_MISMATCH=1  try the series on a different 6.1.y anyway
#
# Layout of the cache:
#   $KERNEL_CACHE_DIR/pristine/<debian-version>/   unpacked tarball, read-only use
#   $KERNEL_CACHE_DIR/work/<flavour>/linux         persistent patched tree
#   $KERNEL_CACHE_DIR/work/<flavour>/build         persistent O= build dir
#   $KERNEL_CACHE_DIR/images/<key>/                bzImage, config, headers/,
#                                                  kselftest/ (upstream cgroup+proc),
#                                                  ksft/ (kselftest.h, cgroup_util),
#                                                  BUILD-INFO
#   $KERNEL_CACHE_DIR/logs/<key>.log               full build log
#
# The key is a hash of BASE, the installed package version, the series and
# every patch it lists, the config fragments and this script.  An existing
# images/<key>/bzImage is reused as is.  On a miss, the patched tree is
# recreated from the pristine source and synchronised into the persistent
# tree by content, so only files whose content changed get a new mtime and
# make (plus ccache) rebuilds only what changed.

set -euo pipefail

KDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${KERNEL_CACHE_DIR:-/var/cache/vz/kernel}
SRC_TAR=${KERNEL_SRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
JOBS=${KERNEL_JOBS:-$(nproc)}
if [ -z "${KERNEL_CC:-}" ]; then
	if command -v ccache >/dev/null; then KERNEL_CC="ccache gcc"; else KERNEL_CC=gcc; fi
fi

flavour=vz
mode=image
for arg in "$@"; do
	case "$arg" in
	--unpatched) flavour=vanilla ;;
	--key) mode=key ;;
	--dir) mode=dir ;;
	*) echo "usage: $0 [--unpatched] [--key] [--dir]" >&2; exit 2 ;;
	esac
done

say() { echo "kernel: $*" >&2; }
die() { echo "kernel: ERROR: $*" >&2; exit 1; }

# --- BASE --------------------------------------------------------------
# shellcheck source=/dev/null
. "$KDIR/BASE"
[ -n "${LINUX_VERSION:-}" ] && [ -n "${DEBIAN_PACKAGE:-}" ] &&
	[ -n "${DEBIAN_VERSION:-}" ] || die "kernel/BASE must set LINUX_VERSION, DEBIAN_PACKAGE, DEBIAN_VERSION"

[ -r "$SRC_TAR" ] || die "$SRC_TAR not found: install it with 'make kernel-deps' (apt-get install $DEBIAN_PACKAGE)"

pkg_version=$(dpkg-query -W -f='${Version}' "$DEBIAN_PACKAGE" 2>/dev/null || true)
[ -n "$pkg_version" ] || pkg_version="unknown-$(stat -c %s-%Y "$SRC_TAR")"
if [ "$pkg_version" != "$DEBIAN_VERSION" ]; then
	say "NOTICE: installed $DEBIAN_PACKAGE is $pkg_version, kernel/BASE pins $DEBIAN_VERSION"
	say "NOTICE: the upstream version is checked after unpacking and every hunk must apply"
fi

# --- cache key ---------------------------------------------------------
series_files=()
if [ "$flavour" = vz ] && [ -f "$KDIR/patches/series" ]; then
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$KDIR/patches/$p" ] || die "patches/series lists $p, which does not exist"
		series_files+=("$KDIR/patches/$p")
	done <"$KDIR/patches/series"
fi

fragments=("$KDIR/configs/vz.config" "$KDIR/configs/qemu.config")
[ "$flavour" = vz ] && [ -f "$KDIR/configs/series.config" ] &&
	fragments+=("$KDIR/configs/series.config")

key=$( {
	echo "flavour=$flavour pkg=$pkg_version cc=$KERNEL_CC"
	cat "$KDIR/BASE" "$KDIR/build.sh"
	for f in "${series_files[@]}" "${fragments[@]}"; do
		echo "== ${f#"$KDIR"/}"
		cat "$f"
	done
} | sha256sum | cut -c1-16)
key="$flavour-$LINUX_VERSION-$key"

if [ "$mode" = key ]; then
	echo "$key"
	exit 0
fi

img="$CACHE/images/$key"
finish() {
	if [ "$mode" = dir ]; then echo "$img"; else echo "$img/bzImage"; fi
}
if [ -f "$img/bzImage" ] && [ -f "$img/BUILD-INFO" ]; then
	say "cache hit: $img"
	finish
	exit 0
fi

mkdir -p "$CACHE/pristine" "$CACHE/work/$flavour" "$CACHE/images" "$CACHE/logs"
exec 9>"$CACHE/work/$flavour.lock"
flock 9

# Another build may have finished while we waited for the lock.
if [ -f "$img/bzImage" ] && [ -f "$img/BUILD-INFO" ]; then
	say "cache hit: $img"
	finish
	exit 0
fi

log="$CACHE/logs/$key.log"
: >"$log"
say "building $key (log: $log)"
t0=$(date +%s)

# --- pristine source ---------------------------------------------------
pristine="$CACHE/pristine/$pkg_version"
if [ ! -f "$pristine/.complete" ]; then
	say "unpacking $SRC_TAR"
	rm -rf "$pristine" "$pristine.tmp"
	mkdir -p "$pristine.tmp"
	tar -xJf "$SRC_TAR" -C "$pristine.tmp" --strip-components=1
	touch "$pristine.tmp/.complete"
	mv "$pristine.tmp" "$pristine"
fi

src_version=$(make -s -C "$pristine" kernelversion 2>/dev/null)
if [ "$src_version" != "$LINUX_VERSION" ]; then
	msg="$SRC_TAR contains Linux $src_version, kernel/BASE pins $LINUX_VERSION"
	if [ "${KERNEL_ALLOW_BASE_MISMATCH:-0}" = 1 ]; then
		say "WARNING: $msg (KERNEL_ALLOW_BASE_MISMATCH=1, trying anyway)"
	else
		die "$msg; rebase the series and update kernel/BASE, or set KERNEL_ALLOW_BASE_MISMATCH=1 to try"
	fi
fi

# --- patched tree ------------------------------------------------------
work="$CACHE/work/$flavour"
staging="$work/staging"
rm -rf "$staging"
cp -al "$pristine" "$staging"
rm -f "$staging/.complete"
for p in "${series_files[@]}"; do
	say "applying ${p#"$KDIR"/}"
	# GNU patch writes a new file and renames it, so the hard links into
	# the pristine tree are broken, never written through.
	if ! (cd "$staging" && patch -p1 -N --fuzz=0 --no-backup-if-mismatch <"$p" >>"$log" 2>&1); then
		echo "kernel: ERROR: ${p#"$KDIR"/} does not apply to $DEBIAN_PACKAGE $pkg_version:" >&2
		tail -n 20 "$log" >&2
		find "$staging" -name '*.rej' -print0 | while IFS= read -r -d '' rej; do
			echo "--- rejected hunks: ${rej#"$staging"/}" >&2
			cat "$rej" >&2
		done
		exit 1
	fi
done
mkdir -p "$work/linux" "$work/build"
# By content, without preserving times: unchanged files keep their mtime.
rsync -rl --checksum --delete "$staging/" "$work/linux/"
rm -rf "$staging"

# --- configuration -----------------------------------------------------
kmake() {
	make -C "$work/linux" O="$work/build" CC="$KERNEL_CC" HOSTCC=gcc \
		KBUILD_BUILD_USER=vz KBUILD_BUILD_HOST=vz \
		KBUILD_BUILD_TIMESTAMP="vz $key" "$@"
}
export CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1

say "configuring: defconfig + kvm_guest.config + ${fragments[*]##*/}"
{
	kmake defconfig
	(cd "$work/build" && "$work/linux/scripts/kconfig/merge_config.sh" -m -O "$work/build" \
		"$work/build/.config" "$work/linux/kernel/configs/kvm_guest.config" "${fragments[@]}")
	kmake olddefconfig
} >>"$log" 2>&1 || { tail -n 30 "$log" >&2; die "configuration failed"; }

missing=()
for f in "${fragments[@]}"; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$work/build/.config" || missing+=("$line (${f##*/})")
			;;
		'# CONFIG_'*' is not set')
			opt=${line#\# }; opt=${opt%% *}
			grep -q "^$opt=" "$work/build/.config" && missing+=("$line (${f##*/})")
			;;
		esac
	done <"$f"
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "kernel: ERROR: requested options did not survive olddefconfig (unmet dependencies?):" >&2
	printf '  %s\n' "${missing[@]}" >&2
	exit 1
fi

# --- build -------------------------------------------------------------
say "make -j$JOBS bzImage (CC=$KERNEL_CC)"
if ! kmake -j"$JOBS" bzImage >>"$log" 2>&1; then
	grep -E 'error|Error|warning: ' "$log" | tail -n 40 >&2 || true
	die "kernel build failed, see $log"
fi

say "installing headers and building upstream cgroup/proc kselftests"
rm -rf "$img.tmp"
mkdir -p "$img.tmp"
{
	kmake headers
	kmake INSTALL_HDR_PATH="$img.tmp/headers" headers_install
} >>"$log" 2>&1 || { tail -n 30 "$log" >&2; die "headers_install failed"; }

# Upstream selftests, built against this tree's uapi headers, installed
# with run_kselftest.sh.  A target that fails to build is recorded, not
# fatal: the regression comparison (selftests/qemu) reports it.
ksft="$img.tmp/kselftest"
if ! make -C "$work/linux/tools/testing/selftests" O="$work/build/kselftest" \
	KHDR_INCLUDES="-isystem $img.tmp/headers/include" \
	TARGETS="cgroup proc" INSTALL_PATH="$ksft" install >>"$log" 2>&1; then
	say "WARNING: upstream kselftests did not build completely, see $log"
	echo "upstream kselftest build failed" >"$img.tmp/KSELFTEST-BUILD-FAILED"
fi

# The kselftest framework and cgroup helpers of this very tree, for the
# project's own kselftests (selftests/kernel/Makefile uses KSFT_IMAGE/ksft).
st="$work/linux/tools/testing/selftests"
mkdir -p "$img.tmp/ksft/cgroup" "$img.tmp/ksft/clone3" "$img.tmp/ksft/pidfd"
cp "$st/kselftest.h" "$st/kselftest_harness.h" "$img.tmp/ksft/"
cp "$st/cgroup/cgroup_util.c" "$st/cgroup/cgroup_util.h" "$img.tmp/ksft/cgroup/"
cp "$st/clone3/clone3_selftests.h" "$img.tmp/ksft/clone3/"
cp "$st/pidfd/pidfd.h" "$img.tmp/ksft/pidfd/"

cp "$work/build/arch/x86/boot/bzImage" "$img.tmp/bzImage"
cp "$work/build/.config" "$img.tmp/config"
cp "$work/build/System.map" "$img.tmp/System.map"
t1=$(date +%s)
{
	echo "key=$key"
	echo "flavour=$flavour"
	echo "linux_version=$src_version"
	echo "package=$DEBIAN_PACKAGE $pkg_version"
	echo "patches=${#series_files[@]}"
	echo "cc=$KERNEL_CC"
	echo "build_seconds=$((t1 - t0))"
	echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$img.tmp/BUILD-INFO"
rm -rf "$img"
mv "$img.tmp" "$img"
say "built $key in $((t1 - t0)) s"
finish
