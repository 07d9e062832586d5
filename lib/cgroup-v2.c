// SPDX-License-Identifier: GPL-2.0-or-later
/* cgroup v2 backend: one group in the unified hierarchy. */
#define VZ_LOG_PREFIX "cgroup-v2"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "devfilter.h"
#include "fileutil.h"
#include "log.h"

static const char *unified(struct vz_cgroup *cg)
{
	return cg->hier[0].path;
}

/* Enable the controllers CTs use in every ancestor's cgroup.subtree_control. */
static int enable_controllers(const char *path)
{
	static const char *const wanted[] = { "cpu", "cpuset", "io", "memory", "pids", "hugetlb",
					      "misc", "beancounter" };
	__vz_free char *walk = strdup(path);
	char *p;

	if (!walk)
		return -ENOMEM;
	p = walk + strlen("/sys/fs/cgroup");
	while ((p = strchr(p + 1, '/'))) {
		char avail[512];
		int ret;

		*p = '\0';
		{
			__vz_free char *ctl = vz_path_join(walk, "cgroup.controllers");

			ret = ctl ? vz_read_file_at(AT_FDCWD, ctl, avail, sizeof(avail)) : -ENOMEM;
		}
		if (ret >= 0) {
			__vz_free char *st = vz_path_join(walk, "cgroup.subtree_control");

			for (size_t i = 0; st && i < ARRAY_SIZE(wanted); i++) {
				char word[32], padded[520];

				snprintf(padded, sizeof(padded), " %s ", avail);
				for (char *c = padded; *c; c++)
					if (*c == '\n')
						*c = ' ';
				snprintf(word, sizeof(word), " %s ", wanted[i]);
				if (!strstr(padded, word))
					continue;
				snprintf(word, sizeof(word), "+%s", wanted[i]);
				vz_write_file_at(AT_FDCWD, st, word);
			}
		}
		*p = '/';
	}
	return 0;
}

static int v2_create(struct vz_cgroup *cg, struct vz_error *err)
{
	const char *path = unified(cg);
	int ret = vz_mkdir_p(path, 0755);

	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create cgroup '%s'", path);
	enable_controllers(path);
	return 0;
}

static int v2_attach(struct vz_cgroup *cg, pid_t pid, struct vz_error *err)
{
	__vz_free char *procs = vz_path_join(unified(cg), "cgroup.procs");
	char text[32];
	int ret;

	snprintf(text, sizeof(text), "%d", (int)pid);
	ret = procs ? vz_write_file_at(AT_FDCWD, procs, text) : -ENOMEM;
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot move pid %d into '%s'",
				    (int)pid, unified(cg));
	return 0;
}

/* Remove the CT's group and, depth first, any groups systemd made inside it. */
static int remove_tree(const char *path)
{
	__vz_closedir DIR *dir = opendir(path);
	struct dirent *de;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		__vz_free char *child = NULL;
		int ret;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = vz_path_join(path, de->d_name);
		if (!child)
			return -ENOMEM;
		ret = remove_tree(child);
		if (ret < 0)
			return ret;
	}
	for (int i = 0; i < 500; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		usleep(2000); /* tasks killed a moment ago are still exiting */
	}
	return -EBUSY;
}

static int v2_destroy(struct vz_cgroup *cg, struct vz_error *err)
{
	const char *path = unified(cg);
	__vz_free char *kill = vz_path_join(path, "cgroup.kill");
	int ret;

	if (!vz_path_exists(path))
		return 0;
	if (kill)
		vz_write_file_at(AT_FDCWD, kill, "1");
	ret = remove_tree(path);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot remove cgroup '%s'", path);
	return 0;
}

static int v2_set(struct vz_cgroup *cg, const char *controller, const char *file,
		  const char *value, struct vz_error *err)
{
	__vz_free char *path = vz_path_join(unified(cg), file);
	int ret;

	(void)controller;
	ret = path ? vz_write_file_at(AT_FDCWD, path, value) : -ENOMEM;
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot write \"%s\" to '%s'", value,
				    path ? path : file);
	return 0;
}

static int v2_get(struct vz_cgroup *cg, const char *controller, const char *file, char *buf,
		  size_t size)
{
	__vz_free char *path = vz_path_join(unified(cg), file);

	(void)controller;
	return path ? vz_read_file_at(AT_FDCWD, path, buf, size) : -ENOMEM;
}

static int v2_setup_devices(struct vz_cgroup *cg, struct vz_error *err)
{
	return vz_devfilter_attach(unified(cg), err);
}

static int v2_delegate(struct vz_cgroup *cg, uid_t uid, gid_t gid, struct vz_error *err)
{
	static const char *const files[] = { "", "cgroup.procs", "cgroup.subtree_control",
					     "cgroup.threads" };

	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		__vz_free char *p = *files[f] ? vz_path_join(unified(cg), files[f]) : strdup(unified(cg));

		if (!p)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot delegate cgroups");
		if (chown(p, uid, gid) < 0 && errno != ENOENT)
			return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot chown '%s'", p);
	}
	return 0;
}

static bool v2_exists(struct vz_cgroup *cg)
{
	return vz_path_exists(unified(cg));
}

const struct vz_cgroup_ops vz_cgroup_v2_ops = {
	.name = "cgroup v2",
	.create = v2_create,
	.attach = v2_attach,
	.destroy = v2_destroy,
	.set = v2_set,
	.get = v2_get,
	.setup_devices = v2_setup_devices,
	.delegate = v2_delegate,
	.exists = v2_exists,
};
