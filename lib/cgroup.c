// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "cgroup"
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "fileutil.h"
#include "log.h"
#include "state.h"

int vz_cgroup_mode(void)
{
	struct statfs sfs;

	if (statfs("/sys/fs/cgroup", &sfs) < 0)
		return -errno;
	if (sfs.f_type == CGROUP2_SUPER_MAGIC)
		return 2;
	if (sfs.f_type == TMPFS_MAGIC)
		return 1;
	return -ENOENT;
}

int vz_cg_hier_add(struct vz_cgroup *cg, const char *mountpoint, const char *controllers,
		   const char *own_path, const char *parent, const char *ctid)
{
	struct vz_cg_hier *h;
	const char *base = parent[0] == '/' ? "" : own_path;
	int ret;

	if (cg->nr_hier >= VZ_CG_MAX_HIER)
		return -E2BIG;
	h = &cg->hier[cg->nr_hier];
	snprintf(h->controllers, sizeof(h->controllers), "%s", controllers);
	if (!strcmp(base, "/"))
		base = "";
	if (parent[0] == '\0')
		ret = asprintf(&h->path, "%s%s/%s", mountpoint, base, ctid);
	else
		ret = asprintf(&h->path, "%s%s/%s%s%s", mountpoint, base, parent,
			       parent[strlen(parent) - 1] == '/' ? "" : "/", ctid);
	if (ret < 0)
		return -ENOMEM;
	/* Collapse the "//" an absolute parent leaves behind. */
	for (char *p = h->path; (p = strstr(p, "//"));)
		memmove(p, p + 1, strlen(p));
	cg->nr_hier++;
	return 0;
}

const char *vz_cg_hier_path(struct vz_cgroup *cg, const char *controller)
{
	for (int i = 0; i < cg->nr_hier; i++) {
		const char *c = cg->hier[i].controllers;
		size_t len = strlen(controller);

		if (!*controller && !*c)
			return cg->hier[i].path;
		for (const char *p = c; *p;) {
			const char *comma = strchrnul(p, ',');

			if ((size_t)(comma - p) == len && !strncmp(p, controller, len))
				return cg->hier[i].path;
			p = *comma ? comma + 1 : comma;
		}
	}
	return NULL;
}

int vz_cg_read_pids(const char *dir, pid_t **pids, size_t *nr)
{
	__vz_free char *path = vz_path_join(dir, "cgroup.procs"), *text = NULL;
	pid_t *out = NULL;
	size_t n = 0;
	int ret;

	*pids = NULL;
	*nr = 0;
	if (!path)
		return -ENOMEM;
	ret = vz_read_file(path, &text, NULL);
	if (ret < 0)
		return ret;
	for (char *p = text; *p;) {
		char *end;
		long pid = strtol(p, &end, 10);
		pid_t *grown;

		if (end == p)
			break;
		grown = realloc(out, (n + 1) * sizeof(*out));
		if (!grown) {
			free(out);
			return -ENOMEM;
		}
		out = grown;
		out[n++] = (pid_t)pid;
		p = end;
		while (*p == '\n')
			p++;
	}
	*pids = out;
	*nr = n;
	return 0;
}

/*
 * A running CT's groups as its monitor recorded them (CGROUP_<n>="ctrls:path"):
 * with a relative CGROUP_PARENT they depend on where vzctl start ran.
 * Returns 1 when the run state had them.
 */
static int open_recorded(struct vz_ct *ct, struct vz_cgroup *cg)
{
	__vz_free char *path = vz_ct_run_path(ct, ".state");
	__vz_conf struct vz_conf *st = NULL;

	if (!path || vz_conf_load(&st, path, NULL) < 0)
		return 0;
	for (int i = 0; i < VZ_CG_MAX_HIER; i++) {
		const char *v, *colon;
		char key[32];

		snprintf(key, sizeof(key), "CGROUP_%d", i);
		v = vz_conf_get(st, key);
		colon = v ? strrchr(v, ':') : NULL;
		if (!colon || colon[1] != '/')
			break;
		snprintf(cg->hier[i].controllers, sizeof(cg->hier[i].controllers), "%.*s",
			 (int)(colon - v), v);
		cg->hier[i].path = strdup(colon + 1);
		if (!cg->hier[i].path)
			return -ENOMEM;
		cg->nr_hier = i + 1;
	}
	return cg->nr_hier > 0;
}

int vz_cgroup_open(struct vz_ct *ct, struct vz_cgroup **out, struct vz_error *err)
{
	const char *parent = vz_ct_get(ct, "CGROUP_PARENT");
	__vz_free char *self = NULL;
	__vz_free char *mountinfo = NULL;
	struct vz_cgroup *cg;
	int mode = vz_cgroup_mode();
	int ret;

	if (mode < 0)
		return vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, -mode,
				    "No cgroup file system is mounted at /sys/fs/cgroup");
	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot set up cgroups");
	cg->ops = mode == 2 ? &vz_cgroup_v2_ops : &vz_cgroup_v1_ops;
	if (!parent)
		parent = "";
	if (asprintf(&cg->relpath, "%s/%s", parent, ct->idstr) < 0) {
		free(cg);
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot set up cgroups");
	}
	ret = open_recorded(ct, cg);
	if (ret > 0) {
		*out = cg;
		return 0;
	}
	if (ret < 0) {
		vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot set up cgroups");
		goto err_free;
	}

	ret = vz_read_file("/proc/self/cgroup", &self, err);
	if (ret < 0)
		goto err_free;
	ret = vz_read_file("/proc/self/mountinfo", &mountinfo, err);
	if (ret < 0)
		goto err_free;

	/* Every cgroup mount under /sys/fs/cgroup is one hierarchy. */
	for (char *line = mountinfo, *next; line && *line; line = next) {
		char mnt[512], fstype[64], opts[512], own[512] = "/";
		char *sep, *nl = strchr(line, '\n');
		const char *ctrl = "";

		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %511s", fstype, opts) != 2)
			continue;
		if (strncmp(mnt, "/sys/fs/cgroup", 14))
			continue;
		/* On a pure v2 host only the unified mount at /sys/fs/cgroup counts. */
		if (mode == 2 && (strcmp(fstype, "cgroup2") || strcmp(mnt, "/sys/fs/cgroup")))
			continue;
		if (!strcmp(fstype, "cgroup")) {
			/* Keep the controllers and the name= option of the super block options. */
			char ctrls[128] = "", *save = NULL;

			for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
				if (!strcmp(o, "rw") || !strcmp(o, "ro") || !strncmp(o, "release_agent", 13) ||
				    !strcmp(o, "clone_children") || !strcmp(o, "noprefix") ||
				    !strcmp(o, "xattr") || !strcmp(o, "nsdelegate") || !strcmp(o, "cpuset_v2_mode"))
					continue;
				if (*ctrls)
					strncat(ctrls, ",", sizeof(ctrls) - strlen(ctrls) - 1);
				strncat(ctrls, o, sizeof(ctrls) - strlen(ctrls) - 1);
			}
			ctrl = ctrls;
			if (!*ctrl)
				continue;
			/* Our own path in this hierarchy, from /proc/self/cgroup "N:ctrls:/path". */
			for (char *l = self; l && *l;) {
				char *lnl = strchr(l, '\n'), *c1 = strchr(l, ':'), *c2;
				size_t len;

				if (!c1)
					break;
				c2 = strchr(c1 + 1, ':');
				if (c2 && (size_t)(c2 - c1 - 1) == strlen(ctrl) &&
				    !strncmp(c1 + 1, ctrl, strlen(ctrl))) {
					len = lnl ? (size_t)(lnl - c2 - 1) : strlen(c2 + 1);
					snprintf(own, sizeof(own), "%.*s", (int)len, c2 + 1);
					break;
				}
				l = lnl ? lnl + 1 : NULL;
			}
			ret = vz_cg_hier_add(cg, mnt, ctrl, own, parent, ct->idstr);
		} else if (!strcmp(fstype, "cgroup2")) {
			for (char *l = self; l && *l;) {
				char *lnl = strchr(l, '\n');

				if (!strncmp(l, "0::", 3)) {
					size_t len = lnl ? (size_t)(lnl - l - 3) : strlen(l + 3);

					snprintf(own, sizeof(own), "%.*s", (int)len, l + 3);
					break;
				}
				l = lnl ? lnl + 1 : NULL;
			}
			ret = vz_cg_hier_add(cg, mnt, "", own, parent, ct->idstr);
		} else {
			continue;
		}
		if (ret < 0) {
			vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot set up cgroups");
			goto err_free;
		}
	}
	if (cg->nr_hier == 0) {
		ret = vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, ENOENT,
				   "No cgroup hierarchy found under /sys/fs/cgroup");
		goto err_free;
	}
	*out = cg;
	return 0;

err_free:
	vz_cgroup_free(cg);
	return ret;
}

void vz_cgroup_free(struct vz_cgroup *cg)
{
	if (!cg)
		return;
	for (int i = 0; i < cg->nr_hier; i++)
		free(cg->hier[i].path);
	free(cg->relpath);
	free(cg);
}

int vz_cg_read_num(const char *dir, const char *file, int64_t *out)
{
	__vz_free char *path = vz_path_join(dir, file);
	char buf[64], *end;
	long long v;
	int ret;

	if (!path)
		return -ENOMEM;
	ret = vz_read_file_at(AT_FDCWD, path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (!strncmp(buf, "max", 3)) {
		*out = VZ_CG_UNLIMITED;
		return 0;
	}
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	/* cgroup v1 spells "no limit" as PAGE_COUNTER_MAX pages in bytes, or -1. */
	*out = v < 0 || v >= 0x7ffffffffffff000LL ? VZ_CG_UNLIMITED : v;
	return 0;
}

int vz_cg_read_key(const char *dir, const char *file, const char *key, int64_t *out)
{
	__vz_free char *path = vz_path_join(dir, file), *text = NULL;
	size_t klen = strlen(key);
	int ret;

	if (!path)
		return -ENOMEM;
	ret = vz_read_file(path, &text, NULL);
	if (ret < 0)
		return ret;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');

		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			if (!strncmp(line + klen + 1, "max", 3))
				*out = VZ_CG_UNLIMITED;
			else
				*out = strtoll(line + klen + 1, NULL, 10);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}
