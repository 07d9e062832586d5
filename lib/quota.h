/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Disk quotas of CTs.  A quota id (the CTID) is a project id: the tree is
 * tagged with it and the inherit flag (FS_IOC_FSSETXATTR), and the file
 * system keeps the usage itself (ext4 -O quota,project mounted with
 * prjquota, or xfs with prjquota), so nothing is rescanned after a crash.
 * Limits go to the kernel with quotactl on PRJQUOTA.  The quota file
 * $VZ_QUOTA_DIR/quota.<id> (default /var/vzquota) remembers the tree, the
 * limits and whether they are on; "off" keeps the accounting and lifts
 * the limits.
 *
 *   quota.c       kernel side: support checks, quotactl
 *   quota-tag.c   tagging a tree with the id (vzquota init), in parallel
 *   quota-file.c  the quota file and the vzquota commands on top of both
 *   quota-ct.c    a CT's DISKSPACE/DISKINODES/QUOTATIME for vzctl, any layout
 */
#ifndef VZ_QUOTA_H
#define VZ_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"
#include "error.h"

#define VZ_QUOTA_DEFAULT_DIR "/var/vzquota"
/*
 * The root of a tree every inode of which is in the project (quota-tag.c);
 * a trusted.* xattr: only the node's root sets or removes it.  Each node
 * marks its own trees: a migration does not carry it.
 */
#define VZ_QUOTA_TAG_MARK "trusted.vz.quota-tagged"

struct vz_quota_limits {
	uint64_t bsoft, bhard;	 /* 1K blocks; 0: no limit */
	uint64_t isoft, ihard;	 /* inodes; 0: no limit */
	uint64_t bgrace, igrace; /* seconds over the soft limit before it acts as hard */
	uint64_t ugidlimit;	 /* second-level quota: 0 off */
};

/* Which limits a setlimit changes. */
enum {
	VZ_QL_BSOFT = 1 << 0,
	VZ_QL_BHARD = 1 << 1,
	VZ_QL_ISOFT = 1 << 2,
	VZ_QL_IHARD = 1 << 3,
	VZ_QL_BGRACE = 1 << 4,
	VZ_QL_IGRACE = 1 << 5,
	VZ_QL_UGID = 1 << 6,
	VZ_QL_ALL = (1 << 7) - 1,
};

struct vz_quota_usage {
	uint64_t bcur; /* 1K blocks, rounded up */
	uint64_t icur;
	int64_t btime, itime; /* when an exceeded soft limit turns hard (epoch s), 0: not over */
};

struct vz_quota {
	unsigned id;
	char path[4096];
	bool on;
	struct vz_quota_limits lim;
	struct vz_quota_usage usage; /* from the kernel (stat) or as last seen (show) */
};

/* ---- quota.c, quota-tag.c: the kernel */
/* The running kernel has the quota format of ext4's quota feature (QFMT_V2). */
bool vz_quota_kernel_supported(void);
/* Project quota works on the file system of path; else a message naming what is missing. */
int vz_quota_check_fs(const char *path, struct vz_error *err);
/*
 * Tag path and everything below it on the same file system with project
 * id (directories also with the inherit flag): regular files and
 * directories, not symlinks or special files (see quota-tag.c).  Counts
 * the inodes it changed; those that had the id already are left alone.
 * One worker thread per online CPU (VZ_QUOTA_TAG_THREADS overrides it).
 */
int vz_quota_tag_tree(const char *path, unsigned id, uint64_t *nr_tagged, struct vz_error *err);
/* Give the directory path project id and the inherit flag: what is made in it later inherits both. */
int vz_quota_tag_dir(const char *path, unsigned id, struct vz_error *err);
int vz_quota_kernel_get(const char *path, unsigned id, struct vz_quota_usage *u,
			struct vz_quota_limits *l, struct vz_error *err);
/* Set block and inode limits of project id (all zero lifts them) and the file system's grace. */
int vz_quota_kernel_set(const char *path, unsigned id, const struct vz_quota_limits *l,
			bool set_grace, struct vz_error *err);

/* ---- quota-file.c: the vzquota commands */
const char *vz_quota_dir(void);
/* Read the quota file of id: VZ_E_QUOTA_NO_FILE when there is none. */
int vz_quota_load(unsigned id, struct vz_quota *q, struct vz_error *err);
int vz_quota_init(unsigned id, const char *path, const struct vz_quota_limits *l,
		  struct vz_error *err);
int vz_quota_on(unsigned id, struct vz_error *err);
int vz_quota_off(unsigned id, struct vz_error *err);
/* Remove the quota file (force: even while on, lifting the limits). */
int vz_quota_drop(unsigned id, bool force, struct vz_error *err);
int vz_quota_setlimit(unsigned id, const struct vz_quota_limits *l, unsigned mask,
		      struct vz_error *err);
/* The kernel's usage and limits now (quota must be on). */
int vz_quota_stat(unsigned id, struct vz_quota *q, struct vz_error *err);
/* What the quota file holds (limits, last usage seen). */
int vz_quota_show(unsigned id, struct vz_quota *q, struct vz_error *err);

/* ---- quota-ct.c: vzctl */
/* DISKSPACE/DISKINODES/QUOTATIME/QUOTAUGIDLIMIT of ct as limits; 0 if unset. */
int vz_ct_quota_limits(struct vz_ct *ct, struct vz_quota_limits *l, struct vz_error *err);
/* The tree a project quota of ct covers: VE_PRIVATE (simfs) or its upper dir (overlay). */
char *vz_ct_quota_path(struct vz_ct *ct);
/* Project quotas are used for ct: DISK_QUOTA=yes and a layout without its own limit. */
bool vz_ct_quota_enabled(struct vz_ct *ct);
int vz_ct_quota_init(struct vz_ct *ct, struct vz_error *err);
int vz_ct_quota_on(struct vz_ct *ct, struct vz_error *err);
int vz_ct_quota_off(struct vz_ct *ct, struct vz_error *err);
/*
 * At create and on a migration's destination, on the still empty private
 * area dir: what the template or the source brings in is born with the
 * CT's project id, so the first quota init has nothing to write and
 * symlinks and device nodes are counted too.  Best effort: where the file
 * system has no project ids, that init reports it.
 */
void vz_ct_quota_prepare(struct vz_ct *ct, const char *dir);
/* At destroy: drop the CT's project quota, if it has one. */
void vz_ct_quota_forget(struct vz_ct *ct);
/* At mount: the image layout is limited already; others get their quota on. */
int vz_ct_quota_mount(struct vz_ct *ct, struct vz_error *err);

/* Keys vzctl set changed, for vz_ct_disk_apply(). */
enum {
	VZ_DISK_SPACE = 1 << 0,
	VZ_DISK_INODES = 1 << 1,
	VZ_DISK_QUOTATIME = 1 << 2,
	VZ_DISK_UGIDLIMIT = 1 << 3,
};
/*
 * Check new disk settings (already in ct's config; old_inodes is the
 * DISKINODES before) against what the layout allows, changing nothing.
 */
int vz_ct_disk_check(struct vz_ct *ct, unsigned changed, const char *old_inodes,
		     struct vz_error *err);
/*
 * Apply them to the CT's storage: the image resized (online when mounted),
 * or the limits of a project quota that is on.
 */
int vz_ct_disk_apply(struct vz_ct *ct, unsigned changed, struct vz_error *err);

#endif
