/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file system view inside a CT, built by the CT's first process in its
 * new mount namespace: the root bound from VE_ROOT, /proc with the host-wide
 * knobs read-only or masked, read-only /sys, a minimal /dev with its own
 * devpts instance and /dev/console, then pivot_root into it.
 */
#ifndef VZ_ROOTFS_H
#define VZ_ROOTFS_H

#include <stdbool.h>

#include "cgroup.h"
#include "error.h"

struct vz_rootfs {
	const char *root;	     /* VE_ROOT on the host */
	const char *console;	     /* host path of the console pty slave, or NULL */
	const struct vz_cgroup *cg; /* the CT's groups: mounted at /sys/fs/cgroup inside */
	bool no_sysfs;		     /* FEATURES sysfs:off: an empty read-only /sys */
};

/*
 * Step 1, still with the host's file system identity (the host path to
 * VE_ROOT may not be searchable by the CT's root): bind VE_ROOT and chdir.
 */
int vz_rootfs_enter(const struct vz_rootfs *fs, struct vz_error *err);
/* Step 2, as the CT's root so what it mounts belongs to the CT: the rest, pivot_root. */
int vz_rootfs_setup(const struct vz_rootfs *fs, struct vz_error *err);

#endif
