// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "storage"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"
#include "create.h"
#include "fileutil.h"
#include "storage.h"

const struct vz_storage_ops *vz_storage_of(const struct vz_ct *ct)
{
	const char *layout = vz_ct_get(ct, "VE_LAYOUT");

	if (layout && !strcmp(layout, "overlay"))
		return &vz_storage_overlay;
	if (layout && !strcmp(layout, "image"))
		return &vz_storage_image;
	return &vz_storage_simfs;
}

char *vz_storage_base_path(struct vz_env *env, const char *ostemplate)
{
	__vz_free char *dir = vz_env_dir(env, "TEMPLATE");
	char *path;

	if (!dir || asprintf(&path, "%s/base/%s", dir, ostemplate) < 0)
		return NULL;
	return path;
}

static int simfs_populate(struct vz_ct *ct, const char *cache, const char *dir, unsigned long uid,
			  unsigned long gid, struct vz_error *err)
{
	return vz_template_unpack(cache, dir, uid, gid, err);
}

static int simfs_mount(struct vz_ct *ct, const char *priv, const char *root, struct vz_error *err)
{
	if (mount(priv, root, NULL, MS_BIND, NULL) < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot mount '%s' on '%s'", priv, root);
	return 0;
}

static int simfs_umount(struct vz_ct *ct, const char *priv, const char *root, struct vz_error *err)
{
	if (umount2(root, 0) < 0 && (errno != EBUSY || umount2(root, MNT_DETACH) < 0))
		return vz_error_sys(err, VZ_E_UMOUNT, errno, "Cannot unmount '%s'", root);
	return 0;
}

const struct vz_storage_ops vz_storage_simfs = {
	.name = "simfs",
	.populate = simfs_populate,
	.mount = simfs_mount,
	.umount = simfs_umount,
};
