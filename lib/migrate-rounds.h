/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When the memory pre-copy of an online migration stops (internal to
 * lib/migrate.c): after each round, from what it sent and how long it took.
 */
#ifndef VZ_MIGRATE_ROUNDS_H
#define VZ_MIGRATE_ROUNDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migrate.h"

struct vz_mig_rounds {
	uint64_t prev; /* bytes the round before sent */
	uint64_t rate; /* bytes per second of the fastest round so far */
};

/*
 * Round n (from 1) sent bytes in ms: true if the pre-copy stops here, the
 * reason in why (the rules of struct vz_mig_opts); false to go on.  The
 * limit on the number of rounds is the caller's.
 */
bool vz_mig_rounds_done(struct vz_mig_rounds *r, const struct vz_mig_opts *o, unsigned n,
			uint64_t bytes, uint64_t ms, char *why, size_t size);

#endif
