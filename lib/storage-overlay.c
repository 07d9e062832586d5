// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The overlay layout: $TEMPLATE/base/<OSTEMPLATE>@<cache id> (unpacked once
 * per cache file, template ids, shared) as the lower layer, the CT's private
 * area as upper/work, and <private>/base, a symlink naming the CT's base.
 * Creating a CT is O(1) once the base exists; identical files share disk
 * and page cache.  User-namespaced CTs get the base through an idmapped
 * mount at <private>/lower.
 */
#define VZ_LOG_PREFIX "overlay"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "create.h"
#include "fileutil.h"
#include "log.h"
#include "state.h"
#include "storage.h"
#include "userns.h"

/* <linux/mount.h> clashes with glibc 2.36's <sys/mount.h>: the few bits needed. */
struct vz_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define VZ_MOUNT_ATTR_RDONLY	       0x00000001ULL
#define VZ_MOUNT_ATTR_IDMAP	       0x00100000ULL
#define VZ_OPEN_TREE_CLONE	       1
#define VZ_MOVE_MOUNT_F_EMPTY_PATH 0x00000004

/*
 * One base per cache file: $TEMPLATE/base/<OSTEMPLATE>@<mtime>-<size>.  A
 * cache rebuilt by vztmpl create --force gets a base of its own, so new CTs
 * never start from the old one while older CTs keep theirs.
 */
static int base_path_for(struct vz_ct *ct, const char *ostemplate, const char *cache, char **out,
			 struct vz_error *err)
{
	__vz_free char *prefix = ostemplate ? vz_storage_base_path(ct->env, ostemplate) : NULL;
	struct stat st;

	if (!prefix)
		return vz_error_set(err, VZ_E_NO_TEMPLATE_DIR, EINVAL, "TEMPLATE or OSTEMPLATE is not set");
	if (stat(cache, &st) < 0)
		return vz_error_sys(err, VZ_E_NO_OSTEMPLATE, errno, "Cannot stat '%s'", cache);
	if (asprintf(out, "%s@%llx.%lx-%llx", prefix, (unsigned long long)st.st_mtim.tv_sec,
		     (unsigned long)st.st_mtim.tv_nsec, (unsigned long long)st.st_size) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot prepare the template base");
	return 0;
}

static int base_ensure(struct vz_ct *ct, const char *cache, char **base_out, struct vz_error *err)
{
	const char *ostemplate = vz_ct_get(ct, "OSTEMPLATE");
	__vz_free char *base = NULL, *tmp = NULL, *lockpath = NULL, *parent = NULL;
	__vz_close int lock = -1;
	int ret;

	ret = base_path_for(ct, ostemplate, cache, &base, err);
	if (ret < 0)
		return ret;
	parent = strdup(base);
	if (!parent || asprintf(&lockpath, "%s.lock", base) < 0 || asprintf(&tmp, "%s.tmp", base) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot prepare the template base");
	*strrchr(parent, '/') = '\0';
	ret = vz_mkdir_p(parent, 0755);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_CREATE_PRIVATE, -ret, "Cannot create '%s'", parent);
	/* Two creates from a new template: one unpacks, the other waits for it. */
	lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot lock '%s'", lockpath);
	if (!vz_path_exists(base)) {
		vz_info("Unpacking the shared base of %s (once for all overlay CTs)", ostemplate);
		vz_rm_rf(tmp);
		ret = vz_mkdir_p(tmp, 0755);
		if (ret < 0)
			return vz_error_sys(err, VZ_E_CREATE_PRIVATE, -ret, "Cannot create '%s'", tmp);
		ret = vz_template_unpack(cache, tmp, 0, 0, err);
		if (ret == 0 && rename(tmp, base) < 0)
			ret = vz_error_sys(err, VZ_E_CREATE_PRIVATE, errno, "Cannot rename '%s'", tmp);
		if (ret < 0) {
			vz_rm_rf(tmp);
			return ret;
		}
	}
	*base_out = take_ptr(base);
	return 0;
}

static int overlay_populate(struct vz_ct *ct, const char *cache, const char *dir, unsigned long uid,
			    unsigned long gid, struct vz_error *err)
{
	static const char *const subdirs[] = { "upper", "work", "lower" };
	__vz_free char *base = NULL, *link = vz_path_join(dir, VZ_OVERLAY_BASE_LINK);
	struct stat st;
	int ret = base_ensure(ct, cache, &base, err);

	if (ret < 0)
		return ret;
	if (stat(base, &st) < 0)
		return vz_error_sys(err, VZ_E_CREATE_PRIVATE, errno, "Cannot stat '%s'", base);
	if (!link || symlink(base, link) < 0)
		return vz_error_sys(err, VZ_E_CREATE_PRIVATE, link ? errno : ENOMEM,
				    "Cannot record the CT's template base in '%s'", dir);
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		__vz_free char *p = vz_path_join(dir, subdirs[i]);

		if (!p || mkdir(p, 0755) < 0)
			return vz_error_sys(err, VZ_E_CREATE_PRIVATE, p ? errno : ENOMEM,
					    "Cannot create '%s'", p ? p : subdirs[i]);
		/* upper is the CT's root directory: the base's root with shifted owner. */
		if (i == 0 && (chown(p, st.st_uid + uid, st.st_gid + gid) < 0 ||
			       chmod(p, st.st_mode & 07777) < 0))
			return vz_error_sys(err, VZ_E_CREATE_PRIVATE, errno, "Cannot set up '%s'", p);
	}
	return 0;
}

static int idmapped_lower(const char *base, const char *target, unsigned long uid,
			  unsigned long gid, struct vz_error *err)
{
	struct vz_mount_attr attr = { .attr_set = VZ_MOUNT_ATTR_IDMAP | VZ_MOUNT_ATTR_RDONLY };
	__vz_close int userns = -1, tree = -1;

	userns = vz_userns_fd(uid, gid, err);
	if (userns < 0)
		return userns;
	attr.userns_fd = (uint64_t)userns;
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, base, VZ_OPEN_TREE_CLONE | O_CLOEXEC);
	if (tree < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot clone the mount of '%s'", base);
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return vz_error_sys(err, errno == EINVAL || errno == ENOSYS ? VZ_E_NO_KERNEL_SUPPORT
									  : VZ_E_MOUNT,
				    errno, "Cannot make an idmapped mount of '%s' (needs Linux 5.12+ "
				    "and a file system that supports it)", base);
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target, VZ_MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot attach '%s' at '%s'", base, target);
	return 0;
}

/* The base the CT was created on; CTs made before bases were per cache use base/<name>. */
static int recorded_base(struct vz_ct *ct, const char *priv, const char *ostemplate, char **out,
			 struct vz_error *err)
{
	__vz_free char *link = vz_path_join(priv, VZ_OVERLAY_BASE_LINK);
	char target[PATH_MAX];
	ssize_t len;

	if (!link)
		return vz_error_sys(err, VZ_E_MOUNT, ENOMEM, "Cannot mount the CT");
	len = readlink(link, target, sizeof(target) - 1);
	if (len >= 0) {
		target[len] = '\0';
		*out = strdup(target);
	} else if (errno == ENOENT) {
		if (!ostemplate)
			return vz_error_set(err, VZ_E_MOUNT, EINVAL, "OSTEMPLATE is not set");
		*out = vz_storage_base_path(ct->env, ostemplate);
	} else {
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot read '%s'", link);
	}
	if (!*out)
		return vz_error_sys(err, VZ_E_MOUNT, ENOMEM, "Cannot mount the CT");
	return 0;
}

static int overlay_mount(struct vz_ct *ct, const char *priv, const char *root, struct vz_error *err)
{
	const char *ostemplate = vz_ct_get(ct, "OSTEMPLATE");
	unsigned long uid = vz_ct_get_ulong(ct, "LOCAL_UID", 0);
	unsigned long gid = vz_ct_get_ulong(ct, "LOCAL_GID", uid);
	__vz_free char *base = NULL, *lower = vz_path_join(priv, "lower"), *opts = NULL;
	int ret;

	if (!lower)
		return vz_error_sys(err, VZ_E_MOUNT, ENOMEM, "Cannot mount the CT");
	ret = recorded_base(ct, priv, ostemplate, &base, err);
	if (ret < 0)
		return ret;
	if (!vz_path_exists(base))
		return vz_error_set(err, VZ_E_MOUNT, ENOENT,
				    "The shared base '%s' of this overlay CT is missing", base);
	if (uid) {
		if (!vz_is_mountpoint(lower)) {
			ret = idmapped_lower(base, lower, uid, gid, err);
			if (ret < 0)
				return ret;
		}
	} else {
		free(lower);
		lower = take_ptr(base);
	}
	if (asprintf(&opts, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", lower, priv, priv) < 0)
		return vz_error_sys(err, VZ_E_MOUNT, ENOMEM, "Cannot mount the CT");
	if (mount("overlay", root, "overlay", 0, opts) < 0) {
		ret = vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot mount overlay on '%s' (%s)", root, opts);
		if (uid)
			umount2(lower, MNT_DETACH);
		return ret;
	}
	return 0;
}

static int overlay_umount(struct vz_ct *ct, const char *priv, const char *root, struct vz_error *err)
{
	__vz_free char *lower = vz_path_join(priv, "lower");

	if (umount2(root, 0) < 0 && (errno != EBUSY || umount2(root, MNT_DETACH) < 0))
		return vz_error_sys(err, VZ_E_UMOUNT, errno, "Cannot unmount '%s'", root);
	if (lower && vz_is_mountpoint(lower) && umount2(lower, MNT_DETACH) < 0)
		return vz_error_sys(err, VZ_E_UMOUNT, errno, "Cannot unmount '%s'", lower);
	return 0;
}

const struct vz_storage_ops vz_storage_overlay = {
	.name = "overlay",
	.populate = overlay_populate,
	.mount = overlay_mount,
	.umount = overlay_umount,
};
