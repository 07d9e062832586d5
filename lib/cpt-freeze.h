/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Freezing a CT's cgroup (cgroup v2 cgroup.freeze, v1 freezer.state) and
 * the patched kernel's checkpoint state (beancounter.state), internal to
 * the cpt*.c and migrate*.c files.
 */
#ifndef VZ_CPT_FREEZE_H
#define VZ_CPT_FREEZE_H

#include <stdbool.h>

#include "cgroup.h"

/* The directory CRIU's freeze_cgroup takes: the v2 group or the v1 freezer group. */
const char *vz_cpt_freezer_dir(struct vz_cgroup *cg);
/* Freeze (true) or thaw the CT and wait until the kernel says it is done. */
int vz_cpt_freeze(struct vz_cgroup *cg, bool freeze, struct vz_error *err);
/* 1 frozen, 0 not, -errno when the state cannot be read. */
int vz_cpt_frozen(struct vz_cgroup *cg);

/*
 * The checkpoint state of the patched kernel: open it and enter state
 * ("checkpointing", "checkpointed", "restoring"), keeping the fd that owns
 * it.  Returns the fd, -ENOENT when the kernel has no such file (a stock
 * kernel: nothing to do), or -errno with err set.
 */
int vz_cpt_state_enter(struct vz_cgroup *cg, const char *state, struct vz_error *err);
/*
 * Move an owned state on (same fd); 0 or -errno with err set ("checkpointed"
 * is EAGAIN while the group is not frozen).
 */
int vz_cpt_state_set(int fd, const char *state, struct vz_error *err);
/* Back to "running" and close; a no-op for fd < 0. */
void vz_cpt_state_leave(int fd);

#endif
