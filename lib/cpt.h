/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checkpoint and restore of a whole CT with CRIU (vzctl chkpnt/restore).
 *
 * A dump is one directory (default $DUMPDIR/Dump.<CTID>): CRIU's images,
 * ve.conf (the CT's config at dump time), meta.img (cpt-meta.proto:
 * ctid, layout, network, console, external mounts, cgroup limits, kernel
 * and CRIU versions, timestamps), tmpfs-N.img (the CT's /dev and /dev/shm,
 * cpt-tmpfs.h), nft.rules (its nftables ruleset, cpt-nft.h) and sysctl.net
 * (the network sysctls it changed, cpt-sysctl.h).
 *
 * The CT's processes, namespaces (pid, mount, uts, ipc, user, cgroup),
 * established TCP connections and file locks are CRIU's; around them the
 * node's side is ours: the CT's root is CRIU's --root, device nodes and the
 * console bound in from the node are external mounts, and so are the masks
 * (cpt-mask.h) and /dev, /dev/shm, whose content vzctl saves and restores
 * (cpt-tmpfs.h); the console is an external tty given a fresh pty on
 * restore; CRIU neither dumps nor restores the network namespace: it is
 * restored empty, plugged again by the network code (host routes, proxy
 * ARP, veth peers and bridges) and given back the CT's own addresses,
 * routes (cpt-net.h), network sysctls (cpt-sysctl.h) and nftables rules
 * (cpt-nft.h), which is why a CT
 * holding a link it made itself is refused; and the cgroup is created,
 * given its device rules and its recorded limits before CRIU moves the
 * tasks in.  A restored CT gets a new monitor that is the parent of its
 * init, exactly as after vzctl start.
 */
#ifndef VZ_CPT_H
#define VZ_CPT_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"

struct vz_seccomp;

#define VZ_CPT_META_FILE "meta.img"
#define VZ_CPT_CONF_FILE "ve.conf"

/* OpenVZ's step options; 0 means the whole operation. */
enum {
	VZ_CPT_SUSPEND = 1 << 0, /* chkpnt: freeze the CT */
	VZ_CPT_DUMP = 1 << 1,	 /* chkpnt: dump a suspended CT, leave it frozen */
	VZ_CPT_RESUME = 1 << 2,	 /* chkpnt, restore: thaw the CT */
	VZ_CPT_KILL = 1 << 3,	 /* chkpnt, restore: kill the (dumped / undumped) CT */
	VZ_CPT_UNDUMP = 1 << 4,	 /* restore: restore the CT frozen */
};

struct vz_cpt_opts {
	const char *dumpdir; /* NULL: $DUMPDIR/Dump.<CTID> */
	unsigned steps;
	/*
	 * chkpnt: called once the dump is complete (meta.img written) while the
	 * CT is still frozen and before CRIU kills it.  A failure makes CRIU
	 * resume the CT with its network (the migration rollback) and is what
	 * vz_ct_chkpnt() returns.
	 */
	int (*post_dump)(const char *dir, void *arg, struct vz_error *err);
	void *post_dump_arg;
	uint64_t frozen_ms; /* out: from the freeze to the end of post_dump */
	uint64_t frozen_at; /* out: when the tasks were stopped (CLOCK_MONOTONIC ms) */
	/*
	 * chkpnt after pre-dumps (migration): parent is CRIU's parent images
	 * directory relative to the dump ("../3"), the last pre-dump, so that
	 * only the pages dirtied since are dumped; with page_server the pages
	 * go through ps_fd, a stream socket to a CRIU page server (whose
	 * images directory has the matching "parent" link), not to the dump.
	 */
	const char *parent;
	bool page_server;
	int ps_fd;
	/* CRIU's own check of the kernel passed already (a migration's hello) */
	bool criu_checked;
	const char *criu_version; /* with criu_checked: the version it said, or NULL */
	/*
	 * Leave the CT's /dev and /dev/shm to CRIU (tar) instead of saving them
	 * here: for a destination that does not restore vzctl's own image.
	 */
	bool criu_tmpfs;
	/* Leave the CT's policy routing rules out: for a destination that refuses them. */
	bool no_net_rules;
	/*
	 * restore: the CT's seccomp filter compiled already (NULL for
	 * SECCOMP="off"), as a migration's destination does when the config
	 * arrives: compiling it takes tens of milliseconds, and there they
	 * would be spent while the CT is frozen.
	 */
	bool seccomp_ready;
	const struct vz_seccomp *seccomp;
};

/*
 * A pre-dump of a running CT (migration pre-copy): CRIU freezes the CT
 * only to collect its dirty pages and resumes it before writing them, and
 * starts tracking the pages the CT dirties from then on.  dir receives
 * CRIU's bookkeeping (inventory, stats, log); the pages go to dir too, or
 * through ps_fd to a page server.  parent as in struct vz_cpt_opts.
 */
struct vz_predump_opts {
	const char *dir;
	const char *failed_log; /* where CRIU's log goes if it fails (NULL: stays in dir) */
	const char *parent;
	bool page_server;
	int ps_fd;
	/* restore: CRIU's own check of the kernel passed already (a migration's hello) */
	bool criu_checked;
};

/* $DUMPDIR/Dump.<CTID>; malloc'ed, NULL if DUMPDIR is unset or on ENOMEM. */
char *vz_cpt_default_dir(struct vz_ct *ct);
/* Does dir hold a dump (its meta.img)? */
bool vz_cpt_dump_exists(const char *dir);
/* A down CT with a dump in the default place, or a running CT that is frozen. */
bool vz_cpt_is_suspended(struct vz_ct *ct, bool running);
/*
 * CRIU's check of this kernel (vz_criu_check()), a pass remembered for the
 * boot, the kernel and the CRIU binary in $RUNDIR/criu-check.
 */
int vz_cpt_criu_check(struct vz_ct *ct, char *version, size_t size, struct vz_error *err);

int vz_ct_chkpnt(struct vz_ct *ct, struct vz_cpt_opts *opts, struct vz_error *err);
int vz_ct_predump(struct vz_ct *ct, const struct vz_predump_opts *opts, struct vz_error *err);
int vz_ct_restore(struct vz_ct *ct, const struct vz_cpt_opts *opts, struct vz_error *err);

#endif
