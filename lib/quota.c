// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Project quotas, kernel side: is there support (kernel, file system,
 * mount options), and the quotactl calls (quotactl_fd, or quotactl on the
 * block device before Linux 5.14).  Tagging a tree is in quota-tag.c.
 */
#define VZ_LOG_PREFIX "quota"
#include <errno.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/quota.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "procutil.h"
#include "quota.h"

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif

/* A kernel symbol present only when the feature is built in or loaded. */
static int kernel_has_symbol(const char *name)
{
	__vz_fclose FILE *f = fopen("/proc/kallsyms", "re");
	size_t len = strlen(name);
	char line[512];
	bool any = false;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sym = strrchr(line, ' ');
		size_t n;

		any = true;
		if (!sym)
			continue;
		sym++;
		n = strcspn(sym, "\t\n");
		if (n == len && !strncmp(sym, name, len))
			return 1;
	}
	return any ? 0 : -1; /* an empty kallsyms tells nothing */
}

bool vz_quota_kernel_supported(void)
{
	if (access("/proc/sys/fs/quota", F_OK) < 0)
		return false;
	return kernel_has_symbol("v2_read_file_info") != 0;
}

/* The block device of the file system holding fd, for quotactl(2). */
static int fs_device(int fd, char *dev, size_t size)
{
	__vz_free char *mountinfo = NULL;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (vz_read_file("/proc/self/mountinfo", &mountinfo, NULL) < 0)
		return -ENOENT;
	for (char *line = mountinfo; line && *line;) {
		char *nl = strchr(line, '\n'), *sep;
		unsigned maj, min;
		char src[4096];

		if (nl)
			*nl = '\0';
		sep = strstr(line, " - ");
		if (sscanf(line, "%*s %*s %u:%u", &maj, &min) == 2 && sep &&
		    makedev(maj, min) == st.st_dev && sscanf(sep + 3, "%*s %4095s", src) == 1 &&
		    src[0] == '/') {
			vz_unescape_mountinfo(src);
			snprintf(dev, size, "%s", src);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENODEV;
}

static int do_quotactl(const char *path, int cmd, unsigned id, void *addr)
{
	__vz_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char dev[4096];
	int ret;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_quotactl_fd, fd, QCMD(cmd, PRJQUOTA), id, addr) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	/* Before Linux 5.14, or no quotactl at all: the classic call on the device. */
	ret = fs_device(fd, dev, sizeof(dev));
	if (ret < 0)
		return -ENOSYS;
	if (syscall(SYS_quotactl, QCMD(cmd, PRJQUOTA), dev, id, addr) < 0)
		return -errno;
	return 0;
}

int vz_quota_check_fs(const char *path, struct vz_error *err)
{
	struct if_dqinfo info;
	struct statfs sfs;
	bool xfs;
	int ret;

	if (statfs(path, &sfs) < 0)
		return vz_error_sys(err, VZ_E_NO_PRIVATE, errno,
				    "Cannot find the file system of '%s'", path);
	xfs = sfs.f_type == XFS_SUPER_MAGIC;
	if (!xfs && sfs.f_type != EXT4_SUPER_MAGIC)
		return vz_error_set(
			err, VZ_E_NO_KERNEL_SUPPORT, EOPNOTSUPP,
			"'%s' is not on ext4 or xfs: project quotas (the disk limits of "
			"simfs and overlay CTs) need one of them; or use the image layout",
			path);
	ret = do_quotactl(path, Q_GETINFO, 0, &info);
	if (ret == 0) {
		struct fs_quota_statv qs = {.qs_version = FS_QSTATV_VERSION1};

		/* ext4 with the quota feature accounts without prjquota, but does not enforce. */
		if (do_quotactl(path, Q_XGETQSTATV, 0, &qs) == 0 &&
		    !(qs.qs_flags & FS_QUOTA_PDQ_ENFD))
			return vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, ESRCH,
					    "Project quota is only accounted, not enforced, on the "
					    "file system holding '%s': mount it with -o prjquota",
					    path);
		return 0;
	}
	if (ret == -ENOSYS || (xfs && kernel_has_symbol("xfs_qm_mount_quotas") == 0) ||
	    (!xfs && !vz_quota_kernel_supported()))
		return vz_error_set(
			err, VZ_E_NO_KERNEL_SUPPORT, ENOSYS,
			"The running kernel has no project quota support for %s (it needs "
			"CONFIG_QUOTA, CONFIG_QUOTACTL and %s); use a kernel with it, "
			"or the image layout, which limits disk on any kernel",
			xfs ? "xfs" : "ext4", xfs ? "CONFIG_XFS_QUOTA" : "CONFIG_QFMT_V2");
	if (ret == -ESRCH || ret == -ENOENT || ret == -EINVAL)
		return vz_error_set(
			err, VZ_E_NO_KERNEL_SUPPORT, ESRCH,
			"Project quota is not enabled on the file system holding '%s': %s", path,
			xfs ? "mount it with -o prjquota"
			    : "give it the features (tune2fs -O quota,project on the "
			      "unmounted device, or mkfs.ext4 -O quota,project) and mount "
			      "it with -o prjquota");
	return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot read the quota state of '%s'", path);
}

static int quotactl_error(struct vz_error *err, enum vz_error_kind kind, int ret, const char *what,
			  const char *path, unsigned id)
{
	if (ret == -ENOSYS || ret == -ESRCH) {
		int r = vz_quota_check_fs(path, err);

		if (r < 0)
			return r;
	}
	return vz_error_sys(err, kind, -ret, "Cannot %s of quota %u on '%s'", what, id, path);
}

int vz_quota_kernel_get(const char *path, unsigned id, struct vz_quota_usage *u,
			struct vz_quota_limits *l, struct vz_error *err)
{
	struct if_dqblk dq = {0};
	struct if_dqinfo info = {0};
	int ret = do_quotactl(path, Q_GETQUOTA, id, &dq);

	if (ret == 0)
		ret = do_quotactl(path, Q_GETINFO, 0, &info);
	if (ret < 0)
		return quotactl_error(err, VZ_E_SYSTEM, ret, "read the usage", path, id);
	if (u) {
		u->bcur = (dq.dqb_curspace + 1023) / 1024;
		u->icur = dq.dqb_curinodes;
		u->btime = (int64_t)dq.dqb_btime;
		u->itime = (int64_t)dq.dqb_itime;
	}
	if (l) {
		l->bsoft = dq.dqb_bsoftlimit;
		l->bhard = dq.dqb_bhardlimit;
		l->isoft = dq.dqb_isoftlimit;
		l->ihard = dq.dqb_ihardlimit;
		l->bgrace = info.dqi_bgrace;
		l->igrace = info.dqi_igrace;
	}
	return 0;
}

int vz_quota_kernel_set(const char *path, unsigned id, const struct vz_quota_limits *l,
			bool set_grace, struct vz_error *err)
{
	struct if_dqblk dq = {.dqb_bsoftlimit = l->bsoft,
			      .dqb_bhardlimit = l->bhard,
			      .dqb_isoftlimit = l->isoft,
			      .dqb_ihardlimit = l->ihard,
			      .dqb_valid = QIF_LIMITS};
	int ret;

	if (set_grace) {
		/* Project grace times belong to the file system, not to one project. */
		struct if_dqinfo info = {.dqi_bgrace = l->bgrace,
					 .dqi_igrace = l->igrace,
					 .dqi_valid = IIF_BGRACE | IIF_IGRACE};

		ret = do_quotactl(path, Q_SETINFO, 0, &info);
		if (ret < 0)
			return quotactl_error(err, VZ_E_QUOTA_SETLIMIT, ret, "set the grace times",
					      path, id);
	}
	ret = do_quotactl(path, Q_SETQUOTA, id, &dq);
	if (ret < 0)
		return quotactl_error(err, VZ_E_QUOTA_SETLIMIT, ret, "set the limits", path, id);
	return 0;
}
