/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process helpers: /proc parsing, pidfds, closing inherited descriptors. */
#ifndef VZ_PROCUTIL_H
#define VZ_PROCUTIL_H

#include <stdbool.h>
#include <sys/types.h>

/* Field 22 of /proc/<pid>/stat (start time in clock ticks), 0 if gone. */
unsigned long long vz_proc_starttime(pid_t pid);
int vz_pidfd_open(pid_t pid);
int vz_pidfd_send_signal(int pidfd, int sig);
/* Wait up to timeout_ms (-1: forever) for the process behind pidfd to exit: 1 exited, 0 timeout. */
int vz_pidfd_wait(int pidfd, int timeout_ms);
/* Close every descriptor >= from except those listed (terminated by -1). */
void vz_close_fds_from(int from, const int *keep);
/* Decode the \040-style escapes of /proc/self/mountinfo in place. */
void vz_unescape_mountinfo(char *s);
/* Run argv (absolute path) with envp and wait; returns exit status or -errno. */
int vz_run_wait(char *const argv[], char *const envp[]);

#endif
