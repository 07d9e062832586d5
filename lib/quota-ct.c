// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A CT's disk settings (DISKSPACE, DISKINODES, QUOTATIME, QUOTAUGIDLIMIT)
 * in whatever form its layout limits disk: the image layout is its own
 * limit (lib/storage-image.c); simfs and overlay get a project quota with
 * the CTID as its id when DISK_QUOTA=yes.
 */
#define VZ_LOG_PREFIX "quota"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fileutil.h"
#include "log.h"
#include "quota.h"
#include "state.h"
#include "storage.h"
#include "units.h"

static int parse_pair(struct vz_ct *ct, const char *key, uint64_t unit, bool suffix, uint64_t *soft,
		      uint64_t *hard, struct vz_error *err)
{
	const char *v = vz_ct_get(ct, key);
	int64_t s, h;

	*soft = *hard = 0;
	if (!v || !*v)
		return 0;
	if (vz_parse_ub(v, unit, suffix, &s, &h) < 0)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid %s \"%s\"", key, v);
	*soft = s == VZ_UNLIMITED ? 0 : (uint64_t)s;
	*hard = h == VZ_UNLIMITED ? 0 : (uint64_t)h;
	return 0;
}

int vz_ct_quota_limits(struct vz_ct *ct, struct vz_quota_limits *l, struct vz_error *err)
{
	int ret;

	memset(l, 0, sizeof(*l));
	ret = parse_pair(ct, "DISKSPACE", 1024, true, &l->bsoft, &l->bhard, err);
	if (ret == 0)
		ret = parse_pair(ct, "DISKINODES", 1, false, &l->isoft, &l->ihard, err);
	if (ret < 0)
		return ret;
	l->bgrace = l->igrace = vz_ct_get_ulong(ct, "QUOTATIME", 0);
	l->ugidlimit = vz_ct_get_ulong(ct, "QUOTAUGIDLIMIT", 0);
	return 0;
}

char *vz_ct_quota_path(struct vz_ct *ct)
{
	__vz_free char *priv = vz_ct_get_subst(ct, "VE_PRIVATE");

	if (!priv)
		return NULL;
	if (vz_storage_of(ct) == &vz_storage_overlay)
		return vz_path_join(priv, "upper");
	return take_ptr(priv);
}

bool vz_ct_quota_enabled(struct vz_ct *ct)
{
	return !vz_storage_of(ct)->set_disk && vz_ct_get_bool(ct, "DISK_QUOTA", false);
}

int vz_ct_quota_init(struct vz_ct *ct, struct vz_error *err)
{
	__vz_free char *path = vz_ct_quota_path(ct);
	struct vz_quota_limits l;
	int ret;

	if (vz_storage_of(ct)->set_disk)
		return vz_error_set(
			err, VZ_E_QUOTA_INIT, EINVAL,
			"Container %s uses the %s layout, whose disk image is its limit: "
			"it has no project quota",
			ct->idstr, vz_storage_of(ct)->name);
	if (!path)
		return vz_error_set(err, VZ_E_NO_VE_PRIVATE, EINVAL, "VE_PRIVATE is not set");
	ret = vz_ct_quota_limits(ct, &l, err);
	if (ret < 0)
		return ret;
	if (!l.bhard && !l.bsoft)
		return vz_error_set(err, VZ_E_NO_DISKSPACE_SET, EINVAL,
				    "DISKSPACE is not set for container %s", ct->idstr);
	ret = vz_quota_init(ct->id, path, &l, err);
	if (ret < 0 && err->kind == VZ_E_SYSTEM)
		err->kind = VZ_E_QUOTA_INIT;
	return ret;
}

int vz_ct_quota_on(struct vz_ct *ct, struct vz_error *err)
{
	struct vz_quota_limits l;
	struct vz_quota q;
	int ret;

	if (vz_storage_of(ct)->set_disk)
		return vz_error_set(
			err, VZ_E_QUOTA_ON, EINVAL,
			"Container %s uses the %s layout, whose disk image is its limit: "
			"it has no project quota",
			ct->idstr, vz_storage_of(ct)->name);
	ret = vz_quota_load(ct->id, &q, NULL);
	if (ret < 0) {
		ret = vz_ct_quota_init(ct, err);
		if (ret < 0)
			return ret;
	}
	/* The config is the truth: the quota gets its limits, then goes on. */
	ret = vz_ct_quota_limits(ct, &l, err);
	if (ret == 0)
		ret = vz_quota_setlimit(ct->id, &l, VZ_QL_ALL, err);
	if (ret == 0)
		ret = vz_quota_on(ct->id, err);
	if (ret < 0 && err->kind == VZ_E_SYSTEM)
		err->kind = VZ_E_QUOTA_ON;
	return ret;
}

int vz_ct_quota_off(struct vz_ct *ct, struct vz_error *err)
{
	int ret = vz_quota_off(ct->id, err);

	if (ret < 0 && err->kind == VZ_E_SYSTEM)
		err->kind = VZ_E_QUOTA_OFF;
	return ret;
}

void vz_ct_quota_prepare(struct vz_ct *ct, const char *dir)
{
	struct vz_error err = {0};

	if (vz_ct_quota_enabled(ct) && vz_quota_tag_dir(dir, ct->id, &err) < 0)
		vz_debug("%s: the first quota init tags the tree instead", err.msg);
}

void vz_ct_quota_forget(struct vz_ct *ct)
{
	struct vz_error err = {0};
	struct vz_quota q;

	if (vz_quota_load(ct->id, &q, NULL) == 0 && vz_quota_drop(ct->id, true, &err) < 0)
		vz_warn("%s", err.msg);
}

int vz_ct_quota_mount(struct vz_ct *ct, struct vz_error *err)
{
	struct vz_quota q;
	int ret;

	if (!vz_ct_quota_enabled(ct))
		return 0;
	if (vz_quota_load(ct->id, &q, NULL) == 0) {
		__vz_free char *path = vz_ct_quota_path(ct);

		/* A private area moved elsewhere: its quota starts afresh there. */
		if (path && strcmp(path, q.path)) {
			ret = vz_quota_drop(ct->id, true, err);
			if (ret < 0)
				return ret;
			return vz_ct_quota_on(ct, err);
		}
	}
	if (vz_quota_load(ct->id, &q, NULL) == 0 && q.on) {
		struct vz_quota_limits l;

		ret = vz_ct_quota_limits(ct, &l, err);
		return ret < 0 ? ret : vz_quota_setlimit(ct->id, &l, VZ_QL_ALL, err);
	}
	return vz_ct_quota_on(ct, err);
}

int vz_ct_disk_check(struct vz_ct *ct, unsigned changed, const char *old_inodes,
		     struct vz_error *err)
{
	uint64_t soft, hard;
	int ret;

	if (!vz_storage_of(ct)->set_disk) {
		if ((changed & VZ_DISK_UGIDLIMIT) && vz_ct_get_ulong(ct, "QUOTAUGIDLIMIT", 0))
			return vz_error_set(
				err, VZ_E_QUOTA_UGID, EOPNOTSUPP,
				"QUOTAUGIDLIMIT (user/group quotas inside the CT) needs the "
				"image layout: ext4 and xfs keep user and group quotas per file "
				"system, not per project");
		return 0;
	}
	if (changed & VZ_DISK_INODES) {
		const char *now = vz_ct_get(ct, "DISKINODES");

		if (strcmp(now ? now : "", old_inodes ? old_inodes : ""))
			return vz_error_set(
				err, VZ_E_BAD_VALUE, EINVAL,
				"DISKINODES of container %s is fixed when its disk image "
				"is made (DISKINODES=\"%s\"); the inode count grows and "
				"shrinks with DISKSPACE",
				ct->idstr, old_inodes ? old_inodes : "");
	}
	if ((changed & VZ_DISK_UGIDLIMIT) && vz_ct_get_ulong(ct, "QUOTAUGIDLIMIT", 0) &&
	    !vz_quota_kernel_supported())
		return vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, ENOSYS,
				    "QUOTAUGIDLIMIT needs user/group quotas inside the CT's "
				    "ext4 image, and the running kernel has no quota support "
				    "(build it with CONFIG_QUOTA and CONFIG_QFMT_V2)");
	if (changed & VZ_DISK_SPACE) {
		ret = parse_pair(ct, "DISKSPACE", 1024, true, &soft, &hard, err);
		if (ret < 0)
			return ret;
		if (!hard)
			return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
					    "The disk of an image CT cannot be unlimited: "
					    "DISKSPACE needs a hard limit");
	}
	return 0;
}

static int image_disk_apply(struct vz_ct *ct, unsigned changed, struct vz_error *err)
{
	const struct vz_storage_ops *ops = vz_storage_of(ct);
	__vz_free char *priv = vz_ct_get_subst(ct, "VE_PRIVATE");
	__vz_free char *root = vz_ct_get_subst(ct, "VE_ROOT");
	bool mounted = root && vz_is_mountpoint(root);
	uint64_t soft, hard;
	int ret;

	if ((changed & VZ_DISK_UGIDLIMIT) && mounted)
		vz_warn("QUOTAUGIDLIMIT takes effect when container %s is mounted next", ct->idstr);
	if (!(changed & VZ_DISK_SPACE))
		return 0;
	ret = parse_pair(ct, "DISKSPACE", 1024, true, &soft, &hard, err);
	if (ret < 0)
		return ret;
	if (!priv)
		return vz_error_set(err, VZ_E_NO_VE_PRIVATE, EINVAL, "VE_PRIVATE is not set");
	return ops->set_disk(ct, priv, mounted ? root : NULL, hard, err);
}

int vz_ct_disk_apply(struct vz_ct *ct, unsigned changed, struct vz_error *err)
{
	struct vz_quota_limits l;
	struct vz_quota q;
	int ret;

	if (vz_storage_of(ct)->set_disk)
		return image_disk_apply(ct, changed, err);
	/* A quota that is on follows the config live; one that is off, at its next on. */
	if (!vz_ct_quota_enabled(ct) || vz_quota_load(ct->id, &q, NULL) < 0 || !q.on)
		return 0;
	ret = vz_ct_quota_limits(ct, &l, err);
	if (ret == 0)
		ret = vz_quota_setlimit(ct->id, &l, VZ_QL_ALL, err);
	if (ret < 0 && err->kind == VZ_E_SYSTEM)
		err->kind = VZ_E_QUOTA_SETLIMIT;
	return ret;
}
