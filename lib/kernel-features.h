/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container features of vz's own kernel (kernel/README.md), used when
 * the running kernel has them and skipped quietly when it does not: the
 * cgroup v2 "beancounter" controller, the CT's id in it (which makes the
 * CT's row in /proc/user_beancounters, /proc/bc and /proc/vz) and the
 * per-CT /proc virtualization switch (meminfo, cpuinfo, cpu/online, uptime).
 */
#ifndef VZ_KERNEL_FEATURES_H
#define VZ_KERNEL_FEATURES_H

#include <stdbool.h>

#include "cgroup.h"
#include "ct.h"

/* True when the unified hierarchy at /sys/fs/cgroup offers "beancounter". */
bool vz_kernel_has_beancounter(void);

/*
 * Before the CT's init starts in @cg: enable the beancounter controller down
 * to the CT's group, name the group with the CTID (beancounter.id) and turn
 * on beancounter.proc_virt.  Returns 0 without doing anything on cgroup v1
 * or a kernel without the controller.  An id already taken by another group
 * (a second node tree on the same kernel) is a warning, not an error.
 */
int vz_kernel_features_apply(struct vz_ct *ct, struct vz_cgroup *cg, struct vz_error *err);

#endif
