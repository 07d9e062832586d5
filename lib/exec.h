/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running a program inside a running CT: join its cgroups and every one of
 * its namespaces through a pidfd of its init, become the CT's root, drop the
 * CT's capabilities, close every host descriptor but the three stdio ones,
 * and exec with a clean environment.
 */
#ifndef VZ_EXEC_H
#define VZ_EXEC_H

#include <sys/types.h>

#include "ct.h"

struct vz_exec {
	char *const *argv;  /* argv[0] is looked up in the CT's PATH */
	char *const *envp;  /* NULL: the default CT environment */
	int stdio[3];	    /* descriptors for the program's 0, 1, 2 */
	int pty_sock;	    /* >= 0: allocate a pty in the CT, send its master here */
};

/* Start the program; *pid is a host process whose exit status is the program's. */
int vz_ct_exec_start(struct vz_ct *ct, const struct vz_exec *x, pid_t *pid, struct vz_error *err);
/* Wait for it: the program's exit code, or 128 + signal. */
int vz_ct_exec_wait(pid_t pid);
/* Run argv with stdio on /dev/null and wait; *status is its exit code. */
int vz_ct_exec_simple(struct vz_ct *ct, char *const argv[], int *status, struct vz_error *err);

#endif
