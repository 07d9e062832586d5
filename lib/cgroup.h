/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One cgroup interface for CTs, with a cgroup v1 (hybrid) backend and a
 * cgroup v2 backend chosen at run time.  A CT's group is
 * <CGROUP_PARENT>/<CTID>; an absolute CGROUP_PARENT is taken from the root
 * of each hierarchy, a relative one from the cgroup of the calling process.
 */
#ifndef VZ_CGROUP_H
#define VZ_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ct.h"
#include "devfilter.h"

#define VZ_CG_MAX_HIER 16
#define VZ_CG_UNLIMITED INT64_MAX

struct vz_cgroup;

/* What a backend could not set because the kernel lacks the file or controller. */
enum {
	VZ_CG_NO_MEM = 1 << 0,
	VZ_CG_NO_SWAP = 1 << 1,
	VZ_CG_NO_MEMLOW = 1 << 2,
	VZ_CG_NO_CPU_WEIGHT = 1 << 3,
	VZ_CG_NO_CPU_MAX = 1 << 4,
	VZ_CG_NO_IO_WEIGHT = 1 << 5,
	VZ_CG_NO_IO_MAX = 1 << 6,
};

/* Usage counters of a CT's groups (bytes or counts); -1 when not measured. */
struct vz_cg_stats {
	int64_t mem, mem_peak, mem_max, mem_failcnt;
	int64_t mem_high, mem_low, mem_min; /* thresholds; v1: unlimited, 0, 0 */
	int64_t swap, swap_peak, swap_max, swap_failcnt;
	int64_t kmem, kmem_peak, kmem_failcnt;
	int64_t anon, shmem, unevictable, sock, slab_reclaimable;
	int64_t oom_kill;
	int64_t pids, pids_peak, pids_max, pids_failcnt;
};

struct vz_cgroup_ops {
	const char *name;
	int (*create)(struct vz_cgroup *cg, struct vz_error *err);
	int (*attach)(struct vz_cgroup *cg, pid_t pid, struct vz_error *err);
	/* Kill every task (they were all started for the CT) and remove the groups. */
	int (*destroy)(struct vz_cgroup *cg, struct vz_error *err);
	int (*set)(struct vz_cgroup *cg, const char *controller, const char *file,
		   const char *value, struct vz_error *err);
	int (*get)(struct vz_cgroup *cg, const char *controller, const char *file, char *buf,
		   size_t size);
	/* Allow only the devices a CT needs (null, zero, tty, ptys...). */
	int (*setup_devices)(struct vz_cgroup *cg, struct vz_error *err);
	/* Hand the groups to the CT's root user (systemd inside manages them). */
	int (*delegate)(struct vz_cgroup *cg, uid_t uid, gid_t gid, struct vz_error *err);
	bool (*exists)(struct vz_cgroup *cg);

	/*
	 * Resource limits (lib/resources-apply.c).  Values are bytes, counts or
	 * microseconds, VZ_CG_UNLIMITED for none, -1 to leave as is.  A knob
	 * the kernel lacks sets its VZ_CG_NO_* bit in *missing; a controller
	 * that is missing altogether is -EOPNOTSUPP with err untouched.
	 */
	int (*set_memory)(struct vz_cgroup *cg, int64_t mem, int64_t swap, int64_t low,
			  unsigned *missing, struct vz_error *err);
	int (*set_pids)(struct vz_cgroup *cg, int64_t max, struct vz_error *err);
	/* weight in OpenVZ cpuunits (8..500000, 1000 the default). */
	int (*set_cpu)(struct vz_cgroup *cg, int64_t units, int64_t quota_us, int64_t period_us,
		       unsigned *missing, struct vz_error *err);
	/* NULL leaves a list alone, "" gives every CPU/node of the parent. */
	int (*set_cpuset)(struct vz_cgroup *cg, const char *cpus, const char *mems,
			  struct vz_error *err);
	/* Throttle the block device major:minor; weight 1..1000 or -1. */
	int (*set_io)(struct vz_cgroup *cg, unsigned major, unsigned minor, int64_t bps,
		      int64_t iops, int64_t weight, unsigned *missing, struct vz_error *err);
	/* The default devices plus rules (first match decides). */
	int (*set_devices)(struct vz_cgroup *cg, const struct vz_dev_rule *rules, size_t nr,
			   struct vz_error *err);
	/* One counter of the project's beancounter controller (v2 only). */
	int (*set_beancounter)(struct vz_cgroup *cg, const char *name, int64_t barrier,
			       int64_t limit, struct vz_error *err);
	int (*read_stats)(struct vz_cgroup *cg, struct vz_cg_stats *st);
};

struct vz_cg_hier {
	char controllers[64]; /* "memory", "cpu,cpuacct", "name=systemd", "" for v2 */
	char *path;	      /* absolute path of the CT's group in this hierarchy */
};

struct vz_cgroup {
	const struct vz_cgroup_ops *ops;
	struct vz_cg_hier hier[VZ_CG_MAX_HIER];
	int nr_hier;
	char *relpath; /* <parent>/<CTID> as the config gives it */
};

extern const struct vz_cgroup_ops vz_cgroup_v1_ops;
extern const struct vz_cgroup_ops vz_cgroup_v2_ops;

/* 2 on a pure cgroup v2 host, 1 on v1 or hybrid, -errno if neither is mounted. */
int vz_cgroup_mode(void);
int vz_cgroup_open(struct vz_ct *ct, struct vz_cgroup **out, struct vz_error *err);
void vz_cgroup_free(struct vz_cgroup *cg);

/* Helpers the backends share. */
int vz_cg_hier_add(struct vz_cgroup *cg, const char *mountpoint, const char *controllers,
		   const char *own_path, const char *parent, const char *ctid);
const char *vz_cg_hier_path(struct vz_cgroup *cg, const char *controller);
int vz_cg_read_pids(const char *dir, pid_t **pids, size_t *nr);
/* A number from a cgroup file ("max" is VZ_CG_UNLIMITED); -errno if unreadable. */
int vz_cg_read_num(const char *dir, const char *file, int64_t *out);
/* The value of "key N" in a flat-keyed file (memory.stat, memory.events); -ENOENT. */
int vz_cg_read_key(const char *dir, const char *file, const char *key, int64_t *out);

#define __vz_cgroup __attribute__((cleanup(vz_cgroup_freep)))
static inline void vz_cgroup_freep(struct vz_cgroup **c)
{
	vz_cgroup_free(*c);
}

#endif
