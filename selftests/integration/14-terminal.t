#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guest: yes
# enter and console driven through a real pty (script(1)): a login shell on a
# pty of the CT's own devpts with the caller's window size and job control;
# the console keeps the CT's output while nobody is attached, "Esc ."
# detaches and the CT keeps running.
. "$(dirname "$0")/lib.sh"
require_root
command -v script >/dev/null || skip_all "script(1) missing (package bsdutils)"
setup_node

"$vzctl" --quiet create 101 --ostemplate busybox --hostname term101 >/dev/null 2>&1
"$vzctl" --quiet start 101 >/dev/null 2>&1

out=$( (sleep 0.5; printf 'echo marker-$((1+1)); tty; stty size; echo jobs=$-; sleep 30 &\n'
	sleep 0.3; printf 'jobs\nexit\n'; sleep 0.3; printf 'exit\n') |
	timeout 20 script -qec "stty cols 123 rows 45; $vzctl enter 101" /dev/null | tr -d '\r')
like "$out" "entered into CT 101" "enter announces itself"
like "$out" "marker-2" "commands typed into enter run"
like "$out" "/dev/pts/[0-9]+" "the shell has a pty"
like "$out" "45 123" "with the caller's window size"
like "$out" "jobs=[a-z]*m" "and job control"
like "$out" "\[1\].*sleep 30" "background jobs are listed"
like "$out" "exited from CT 101" "exit leaves the CT"
run "$vzctl" exec 101 'ls /dev/pts | grep -c "^[0-9]"'
ok "$([ "$out" -le 1 ]; echo $?)" "the enter pty is gone after exit (left: $out)"

out=$( (sleep 0.3; printf '\n'; sleep 0.5; printf 'echo console-$((2+3)) jobs=$-\n'; sleep 0.5
	printf '\033.'; sleep 0.3) | timeout 20 script -qec "$vzctl console 101" /dev/null | tr -d '\r')
like "$out" "console-5" "the console runs the CT's console shell"
like "$out" "jobs=[a-z]*m" "with job control"
like "$out" "Detached from CT 101" "Esc . detaches"
run "$vzctl" status 101
is "$out" "CTID 101 exist mounted running" "the CT keeps running after detaching"

"$vzctl" exec 101 'echo written-while-detached > /dev/console'
out=$( (sleep 0.5; printf '\033.'; sleep 0.2) | timeout 20 script -qec "$vzctl console 101" /dev/null | tr -d '\r')
like "$out" "written-while-detached" "output written while detached is shown on attach"

"$vzctl" --quiet stop 101 --fast >/dev/null 2>&1
run "$vzctl" console 101
is "$rc" 31 "console of a stopped CT -> 31"
finish
