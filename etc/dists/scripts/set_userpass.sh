#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# SET_USERPASS: USERPW is "user:password".  Creates the user if missing
# (useradd where present, else by hand as busybox has no adduser applet
# in Debian's build), then sets the password (chpasswd, else busybox mkpasswd).
u=${USERPW%%:*}
p=${USERPW#*:}
[ -n "$u" ] || exit 1
if ! grep -q "^$u:" /etc/passwd; then
	if command -v useradd >/dev/null 2>&1; then
		useradd -m -s /bin/sh "$u" || exit 1
	else
		id=$(awk -F: '$3>=1000 && $3<60000 && $3>m {m=$3} END {print m ? m+1 : 1000}' /etc/passwd)
		echo "$u:x:$id:$id::/home/$u:/bin/sh" >>/etc/passwd &&
			echo "$u:x:$id:" >>/etc/group &&
			echo "$u:!:0:0:99999:7:::" >>/etc/shadow &&
			mkdir -p "/home/$u" && chown "$id:$id" "/home/$u" || exit 1
	fi
fi
if command -v chpasswd >/dev/null 2>&1; then
	printf '%s\n' "$USERPW" | chpasswd
	exit
fi
h=$(mkpasswd -m sha512 "$p") || exit 1
awk -F: -v OFS=: -v u="$u" -v h="$h" '$1 == u {$2 = h} {print}' /etc/shadow >/etc/shadow.vz &&
	chmod 600 /etc/shadow.vz && mv /etc/shadow.vz /etc/shadow
