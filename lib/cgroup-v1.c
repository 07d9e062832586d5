// SPDX-License-Identifier: GPL-2.0-or-later
/* cgroup v1 (and hybrid) backend: one group per mounted hierarchy. */
#define VZ_LOG_PREFIX "cgroup-v1"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

/* cpuset groups start empty; inherit the parent's CPUs and memory nodes. */
static int cpuset_inherit(const char *path)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	__vz_free char *parent = strdup(path);
	char *slash;

	if (!parent)
		return -ENOMEM;
	slash = strrchr(parent, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char buf[4096];
		__vz_free char *mine = vz_path_join(path, files[i]);
		__vz_free char *theirs = vz_path_join(parent, files[i]);
		int ret;

		if (!mine || !theirs)
			return -ENOMEM;
		ret = vz_read_file_at(AT_FDCWD, mine, buf, sizeof(buf));
		if (ret > 0 && buf[0] != '\n')
			continue;
		ret = vz_read_file_at(AT_FDCWD, theirs, buf, sizeof(buf));
		if (ret < 0)
			return ret;
		ret = vz_write_file_at(AT_FDCWD, mine, buf);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int v1_create(struct vz_cgroup *cg, struct vz_error *err)
{
	for (int i = 0; i < cg->nr_hier; i++) {
		const char *path = cg->hier[i].path;
		int ret = vz_mkdir_p(path, 0755);

		if (ret == 0 && strstr(cg->hier[i].controllers, "cpuset")) {
			/* Every level down from the hierarchy root needs cpus and mems. */
			__vz_free char *walk = strdup(path);
			char *p;

			if (!walk)
				return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot create cgroups");
			p = walk + strlen("/sys/fs/cgroup/");
			p = strchr(p, '/');
			while (p && ret == 0) {
				char *next = strchr(p + 1, '/');

				if (next)
					*next = '\0';
				ret = cpuset_inherit(walk);
				if (next)
					*next = '/';
				p = next;
			}
		}
		if (ret < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create cgroup '%s'", path);
	}
	return 0;
}

static int v1_attach(struct vz_cgroup *cg, pid_t pid, struct vz_error *err)
{
	char text[32];

	snprintf(text, sizeof(text), "%d", (int)pid);
	for (int i = 0; i < cg->nr_hier; i++) {
		__vz_free char *procs = vz_path_join(cg->hier[i].path, "cgroup.procs");
		int ret = procs ? vz_write_file_at(AT_FDCWD, procs, text) : -ENOMEM;

		if (ret < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot move pid %d into '%s'",
					    (int)pid, cg->hier[i].path);
	}
	return 0;
}

static int kill_all(const char *dir)
{
	for (int round = 0; round < 200; round++) {
		pid_t *pids;
		size_t nr;
		int ret = vz_cg_read_pids(dir, &pids, &nr);

		if (ret == -ENOENT)
			return 0;
		if (ret < 0)
			return ret;
		free(pids);
		if (nr == 0)
			return 0;
		/* Freeze so nothing forks while we kill, then thaw to let them die. */
		{
			__vz_free char *state = vz_path_join(dir, "freezer.state");
			bool freezer = state && access(state, W_OK) == 0;

			if (freezer)
				vz_write_file_at(AT_FDCWD, state, "FROZEN");
			ret = vz_cg_read_pids(dir, &pids, &nr);
			if (ret == 0) {
				for (size_t i = 0; i < nr; i++)
					kill(pids[i], SIGKILL);
				free(pids);
			}
			if (freezer)
				vz_write_file_at(AT_FDCWD, state, "THAWED");
		}
		usleep(round < 10 ? 1000 : 10000);
	}
	return -EBUSY;
}

static int v1_destroy(struct vz_cgroup *cg, struct vz_error *err)
{
	const char *freezer = vz_cg_hier_path(cg, "freezer");
	int ret;

	/* The freezer hierarchy sees every task; clear it first, then the rest. */
	if (freezer) {
		ret = kill_all(freezer);
		if (ret < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot stop the tasks in '%s'",
					    freezer);
	}
	for (int i = 0; i < cg->nr_hier; i++) {
		const char *path = cg->hier[i].path;

		ret = kill_all(path);
		if (ret == 0 && rmdir(path) < 0 && errno != ENOENT)
			ret = -errno;
		if (ret < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot remove cgroup '%s'", path);
	}
	return 0;
}

static int v1_set(struct vz_cgroup *cg, const char *controller, const char *file,
		  const char *value, struct vz_error *err)
{
	const char *dir = vz_cg_hier_path(cg, controller);
	__vz_free char *path = NULL;
	int ret;

	if (!dir)
		return vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, ENOENT,
				    "The %s cgroup controller is not mounted", controller);
	path = vz_path_join(dir, file);
	ret = path ? vz_write_file_at(AT_FDCWD, path, value) : -ENOMEM;
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot write \"%s\" to '%s'", value,
				    path ? path : file);
	return 0;
}

static int v1_get(struct vz_cgroup *cg, const char *controller, const char *file, char *buf,
		  size_t size)
{
	const char *dir = vz_cg_hier_path(cg, controller);
	__vz_free char *path = NULL;

	if (!dir)
		return -ENOENT;
	path = vz_path_join(dir, file);
	return path ? vz_read_file_at(AT_FDCWD, path, buf, size) : -ENOMEM;
}

static int v1_setup_devices(struct vz_cgroup *cg, struct vz_error *err)
{
	/* Deny all, then allow the same list the cgroup v2 device program allows. */
	int ret = v1_set(cg, "devices", "devices.deny", "a", err);

	for (unsigned i = 0; ret == 0 && i < vz_nr_default_devices; i++) {
		const struct vz_dev_rule *r = &vz_default_devices[i];
		char rule[64];

		if (r->minor < 0)
			snprintf(rule, sizeof(rule), "c %u:* rwm", r->major);
		else
			snprintf(rule, sizeof(rule), "c %u:%d rwm", r->major, r->minor);
		ret = v1_set(cg, "devices", "devices.allow", rule, err);
	}
	if (ret < 0)
		err->kind = VZ_E_DEVICES;
	return ret;
}

static int v1_delegate(struct vz_cgroup *cg, uid_t uid, gid_t gid, struct vz_error *err)
{
	static const char *const files[] = { "", "cgroup.procs", "tasks", "cgroup.clone_children",
					     "notify_on_release", "cgroup.subtree_control",
					     "cgroup.threads" };

	/* Only the named hierarchies systemd manages itself (name=systemd, unified). */
	for (int i = 0; i < cg->nr_hier; i++) {
		const char *c = cg->hier[i].controllers;

		if (*c && strcmp(c, "name=systemd"))
			continue;
		for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
			__vz_free char *p = *files[f] ? vz_path_join(cg->hier[i].path, files[f])
						      : strdup(cg->hier[i].path);

			if (!p)
				return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot delegate cgroups");
			if (chown(p, uid, gid) < 0 && errno != ENOENT)
				return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot chown '%s'", p);
		}
	}
	return 0;
}

static bool v1_exists(struct vz_cgroup *cg)
{
	for (int i = 0; i < cg->nr_hier; i++)
		if (vz_path_exists(cg->hier[i].path))
			return true;
	return false;
}

const struct vz_cgroup_ops vz_cgroup_v1_ops = {
	.name = "cgroup v1",
	.create = v1_create,
	.attach = v1_attach,
	.destroy = v1_destroy,
	.set = v1_set,
	.get = v1_get,
	.setup_devices = v1_setup_devices,
	.delegate = v1_delegate,
	.exists = v1_exists,
};
