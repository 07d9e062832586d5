// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A CT's resources onto its cgroups, through the backend's ops: VSwap
 * memory, numproc, the beancounter controller's counters, CPU weight and
 * bandwidth, cpusets, block I/O of the private area's disk, devices.
 * What the running kernel cannot enforce is said per parameter.
 */
#define VZ_LOG_PREFIX "resources"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "fileutil.h"
#include "log.h"
#include "resources.h"
#include "units.h"

#define CPU_PERIOD_US 100000

/* IOPRIO 0..7 as a proportional weight (4, OpenVZ's default, is the kernel's 100). */
static const int64_t ioprio_weight[8] = {16, 25, 40, 63, 100, 160, 250, 400};

unsigned vz_res_key_mask(const char *key)
{
	static const struct {
		const char *key;
		unsigned mask;
	} keys[] = {
		{"PHYSPAGES", VZ_RES_MEM | VZ_RES_UB_OTHER},
		{"SWAPPAGES", VZ_RES_MEM | VZ_RES_UB_OTHER},
		{"OOMGUARPAGES", VZ_RES_MEM},
		{"VM_OVERCOMMIT", VZ_RES_MEM | VZ_RES_UB_OTHER},
		{"NUMPROC", VZ_RES_NUMPROC},
		{"CPUUNITS", VZ_RES_CPU},
		{"CPULIMIT", VZ_RES_CPU},
		{"CPUS", VZ_RES_CPU},
		{"CPUMASK", VZ_RES_CPUSET},
		{"NODEMASK", VZ_RES_CPUSET},
		{"IOLIMIT", VZ_RES_IO},
		{"IOPSLIMIT", VZ_RES_IO},
		{"IOPRIO", VZ_RES_IO},
		{"DEVICES", VZ_RES_DEVICES},
		{"DEVNODES", VZ_RES_DEVICES},
	};
	int ub;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].key, key))
			return keys[i].mask;
	ub = vz_ub_lookup(key);
	if (ub < 0 || strcmp(vz_ub_defs[ub].key, key))
		return 0;
	return vz_ub_defs[ub].kernel_bc ? VZ_RES_KBC : VZ_RES_UB_OTHER;
}

#define MAX_REASONS 8

struct apply {
	struct vz_ct *ct;
	struct vz_cgroup *cg;
	struct vz_res res;
	char unenforced[512]; /* "NUMFILE, KMEMSIZE" */
	/* Parameters not enforced, grouped by why: one warning line per reason. */
	struct {
		const char *why;
		char keys[400];
		int nr;
	} reasons[MAX_REASONS];
};

static void append_key(char *buf, size_t size, const char *key)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? ", " : "", key);
}

static void cannot(struct apply *a, const char *key, const char *why)
{
	size_t i;

	append_key(a->unenforced, sizeof(a->unenforced), key);
	for (i = 0; i < MAX_REASONS && a->reasons[i].why; i++)
		if (!strcmp(a->reasons[i].why, why))
			break;
	if (i == MAX_REASONS) {
		vz_warn("Warning: %s is not enforced: %s", key, why);
		return;
	}
	a->reasons[i].why = why;
	append_key(a->reasons[i].keys, sizeof(a->reasons[i].keys), key);
	a->reasons[i].nr++;
}

static void warn_unenforced(const struct apply *a)
{
	for (size_t i = 0; i < MAX_REASONS && a->reasons[i].why; i++)
		vz_warn("Warning: %s %s not enforced: %s", a->reasons[i].keys,
			a->reasons[i].nr > 1 ? "are" : "is", a->reasons[i].why);
}

static bool ub_limited(const struct vz_ub_value *u)
{
	return u->set && (u->barrier != VZ_UNLIMITED || u->limit != VZ_UNLIMITED);
}

static int64_t pages_to_bytes(int64_t pages)
{
	if (pages == VZ_UNLIMITED || pages > INT64_MAX / VZ_PAGE_BYTES)
		return VZ_CG_UNLIMITED;
	return pages * VZ_PAGE_BYTES;
}

static int apply_memory(struct apply *a, struct vz_error *err)
{
	const struct vz_ub_value *phys = &a->res.ub[VZ_UB_physpages];
	const struct vz_ub_value *swap = &a->res.ub[VZ_UB_swappages];
	const struct vz_ub_value *oom = &a->res.ub[VZ_UB_oomguarpages];
	int64_t mem = phys->set ? pages_to_bytes(phys->limit) : VZ_CG_UNLIMITED;
	int64_t sw, low;
	unsigned missing = 0;
	int ret;

	/* VSwap: no SWAPPAGES with a RAM limit is no swap at all. */
	if (swap->set)
		sw = pages_to_bytes(swap->limit);
	else
		sw = mem == VZ_CG_UNLIMITED ? VZ_CG_UNLIMITED : 0;
	/*
	 * Only an OOMGUARPAGES of the config protects memory (memory.low): the
	 * VSwap default (= RAM) would shield every CT's whole RAM from reclaim.
	 */
	low = oom->set && !oom->derived && oom->barrier != VZ_UNLIMITED
		      ? pages_to_bytes(oom->barrier)
		      : 0;
	ret = a->cg->ops->set_memory(a->cg, mem, sw, low, &missing, err);
	if (ret == -EOPNOTSUPP) {
		if (mem != VZ_CG_UNLIMITED)
			cannot(a, "PHYSPAGES", "no memory cgroup controller");
		if (swap->set && sw != VZ_CG_UNLIMITED)
			cannot(a, "SWAPPAGES", "no memory cgroup controller");
		return 0;
	}
	if (ret < 0)
		return ret;
	if ((missing & VZ_CG_NO_SWAP) && swap->set)
		cannot(a, "SWAPPAGES",
		       mem == VZ_CG_UNLIMITED ? "cgroup v1 limits swap only together with RAM"
					      : "this kernel does not account swap per cgroup");
	if ((missing & VZ_CG_NO_MEMLOW) && oom->set && !oom->derived)
		cannot(a, "OOMGUARPAGES", "cgroup v1 has no memory protection (memory.low)");
	return 0;
}

static int apply_numproc(struct apply *a, struct vz_error *err)
{
	const struct vz_ub_value *u = &a->res.ub[VZ_UB_numproc];
	/* fork is a hard charge: it fails above the barrier. */
	int64_t max = u->set ? u->barrier : VZ_CG_UNLIMITED;
	int ret;

	/*
	 * vz's kernel enforces numproc in the beancounter controller and counts
	 * its refusals in failcnt; pids.max at the same value would refuse the
	 * fork first (pids runs before it) and leave failcnt at 0.
	 */
	ret = a->cg->ops->set_beancounter(a->cg, "numproc", u->set ? u->barrier : VZ_UNLIMITED,
					  u->set ? u->limit : VZ_UNLIMITED, err);
	if (ret < 0 && ret != -EOPNOTSUPP)
		return ret;
	if (ret == 0)
		max = VZ_CG_UNLIMITED;
	ret = a->cg->ops->set_pids(a->cg, max, err);
	if (ret == -EOPNOTSUPP && max != VZ_CG_UNLIMITED) {
		cannot(a, "NUMPROC", "no pids cgroup controller");
		return 0;
	}
	return ret == -EOPNOTSUPP ? 0 : ret;
}

static int apply_kernel_bc(struct apply *a, struct vz_error *err)
{
	for (int i = 0; i < VZ_UB__COUNT; i++) {
		const struct vz_ub_def *d = &vz_ub_defs[i];
		const struct vz_ub_value *u = &a->res.ub[i];
		int ret;

		if (!d->kernel_bc)
			continue;
		ret = a->cg->ops->set_beancounter(a->cg, d->name,
						  u->set ? u->barrier : VZ_UNLIMITED,
						  u->set ? u->limit : VZ_UNLIMITED, err);
		if (ret == -EOPNOTSUPP) {
			if (ub_limited(u))
				cannot(a, d->key,
				       "this kernel has no beancounter cgroup controller");
			continue;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void apply_ub_other(struct apply *a)
{
	for (int i = 0; i < VZ_UB__COUNT; i++) {
		const struct vz_ub_value *u = &a->res.ub[i];

		if (vz_ub_defs[i].kernel_bc || i == VZ_UB_numproc || i == VZ_UB_physpages ||
		    i == VZ_UB_swappages || i == VZ_UB_oomguarpages)
			continue;
		if (ub_limited(u) && !u->derived)
			cannot(a, vz_ub_defs[i].key, "no cgroup controller keeps such a count");
	}
}

static int apply_cpu(struct apply *a, struct vz_error *err)
{
	const struct vz_res *r = &a->res;
	int64_t quota = VZ_CG_UNLIMITED;
	unsigned missing = 0;
	int ret;

	if (r->cpulimit.value > 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		int64_t pct = r->cpulimit.host ? r->cpulimit.value * (ncpu > 0 ? ncpu : 1)
					       : r->cpulimit.value;

		quota = pct * CPU_PERIOD_US / 100;
		if (quota < 1000)
			quota = 1000; /* the kernel's minimum: 1 ms per period */
	}
	if (r->cpus > 0 && r->cpus * CPU_PERIOD_US < quota)
		quota = r->cpus * CPU_PERIOD_US;
	ret = a->cg->ops->set_cpu(a->cg, r->cpuunits > 0 ? r->cpuunits : 1000, quota, CPU_PERIOD_US,
				  &missing, err);
	if (ret == -EOPNOTSUPP)
		missing = VZ_CG_NO_CPU_WEIGHT | VZ_CG_NO_CPU_MAX;
	else if (ret < 0)
		return ret;
	if ((missing & VZ_CG_NO_CPU_WEIGHT) && r->cpuunits > 0)
		cannot(a, "CPUUNITS", "no cpu cgroup controller");
	if ((missing & VZ_CG_NO_CPU_MAX) && r->cpulimit.value > 0)
		cannot(a, "CPULIMIT", "no CPU bandwidth control");
	if ((missing & VZ_CG_NO_CPU_MAX) && r->cpus > 0)
		cannot(a, "CPUS", "no CPU bandwidth control");
	return 0;
}

static int apply_cpuset(struct apply *a, struct vz_error *err)
{
	const struct vz_res *r = &a->res;
	int ret = a->cg->ops->set_cpuset(a->cg, r->cpumask ? r->cpumask : "",
					 r->nodemask ? r->nodemask : "", err);

	if (ret == -EOPNOTSUPP) {
		if (r->cpumask && *r->cpumask)
			cannot(a, "CPUMASK", "no cpuset cgroup controller");
		if (r->nodemask && *r->nodemask)
			cannot(a, "NODEMASK", "no cpuset cgroup controller");
		return 0;
	}
	return ret;
}

/* The whole disk (throttling takes no partitions) under the CT's private area. */
static int private_disk(struct vz_ct *ct, unsigned *maj, unsigned *min)
{
	__vz_free char *priv = vz_ct_get_subst(ct, "VE_PRIVATE");
	char sys[64], path[PATH_MAX], buf[32];
	struct stat st;
	unsigned a, b;

	if (!priv || stat(priv, &st) < 0)
		return -ENOENT;
	if (major(st.st_dev) == 0)
		return -ENODEV; /* tmpfs, overlayfs, btrfs: no single block device */
	*maj = major(st.st_dev);
	*min = minor(st.st_dev);
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", *maj, *min);
	if (access(sys, F_OK) < 0)
		return 0;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/../dev", *maj, *min);
	if (!realpath(sys, path) || vz_read_file_at(AT_FDCWD, path, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%u:%u", &a, &b) != 2)
		return -ENODEV;
	*maj = a;
	*min = b;
	return 0;
}

static int apply_io(struct apply *a, struct vz_error *err)
{
	const struct vz_res *r = &a->res;
	bool limits = r->iolimit > 0 || r->iopslimit > 0;
	unsigned maj = 0, min = 0, missing = 0;
	int64_t bps = r->iolimit > 0 ? r->iolimit : VZ_CG_UNLIMITED;
	int64_t iops = r->iopslimit > 0 ? r->iopslimit : VZ_CG_UNLIMITED;
	int64_t weight = ioprio_weight[r->ioprio >= 0 ? r->ioprio : 4];
	int ret;

	if (r->iolimit < 0 && r->iopslimit < 0 && r->ioprio < 0)
		return 0; /* nothing asked, nothing to undo at start */
	if (private_disk(a->ct, &maj, &min) < 0) {
		if (limits) {
			if (r->iolimit > 0)
				cannot(a, "IOLIMIT", "the private area is not on a block device");
			if (r->iopslimit > 0)
				cannot(a, "IOPSLIMIT", "the private area is not on a block device");
		}
		bps = iops = -1;
	}
	ret = a->cg->ops->set_io(a->cg, maj, min, bps, iops, weight, &missing, err);
	if (ret == -EOPNOTSUPP)
		missing = VZ_CG_NO_IO_MAX | VZ_CG_NO_IO_WEIGHT;
	else if (ret < 0)
		return ret;
	if ((missing & VZ_CG_NO_IO_MAX) && r->iolimit > 0)
		cannot(a, "IOLIMIT", "no block I/O throttling");
	if ((missing & VZ_CG_NO_IO_MAX) && r->iopslimit > 0)
		cannot(a, "IOPSLIMIT", "no block I/O throttling");
	if ((missing & VZ_CG_NO_IO_WEIGHT) && r->ioprio >= 0)
		cannot(a, "IOPRIO", "no proportional I/O weight (BFQ) for this disk");
	return 0;
}

int vz_res_apply(struct vz_ct *ct, struct vz_cgroup *cg, unsigned mask, bool strict,
		 struct vz_error *err)
{
	struct apply a = {.ct = ct, .cg = cg};
	int ret;

	ret = vz_res_load(ct, &a.res, err);
	if (ret < 0)
		return ret;
	if (mask & VZ_RES_MEM)
		ret = apply_memory(&a, err);
	if (ret == 0 && (mask & VZ_RES_NUMPROC))
		ret = apply_numproc(&a, err);
	if (ret == 0 && (mask & VZ_RES_KBC))
		ret = apply_kernel_bc(&a, err);
	if (ret == 0 && (mask & VZ_RES_UB_OTHER))
		apply_ub_other(&a);
	if (ret == 0 && (mask & VZ_RES_CPU))
		ret = apply_cpu(&a, err);
	if (ret == 0 && (mask & VZ_RES_CPUSET))
		ret = apply_cpuset(&a, err);
	if (ret == 0 && (mask & VZ_RES_IO))
		ret = apply_io(&a, err);
	if (ret == 0 && (mask & VZ_RES_DEVICES))
		ret = cg->ops->set_devices(cg, a.res.devs, a.res.nr_devs, err);
	vz_res_free(&a.res);
	if (ret < 0)
		return ret;
	warn_unenforced(&a);
	if (strict && a.unenforced[0])
		return vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, EOPNOTSUPP,
				    "This kernel cannot enforce %s (strict limits were asked for)",
				    a.unenforced);
	return 0;
}
