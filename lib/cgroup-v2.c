// SPDX-License-Identifier: GPL-2.0-or-later
/* cgroup v2 backend: one group in the unified hierarchy. */
#define VZ_LOG_PREFIX "cgroup-v2"
#include <dirent.h>
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
	if (ret == -EBUSY) {
		/*
		 * systemd inside enabled controllers for its children: the CT's
		 * group may hold no process now ("no internal processes").  A
		 * process entering a running CT goes to a leaf of ours, as
		 * LXC's attach does with ".lxc".
		 */
		__vz_free char *leaf = vz_path_join(unified(cg), ".vzctl");

		free(procs);
		procs = leaf ? vz_path_join(leaf, "cgroup.procs") : NULL;
		ret = procs ? vz_mkdir_p(leaf, 0755) : -ENOMEM;
		if (ret == 0)
			ret = vz_write_file_at(AT_FDCWD, procs, text);
	}
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
	return vz_devfilter_attach(unified(cg), NULL, 0, err);
}

static bool has_file(struct vz_cgroup *cg, const char *file)
{
	__vz_free char *path = vz_path_join(unified(cg), file);

	return path && access(path, F_OK) == 0;
}

static int write_str(struct vz_cgroup *cg, enum vz_error_kind kind, const char *file,
		     const char *text, struct vz_error *err)
{
	__vz_free char *path = vz_path_join(unified(cg), file);
	int ret = path ? vz_write_file_at(AT_FDCWD, path, text) : -ENOMEM;

	if (ret < 0)
		return vz_error_sys(err, kind, -ret, "Cannot write \"%s\" to '%s'", text,
				    path ? path : file);
	return 0;
}

static void fmt_max(char *buf, size_t size, int64_t v)
{
	if (v == VZ_CG_UNLIMITED)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%lld", (long long)v);
}

static int v2_set_memory(struct vz_cgroup *cg, int64_t mem, int64_t swap, int64_t low,
			 unsigned *missing, struct vz_error *err)
{
	char text[32];
	int ret;

	if (!has_file(cg, "memory.max"))
		return -EOPNOTSUPP;
	if (mem >= 0) {
		fmt_max(text, sizeof(text), mem);
		ret = write_str(cg, VZ_E_UBC, "memory.max", text, err);
		if (ret < 0)
			return ret;
	}
	if (swap >= 0) {
		if (!has_file(cg, "memory.swap.max")) {
			if (swap != VZ_CG_UNLIMITED)
				*missing |= VZ_CG_NO_SWAP;
		} else {
			fmt_max(text, sizeof(text), swap);
			ret = write_str(cg, VZ_E_UBC, "memory.swap.max", text, err);
			if (ret < 0)
				return ret;
		}
	}
	if (low >= 0) {
		if (!has_file(cg, "memory.low")) {
			if (low > 0)
				*missing |= VZ_CG_NO_MEMLOW;
		} else {
			fmt_max(text, sizeof(text), low);
			ret = write_str(cg, VZ_E_UBC, "memory.low", text, err);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int v2_set_pids(struct vz_cgroup *cg, int64_t max, struct vz_error *err)
{
	char text[32];

	if (!has_file(cg, "pids.max"))
		return -EOPNOTSUPP;
	fmt_max(text, sizeof(text), max);
	return write_str(cg, VZ_E_UBC, "pids.max", text, err);
}

static int v2_set_cpu(struct vz_cgroup *cg, int64_t units, int64_t quota_us, int64_t period_us,
		      unsigned *missing, struct vz_error *err)
{
	char text[64];
	int ret;

	if (!has_file(cg, "cpu.weight") && !has_file(cg, "cpu.max"))
		return -EOPNOTSUPP;
	if (units >= 0) {
		/* OpenVZ: 1000 units are the default weight, 100. */
		int64_t weight = units / 10;

		weight = weight < 1 ? 1 : weight > 10000 ? 10000 : weight;
		if (!has_file(cg, "cpu.weight")) {
			*missing |= VZ_CG_NO_CPU_WEIGHT;
		} else {
			snprintf(text, sizeof(text), "%lld", (long long)weight);
			ret = write_str(cg, VZ_E_CPU, "cpu.weight", text, err);
			if (ret < 0)
				return ret;
		}
	}
	if (quota_us >= 0) {
		if (!has_file(cg, "cpu.max")) {
			if (quota_us != VZ_CG_UNLIMITED)
				*missing |= VZ_CG_NO_CPU_MAX;
			return 0;
		}
		if (quota_us == VZ_CG_UNLIMITED)
			snprintf(text, sizeof(text), "max %lld", (long long)(period_us > 0 ? period_us : 100000));
		else
			snprintf(text, sizeof(text), "%lld %lld", (long long)quota_us,
				 (long long)(period_us > 0 ? period_us : 100000));
		return write_str(cg, VZ_E_CPU, "cpu.max", text, err);
	}
	return 0;
}

static int v2_set_cpuset(struct vz_cgroup *cg, const char *cpus, const char *mems,
			 struct vz_error *err)
{
	int ret = 0;

	if (!has_file(cg, "cpuset.cpus"))
		return -EOPNOTSUPP;
	/* An empty list means the parent's CPUs (nodes). */
	if (cpus)
		ret = write_str(cg, VZ_E_CPU, "cpuset.cpus", *cpus ? cpus : "\n", err);
	if (ret == 0 && mems)
		ret = write_str(cg, VZ_E_CPU, "cpuset.mems", *mems ? mems : "\n", err);
	return ret;
}

static int v2_set_io(struct vz_cgroup *cg, unsigned major, unsigned minor, int64_t bps,
		     int64_t iops, int64_t weight, unsigned *missing, struct vz_error *err)
{
	char text[160], b[24], i[24];
	int ret;

	if (!has_file(cg, "io.max") && !has_file(cg, "io.weight") && !has_file(cg, "io.bfq.weight"))
		return -EOPNOTSUPP;
	if (bps >= 0 || iops >= 0) {
		if (!has_file(cg, "io.max")) {
			if ((bps >= 0 && bps != VZ_CG_UNLIMITED) || (iops >= 0 && iops != VZ_CG_UNLIMITED))
				*missing |= VZ_CG_NO_IO_MAX;
		} else {
			fmt_max(b, sizeof(b), bps < 0 ? VZ_CG_UNLIMITED : bps);
			fmt_max(i, sizeof(i), iops < 0 ? VZ_CG_UNLIMITED : iops);
			snprintf(text, sizeof(text), "%u:%u rbps=%s wbps=%s riops=%s wiops=%s", major,
				 minor, b, b, i, i);
			ret = write_str(cg, VZ_E_SYSTEM, "io.max", text, err);
			if (ret < 0)
				return ret;
		}
	}
	if (weight >= 0) {
		const char *file = has_file(cg, "io.bfq.weight") ? "io.bfq.weight"
				   : has_file(cg, "io.weight")	  ? "io.weight"
								  : NULL;

		if (!file) {
			*missing |= VZ_CG_NO_IO_WEIGHT;
			return 0;
		}
		snprintf(text, sizeof(text), "default %lld", (long long)weight);
		return write_str(cg, VZ_E_SYSTEM, file, text, err);
	}
	return 0;
}

static int v2_set_devices(struct vz_cgroup *cg, const struct vz_dev_rule *rules, size_t nr,
			  struct vz_error *err)
{
	return vz_devfilter_attach(unified(cg), rules, nr, err);
}

static int v2_set_beancounter(struct vz_cgroup *cg, const char *name, int64_t barrier,
			      int64_t limit, struct vz_error *err)
{
	char text[96], v[24];
	int ret;

	if (!has_file(cg, "beancounter.barrier"))
		return -EOPNOTSUPP;
	/* barrier <= limit at every step: lift the limit, set the barrier, then the limit. */
	snprintf(text, sizeof(text), "%s max", name);
	ret = write_str(cg, VZ_E_UBC, "beancounter.limit", text, err);
	fmt_max(v, sizeof(v), barrier);
	snprintf(text, sizeof(text), "%s %s", name, v);
	if (ret == 0)
		ret = write_str(cg, VZ_E_UBC, "beancounter.barrier", text, err);
	fmt_max(v, sizeof(v), limit);
	snprintf(text, sizeof(text), "%s %s", name, v);
	if (ret == 0)
		ret = write_str(cg, VZ_E_UBC, "beancounter.limit", text, err);
	return ret;
}

static int64_t num_or(const char *dir, const char *file, int64_t def)
{
	int64_t v;

	return vz_cg_read_num(dir, file, &v) == 0 ? v : def;
}

static int64_t key_or(const char *dir, const char *file, const char *key, int64_t def)
{
	int64_t v;

	return vz_cg_read_key(dir, file, key, &v) == 0 ? v : def;
}

static int v2_read_stats(struct vz_cgroup *cg, struct vz_cg_stats *st)
{
	const char *dir = unified(cg);

	if (!vz_path_exists(dir))
		return -ENOENT;
	st->mem = num_or(dir, "memory.current", -1);
	st->mem_peak = num_or(dir, "memory.peak", st->mem);
	st->mem_max = num_or(dir, "memory.max", -1);
	st->mem_failcnt = key_or(dir, "memory.events", "max", -1);
	st->mem_high = num_or(dir, "memory.high", VZ_CG_UNLIMITED);
	st->mem_low = num_or(dir, "memory.low", 0);
	st->mem_min = num_or(dir, "memory.min", 0);
	st->swap = num_or(dir, "memory.swap.current", -1);
	st->swap_peak = num_or(dir, "memory.swap.peak", st->swap);
	st->swap_max = num_or(dir, "memory.swap.max", -1);
	st->swap_failcnt = key_or(dir, "memory.swap.events", "max", -1);
	st->kmem = key_or(dir, "memory.stat", "kernel", -1);
	if (st->kmem < 0 && st->mem >= 0) {
		static const char *const parts[] = { "kernel_stack", "pagetables", "percpu", "slab",
						     "sock", "vmalloc" };

		st->kmem = 0;
		for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
			int64_t v = key_or(dir, "memory.stat", parts[i], 0);

			st->kmem += v;
		}
	}
	st->kmem_peak = st->kmem;
	st->kmem_failcnt = -1;
	st->anon = key_or(dir, "memory.stat", "anon", -1);
	st->shmem = key_or(dir, "memory.stat", "shmem", -1);
	st->unevictable = key_or(dir, "memory.stat", "unevictable", -1);
	st->sock = key_or(dir, "memory.stat", "sock", -1);
	st->slab_reclaimable = key_or(dir, "memory.stat", "slab_reclaimable", -1);
	st->oom_kill = key_or(dir, "memory.events", "oom_kill", -1);
	st->pids = num_or(dir, "pids.current", -1);
	if (st->pids < 0) {
		/* No pids controller: the processes of the group itself. */
		pid_t *pids;
		size_t nr;

		if (vz_cg_read_pids(dir, &pids, &nr) == 0) {
			st->pids = (int64_t)nr;
			free(pids);
		}
	}
	st->pids_peak = num_or(dir, "pids.peak", st->pids);
	st->pids_max = num_or(dir, "pids.max", -1);
	st->pids_failcnt = key_or(dir, "pids.events", "max", -1);
	return 0;
}

/*
 * The groups below the CT's, each with all its files, as if the CT had
 * made them (restore recreates the ones the CT's systemd made).
 */
static int delegate_below(const char *dir, uid_t uid, gid_t gid, struct vz_error *err)
{
	__vz_closedir DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open '%s'", dir);
	while ((de = readdir(d))) {
		__vz_free char *sub = NULL;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = vz_path_join(dir, de->d_name);
		if (!sub)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot delegate cgroups");
		if (fchownat(dirfd(d), de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot chown '%s'", sub);
		{
			__vz_closedir DIR *files = opendir(sub);
			struct dirent *fe;

			while (files && (fe = readdir(files)))
				if (fe->d_type == DT_REG &&
				    fchownat(dirfd(files), fe->d_name, uid, gid, 0) < 0)
					return vz_error_sys(err, VZ_E_SYSTEM, errno,
							    "Cannot chown '%s/%s'", sub, fe->d_name);
		}
		if (delegate_below(sub, uid, gid, err) < 0)
			return -EIO;
	}
	return 0;
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
	return delegate_below(unified(cg), uid, gid, err);
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
	.set_memory = v2_set_memory,
	.set_pids = v2_set_pids,
	.set_cpu = v2_set_cpu,
	.set_cpuset = v2_set_cpuset,
	.set_io = v2_set_io,
	.set_devices = v2_set_devices,
	.set_beancounter = v2_set_beancounter,
	.read_stats = v2_read_stats,
};
