/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a CT is in its life: config present, root mounted, init running.
 * A running CT has a run-state file $RUNDIR/<CTID>.state written by its
 * monitor (KEY="value" lines) and a control socket $RUNDIR/<CTID>.sock.
 */
#ifndef VZ_STATE_H
#define VZ_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "ct.h"

struct vz_ct_state {
	bool exists;	/* conf/CTID.conf present */
	bool mounted;	/* VE_ROOT is a mount point */
	bool running;	/* the monitor and the CT's init are alive */
	bool suspended; /* a checkpoint of the CT is held (chkpnt without kill) */
	pid_t init_pid; /* host pid of the CT's init, when running */
	pid_t monitor_pid;
	bool userns;	      /* the CT runs in its own user namespace */
	unsigned long long started; /* start time, seconds since the epoch */
};

int vz_ct_get_state(struct vz_ct *ct, struct vz_ct_state *st, struct vz_error *err);
/* The same without the mount check (mounted stays false): for hot paths like exec. */
int vz_ct_get_run_state(struct vz_ct *ct, struct vz_ct_state *st, struct vz_error *err);
/* true if path is a mount point in the caller's mount namespace. */
bool vz_is_mountpoint(const char *path);
/* Paths of the run-state file and control socket; malloc'ed. */
char *vz_ct_run_path(struct vz_ct *ct, const char *suffix);
/* Processes in the CT's cgroup (numproc), or -errno. */
int vz_ct_nr_procs(struct vz_ct *ct);

#endif
