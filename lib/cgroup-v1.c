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

/* Write a number, "-1" (or "max" for pids) when unlimited. */
static int write_num(const char *dir, const char *file, int64_t v, const char *unlimited)
{
	__vz_free char *path = vz_path_join(dir, file);
	char text[32];

	if (!path)
		return -ENOMEM;
	if (v == VZ_CG_UNLIMITED)
		snprintf(text, sizeof(text), "%s", unlimited);
	else
		snprintf(text, sizeof(text), "%lld", (long long)v);
	return vz_write_file_at(AT_FDCWD, path, text);
}

static int write_str(const char *dir, const char *file, const char *text)
{
	__vz_free char *path = vz_path_join(dir, file);

	return path ? vz_write_file_at(AT_FDCWD, path, text) : -ENOMEM;
}

static bool has_file(const char *dir, const char *file)
{
	__vz_free char *path = vz_path_join(dir, file);

	return path && access(path, F_OK) == 0;
}

static int fail(struct vz_error *err, enum vz_error_kind kind, int ret, const char *dir,
		const char *file, int64_t v)
{
	if (v == VZ_CG_UNLIMITED)
		return vz_error_sys(err, kind, -ret, "Cannot set %s/%s to unlimited", dir, file);
	return vz_error_sys(err, kind, -ret, "Cannot set %s/%s to %lld", dir, file, (long long)v);
}

static int v1_set_memory(struct vz_cgroup *cg, int64_t mem, int64_t swap, int64_t low,
			 unsigned *missing, struct vz_error *err)
{
	const char *dir = vz_cg_hier_path(cg, "memory");
	bool memsw;
	int ret;

	if (!dir)
		return -EOPNOTSUPP;
	memsw = has_file(dir, "memory.memsw.limit_in_bytes");
	if (mem >= 0) {
		/* memsw >= limit at every step: lift memsw, set the limit, then memsw. */
		if (memsw) {
			ret = write_num(dir, "memory.memsw.limit_in_bytes", VZ_CG_UNLIMITED, "-1");
			if (ret < 0)
				return fail(err, VZ_E_UBC, ret, dir, "memory.memsw.limit_in_bytes",
					    VZ_CG_UNLIMITED);
		}
		ret = write_num(dir, "memory.limit_in_bytes", mem, "-1");
		if (ret < 0)
			return fail(err, VZ_E_UBC, ret, dir, "memory.limit_in_bytes", mem);
	}
	if (swap >= 0) {
		int64_t cur = mem;

		if (cur < 0 && vz_cg_read_num(dir, "memory.limit_in_bytes", &cur) < 0)
			cur = VZ_CG_UNLIMITED;
		if (!memsw || (cur == VZ_CG_UNLIMITED && swap != VZ_CG_UNLIMITED)) {
			/* No swap accounting, or swap without a RAM limit: v1 counts them together. */
			if (swap != VZ_CG_UNLIMITED)
				*missing |= VZ_CG_NO_SWAP;
		} else {
			int64_t total = cur == VZ_CG_UNLIMITED || swap == VZ_CG_UNLIMITED
						? VZ_CG_UNLIMITED
						: cur + swap;

			ret = write_num(dir, "memory.memsw.limit_in_bytes", total, "-1");
			if (ret < 0)
				return fail(err, VZ_E_UBC, ret, dir, "memory.memsw.limit_in_bytes", total);
		}
	}
	/* v1 has no protection like memory.low (soft_limit is a reclaim target). */
	if (low > 0 && low != VZ_CG_UNLIMITED)
		*missing |= VZ_CG_NO_MEMLOW;
	return 0;
}

static int v1_set_pids(struct vz_cgroup *cg, int64_t max, struct vz_error *err)
{
	const char *dir = vz_cg_hier_path(cg, "pids");
	int ret;

	if (!dir)
		return -EOPNOTSUPP;
	ret = write_num(dir, "pids.max", max, "max");
	return ret < 0 ? fail(err, VZ_E_UBC, ret, dir, "pids.max", max) : 0;
}

static int v1_set_cpu(struct vz_cgroup *cg, int64_t units, int64_t quota_us, int64_t period_us,
		      unsigned *missing, struct vz_error *err)
{
	const char *dir = vz_cg_hier_path(cg, "cpu");
	int ret;

	if (!dir)
		return -EOPNOTSUPP;
	if (units >= 0) {
		/* OpenVZ: 1000 units are the default weight, 1024 shares. */
		int64_t shares = units * 1024 / 1000;

		shares = shares < 2 ? 2 : shares > 262144 ? 262144 : shares;
		if (!has_file(dir, "cpu.shares"))
			*missing |= VZ_CG_NO_CPU_WEIGHT;
		else if ((ret = write_num(dir, "cpu.shares", shares, "")) < 0)
			return fail(err, VZ_E_CPU, ret, dir, "cpu.shares", shares);
	}
	if (quota_us >= 0) {
		if (!has_file(dir, "cpu.cfs_quota_us")) {
			if (quota_us != VZ_CG_UNLIMITED)
				*missing |= VZ_CG_NO_CPU_MAX;
			return 0;
		}
		ret = write_num(dir, "cpu.cfs_quota_us", VZ_CG_UNLIMITED, "-1");
		if (ret == 0 && period_us > 0)
			ret = write_num(dir, "cpu.cfs_period_us", period_us, "");
		if (ret == 0)
			ret = write_num(dir, "cpu.cfs_quota_us", quota_us, "-1");
		if (ret < 0)
			return fail(err, VZ_E_CPU, ret, dir, "cpu.cfs_quota_us", quota_us);
	}
	return 0;
}

static int v1_set_cpuset(struct vz_cgroup *cg, const char *cpus, const char *mems,
			 struct vz_error *err)
{
	const char *dir = vz_cg_hier_path(cg, "cpuset");
	const char *files[] = { "cpuset.cpus", "cpuset.mems" };
	const char *values[] = { cpus, mems };

	if (!dir)
		return -EOPNOTSUPP;
	for (int i = 0; i < 2; i++) {
		__vz_free char *path = vz_path_join(dir, files[i]);
		char parent[4096];
		const char *v = values[i];
		int ret;

		if (!v)
			continue;
		if (!path)
			return vz_error_sys(err, VZ_E_CPU, ENOMEM, "Cannot set %s", files[i]);
		if (!*v) {
			/* Every CPU (node) of the parent group. */
			__vz_free char *up = strdup(dir);
			char *slash = up ? strrchr(up, '/') : NULL;
			__vz_free char *ppath = NULL;

			if (!slash)
				return vz_error_sys(err, VZ_E_CPU, ENOMEM, "Cannot set %s", files[i]);
			*slash = '\0';
			ppath = vz_path_join(up, files[i]);
			ret = ppath ? vz_read_file_at(AT_FDCWD, ppath, parent, sizeof(parent)) : -ENOMEM;
			if (ret < 0)
				return vz_error_sys(err, VZ_E_CPU, -ret, "Cannot read '%s'",
						    ppath ? ppath : files[i]);
			v = parent;
		}
		ret = vz_write_file_at(AT_FDCWD, path, v);
		if (ret < 0)
			return vz_error_sys(err, VZ_E_CPU, -ret, "Cannot write \"%s\" to '%s'", v, path);
	}
	return 0;
}

static int v1_set_io(struct vz_cgroup *cg, unsigned major, unsigned minor, int64_t bps,
		     int64_t iops, int64_t weight, unsigned *missing, struct vz_error *err)
{
	static const char *const bps_files[] = { "blkio.throttle.read_bps_device",
						 "blkio.throttle.write_bps_device" };
	static const char *const iops_files[] = { "blkio.throttle.read_iops_device",
						  "blkio.throttle.write_iops_device" };
	const char *dir = vz_cg_hier_path(cg, "blkio");

	if (!dir)
		return -EOPNOTSUPP;
	for (int i = 0; i < 4; i++) {
		const char *file = i < 2 ? bps_files[i] : iops_files[i - 2];
		int64_t v = i < 2 ? bps : iops;
		__vz_free char *path = NULL;
		char text[64];
		int ret;

		if (v < 0)
			continue;
		if (!has_file(dir, file)) {
			if (v != VZ_CG_UNLIMITED)
				*missing |= VZ_CG_NO_IO_MAX;
			continue;
		}
		/* 0 removes the device's limit. */
		snprintf(text, sizeof(text), "%u:%u %lld", major, minor,
			 v == VZ_CG_UNLIMITED ? 0LL : (long long)v);
		path = vz_path_join(dir, file);
		ret = path ? vz_write_file_at(AT_FDCWD, path, text) : -ENOMEM;
		if (ret < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot write \"%s\" to '%s'", text,
					    path ? path : file);
	}
	if (weight >= 0) {
		const char *file = has_file(dir, "blkio.bfq.weight") ? "blkio.bfq.weight"
				   : has_file(dir, "blkio.weight") ? "blkio.weight"
								   : NULL;
		int ret;

		if (!file) {
			*missing |= VZ_CG_NO_IO_WEIGHT;
			return 0;
		}
		ret = write_num(dir, file, weight, "");
		if (ret < 0)
			return fail(err, VZ_E_SYSTEM, ret, dir, file, weight);
	}
	return 0;
}

#define MAX_DEV_RULES 128

static bool rule_eq(const struct vz_dev_rule *a, const struct vz_dev_rule *b)
{
	return a->type == b->type && a->major == b->major && a->minor == b->minor &&
	       a->access == b->access;
}

static bool same_dev(const struct vz_dev_rule *a, const struct vz_dev_rule *b)
{
	return a->type == b->type && a->major == b->major && a->minor == b->minor;
}

/*
 * Make devices.list say exactly what the rules allow: deny what is listed
 * and not wanted, allow what is wanted and not listed.  (A deny of "a"
 * would also strip sub-groups systemd made inside a running CT, and an
 * allow on the CT's group does not reach them again.)
 */
static int v1_set_devices(struct vz_cgroup *cg, const struct vz_dev_rule *rules, size_t nr,
			  struct vz_error *err)
{
	const char *dir = vz_cg_hier_path(cg, "devices");
	struct vz_dev_rule want[MAX_DEV_RULES];
	__vz_free char *list_path = NULL, *list = NULL;
	size_t nw = 0;
	int ret;

	if (!dir)
		return vz_error_set(err, VZ_E_DEVICES, ENOENT,
				    "The devices cgroup controller is not mounted");
	for (size_t i = 0; i < nr && nw < ARRAY_SIZE(want); i++) {
		bool dup = false;

		for (size_t j = 0; j < i; j++)
			dup |= same_dev(&rules[i], &rules[j]);
		if (!dup && rules[i].access)
			want[nw++] = rules[i];
	}
	for (unsigned i = 0; i < vz_nr_default_devices && nw < ARRAY_SIZE(want); i++) {
		bool overridden = false;

		for (size_t j = 0; j < nr; j++)
			overridden |= same_dev(&vz_default_devices[i], &rules[j]);
		if (!overridden)
			want[nw++] = vz_default_devices[i];
	}
	list_path = vz_path_join(dir, "devices.list");
	if (!list_path || vz_read_file(list_path, &list, NULL) < 0)
		return vz_error_sys(err, VZ_E_DEVICES, errno ? errno : ENOMEM, "Cannot read '%s/devices.list'",
				    dir);
	if (strstr(list, "a *:* rwm")) {
		ret = write_str(dir, "devices.deny", "a");
		if (ret < 0)
			return vz_error_sys(err, VZ_E_DEVICES, -ret, "Cannot write to '%s/devices.deny'", dir);
		list[0] = '\0';
	}
	for (char *line = list, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		struct vz_dev_rule have;
		bool keep = false;
		char text[64];

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!vz_dev_rule_parse_v1(line, &have))
			continue;
		for (size_t i = 0; i < nw; i++)
			keep |= rule_eq(&have, &want[i]);
		if (keep)
			continue;
		vz_dev_rule_format(&have, text, sizeof(text));
		ret = write_str(dir, "devices.deny", text);
		if (ret < 0)
			return vz_error_sys(err, VZ_E_DEVICES, -ret, "Cannot deny \"%s\" in '%s'", text, dir);
	}
	free(list);
	list = NULL;
	if (vz_read_file(list_path, &list, NULL) < 0)
		return vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot read '%s'", list_path);
	for (size_t i = 0; i < nw; i++) {
		char text[64];

		vz_dev_rule_format(&want[i], text, sizeof(text));
		if (strstr(list, text))
			continue;
		ret = write_str(dir, "devices.allow", text);
		if (ret < 0)
			return vz_error_sys(err, VZ_E_DEVICES, -ret, "Cannot allow \"%s\" in '%s'", text, dir);
	}
	return 0;
}

static int v1_setup_devices(struct vz_cgroup *cg, struct vz_error *err)
{
	return v1_set_devices(cg, NULL, 0, err);
}

static int v1_set_beancounter(struct vz_cgroup *cg, const char *name, int64_t barrier,
			      int64_t limit, struct vz_error *err)
{
	return -EOPNOTSUPP;
}

static int64_t num_or(const char *dir, const char *file, int64_t def)
{
	int64_t v;

	return dir && vz_cg_read_num(dir, file, &v) == 0 ? v : def;
}

static int64_t key_or(const char *dir, const char *file, const char *key, int64_t def)
{
	int64_t v;

	return dir && vz_cg_read_key(dir, file, key, &v) == 0 ? v : def;
}

static int v1_read_stats(struct vz_cgroup *cg, struct vz_cg_stats *st)
{
	const char *mem = vz_cg_hier_path(cg, "memory");
	const char *pids = vz_cg_hier_path(cg, "pids");
	int64_t memsw, memsw_peak, memsw_max;

	st->mem = num_or(mem, "memory.usage_in_bytes", -1);
	st->mem_peak = num_or(mem, "memory.max_usage_in_bytes", st->mem);
	st->mem_max = num_or(mem, "memory.limit_in_bytes", -1);
	st->mem_failcnt = num_or(mem, "memory.failcnt", -1);
	st->mem_high = VZ_CG_UNLIMITED;
	st->mem_low = st->mem_min = 0;
	memsw = num_or(mem, "memory.memsw.usage_in_bytes", -1);
	memsw_peak = num_or(mem, "memory.memsw.max_usage_in_bytes", -1);
	memsw_max = num_or(mem, "memory.memsw.limit_in_bytes", -1);
	st->swap = memsw >= 0 && st->mem >= 0 && memsw >= st->mem ? memsw - st->mem : -1;
	st->swap_peak = memsw_peak >= 0 && st->mem_peak >= 0 && memsw_peak >= st->mem_peak
				? memsw_peak - st->mem_peak
				: st->swap;
	if (memsw_max == VZ_CG_UNLIMITED || st->mem_max == VZ_CG_UNLIMITED)
		st->swap_max = memsw_max < 0 ? -1 : VZ_CG_UNLIMITED;
	else
		st->swap_max = memsw_max >= 0 && st->mem_max >= 0 ? memsw_max - st->mem_max : -1;
	st->swap_failcnt = num_or(mem, "memory.memsw.failcnt", -1);
	/* No swap allowed (memsw == RAM): the memsw counter is the one that hits the limit. */
	if (st->mem_max >= 0 && st->mem_max != VZ_CG_UNLIMITED && memsw_max == st->mem_max &&
	    st->swap_failcnt > 0) {
		st->mem_failcnt = (st->mem_failcnt > 0 ? st->mem_failcnt : 0) + st->swap_failcnt;
		st->swap_failcnt = 0;
	}
	st->kmem = num_or(mem, "memory.kmem.usage_in_bytes", -1);
	st->kmem_peak = num_or(mem, "memory.kmem.max_usage_in_bytes", st->kmem);
	st->kmem_failcnt = num_or(mem, "memory.kmem.failcnt", -1);
	st->anon = key_or(mem, "memory.stat", "total_rss", -1);
	st->shmem = key_or(mem, "memory.stat", "total_shmem", -1);
	st->unevictable = key_or(mem, "memory.stat", "total_unevictable", -1);
	st->sock = num_or(mem, "memory.kmem.tcp.usage_in_bytes", -1);
	st->slab_reclaimable = key_or(mem, "memory.stat", "total_slab_reclaimable", -1);
	st->oom_kill = key_or(mem, "memory.oom_control", "oom_kill", -1);
	/*
	 * Some kernels do not count v1 failures (memory.failcnt stays 0 where the
	 * limit was hit); every OOM kill in the group was one at least.
	 */
	if (st->oom_kill > 0 && st->mem_failcnt < st->oom_kill)
		st->mem_failcnt = st->oom_kill;
	st->pids = num_or(pids, "pids.current", -1);
	st->pids_peak = num_or(pids, "pids.peak", st->pids);
	st->pids_max = num_or(pids, "pids.max", -1);
	st->pids_failcnt = key_or(pids, "pids.events", "max", -1);
	return mem || pids ? 0 : -ENOENT;
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
	.set_memory = v1_set_memory,
	.set_pids = v1_set_pids,
	.set_cpu = v1_set_cpu,
	.set_cpuset = v1_set_cpuset,
	.set_io = v1_set_io,
	.set_devices = v1_set_devices,
	.set_beancounter = v1_set_beancounter,
	.read_stats = v1_read_stats,
};
