/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting and stopping a CT.  vz_ct_start() runs the start sequence on the
 * host (mount, cgroups, devices, ...), then forks the CT's monitor: a small
 * supervisor that is the parent of the CT's init, keeps the console, serves
 * the control socket and cleans up when init ends (halt) or restarts it
 * (reboot).  The caller holds the CT's lock.
 */
#ifndef VZ_LIFECYCLE_H
#define VZ_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ct.h"

struct vz_start_opts {
	bool wait;  /* return once the CT's init finished booting */
	bool force; /* start even if DISABLED=yes */
};

struct vz_stop_opts {
	bool fast;	  /* kill at once, no clean shutdown */
	bool skip_umount; /* leave VE_ROOT mounted */
};

int vz_ct_start(struct vz_ct *ct, const struct vz_start_opts *opts, struct vz_error *err);
int vz_ct_stop(struct vz_ct *ct, const struct vz_stop_opts *opts, struct vz_error *err);
int vz_ct_mount(struct vz_ct *ct, struct vz_error *err);
int vz_ct_umount(struct vz_ct *ct, struct vz_error *err);

/* --- shared between the start sequence, the monitor and init (internal) --- */

struct vz_launch {
	struct vz_ct *ct;
	struct vz_cgroup *cg;
	char *root;		/* VE_ROOT */
	bool userns;
	unsigned long uid_base, gid_base;
	uint64_t caps_dropped;
	char console_slave[64]; /* host path of the console pty slave */
	int console_master;
	/*
	 * How the monitor gets the CT's first init: NULL clones a fresh one
	 * (vz_init_launch); restore brings back a checkpointed one instead.
	 * Later inits (a reboot inside the CT) are always fresh.
	 */
	int (*launch)(struct vz_launch *l, pid_t *pid, struct vz_error *err);
	void *launch_arg;
};

/* Allocate the CT's console pty (l->console_master, l->console_slave). */
int vz_console_open(struct vz_launch *l, struct vz_error *err);
/* Create RUNDIR. */
int vz_rundir_make(struct vz_ct *ct, struct vz_error *err);

/* Clone the CT's init into new namespaces and wait until it has exec'd /sbin/init. */
int vz_init_launch(struct vz_launch *l, pid_t *pid, struct vz_error *err);
/* Fork the monitor; returns once init runs (0) or failed (-errno, err set). */
int vz_monitor_spawn(struct vz_launch *l, struct vz_error *err);
/* Ask a running CT's monitor something over its control socket. */
int vz_monitor_request(struct vz_ct *ct, const char *request, char *reply, size_t size,
		       int *fd_out, struct vz_error *err);

#endif
