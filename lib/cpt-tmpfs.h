/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tmpfs mounts vzctl gives a CT (/dev, /dev/shm), saved and restored by
 * vzctl (internal to the cpt*.c files; written as a tree image, see
 * tree-image.h).  CRIU
 * would run tar and gzip for each of them under the freeze, on dump and on
 * restore; here they are external mounts to CRIU: vzctl writes their
 * content while CRIU dumps the tasks, and on restore mounts a tmpfs like
 * the old one, fills it and has CRIU bind it in.
 *
 * What the CT sees change: the restored tmpfs belongs to the node's user
 * namespace, so the CT's root can no longer remount it with other options.
 * Unix socket files are left out (CRIU binds the sockets anew), as tar did.
 */
#ifndef VZ_CPT_TMPFS_H
#define VZ_CPT_TMPFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "cpt-mount.pb-c.h"
#include "error.h"
#include "procutil.h"
#include "tree-image.h"

/* Is this a tmpfs vzctl mounted (mount point, root in the file system, fs type, read-only)? */
bool vz_cpt_tmpfs_is_ours(const char *point, const char *root, const char *fstype, bool ro);
/* Keep only the super block options a restore reproduces ("size=...,nr_inodes=..."). */
int vz_cpt_tmpfs_options(const char *super_opts, char *out, size_t size);
/* MOUNT_ATTR_* of mountinfo's per-mount options. */
unsigned vz_cpt_tmpfs_flags(const char *mount_opts);
/* Is e a tmpfs entry restore can act on (image name, options, flags)? */
bool vz_cpt_tmpfs_entry_valid(const CptMountEntry *e);

/*
 * Save the entries marked tmpfs of the CT whose init is init_pid into
 * dirfd/<image>, in a child entering the CT's mount namespace (started once
 * the CT is frozen, waited for before the dump is complete).
 */
struct vz_cpt_tmpfs_save {
	pid_t init_pid;
	int dirfd;
	CptMountEntry *const *mounts;
	size_t nr;
	struct vz_tree_opts tree;
	struct vz_child child;
};
int vz_cpt_tmpfs_save_start(struct vz_cpt_tmpfs_save *s, struct vz_error *err);
int vz_cpt_tmpfs_save_wait(struct vz_cpt_tmpfs_save *s, struct vz_error *err);

/*
 * Mount a fresh tmpfs as e says, fill it from dirfd/e->image, and attach it
 * on the node in a new directory under /tmp: *path (malloc'ed), detached
 * and removed with vz_cpt_mask_umount() once CRIU has bound it.
 */
int vz_cpt_tmpfs_restore(const CptMountEntry *e, int dirfd, const struct vz_tree_opts *tree,
			 char **path, struct vz_error *err);

#endif
