#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make install into a DESTDIR: every binary, script, config, man page and
# the bash completion lands where the README says (the main job installs
# this way); the completion offers commands, CTIDs and options.
. "$(dirname "$0")/lib.sh"
require_root
[ "$VZ_BUILD" -ef "$repo/build" ] || skip_all "VZ_BUILD is not the tree's own build/"
command -v make >/dev/null || skip_all "make missing"

T=$(mktemp -d /tmp/vz-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
dest=$T/dest

# The default PREFIX: what make check built, so nothing is rebuilt.
run make -s -C "$repo" install DESTDIR="$dest"
is "$rc" 0 "make install DESTDIR=... from the tree"
[ "$rc" -eq 0 ] || printf '#   %s\n' "$out" | tail -5
for f in sbin/vzctl sbin/vzlist sbin/vztmpl sbin/vzquota sbin/vzubc sbin/vzmigrate \
	libexec/vz/mk-busybox libexec/vz/mk-debian libexec/vz/vz-boot; do
	ok "$([ -x "$dest/usr/local/$f" ]; echo $?)" "installs $f"
done
for f in etc/vz/vz.conf etc/vz/conf/ve-vswap-256m.conf-sample etc/vz/conf/ve-basic.conf-sample \
	etc/vz/dists/default.conf etc/vz/dists/debian.conf lib/systemd/system/vz.service; do
	ok "$([ -s "$dest/$f" ]; echo $?)" "installs /$f"
done
is "$(sed -n 's/^CONFIGFILE=//p' "$dest/etc/vz/vz.conf")" '"vswap-256m"' "vz.conf's default sample is vswap-256m"
for m in man8/vzctl.8 man8/vzlist.8 man8/vztmpl.8 man8/vzquota.8 man8/vzubc.8 man8/vzmigrate.8 \
	man5/vz.conf.5 man5/ctid.conf.5; do
	ok "$([ -s "$dest/usr/local/share/man/$m" ]; echo $?)" "installs the man page $m"
done
comp=$dest/usr/local/share/bash-completion/completions/vzctl
ok "$([ -s "$comp" ]; echo $?)" "installs the bash completion"

# The completion, driven the way bash drives it.
complete_words() { # complete_words WORD...: what the completion offers for the last word
	# shellcheck disable=SC1090
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vzctl; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$comp" "$@" | sort | tr '\n' ' '
}
is "$(complete_words vzctl st)" "start status stop " "commands complete"
is "$(complete_words vzctl stop 101 --f)" "--fast " "a command's options complete"
is "$(complete_words vzctl set 101 --cpul)" "--cpulimit " "set's resource options complete"
is "$(complete_words vzctl create 101 --layout i)" "image " "option values complete"
finish
