/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record of a CT arriving by migration: $LOCKDIR/<CTID>.incoming,
 * written by the receiver (vzmigrate --receive/--listen) before it makes
 * anything of the CT, naming the receiver (pid, its start time, the boot)
 * and each thing it made (config, private area, dump directory) as it
 * makes it, and removed once the CT is undone or committed.
 *
 * A receiver killed with SIGKILL (or a node that crashed) leaves the
 * record behind with a dead owner: the CT on this node is half made.  The
 * next receiver, or any vzctl command that locks the CT, removes what the
 * record names (vz_mig_incoming_recover()); vzctl status says so.  A
 * receiver that died after the CT was restored or started here, waiting
 * for the source's commit, leaves a CT that may be the only copy (the
 * source gives its copy up once it sent the commit): that one is kept,
 * with a warning to check the source node.
 */
#ifndef VZ_MIGRATE_INCOMING_H
#define VZ_MIGRATE_INCOMING_H

#include <stdbool.h>
#include <sys/types.h>

#include "ct.h"

#define VZ_MIG_INCOMING_SUFFIX ".incoming"

/* How far the receiver got. */
enum vz_mig_stage {
	VZ_MIG_STAGE_RECEIVING, /* nothing of the CT runs here */
	VZ_MIG_STAGE_RUNNING,	/* restored or started, waiting for the commit */
};

struct vz_mig_incoming {
	char *path;
	pid_t pid;
	unsigned long long starttime;
	char boot_id[40];
	enum vz_mig_stage stage;
	char *conf, *priv, *dump; /* what the receiver made, NULL: nothing yet */
};

/* Write the record of this process receiving ct (none may exist). */
int vz_mig_incoming_begin(struct vz_ct *ct, struct vz_mig_incoming *in, struct vz_error *err);
/* Note something made (a malloc'ed copy of path kept), or the stage; the record is rewritten. */
int vz_mig_incoming_made(struct vz_mig_incoming *in, char **what, const char *path,
			 struct vz_error *err);
int vz_mig_incoming_stage(struct vz_mig_incoming *in, enum vz_mig_stage stage,
			  struct vz_error *err);
/* The migration ended (undone or committed): the record goes. */
void vz_mig_incoming_end(struct vz_mig_incoming *in);
void vz_mig_incoming_free(struct vz_mig_incoming *in);
/*
 * Is there a record of a receiver that died?  1 (its contents in *in,
 * freed with vz_mig_incoming_free()), 0 none or its receiver lives, -errno.
 */
int vz_mig_incoming_stale(struct vz_ct *ct, struct vz_mig_incoming *in);
/*
 * The caller holds the CT's lock: undo what a dead receiver left of ct.
 * 1 a half-made CT was removed (ct reloaded), 0 nothing to do, -errno.
 */
int vz_mig_incoming_recover(struct vz_ct *ct, struct vz_error *err);
/*
 * Every record in LOCKDIR whose receiver died: recover each CT (those
 * another command holds locked are left alone).  Returns how many
 * half-made CTs were removed.  A receiver starts with this.
 */
int vz_mig_incoming_sweep(struct vz_env *env);

#endif
