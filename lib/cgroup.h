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
#include <sys/types.h>

#include "ct.h"

#define VZ_CG_MAX_HIER 16

struct vz_cgroup;

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

#define __vz_cgroup __attribute__((cleanup(vz_cgroup_freep)))
static inline void vz_cgroup_freep(struct vz_cgroup **c)
{
	vz_cgroup_free(*c);
}

#endif
