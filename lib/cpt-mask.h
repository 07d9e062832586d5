/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The masks of a restored CT (internal to the cpt*.c files): the empty
 * read-only tmpfs mounts that hide node paths (/proc/acpi, /sys/firmware
 * ...) are external mounts to CRIU (cpt-mount.proto), and restore binds
 * them all from one fresh empty read-only tmpfs, mounted on the node (in
 * /tmp) only while CRIU runs.  CRIU would otherwise archive and unpack an empty file
 * system per mask with tar, under the freeze.
 */
#ifndef VZ_CPT_MASK_H
#define VZ_CPT_MASK_H

#include "error.h"

/* Mount the tmpfs, its root owned by uid:gid (the CT's root); *path is malloc'ed. */
int vz_cpt_mask_mount(unsigned long uid, unsigned long gid, char **path, struct vz_error *err);
/* Detach it (the CT's binds keep it) and remove the mount point; path is freed. */
void vz_cpt_mask_umount(char *path);

static inline void vz_cpt_mask_umountp(char **path)
{
	vz_cpt_mask_umount(*path);
}
#define __vz_cpt_mask __attribute__((cleanup(vz_cpt_mask_umountp)))

#endif
