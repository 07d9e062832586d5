/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-CT locks: $LOCKDIR/<CTID>.lck holding "pid\nstatus\nstarttime\n",
 * created atomically with link(2).  A lock whose pid is gone, or was
 * taken by a process started later than the holder, is stale and taken
 * over.
 */
#ifndef VZ_LOCK_H
#define VZ_LOCK_H

#include <sys/types.h>

#include "ct.h"

struct vz_lock {
	char *path;
	int held;
};

/* Take the CT's lock; a live holder gives -EBUSY with kind VZ_E_LOCKED. */
int vz_lock_ct(struct vz_ct *ct, const char *status, struct vz_lock *lock, struct vz_error *err);
void vz_unlock(struct vz_lock *lock);
/* A process that forks keeps holding the lock file under the new pid. */
int vz_lock_set_owner(struct vz_lock *lock, pid_t pid, const char *status);

#define __vz_lock __attribute__((cleanup(vz_unlock)))

#endif
