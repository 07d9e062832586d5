// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stop rule of the memory pre-copy (see migrate-rounds.h).
 *
 * A round's pages would cost the frozen dump about their size at the
 * rate the link gives; another round costs CRIU's fixed time for a
 * pre-dump on top of its pages.  The rate is the fastest round's so far:
 * a round's time includes CRIU's fixed costs, so the estimate errs on the
 * side of one more round.
 */
#include <stdio.h>

#include "migrate-rounds.h"

bool vz_mig_rounds_done(struct vz_mig_rounds *r, const struct vz_mig_opts *o, unsigned n,
			uint64_t bytes, uint64_t ms, char *why, size_t size)
{
	uint64_t prev = r->prev;

	r->prev = bytes;
	if (!ms)
		r->rate = UINT64_MAX;
	else if (bytes * 1000 / ms > r->rate)
		r->rate = bytes * 1000 / ms;
	if (bytes < o->precopy_min) {
		snprintf(why, size, "few pages left");
		return true;
	}
	/* rate is 0 only if every round so far, this one too, sent nothing */
	if ((r->rate ? bytes * 1000 / r->rate : 0) < o->precopy_min_ms) {
		snprintf(why, size, "the pages left would cross in under %u ms", o->precopy_min_ms);
		return true;
	}
	if (n > 1 && bytes * 100 >= prev * o->precopy_shrink) {
		snprintf(why, size, "the rounds stopped shrinking");
		return true;
	}
	return false;
}
