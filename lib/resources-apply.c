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
#include <netlink/errno.h>
#include <netlink/route/link.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "fileutil.h"
#include "log.h"
#include "procutil.h"
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
		{"FEATURES", VZ_RES_FEATURES},
		{"LOCKEDPAGES", VZ_RES_MEM | VZ_RES_UB_OTHER},
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
	/*
	 * cgroup v1 has no memory.low; its soft limit is the nearest thing:
	 * under host memory pressure groups above theirs are reclaimed first.
	 */
	if ((missing & VZ_CG_NO_MEMLOW) && a->cg->ops->set) {
		char val[32];

		snprintf(val, sizeof(val), "%lld", low ? (long long)low : -1LL);
		ret = a->cg->ops->set(a->cg, "memory", "memory.soft_limit_in_bytes", val, NULL);
		if (ret == 0)
			missing &= ~VZ_CG_NO_MEMLOW;
	}
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
	const struct vz_ub_value *priv = &a->res.ub[VZ_UB_privvmpages];

	for (int i = 0; i < VZ_UB__COUNT; i++) {
		const struct vz_ub_value *u = &a->res.ub[i];
		const char *why = "no cgroup controller keeps such a count";

		if (vz_ub_defs[i].kernel_bc || i == VZ_UB_numproc || i == VZ_UB_physpages ||
		    i == VZ_UB_swappages || i == VZ_UB_oomguarpages || i == VZ_UB_lockedpages)
			continue; /* lockedpages: RLIMIT_MEMLOCK, vz_res_apply_rlimits() */
		if (i == VZ_UB_vmguarpages)
			why = "no cgroup guarantees that memory allocations succeed";
		else if (i == VZ_UB_privvmpages)
			why = "no cgroup limits committed virtual memory";
		if (ub_limited(u) && !u->derived)
			cannot(a, vz_ub_defs[i].key, why);
	}
	/* privvmpages = (RAM + swap) * VM_OVERCOMMIT: nothing exact exists. */
	if (a->res.vm_overcommit > 0 && priv->derived && priv->limit != VZ_UNLIMITED)
		cannot(a, "VM_OVERCOMMIT", "no cgroup limits committed virtual memory");
}

static void rlimit_of(const struct vz_res *res, struct rlimit *rl)
{
	const struct vz_ub_value *u = &res->ub[VZ_UB_lockedpages];
	int64_t b = u->set ? pages_to_bytes(u->barrier) : VZ_CG_UNLIMITED;

	/* Soft and hard at the barrier: a CT's root can raise neither above it. */
	rl->rlim_cur = rl->rlim_max = b == VZ_CG_UNLIMITED ? RLIM_INFINITY : (rlim_t)b;
}

/*
 * RLIMIT_MEMLOCK of pid; 1 when it could not be raised to the value (no
 * CAP_SYS_RESOURCE): then it stays at the lower hard limit it has.
 */
static int set_memlock(pid_t pid, const struct rlimit *rl)
{
	struct rlimit cur;

	if (prlimit(pid, RLIMIT_MEMLOCK, rl, NULL) == 0)
		return 0;
	if (errno != EPERM || prlimit(pid, RLIMIT_MEMLOCK, NULL, &cur) < 0)
		return -errno;
	if (cur.rlim_max == RLIM_INFINITY || cur.rlim_max >= rl->rlim_max)
		return -EPERM;
	cur.rlim_cur = cur.rlim_max;
	return prlimit(pid, RLIMIT_MEMLOCK, &cur, NULL) < 0 ? -errno : 1;
}

static void warn_memlock_held(pid_t pid)
{
	struct rlimit cur = {0};

	prlimit(pid, RLIMIT_MEMLOCK, NULL, &cur);
	vz_warn("Warning: LOCKEDPAGES is held at %llu bytes, the RLIMIT_MEMLOCK vzctl runs with: "
		"raising it needs CAP_SYS_RESOURCE",
		(unsigned long long)cur.rlim_max);
}

int vz_res_apply_rlimits(const struct vz_ct *ct, pid_t pid, bool warn, struct vz_error *err)
{
	struct vz_res res;
	struct rlimit rl;
	int ret = vz_res_load(ct, &res, err);

	if (ret < 0)
		return ret;
	rlimit_of(&res, &rl);
	vz_res_free(&res);
	if (rl.rlim_max == RLIM_INFINITY)
		return 0;
	ret = set_memlock(pid, &rl);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_UBC, -ret, "Cannot set LOCKEDPAGES (RLIMIT_MEMLOCK)");
	if (ret > 0 && warn)
		warn_memlock_held(pid);
	return 0;
}

int vz_res_apply_rlimits_live(const struct vz_ct *ct, pid_t init_pid, struct vz_error *err)
{
	__vz_closedir DIR *d = NULL;
	struct vz_res res;
	struct rlimit rl;
	struct dirent *e;
	char path[64];
	struct stat ns, st;
	bool held = false;
	int ret = vz_res_load(ct, &res, err);

	if (ret < 0)
		return ret;
	rlimit_of(&res, &rl);
	vz_res_free(&res);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", init_pid);
	if (stat(path, &ns) < 0)
		return 0; /* init is gone (a RAM limit it did not fit in): no processes left */
	d = opendir("/proc");
	if (!d)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot find the CT's processes");
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);

		snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
		if (pid <= 0 || stat(path, &st) < 0 || st.st_ino != ns.st_ino ||
		    st.st_dev != ns.st_dev)
			continue;
		ret = set_memlock(pid, &rl);
		/* A process that is gone meanwhile is no failure. */
		if (ret < 0 && ret != -ESRCH)
			return vz_error_sys(err, VZ_E_UBC, -ret,
					    "Cannot set LOCKEDPAGES (RLIMIT_MEMLOCK) of pid %d",
					    pid);
		if (ret > 0 && !held) {
			warn_memlock_held(pid);
			held = true;
		}
	}
	return 0;
}

/* ---- FEATURES ---------------------------------------------------------- */

/* Load a kernel module the feature needs, where modules can be loaded. */
static void modprobe(const char *module)
{
	char *const argv[] = {"/sbin/modprobe", "-q", (char *)module, NULL};
	char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};

	if (access("/proc/modules", F_OK) == 0 && access(argv[0], X_OK) == 0)
		vz_run_wait(argv, envp);
}

/* Whether a link of this kind can be created: tried in a network namespace of its own. */
static bool link_kind_works(const char *kind)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct nl_sock *sk;
		struct rtnl_link *link;
		int ret;

		if (unshare(CLONE_NEWNET) < 0 || !(sk = nl_socket_alloc()) ||
		    nl_connect(sk, NETLINK_ROUTE) < 0 || !(link = rtnl_link_alloc()))
			_exit(2);
		rtnl_link_set_name(link, "vzprobe0");
		if (rtnl_link_set_type(link, kind) < 0)
			_exit(1);
		/*
		 * EEXIST: the kind is known, and a tunnel without addresses is
		 * the namespace's own fallback device (sit0, tunl0, gre0).
		 */
		ret = rtnl_link_add(sk, link, NLM_F_CREATE);
		_exit(ret < 0 && ret != -NLE_EXIST ? 1 : 0);
	}
	if (pid < 0)
		return false;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool char_driver(const char *name)
{
	__vz_fclose FILE *f = fopen("/proc/devices", "re");
	char line[128], drv[64];
	int major;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Block", 5))
			break;
		if (sscanf(line, "%d %63s", &major, drv) == 2 && !strcmp(drv, name))
			return true;
	}
	return false;
}

static bool filesystem(const char *name)
{
	__vz_fclose FILE *f = fopen("/proc/filesystems", "re");
	char line[128], a[64], b[64];

	while (f && fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%63s %63s", a, b);

		if ((n == 1 && !strcmp(a, name)) || (n == 2 && !strcmp(b, name)))
			return true;
	}
	return false;
}

/*
 * What the kernel does for FEATURES.  sysfs is the CT's /sys (rootfs.c),
 * ppp its /dev/ppp (resources-dev.c); here: load what an "on" needs, say
 * what cannot be had, and what an "off" cannot keep from the CT's root.
 */
static void apply_features(struct apply *a)
{
	static const struct {
		enum vz_feature feat;
		const char *kind, *module;
	} links[] = {
		{VZ_FEATURE_bridge, "bridge", "bridge"},
		{VZ_FEATURE_sit, "sit", "sit"},
		{VZ_FEATURE_ipip, "ipip", "ipip"},
		{VZ_FEATURE_ipgre, "gre", "ip_gre"},
	};
	const struct vz_features *f = &a->res.features;
	bool userns = vz_ct_get_ulong(a->ct, "LOCAL_UID", 0) != 0;
	bool modules = access("/proc/modules", F_OK) == 0;
	char key[64];

	if (f->on & 1u << VZ_FEATURE_ppp) {
		modprobe("ppp_generic");
		if (!char_driver("ppp"))
			cannot(a, "FEATURES ppp:on", "this kernel has no PPP driver");
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		unsigned bit = 1u << links[i].feat;

		snprintf(key, sizeof(key), "FEATURES %s:%s", vz_feature_names[links[i].feat],
			 f->on & bit ? "on" : "off");
		if (f->on & bit) {
			modprobe(links[i].module);
			if (!link_kind_works(links[i].kind))
				cannot(a, key, "this kernel has no driver for such links");
		} else if ((f->off & bit) && (modules || link_kind_works(links[i].kind))) {
			cannot(a, key,
			       "the CT's root can create such links when the kernel has (or loads) "
			       "the driver");
		}
	}
	if ((f->on & 1u << VZ_FEATURE_nfs) && userns)
		cannot(a, "FEATURES nfs:on",
		       "a CT in a user namespace can neither mount NFS nor serve it");
	else if ((f->on & 1u << VZ_FEATURE_nfs) && !filesystem("nfs"))
		cannot(a, "FEATURES nfs:on", "this kernel has no NFS client");
	else if ((f->off & 1u << VZ_FEATURE_nfs) && !userns && filesystem("nfs"))
		cannot(a, "FEATURES nfs:off", "a privileged CT can mount what the kernel has");
	if ((f->on & 1u << VZ_FEATURE_nfsd) && userns)
		cannot(a, "FEATURES nfsd:on",
		       "a CT in a user namespace can neither mount NFS nor serve it");
	else if ((f->on & 1u << VZ_FEATURE_nfsd) && !filesystem("nfsd"))
		cannot(a, "FEATURES nfsd:on", "this kernel has no NFS server");
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
	if (ret == 0 && (mask & VZ_RES_FEATURES))
		apply_features(&a);
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
