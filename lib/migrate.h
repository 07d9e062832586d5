/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Moving a CT to another node (vzmigrate): the source and destination
 * halves of one conversation over a migration stream (migrate-stream.h).
 *
 *   source                               destination
 *   HELLO (versions, CPU flags, caps) -> checks: CT absent, CRIU usable
 *                                     <- REPLY + its own HELLO
 *   (source checks CPU flags, CRIU on both sides; --dry-run ends here)
 *   CONFIG                            -> config written, addresses free
 *                                     <- REPLY
 *   FILES (tar, CT running)           -> private area unpacked
 *                                     <- REPLY
 *   online: freeze + CRIU dump; at CRIU's post-dump, CT still frozen:
 *   FILES_DELTA (incremental tar)     -> applied
 *   DUMP (the dump directory)         -> vzctl restore of the CT
 *                                     <- REPLY (restored and running)
 *   COMMIT                            -> the CT is the destination's
 *                                     <- REPLY
 *   then CRIU kills the source's copy; the source CT is destroyed (or its
 *   config kept as CTID.conf.migrated with -r no).
 *
 * Any failure before COMMIT fails CRIU's post-dump, so the source CT
 * resumes with its network, and the destination removes what it made
 * (unless --keep-dst).  A stopped CT is copied the same way without the
 * dump; a running CT without --online is stopped, copied and started on
 * the destination.
 */
#ifndef VZ_MIGRATE_H
#define VZ_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"
#include "migrate-stream.h"

/* Why a migration failed; vzmigrate maps these to OpenVZ's exit codes. */
#define VZ_MIG_FAILS(X)                                                                            \
	X(NONE)                                                                                    \
	X(SYSTEM)                                                                                  \
	X(STOPPED)    /* --online for a CT that is not running */                                  \
	X(CONNECT)    /* cannot reach or talk to the destination */                                \
	X(NO_SUPPORT) /* a kernel/CRIU pair that cannot checkpoint or restore */                   \
	X(COPY)	      /* the file or image transfer failed */                                      \
	X(RESTORE)    /* restore or start on the destination failed */                             \
	X(CHKPNT)     /* checkpoint or stop on the source failed */                                \
	X(EXISTS)     /* the CT exists on the destination */                                       \
	X(NO_CT)      /* no such CT on the source */                                               \
	X(IP_IN_USE)  /* an address of the CT is in use on the destination */                      \
	X(CPU)	      /* the destination's CPU lacks features the CT may use */                    \
	X(LOCKED)     /* the CT is locked by another command */                                    \
	X(LAYOUT)     /* a storage layout that cannot be migrated */

#define VZ_MIG_FAIL_ENUM(name) VZ_MIG_F_##name,
enum vz_mig_fail { VZ_MIG_FAILS(VZ_MIG_FAIL_ENUM) VZ_MIG_F__COUNT };
#undef VZ_MIG_FAIL_ENUM

struct vz_mig_opts {
	bool online;
	bool keep_dst;	  /* leave what reached the destination on failure */
	bool remove_area; /* -r yes: destroy the source CT after success */
	bool dry_run;	  /* the checks only */
	bool ignore_cpu;  /* -f cpu */
	bool progress;	  /* phase, bytes, rate on stderr */
};

struct vz_mig_report {
	enum vz_mig_fail fail;
	uint64_t files_bytes, delta_bytes, dump_bytes;
	uint64_t total_ms;  /* the whole migration */
	uint64_t frozen_ms; /* online: from the freeze to the destination's restore */
	uint64_t copy_ms;   /* the first pass over the private area */
};

const char *vz_mig_fail_name(enum vz_mig_fail fail);

/* The caller holds the CT's lock. */
int vz_migrate_source(struct vz_ct *ct, struct vz_mig_conn *c, const struct vz_mig_opts *o,
		      struct vz_mig_report *r, struct vz_error *err);
/* Serve one migration arriving on c (vzmigrate --receive). */
int vz_migrate_dest(struct vz_env *env, struct vz_mig_conn *c, struct vz_mig_report *r,
		    struct vz_error *err);

#endif
