/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copying bytes between the user's terminal or pipes and a CT's program. */
#ifndef VZCTL_RELAY_H
#define VZCTL_RELAY_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Relay between the caller's stdin/stdout and a pty master (enter,
 * console) until the master closes.  raw puts the caller's terminal in raw
 * mode; detach_escape enables "Esc ." to leave (console).  Window size
 * changes are forwarded.  Ends when the master closes, or when the process
 * behind pidfd (-1: none) exits.  Returns 0.
 */
int vzctl_relay_pty(int master, int pidfd, bool detach_escape);
/*
 * Relay the caller's stdio to the pipes of a program (exec with a terminal:
 * the program never gets the caller's tty, so it cannot inject input into
 * it).  to_child is the write end of the program's stdin, from_out/from_err
 * the read ends of its stdout/stderr.
 */
int vzctl_relay_pipes(int to_child, int from_out, int from_err);

#endif
