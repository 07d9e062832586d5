// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vz's kernel features for a starting CT.  The beancounter controller is a
 * cgroup v2 controller, so it has to be enabled in the subtree_control of
 * every ancestor of the CT's group, the root included (a service manager
 * enables only the controllers it knows).  The kernel learns that a group
 * is a container, and its id, from beancounter.id; beancounter.proc_virt
 * makes /proc/meminfo, /proc/cpuinfo, /sys/devices/system/cpu/online and
 * /proc/uptime of every task below the group the CT's own.
 */
#define VZ_LOG_PREFIX "kernel-features"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fileutil.h"
#include "kernel-features.h"
#include "log.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* Is @word one of the blank-separated words of @text? */
static bool has_word(const char *text, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = text; (p = strstr(p, word)); p += len) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '\n';
		bool end = p[len] == '\0' || p[len] == ' ' || p[len] == '\n';

		if (start && end)
			return true;
	}
	return false;
}

static bool dir_file_has_word(const char *dir, const char *file, const char *word)
{
	__vz_free char *path = vz_path_join(dir, file);
	char text[512];

	if (!path || vz_read_file_at(AT_FDCWD, path, text, sizeof(text)) < 0)
		return false;
	return has_word(text, word);
}

bool vz_kernel_has_beancounter(void)
{
	return vz_cgroup_mode() == 2 &&
	       dir_file_has_word(CGROUP_ROOT, "cgroup.controllers", "beancounter");
}

/* "+beancounter" in the subtree_control of the root and of every group down to @group's parent. */
static int enable_beancounter(const char *group, struct vz_error *err)
{
	__vz_free char *walk = strdup(group);
	char *slash;

	if (!walk)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM,
				    "Cannot enable the beancounter controller");
	slash = walk + strlen(CGROUP_ROOT);
	if (strncmp(walk, CGROUP_ROOT, strlen(CGROUP_ROOT)) || *slash != '/')
		return vz_error_set(err, VZ_E_SYSTEM, EINVAL,
				    "Cgroup '%s' is not under " CGROUP_ROOT, group);
	for (;;) {
		__vz_free char *ctl = NULL;
		int ret;

		*slash = '\0';
		if (!dir_file_has_word(walk, "cgroup.subtree_control", "beancounter")) {
			ctl = vz_path_join(walk, "cgroup.subtree_control");
			ret = ctl ? vz_write_file_at(AT_FDCWD, ctl, "+beancounter") : -ENOMEM;
			if (ret < 0)
				return vz_error_sys(
					err, VZ_E_NO_KERNEL_SUPPORT, -ret,
					"Cannot enable the beancounter controller in '%s'",
					ctl ? ctl : walk);
		}
		*slash = '/';
		slash = strchr(slash + 1, '/');
		if (!slash)
			return 0;
	}
}

static int set_id(struct vz_ct *ct, const char *group, struct vz_error *err)
{
	__vz_free char *path = vz_path_join(group, "beancounter.id");
	char cur[64];
	int ret;

	if (!path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot set the beancounter id");
	if (vz_read_file_at(AT_FDCWD, path, cur, sizeof(cur)) >= 0) {
		cur[strcspn(cur, "\n")] = '\0';
		if (!strcmp(cur, ct->idstr))
			return 0;
	}
	ret = vz_write_file_at(AT_FDCWD, path, ct->idstr);
	if (ret == -EEXIST) {
		vz_warn("Beancounter id %s is used by another cgroup: /proc/user_beancounters "
			"will not show this container",
			ct->idstr);
		return 0;
	}
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot write \"%s\" to '%s'",
				    ct->idstr, path);
	return 0;
}

int vz_kernel_features_apply(struct vz_ct *ct, struct vz_cgroup *cg, struct vz_error *err)
{
	const char *group;
	__vz_free char *virt = NULL;
	int ret;

	if (cg->ops != &vz_cgroup_v2_ops || !vz_kernel_has_beancounter()) {
		vz_debug("No beancounter controller: container %s runs without "
			 "/proc/user_beancounters "
			 "and /proc virtualization",
			 ct->idstr);
		return 0;
	}
	group = vz_cg_hier_path(cg, "");
	if (!group)
		return vz_error_set(err, VZ_E_SYSTEM, ENOENT, "Container %s has no cgroup v2 group",
				    ct->idstr);
	ret = enable_beancounter(group, err);
	if (ret < 0)
		return ret;
	ret = set_id(ct, group, err);
	if (ret < 0)
		return ret;
	virt = vz_path_join(group, "beancounter.proc_virt");
	ret = virt ? vz_write_file_at(AT_FDCWD, virt, "1") : -ENOMEM;
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret,
				    "Cannot turn on /proc virtualization in '%s'",
				    virt ? virt : group);
	vz_debug("Container %s: beancounter id set, /proc virtualized", ct->idstr);
	return 0;
}
