/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process helpers: /proc parsing, pidfds, closing inherited descriptors. */
#ifndef VZ_PROCUTIL_H
#define VZ_PROCUTIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Field 22 of /proc/<pid>/stat (start time in clock ticks), 0 if gone. */
unsigned long long vz_proc_starttime(pid_t pid);
int vz_pidfd_open(pid_t pid);
/* This boot of the node (/proc/sys/kernel/random/boot_id), "" if unknown. */
void vz_boot_id(char *buf, size_t size);
/* Enter pid's namespace of nstype (CLONE_NEWNET, CLONE_NEWNS), in a child: 0 or -errno. */
int vz_enter_ns(pid_t pid, int nstype, enum vz_error_kind kind, struct vz_error *err);
int vz_pidfd_send_signal(int pidfd, int sig);
/* Wait up to timeout_ms (-1: forever) for the process behind pidfd to exit: 1 exited, 0 timeout. */
int vz_pidfd_wait(int pidfd, int timeout_ms);
/* Close every descriptor >= from except those listed (terminated by -1). */
void vz_close_fds_from(int from, const int *keep);
/* Decode the \040-style escapes of /proc/self/mountinfo in place. */
void vz_unescape_mountinfo(char *s);
/* Run argv (absolute path) with envp and wait; returns exit status or -errno. */
int vz_run_wait(char *const argv[], char *const envp[]);

/*
 * A function run in a forked child (to enter another namespace without
 * leaving ours): its error object comes back through a pipe.
 */
struct vz_child {
	pid_t pid;
	int errfd; /* read end, -1 once waited for */
};
typedef int (*vz_child_fn)(void *arg, struct vz_error *err);
/* Fork and run fn(arg) in the child; 0 or -errno with err set (fork failed). */
int vz_child_start(struct vz_child *c, vz_child_fn fn, void *arg, struct vz_error *err);
/* Wait for it: fn's return and error, or an error naming what as the failure. */
int vz_child_wait(struct vz_child *c, const char *what, struct vz_error *err);
/* Both. */
int vz_child_run(vz_child_fn fn, void *arg, const char *what, struct vz_error *err);

#endif
