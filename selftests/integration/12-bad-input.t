#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# Every class of bad input gets OpenVZ's exit code and a clear message, and
# changes nothing.
. "$(dirname "$0")/lib.sh"
require_root
setup_node

"$vzctl" --quiet create 101 --ostemplate busybox --hostname bad101 >/dev/null 2>&1
cp "$T/etc/conf/101.conf" "$T/conf.before"
unchanged() { cmp -s "$T/etc/conf/101.conf" "$T/conf.before"; echo $?; }

run "$vzctl" --frobnicate status 101
is "$rc" 20 "unknown global option -> 20"
run "$vzctl" frobnicate 101
is "$rc" 20 "unknown command -> 20"
like "$out" "unknown command" "and says so"
run "$vzctl" start 101 --bogus
is "$rc" 20 "unknown command option -> 20"
run "$vzctl" start
is "$rc" 20 "missing CTID -> 20"
for id in 99 0x65 2147483645 -5 "a/b" "12abc"; do
	run "$vzctl" status "$id"
	ok "$([ "$rc" -eq 21 ] || [ "$rc" -eq 20 ]; echo $?)" "CTID '$id' rejected ($rc)"
done
run "$vzctl" status 2147483645
like "$out" "range 101..2147483644" "the message names the valid range"
run "$vzctl" status nosuchname
is "$rc" 21 "unknown CT name -> 21"
run "$vzctl" start 0
is "$rc" 21 "CTID 0 (the host) is refused by start"
run "$vzctl" set --bootorder 5 101 --save
is "$rc" 20 "an option value before the CTID is not taken for the CTID"
ok "$(grep -q BOOTORDER "$T/etc/conf/101.conf"; [ $? -ne 0 ]; echo $?)" "and nothing was set"

run "$vzctl" create 102 --ostemplate no-such-template
is "$rc" 91 "missing template -> 91"
like "$out" "no-such-template" "and names the template"
ok "$([ ! -e "$T/etc/conf/102.conf" ] && [ ! -e "$T/private/102" ] && [ ! -e "$T/private/102.tmp" ]; echo $?)" \
	"nothing left after a missing template"
run "$vzctl" create 102 --ostemplate ../etc
is "$rc" 21 "template name with a path -> 21"
run "$vzctl" create 102 --ostemplate busybox --hostname 'bad host!'
is "$rc" 21 "invalid host name -> 21"
run "$vzctl" create 102 --ostemplate busybox --name 1234
is "$rc" 131 "numeric name -> 131"
ok "$([ ! -e "$T/etc/conf/102.conf" ] && [ ! -e "$T/private/102" ]; echo $?)" "no CT after bad create options"
head -c 20000 /tmp/vz-test-busybox.tar.gz >"$T/template/cache/broken.tar.gz"
run "$vzctl" create 103 --ostemplate broken
is "$rc" 91 "truncated template -> 91"
ok "$([ ! -e "$T/etc/conf/103.conf" ] && [ ! -e "$T/private/103" ] && [ ! -e "$T/private/103.tmp" ]; echo $?)" \
	"nothing left after a truncated template"
run "$vzctl" create 101 --ostemplate busybox
is "$rc" 44 "create of an existing CT -> 44"
mkdir -p "$T/private/104" && touch "$T/private/104/file"
run "$vzctl" create 104 --ostemplate busybox
is "$rc" 44 "create over a non-empty private area -> 44"
ok "$([ -f "$T/private/104/file" ]; echo $?)" "the existing private area is untouched"

run "$vzctl" stop 101
is "$rc" 31 "stop of a stopped CT -> 31"
run "$vzctl" exec 101 true
is "$rc" 31 "exec in a stopped CT -> 31"
run "$vzctl" start 101
run "$vzctl" start 101
is "$rc" 32 "start of a running CT -> 32"
run "$vzctl" destroy 101
is "$rc" 32 "destroy of a running CT -> 32"
run "$vzctl" umount 101
is "$rc" 32 "umount of a running CT -> 32"
mv "$T/etc/dists" "$T/dists.away"
run "$vzctl" set 101 --hostname nodists
is "$rc" 107 "no distribution config to apply a setting live -> 107"
like "$out" "No distribution config" "and says so"
mv "$T/dists.away" "$T/etc/dists"
run "$vzctl" enter 101 </dev/null
ok "$([ "$rc" -ne 0 ]; echo $?)" "enter without a terminal fails"
like "$out" "terminal" "and says it needs a terminal"
"$vzctl" --quiet stop 101 --fast >/dev/null 2>&1
run "$vzctl" umount 101
is "$rc" 40 "umount of an unmounted CT -> 40"
ok "$(unchanged)" "the CT's config is unchanged by all of the above"

run "$vzctl" set 101 --onboot maybe --save
is "$rc" 21 "set --onboot maybe -> 21"
run "$vzctl" set 101 --bootorder -3 --save
is "$rc" 21 "set --bootorder -3 -> 21"
run "$vzctl" set 101 --userpasswd nopassword
is "$rc" 21 "set --userpasswd without ':' -> 21"
ok "$(unchanged)" "a refused set saves nothing"

echo 'this line is garbage' >>"$T/etc/conf/101.conf"
run "$vzctl" start 101
is "$rc" 21 "garbage line in the CT config -> 21"
like "$out" "101.conf' line [0-9]+" "and the message names the file and line"
cp "$T/conf.before" "$T/etc/conf/101.conf"
echo 'ONBOOT="perhaps"' >>"$T/etc/conf/101.conf"
run "$vzctl" status 101
is "$rc" 21 "invalid value for a known key -> 21"
cp "$T/conf.before" "$T/etc/conf/101.conf"
echo 'SOME_FUTURE_KEY="kept"' >>"$T/etc/conf/101.conf"
run "$vzctl" set 101 --description "still works" --save
is "$rc" 0 "unknown keys are accepted"
is "$(grep -c '^SOME_FUTURE_KEY="kept"$' "$T/etc/conf/101.conf")" 1 "and kept on save"
cp "$T/conf.before" "$T/etc/conf/101.conf"

echo 'DISABLED="yes"' >>"$T/etc/conf/101.conf"
run "$vzctl" start 101
is "$rc" 105 "start of a disabled CT -> 105"
run "$vzctl" start 101 --force
is "$rc" 0 "start --force starts it anyway"
"$vzctl" --quiet stop 101 --fast >/dev/null 2>&1
cp "$T/conf.before" "$T/etc/conf/101.conf"

mv "$T/private/101/sbin/init" "$T/private/101/sbin/init.away"
run "$vzctl" start 101
is "$rc" 47 "CT without /sbin/init -> 47"
run "$vzctl" status 101
is "$out" "CTID 101 exist unmounted down" "a failed start leaves it unmounted and down"
mv "$T/private/101/sbin/init.away" "$T/private/101/sbin/init"

mv "$T/etc/vz.conf" "$T/etc/vz.conf.away"
run "$vzctl" status 101
is "$rc" 10 "missing vz.conf -> 10"
mv "$T/etc/vz.conf.away" "$T/etc/vz.conf"
echo 'VE_ROOT=relative/path' >>"$T/etc/vz.conf"
run "$vzctl" status 101
is "$rc" 21 "invalid value in vz.conf -> 21"
sed -i '$d' "$T/etc/vz.conf"
finish
