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
 *   online, memory pre-copy (migrate-pages.h), CT running:
 *   ROUND 1, PAGES (CRIU pre-dump)    -> images dir 1 (a page server)
 *                                     <- REPLY
 *   ROUND 2.. (pages dirtied since)   -> images dir 2 (parent ../1) ...
 *   (until a round is small enough, stops shrinking, or the last allowed)
 *   online: freeze + CRIU dump (the final ROUND: only pages dirtied since
 *   the last pre-dump, through the page server); at CRIU's post-dump, CT
 *   still frozen:
 *   FILES_DELTA (incremental tar)     -> applied
 *   DUMP (the dump directory)         -> vzctl restore of the CT
 *                                     <- REPLY (restored and running)
 *   COMMIT                            -> the CT is the destination's
 *                                     <- REPLY
 *   then CRIU kills the source's copy; the source CT is destroyed (or its
 *   config kept as CTID.conf.migrated with -r no).
 *
 * Any failure before COMMIT fails CRIU's pre-dump (the CT runs on) or its
 * post-dump, so the source CT resumes with its network, and the destination removes what it made
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
	/*
	 * Memory pre-copy (online): at most precopy_rounds pre-dumps while the
	 * CT runs (0: plain stop-and-copy); stop early once a round sends less
	 * than precopy_min bytes, or bytes that would cross in less than
	 * precopy_min_ms at the rate of the fastest round so far, or
	 * precopy_shrink percent or more of the round before.
	 */
	unsigned precopy_rounds;
	uint64_t precopy_min;
	unsigned precopy_min_ms;
	unsigned precopy_shrink;
	unsigned timeout; /* seconds a silent peer is given (0: none) */
};

#define VZ_MIG_PRECOPY_ROUNDS 8
#define VZ_MIG_PRECOPY_MIN (1u << 20)
#define VZ_MIG_PRECOPY_MIN_MS 100
#define VZ_MIG_PRECOPY_SHRINK 90
#define VZ_MIG_TIMEOUT 60

struct vz_mig_report {
	enum vz_mig_fail fail;
	uint64_t files_bytes, delta_bytes, dump_bytes;
	uint64_t total_ms;  /* the whole migration */
	uint64_t frozen_ms; /* online: from the freeze to the destination's restore */
	uint64_t copy_ms;   /* the first pass over the private area */
	uint64_t sync_ms, sync_bytes; /* the pass right before the freeze or stop */
	unsigned rounds;	  /* pre-dumps done */
	uint64_t precopy_bytes;	  /* their pages, all rounds */
	uint64_t precopy_ms;
	uint64_t final_bytes;	  /* pages of the final dump (frozen) */
	uint64_t dump_ms;	  /* of frozen_ms: CRIU's dump, up to its post-dump */
	uint64_t restore_ms;	  /* of frozen_ms: the destination's restore */
	const char *precopy_off;  /* why there was no pre-copy, NULL if there was */
};

const char *vz_mig_fail_name(enum vz_mig_fail fail);

/* The caller holds the CT's lock. */
int vz_migrate_source(struct vz_ct *ct, struct vz_mig_conn *c, const struct vz_mig_opts *o,
		      struct vz_mig_report *r, struct vz_error *err);
/* Serve one migration arriving on c (vzmigrate --receive). */
int vz_migrate_dest(struct vz_env *env, struct vz_mig_conn *c, struct vz_mig_report *r,
		    struct vz_error *err);

#endif
