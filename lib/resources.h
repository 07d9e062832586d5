/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenVZ's resource vocabulary (beancounters, VSwap, CPU, I/O, devices)
 * and its mapping onto cgroups.  resources-parse.c checks and reads the
 * values of the config keys (and the vzctl set options that write them),
 * resources-apply.c turns a CT's config into cgroup settings at start and
 * on a running CT.
 */
#ifndef VZ_RESOURCES_H
#define VZ_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ct.h"
#include "devfilter.h"

#define VZ_PAGE_BYTES 4096

/*
 * The beancounters in /proc/user_beancounters order (the dummy rows left
 * out): config key, name, unit of a number without suffix (bytes or pages),
 * whether K/M/G suffixes are allowed (not for object counters), and whether
 * the project's kernel controller counts it (beancounter.barrier/limit).
 */
#define VZ_UB_LIST(X)                                                                              \
	X(KMEMSIZE, kmemsize, 1, true, false)                                                      \
	X(LOCKEDPAGES, lockedpages, VZ_PAGE_BYTES, true, false)                                    \
	X(PRIVVMPAGES, privvmpages, VZ_PAGE_BYTES, true, false)                                    \
	X(SHMPAGES, shmpages, VZ_PAGE_BYTES, true, false)                                          \
	X(NUMPROC, numproc, 1, false, false)                                                       \
	X(PHYSPAGES, physpages, VZ_PAGE_BYTES, true, false)                                        \
	X(VMGUARPAGES, vmguarpages, VZ_PAGE_BYTES, true, false)                                    \
	X(OOMGUARPAGES, oomguarpages, VZ_PAGE_BYTES, true, false)                                  \
	X(NUMTCPSOCK, numtcpsock, 1, false, true)                                                  \
	X(NUMFLOCK, numflock, 1, false, true)                                                      \
	X(NUMPTY, numpty, 1, false, true)                                                          \
	X(NUMSIGINFO, numsiginfo, 1, false, true)                                                  \
	X(TCPSNDBUF, tcpsndbuf, 1, true, false)                                                    \
	X(TCPRCVBUF, tcprcvbuf, 1, true, false)                                                    \
	X(OTHERSOCKBUF, othersockbuf, 1, true, false)                                              \
	X(DGRAMRCVBUF, dgramrcvbuf, 1, true, false)                                                \
	X(NUMOTHERSOCK, numothersock, 1, false, true)                                              \
	X(DCACHESIZE, dcachesize, 1, true, false)                                                  \
	X(NUMFILE, numfile, 1, false, true)                                                        \
	X(NUMIPTENT, numiptent, 1, false, false)                                                   \
	X(SWAPPAGES, swappages, VZ_PAGE_BYTES, true, false)

#define VZ_UB_ENUM(key, name, unit, sfx, kbc) VZ_UB_##name,
enum vz_ub_id { VZ_UB_LIST(VZ_UB_ENUM) VZ_UB__COUNT };
#undef VZ_UB_ENUM

struct vz_ub_def {
	const char *key;  /* "NUMPROC" */
	const char *name; /* "numproc" */
	uint64_t unit;	  /* bytes of one unit of a plain number */
	bool suffix;
	bool kernel_bc; /* counted by the beancounter controller */
};
extern const struct vz_ub_def vz_ub_defs[VZ_UB__COUNT];

/* The beancounter whose key (any case) or name is text; -1 if none. */
int vz_ub_lookup(const char *text);

struct vz_ub_value {
	int64_t barrier, limit; /* in units; VZ_UNLIMITED for none */
	bool set;		/* the config gives it */
	bool derived;		/* computed from --ram/--swap (VSwap) */
};

struct vz_cpulimit {
	long value; /* -1 unset, 0 unlimited */
	bool host;  /* "N%": percent of the whole host, else of one CPU */
};

#define VZ_RES_MAX_DEVS 64

/* OpenVZ's FEATURES names, in its order. */
#define VZ_FEATURE_LIST(X)                                                                         \
	X(sysfs)                                                                                   \
	X(nfs)                                                                                     \
	X(sit)                                                                                     \
	X(ipip)                                                                                    \
	X(ppp)                                                                                     \
	X(ipgre)                                                                                   \
	X(bridge)                                                                                  \
	X(nfsd)

#define VZ_FEATURE_ENUM(name) VZ_FEATURE_##name,
enum vz_feature { VZ_FEATURE_LIST(VZ_FEATURE_ENUM) VZ_FEATURE__COUNT };
#undef VZ_FEATURE_ENUM
extern const char *const vz_feature_names[VZ_FEATURE__COUNT];

/* FEATURES of a CT's config: bit (1 << vz_feature) set in on or off when named. */
struct vz_features {
	unsigned on, off;
};
int vz_res_load_features(const struct vz_ct *ct, struct vz_features *f, struct vz_error *err);
/* Whether the feature is on: as the config says, else dflt. */
bool vz_res_feature(const struct vz_ct *ct, enum vz_feature feat, bool dflt);

struct vz_res {
	struct vz_ub_value ub[VZ_UB__COUNT];
	double vm_overcommit; /* 0 when unset */
	long cpuunits;	      /* -1 unset */
	struct vz_cpulimit cpulimit;
	long cpus;				  /* -1 unset, 0 unlimited */
	char *cpumask;				  /* NULL unset, "" every CPU, else a list */
	char *nodemask;				  /* NULL unset, "" every node, else a list */
	int64_t iolimit;			  /* bytes/s; -1 unset, 0 unlimited */
	int64_t iopslimit;			  /* -1 unset, 0 unlimited */
	int ioprio;				  /* -1 unset */
	struct vz_dev_rule devs[VZ_RES_MAX_DEVS]; /* DEVICES, DEVNODES, FEATURES ppp */
	size_t nr_devs;
	struct vz_features features;
};

/* ---- resources-parse.c: values of the config keys --------------------- */

/*
 * Check "barrier[:limit]" for the beancounter: numbers (with suffixes for
 * the byte and page counters), "unlimited", barrier <= limit.  NULL when
 * valid, else why not.
 */
const char *vz_res_check_ub(enum vz_ub_id id, const char *text);
/* RAM/swap size for --ram/--swap: bytes with K/M/G/T, not unlimited; -> pages. */
int vz_res_parse_ram(const char *text, int64_t *pages, struct vz_error *err);
/* The checks behind the keys (NULL when valid, else why not). */
const char *vz_res_check_vm_overcommit(const char *text);
const char *vz_res_check_cpuunits(const char *text);
const char *vz_res_check_cpulimit(const char *text);
const char *vz_res_check_cpus(const char *text);
const char *vz_res_check_cpumask(const char *text);
const char *vz_res_check_iolimit(const char *text);
const char *vz_res_check_iopslimit(const char *text);
const char *vz_res_check_ioprio(const char *text);
const char *vz_res_check_devices(const char *text);
const char *vz_res_check_devnodes(const char *text);
const char *vz_res_check_features(const char *text);
const char *vz_res_check_capability(const char *text);

int vz_res_parse_cpulimit(const char *text, struct vz_cpulimit *out);
/* IOLIMIT: a number with B/K/M/G (default M), per second -> bytes/s. */
int vz_res_parse_iolimit(const char *text, int64_t *bytes);
/* "0-3,5" or "all"/"auto" (-> "") into a canonical list; -EINVAL if bad. */
int vz_res_parse_cpulist(const char *text, char **out);

/*
 * Merge space-separated "name:value" entries of add into list (an entry
 * with the same name is replaced), for DEVICES, DEVNODES, FEATURES and
 * CAPABILITY; *out is malloc'ed.  The name of a DEVICES entry is its
 * "type:major:minor".
 */
int vz_res_merge_list(const char *list, const char *add, char **out);

/*
 * Read every resource of the CT's config (CT config over vz.conf) and
 * derive what VSwap implies (lockedpages, oomguarpages, vmguarpages,
 * privvmpages from PHYSPAGES, SWAPPAGES and VM_OVERCOMMIT where the
 * config does not set them).  DEVNODES are resolved through the host's
 * /dev.  Bad values are VZ_E_BAD_VALUE.
 */
int vz_res_load(const struct vz_ct *ct, struct vz_res *res, struct vz_error *err);
void vz_res_free(struct vz_res *res);
void vz_res_derive(struct vz_res *res);

/* ---- resources-apply.c: onto the CT's cgroups -------------------------- */

/* What a set of changed keys touches. */
enum {
	VZ_RES_MEM = 1 << 0,	  /* physpages, swappages, oomguarpages (+ VSwap) */
	VZ_RES_NUMPROC = 1 << 1,  /* pids */
	VZ_RES_KBC = 1 << 2,	  /* the beancounter controller's counters */
	VZ_RES_UB_OTHER = 1 << 3, /* beancounters no cgroup enforces */
	VZ_RES_CPU = 1 << 4,	  /* cpuunits, cpulimit, cpus */
	VZ_RES_CPUSET = 1 << 5,	  /* cpumask, nodemask */
	VZ_RES_IO = 1 << 6,	  /* iolimit, iopslimit, ioprio */
	VZ_RES_DEVICES = 1 << 7,  /* devices, devnodes */
	VZ_RES_FEATURES = 1 << 8, /* what the kernel has for FEATURES (at start) */
	VZ_RES_ALL = (1 << 9) - 1,
	VZ_RES_UB = VZ_RES_MEM | VZ_RES_NUMPROC | VZ_RES_KBC | VZ_RES_UB_OTHER,
};

/* The VZ_RES_* bits a config key belongs to, 0 for other keys. */
unsigned vz_res_key_mask(const char *key);

/*
 * Apply the resources of mask from the CT's config to its cgroups (which
 * exist).  A limit the running kernel cannot enforce is a warning naming
 * the parameter, or, with strict (STRICT_LIMITS=yes or vzctl set
 * --strict), a VZ_E_NO_KERNEL_SUPPORT error after everything else was
 * applied.  Failures to write a limit are VZ_E_UBC / VZ_E_CPU /
 * VZ_E_DEVICES / VZ_E_SYSTEM.
 */
struct vz_cgroup;
int vz_res_apply(struct vz_ct *ct, struct vz_cgroup *cg, unsigned mask, bool strict,
		 struct vz_error *err);

/*
 * Process limits a CT's processes inherit from its init, set on the host
 * pid: RLIMIT_MEMLOCK from LOCKEDPAGES (VSwap: the RAM).  A CT's root
 * cannot raise a hard limit (that takes CAP_SYS_RESOURCE on the host), so
 * every process of the CT locks at most that much; the sum over the CT's
 * processes is not bounded.  Leaves the limit as is when unlimited.  Without
 * CAP_SYS_RESOURCE a limit above the caller's own hard limit stays at that
 * (said when warn).  vzctl exec applies it to what it runs in the CT too.
 */
int vz_res_apply_rlimits(const struct vz_ct *ct, pid_t pid, bool warn, struct vz_error *err);
/* The same on every process of a running CT (all in init_pid's pid namespace). */
int vz_res_apply_rlimits_live(const struct vz_ct *ct, pid_t init_pid, struct vz_error *err);

/* ---- resources-dev.c: device nodes in the CT's /dev -------------------- */

/* A node of DEVNODES (or /dev/ppp of FEATURES ppp:on) for the CT's /dev. */
struct vz_devnode {
	char name[64]; /* under /dev: "net/tun" */
	mode_t mode;   /* S_IFCHR or S_IFBLK and the host node's permissions */
	dev_t rdev;
	bool remove; /* access none (ppp:off): take the node away */
};

struct vz_devnodes {
	struct vz_devnode node[VZ_RES_MAX_DEVS];
	size_t nr;
	int mntfd; /* detached tmpfs with the nodes to add (named by index), or -1 */
};

/* The nodes the CT's config asks for (resolved through the host's /dev). */
int vz_devnodes_load(const struct vz_ct *ct, struct vz_devnodes *dn, struct vz_error *err);
/*
 * On the host: make the nodes to add on a detached tmpfs of the host's,
 * owned by the CT's root (uid, gid on the host) with the host's modes.
 */
int vz_devnodes_prepare(struct vz_devnodes *dn, uid_t uid, gid_t gid, struct vz_error *err);
/*
 * Inside the CT's mount namespace as the CT's root, its root being "/":
 * bind each prepared node onto /dev/<name>, remove the ones to remove.
 */
int vz_devnodes_attach(const struct vz_devnodes *dn, struct vz_error *err);
void vz_devnodes_close(struct vz_devnodes *dn);
/* All of it on a running CT, from a helper in its user and mount namespaces. */
int vz_devnodes_apply_live(const struct vz_ct *ct, pid_t init_pid, struct vz_error *err);

/* ---- resources-sample.c: vzctl set --applyconfig ----------------------- */

/*
 * Copy the values of $VZ_CONFDIR/conf/ve-<name>.conf-sample into the CT's
 * config in memory, except the keys that identify the CT (HOSTNAME,
 * IP_ADDRESS, OSTEMPLATE, VE_ROOT, VE_PRIVATE, NAME, LOCAL_UID, LOCAL_GID,
 * VE_LAYOUT, NETIF).  Adds the VZ_RES_* bits of the copied keys to *mask;
 * *restart is set when a key that cannot change live was copied.  A
 * missing sample is VZ_E_APPLY_CONFIG.
 */
int vz_res_apply_sample(struct vz_ct *ct, const char *name, unsigned *mask, bool *restart,
			struct vz_error *err);

#endif
