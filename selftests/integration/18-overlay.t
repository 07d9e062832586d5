#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# The overlay layout: the template is unpacked once into a read-only shared
# base, every CT keeps only its own changes; 20 CTs from one base run side
# by side; destroying a CT never touches the base; a base in use cannot be
# removed; a user-namespaced CT sees the base through an idmapped mount.
. "$(dirname "$0")/lib.sh"
require_root
setup_node

run "$vzctl" create 101 --ostemplate busybox --layout overlay
is "$rc" 0 "create the first overlay CT (unpacks the base)"
like "$out" "shared base" "and says it unpacks the shared base"
base=$(readlink "$T/private/101/base")
like "$base" "^$T/template/base/busybox@" "the CT records its base, one per cache file under \$TEMPLATE/base"
ok "$([ -x "$base/sbin/init" ]; echo $?)" "the base is the unpacked template"
is "$(stat -c %u "$base/bin/busybox")" 0 "the base keeps the template's own ids"
is "$(grep '^VE_LAYOUT=' "$T/etc/conf/101.conf")" 'VE_LAYOUT="overlay"' "the layout is recorded in the CT config"
ok "$([ "$(du -sk "$T/private/101" | cut -f1)" -lt 100 ]; echo $?)" "the private area holds no copy of the template"

start_ns=$(date +%s%N)
for id in $(seq 102 120); do
	"$vzctl" --quiet create $id --ostemplate busybox --layout overlay >/dev/null 2>&1 || echo "# create $id failed"
done
per_ct_ms=$(( ($(date +%s%N) - start_ns) / 19000000 ))
echo "# 19 more overlay creates: ${per_ct_ms} ms each"
is "$(ls "$T/etc/conf" | grep -c '^1[0-9][0-9]\.conf$')" 20 "20 overlay CTs from one base"
is "$(ls -d "$T"/template/base/*/ | wc -l)" 1 "all of them share one base"

started=0
for id in $(seq 101 120); do
	"$vzctl" --quiet start $id >/dev/null 2>&1 && started=$((started + 1))
done
is "$started" 20 "all 20 start"
run "$vzctl" exec 105 'ls -ln /bin/busybox | awk "{print \$3}"; id -u'
is "$out" "$(printf '0\n0')" "inside, the shared files belong to the CT's root"
run "$vzctl" exec 105 'echo mine > /etc/motd; echo tmp > /bin/added; rm /bin/vi; cat /etc/motd'
is "$out" "mine" "a CT can change, add and delete files"
run "$vzctl" exec 106 'cat /etc/motd 2>/dev/null; ls /bin/added 2>/dev/null; ls /bin/vi'
is "$out" "/bin/vi" "other CTs do not see those changes"
ok "$([ ! -e "$base/bin/added" ] && [ -e "$base/bin/vi" ] && ! grep -q mine "$base/etc/motd" 2>/dev/null; echo $?)" \
	"the shared base is unchanged"
uid105=$(sed -n 's/^LOCAL_UID="\(.*\)"/\1/p' "$T/etc/conf/105.conf")
is "$(stat -c %u "$T/private/105/upper/bin/added")" "$uid105" "changes are stored with the CT's own host ids"
run "$vzctl" exec2 105 'echo x > /proc/1/root/../../../../../../lib-escape 2>/dev/null; ls / | grep -c lib-escape'
is "$out" "1" "writes land in the CT's own upper layer"
ok "$([ ! -e "$base/lib-escape" ]; echo $?)" "and never in the base"

for id in $(seq 101 120); do "$vzctl" --quiet stop $id --fast >/dev/null 2>&1; done
ok "$(mount | grep -c "$T/private/" | grep -q '^0$'; echo $?)" "stop unmounts the overlay and the idmapped base"

# A rebuilt cache gives new CTs a base of its own; the CTs made before keep theirs.
if [ -x "$VZ_BUILD/vztmpl" ]; then
	run env VZ_TEMPLATE_SCRIPTS="$repo/templates" "$VZ_BUILD/vztmpl" create --force busybox
	is "$rc" 0 "rebuild the cache while overlay CTs use it"
	like "$out" "keep the shared base of the old cache" "vztmpl says the old base stays for them"
	run "$vzctl" create 122 --ostemplate busybox --layout overlay
	base122=$(readlink "$T/private/122/base")
	ok "$([ -n "$base122" ] && [ "$base122" != "$base" ] && [ -x "$base122/sbin/init" ]; echo $?)" \
		"a CT created after the rebuild gets the new cache's base"
	ok "$([ "$(readlink "$T/private/101/base")" = "$base" ] && [ -x "$base/sbin/init" ]; echo $?)" \
		"the older CTs keep the base they were made on"
	run "$vzctl" start 122
	run "$vzctl" exec 122 'test -x /sbin/init && echo ok'
	is "$out" "ok" "the CT on the new base runs"
	"$vzctl" --quiet stop 122 --fast >/dev/null 2>&1
fi

if [ -x "$VZ_BUILD/vztmpl" ]; then
	run "$VZ_BUILD/vztmpl" remove busybox
	is "$rc" 9 "vztmpl remove refuses a template whose base is in use"
	ok "$([ -x "$base/sbin/init" ]; echo $?)" "and leaves the base alone"
fi

run "$vzctl" destroy 105
is "$rc" 0 "destroy an overlay CT"
ok "$([ ! -e "$T/private/105" ] && [ -x "$base/sbin/init" ] && [ -e "$base/bin/vi" ]; echo $?)" \
	"destroy removes the CT's layer, never the base"
run "$vzctl" start 106
run "$vzctl" exec 106 'test -x /sbin/init && echo ok'
is "$out" "ok" "the other CTs still work"
"$vzctl" --quiet stop 106 --fast >/dev/null 2>&1

# The same on a privileged CT: the base is used directly.
run "$vzctl" create 121 --ostemplate busybox --layout overlay
sed -i 's/^LOCAL_UID=.*/LOCAL_UID="0"/; s/^LOCAL_GID=.*/LOCAL_GID="0"/' "$T/etc/conf/121.conf"
chown 0:0 "$T/private/121/upper"
run "$vzctl" start 121
is "$rc" 0 "a privileged overlay CT starts"
run "$vzctl" exec 121 'echo hi > /tmp/f && cat /tmp/f'
is "$out" "hi" "and writes to its own layer"
"$vzctl" --quiet stop 121 --fast >/dev/null 2>&1

for id in $(seq 101 122); do "$vzctl" --quiet destroy $id >/dev/null 2>&1; done
if [ -x "$VZ_BUILD/vztmpl" ]; then
	run "$VZ_BUILD/vztmpl" remove busybox
	is "$rc" 0 "with no CT left, vztmpl remove works"
	ok "$([ ! -e "$base" ] && [ -z "$(ls -A "$T/template/base")" ]; echo $?)" \
		"and removes every base of the template, old and new"
fi
finish
