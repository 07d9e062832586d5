/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Storage layouts of a CT's private area (VE_LAYOUT):
 *   simfs    the private area is a full copy of the template, bound on VE_ROOT;
 *   overlay  the template is unpacked once, read-only, under
 *            $TEMPLATE/base/<OSTEMPLATE> and shared by every CT made from
 *            it; the private area holds the CT's upper and work
 *            directories, and VE_ROOT is an overlay of the two.  A
 *            user-namespaced CT sees the shared base through an idmapped
 *            mount, so the base keeps the template's own ids on disk.
 *   image    the private area holds root.img, a sparse ext4 image made at
 *            create time (size DISKSPACE, inodes DISKINODES) and
 *            loop-mounted on VE_ROOT: a disk limit on any kernel.
 */
#ifndef VZ_STORAGE_H
#define VZ_STORAGE_H

#include "ct.h"

struct vz_storage_ops {
	const char *name;
	/* Fill the new private area dir (not yet renamed into place) from the cache. */
	int (*populate)(struct vz_ct *ct, const char *cache, const char *dir, unsigned long uid,
			unsigned long gid, struct vz_error *err);
	int (*mount)(struct vz_ct *ct, const char *priv, const char *root, struct vz_error *err);
	int (*umount)(struct vz_ct *ct, const char *priv, const char *root, struct vz_error *err);
	/*
	 * Layouts that limit disk themselves (image): make the private area
	 * kblocks 1K blocks big, mounted on root or not (NULL).  NULL op: the
	 * layout is limited by project quotas (lib/quota.h).
	 */
	int (*set_disk)(struct vz_ct *ct, const char *priv, const char *root,
			unsigned long long kblocks, struct vz_error *err);
};

extern const struct vz_storage_ops vz_storage_simfs;
extern const struct vz_storage_ops vz_storage_overlay;
extern const struct vz_storage_ops vz_storage_image;

/* The image layout's disk image, in the private area. */
#define VZ_IMAGE_FILE "root.img"
/* Its size: the DISKSPACE hard limit in 1K blocks (an error if unset or too small). */
int vz_storage_image_kblocks(struct vz_ct *ct, unsigned long long *kb, struct vz_error *err);

/* The layout of a CT, from VE_LAYOUT. */
const struct vz_storage_ops *vz_storage_of(const struct vz_ct *ct);
/*
 * $TEMPLATE/base/<name>: the shared, read-only bases of overlay CTs are
 * this path + "@<cache id>" (one per cache file; a bare <name> is the base
 * of CTs created before that); malloc'ed.
 */
char *vz_storage_base_path(struct vz_env *env, const char *ostemplate);
/* In an overlay CT's private area: a symlink to the base it was created on. */
#define VZ_OVERLAY_BASE_LINK "base"


#endif
