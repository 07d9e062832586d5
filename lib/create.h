/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Creating a CT from an OS template cache and destroying it.  Create is
 * atomic: the cache is unpacked into $VE_PRIVATE.tmp and renamed, and the
 * CT's config is written last; a marker in LOCKDIR lets the next create
 * clear what a killed one left.  The caller holds the CT's lock.
 */
#ifndef VZ_CREATE_H
#define VZ_CREATE_H

#include "ct.h"

struct vz_create_opts {
	const char *ostemplate; /* NULL: DEF_OSTEMPLATE of vz.conf */
	const char *config;	/* sample name (ve-<name>.conf-sample); NULL: CONFIGFILE */
	const char *hostname;
	const char *name;
	const char *private_path; /* as given, $VEID allowed */
	const char *root_path;
};

int vz_ct_create(struct vz_ct *ct, const struct vz_create_opts *opts, struct vz_error *err);
int vz_ct_destroy(struct vz_ct *ct, struct vz_error *err);
/* Find $TEMPLATE/cache/<name>.tar[.gz|.xz|.bz2|.zst]; malloc'ed path. */
int vz_template_find(struct vz_env *env, const char *name, char **path, struct vz_error *err);
/* Unpack an archive into dir, adding uid_shift/gid_shift to every owner. */
int vz_template_unpack(const char *archive, const char *dir, unsigned long uid_shift,
		       unsigned long gid_shift, struct vz_error *err);
/* Point names/<name> at the CT's config (NULL name removes the CT's link). */
int vz_ct_set_name(struct vz_ct *ct, const char *name, struct vz_error *err);

#endif
