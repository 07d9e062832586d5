/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meta.img of a dump directory (internal to the cpt*.c files): CRIU's image
 * framing, a u32 magic then one u32 size + a packed cpt_meta_entry; and the
 * collection of what goes into it from a running CT.
 */
#ifndef VZ_CPT_META_H
#define VZ_CPT_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "cpt-meta.pb-c.h"
#include "error.h"

#define VZ_CPT_META_MAGIC 0x565a4d31u /* "VZM1" */
#define VZ_CPT_META_VERSION 1
#define VZ_CPT_META_MAX (1u << 20)

/* Pack m into dirfd/name (written to a temporary file, then renamed). */
int vz_cpt_meta_write(int dirfd, const char *name, const CptMetaEntry *m, struct vz_error *err);
/* Read and check; *out is freed with cpt_meta_entry__free_unpacked(*out, NULL). */
int vz_cpt_meta_read(int dirfd, const char *name, CptMetaEntry **out, struct vz_error *err);
/* Decode a buffer as read from a file (every byte is untrusted). */
int vz_cpt_meta_decode(const uint8_t *buf, size_t len, CptMetaEntry **out, struct vz_error *err);

/*
 * The CT's mounts that are bound in from the node, its masks and (with
 * save_tmpfs) the tmpfs mounts vzctl gave it, from the mountinfo of its
 * init: *out is an array of *nr malloc'ed entries (free with
 * vz_cpt_mounts_free()).
 */
int vz_cpt_mounts_collect(pid_t init_pid, bool save_tmpfs, CptMountEntry ***out, size_t *nr,
			  struct vz_error *err);
void vz_cpt_mounts_free(CptMountEntry **m, size_t nr);

/* The limit files of the CT's cgroup that exist, with their values. */
int vz_cpt_cgroup_collect(struct vz_cgroup *cg, CptCgroupEntry ***out, size_t *nr,
			  struct vz_error *err);
void vz_cpt_cgroup_free(CptCgroupEntry **c, size_t nr);
/* Write recorded values back (multi-line files one line per write). */
int vz_cpt_cgroup_apply(struct vz_cgroup *cg, CptCgroupEntry *const *c, size_t nr,
			struct vz_error *err);
/* Enable the recorded controllers of the CT's group and those below it. */
int vz_cpt_cgroup_enable(struct vz_cgroup *cg, CptCgroupEntry *const *c, size_t nr,
			 struct vz_error *err);

#endif
