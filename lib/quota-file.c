// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The quota file ($VZ_QUOTA_DIR/quota.<id>, KEY="value" lines) and the
 * vzquota commands.  The file remembers the tree, the limits and whether
 * they are on; the usage itself lives in the file system (project quota),
 * so "on" after a crash needs no rescan, and "stat" is always current.
 */
#define VZ_LOG_PREFIX "quota"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "fileutil.h"
#include "log.h"
#include "quota.h"

const char *vz_quota_dir(void)
{
	const char *dir = getenv("VZ_QUOTA_DIR");

	return dir && *dir ? dir : VZ_QUOTA_DEFAULT_DIR;
}

static char *quota_file(unsigned id, const char *suffix)
{
	char *p;

	if (asprintf(&p, "%s/quota.%u%s", vz_quota_dir(), id, suffix) < 0)
		return NULL;
	return p;
}

/* One vzquota command per quota id at a time. */
static int lock_quota(unsigned id, struct vz_error *err)
{
	__vz_free char *path = quota_file(id, ".lock");
	int fd, ret;

	if (!path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot lock quota %u", id);
	ret = vz_mkdir_p(vz_quota_dir(), 0700);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_QUOTA_FILE, -ret, "Cannot create '%s'",
				    vz_quota_dir());
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_QUOTA_FILE, errno, "Cannot open '%s'", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return vz_error_set(err, VZ_E_LOCKED, EAGAIN,
				    "Quota %u is locked by another command", id);
	}
	return fd;
}

/* Lock quota id and read its file: the lock fd (the caller closes it) or -errno. */
static int lock_and_load(unsigned id, struct vz_quota *q, struct vz_error *err)
{
	__vz_close int lock = lock_quota(id, err);
	int ret;

	if (lock < 0)
		return lock;
	ret = vz_quota_load(id, q, err);
	if (ret < 0)
		return ret;
	return take_fd(lock);
}

static uint64_t get_u64(struct vz_conf *c, const char *key)
{
	const char *v = vz_conf_get(c, key);

	return v ? strtoull(v, NULL, 10) : 0;
}

int vz_quota_load(unsigned id, struct vz_quota *q, struct vz_error *err)
{
	__vz_free char *path = quota_file(id, "");
	__vz_conf struct vz_conf *c = NULL;
	const char *v;
	int ret;

	memset(q, 0, sizeof(*q));
	q->id = id;
	if (!path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read quota %u", id);
	ret = vz_conf_load(&c, path, NULL);
	if (ret == -ENOENT)
		return vz_error_set(err, VZ_E_QUOTA_NO_FILE, ENOENT,
				    "Quota %u is not initialized (no '%s'): run vzquota init", id,
				    path);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_QUOTA_FILE, -ret, "Cannot read '%s'", path);
	v = vz_conf_get(c, "PATH");
	if (!v || v[0] != '/')
		return vz_error_set(err, VZ_E_QUOTA_FILE, EINVAL, "'%s' names no tree (PATH)",
				    path);
	snprintf(q->path, sizeof(q->path), "%s", v);
	v = vz_conf_get(c, "STATUS");
	q->on = v && !strcmp(v, "on");
	q->lim.bsoft = get_u64(c, "BSOFT");
	q->lim.bhard = get_u64(c, "BHARD");
	q->lim.isoft = get_u64(c, "ISOFT");
	q->lim.ihard = get_u64(c, "IHARD");
	q->lim.bgrace = get_u64(c, "BGRACE");
	q->lim.igrace = get_u64(c, "IGRACE");
	q->lim.ugidlimit = get_u64(c, "UGIDLIMIT");
	q->usage.bcur = get_u64(c, "BCUR");
	q->usage.icur = get_u64(c, "ICUR");
	q->usage.btime = (int64_t)get_u64(c, "BTIME");
	q->usage.itime = (int64_t)get_u64(c, "ITIME");
	return 0;
}

static int quota_save(const struct vz_quota *q, struct vz_error *err)
{
	__vz_free char *path = quota_file(q->id, "");
	__vz_conf struct vz_conf *c = path ? vz_conf_new(path) : NULL;
	const struct {
		const char *key;
		uint64_t value;
	} nums[] = {
		{"BSOFT", q->lim.bsoft},
		{"BHARD", q->lim.bhard},
		{"ISOFT", q->lim.isoft},
		{"IHARD", q->lim.ihard},
		{"BGRACE", q->lim.bgrace},
		{"IGRACE", q->lim.igrace},
		{"UGIDLIMIT", q->lim.ugidlimit},
		{"BCUR", q->usage.bcur},
		{"ICUR", q->usage.icur},
		{"BTIME", (uint64_t)q->usage.btime},
		{"ITIME", (uint64_t)q->usage.itime},
	};

	if (!c || vz_conf_set(c, "PATH", q->path) < 0 ||
	    vz_conf_set(c, "STATUS", q->on ? "on" : "off") < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write quota %u", q->id);
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%" PRIu64, nums[i].value);
		if (vz_conf_set(c, nums[i].key, buf) < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write quota %u",
					    q->id);
	}
	if (vz_conf_save(c, path, err) < 0) {
		if (err)
			err->kind = VZ_E_QUOTA_FILE;
		return -EIO;
	}
	return 0;
}

static int check_limits(const struct vz_quota_limits *l, struct vz_error *err)
{
	if (l->bhard && l->bsoft > l->bhard)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "The block soft limit (%" PRIu64
				    ") is above the hard limit (%" PRIu64 ")",
				    l->bsoft, l->bhard);
	if (l->ihard && l->isoft > l->ihard)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "The inode soft limit (%" PRIu64
				    ") is above the hard limit (%" PRIu64 ")",
				    l->isoft, l->ihard);
	if (l->ugidlimit)
		return vz_error_set(
			err, VZ_E_QUOTA_UGID, EOPNOTSUPP,
			"Second-level (user/group) quotas inside a project quota are not "
			"supported: ext4 and xfs keep user and group quotas per file "
			"system, not per project; use the image layout for them");
	return 0;
}

int vz_quota_init(unsigned id, const char *path, const struct vz_quota_limits *l,
		  struct vz_error *err)
{
	__vz_close int lock = -1;
	struct vz_quota q;
	struct stat st;
	uint64_t nr;
	int ret;

	ret = check_limits(l, err);
	if (ret < 0)
		return ret;
	if (path[0] != '/')
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "The quota path '%s' is not absolute", path);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return vz_error_set(err, VZ_E_NO_PRIVATE, ENOENT, "'%s' is not a directory", path);
	if (strlen(path) >= sizeof(q.path))
		return vz_error_set(err, VZ_E_BAD_VALUE, ENAMETOOLONG, "Path too long");
	lock = lock_quota(id, err);
	if (lock < 0)
		return lock;
	if (vz_quota_load(id, &q, NULL) == 0 && q.on)
		return vz_error_set(err, VZ_E_QUOTA_RUNNING, EBUSY,
				    "Quota %u is on: turn it off before init", id);
	ret = vz_quota_check_fs(path, err);
	if (ret < 0)
		return ret;
	memset(&q, 0, sizeof(q));
	q.id = id;
	snprintf(q.path, sizeof(q.path), "%s", path);
	q.lim = *l;
	ret = vz_quota_tag_tree(path, id, &nr, err);
	if (ret < 0)
		return ret;
	/* Whatever an older quota of this id left in the kernel goes. */
	{
		struct vz_quota_limits none = {0};

		ret = vz_quota_kernel_set(path, id, &none, false, err);
	}
	if (ret == 0)
		ret = vz_quota_kernel_get(path, id, &q.usage, NULL, err);
	if (ret < 0)
		return ret;
	return quota_save(&q, err);
}

int vz_quota_on(unsigned id, struct vz_error *err)
{
	struct vz_quota q;
	__vz_close int lock = lock_and_load(id, &q, err);
	int ret;

	if (lock < 0)
		return lock;
	if (q.on)
		return vz_error_set(err, VZ_E_QUOTA_RUNNING, EBUSY, "Quota %u is already on", id);
	ret = vz_quota_check_fs(q.path, err);
	if (ret < 0)
		return ret;
	/* The usage is the file system's: no rescan, only the top of the tree checked. */
	{
		__vz_close int fd = open(q.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return vz_error_sys(err, VZ_E_NO_PRIVATE, errno, "Cannot open '%s'",
					    q.path);
	}
	ret = vz_quota_kernel_set(q.path, id, &q.lim, q.lim.bgrace || q.lim.igrace, err);
	if (ret < 0) {
		err->kind = err->kind == VZ_E_NO_KERNEL_SUPPORT ? err->kind : VZ_E_QUOTA_ON;
		return ret;
	}
	q.on = true;
	ret = vz_quota_kernel_get(q.path, id, &q.usage, NULL, err);
	return ret < 0 ? ret : quota_save(&q, err);
}

int vz_quota_off(unsigned id, struct vz_error *err)
{
	struct vz_quota_limits none = {0};
	struct vz_quota q;
	__vz_close int lock = lock_and_load(id, &q, err);
	int ret;

	if (lock < 0)
		return lock;
	if (!q.on)
		return vz_error_set(err, VZ_E_QUOTA_NOT_RUNNING, EINVAL, "Quota %u is not on", id);
	ret = vz_quota_kernel_get(q.path, id, &q.usage, NULL, err);
	if (ret == 0)
		ret = vz_quota_kernel_set(q.path, id, &none, false, err);
	if (ret < 0) {
		err->kind = err->kind == VZ_E_NO_KERNEL_SUPPORT ? err->kind : VZ_E_QUOTA_OFF;
		return ret;
	}
	q.on = false;
	q.usage.btime = q.usage.itime = 0;
	return quota_save(&q, err);
}

int vz_quota_drop(unsigned id, bool force, struct vz_error *err)
{
	__vz_free char *path = quota_file(id, "");
	struct vz_quota q;
	__vz_close int lock = lock_and_load(id, &q, err);

	if (lock < 0)
		return lock;
	if (q.on && !force)
		return vz_error_set(err, VZ_E_QUOTA_RUNNING, EBUSY,
				    "Quota %u is on: turn it off first (or drop -f)", id);
	if (q.on) {
		struct vz_quota_limits none = {0};
		struct vz_error e = {0};

		if (vz_quota_kernel_set(q.path, id, &none, false, &e) < 0)
			vz_warn("%s", e.msg);
	}
	if (!path || unlink(path) < 0)
		return vz_error_sys(err, VZ_E_QUOTA_FILE, path ? errno : ENOMEM,
				    "Cannot remove the quota file of %u", id);
	return 0;
}

int vz_quota_setlimit(unsigned id, const struct vz_quota_limits *l, unsigned mask,
		      struct vz_error *err)
{
	struct vz_quota q;
	__vz_close int lock = lock_and_load(id, &q, err);
	int ret;

	if (lock < 0)
		return lock;
	if (mask & VZ_QL_BSOFT)
		q.lim.bsoft = l->bsoft;
	if (mask & VZ_QL_BHARD)
		q.lim.bhard = l->bhard;
	if (mask & VZ_QL_ISOFT)
		q.lim.isoft = l->isoft;
	if (mask & VZ_QL_IHARD)
		q.lim.ihard = l->ihard;
	if (mask & VZ_QL_BGRACE)
		q.lim.bgrace = l->bgrace;
	if (mask & VZ_QL_IGRACE)
		q.lim.igrace = l->igrace;
	if (mask & VZ_QL_UGID)
		q.lim.ugidlimit = l->ugidlimit;
	ret = check_limits(&q.lim, err);
	if (ret < 0)
		return ret;
	if (q.on) {
		/* Live, also below the current usage: the kernel refuses further writes. */
		ret = vz_quota_kernel_set(q.path, id, &q.lim,
					  (mask & (VZ_QL_BGRACE | VZ_QL_IGRACE)) &&
						  (q.lim.bgrace || q.lim.igrace),
					  err);
		if (ret < 0)
			return ret;
		vz_quota_kernel_get(q.path, id, &q.usage, NULL, NULL);
	}
	return quota_save(&q, err);
}

int vz_quota_stat(unsigned id, struct vz_quota *q, struct vz_error *err)
{
	__vz_close int lock = lock_and_load(id, q, err);
	int ret;

	if (lock < 0)
		return lock;
	if (!q->on)
		return vz_error_set(err, VZ_E_QUOTA_NOT_RUNNING, EINVAL,
				    "Quota %u is off, try vzquota show %u", id, id);
	ret = vz_quota_kernel_get(q->path, id, &q->usage, NULL, err);
	if (ret < 0)
		return ret;
	/* Remember what was seen for show; a read-only quota dir does not stop stat. */
	if (quota_save(q, NULL) < 0)
		vz_debug("Cannot record the usage of quota %u", id);
	return 0;
}

int vz_quota_show(unsigned id, struct vz_quota *q, struct vz_error *err)
{
	return vz_quota_load(id, q, err);
}
