// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/migrate-rounds.c, when the memory pre-copy stops: few pages; pages
 * that would cross quickly at the fastest round's rate, even when the
 * round itself was slow (CRIU's fixed costs); rounds that stop shrinking;
 * and none of these while the rounds still pay off.
 */
#include <stdint.h>
#include <string.h>

#include "migrate-rounds.h"
#include "tap.h"

#define MB (1024 * 1024ull)

static const struct vz_mig_opts defaults = {
	.precopy_rounds = VZ_MIG_PRECOPY_ROUNDS,
	.precopy_min = VZ_MIG_PRECOPY_MIN,
	.precopy_min_ms = VZ_MIG_PRECOPY_MIN_MS,
	.precopy_shrink = VZ_MIG_PRECOPY_SHRINK,
};

struct round {
	uint64_t bytes, ms;
};

static struct vz_mig_rounds state;
static char why[80];

/* The rounds in turn: the one the pre-copy stops after (from 1), 0 if none. */
static unsigned stops_after(const struct vz_mig_opts *o, const struct round *rounds, unsigned n)
{
	memset(&state, 0, sizeof(state));
	why[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		if (vz_mig_rounds_done(&state, o, i + 1, rounds[i].bytes, rounds[i].ms, why,
				       sizeof(why)))
			return i + 1;
	return 0;
}

int main(void)
{
	/* A CT writing 4 MiB/s: 128 MiB at 60 MB/s; 9 MiB would take 150 ms at that rate. */
	static const struct round writing[] = { { 128 * MB, 2100 }, { 9 * MB, 600 }, { 2 * MB, 450 } };
	static const struct round idle[] = { { 64 * MB, 1500 }, { 44 * 1024, 380 } };
	/* 2 MB/s: 20 MiB would take 10 s, 19 MiB after 20 MiB does not shrink. */
	static const struct round slow[] = { { 64 * MB, 32000 }, { 20 * MB, 10000 }, { 19 * MB, 9500 } };
	static const struct round faster_first[] = { { 100 * MB, 1000 }, { 30 * MB, 3000 }, { 8 * MB, 2000 } };
	static const struct round empty_second[] = { { 32 * MB, 800 }, { 0, 380 } };
	static const struct round empty_first[] = { { 0, 300 } };
	static const struct round untimed[] = { { 4096, 0 } };
	struct vz_mig_opts only_time = defaults;

	is_int(stops_after(&defaults, writing, 3), 3,
	       "2 MiB would take 33 ms, though the round took 450 ms: stop after round 3, not before");
	is_str(why, "the pages left would cross in under 100 ms", "... and says why");
	is_int(stops_after(&defaults, idle, 2), 2, "an idle CT's second round: stop");
	is_str(why, "few pages left", "... few pages left");
	is_int(stops_after(&defaults, slow, 3), 3, "a slow link: stop when the rounds stop shrinking");
	is_str(why, "the rounds stopped shrinking", "... the rounds stopped shrinking");
	is_int(stops_after(&defaults, faster_first, 3), 3, "8 MiB at 100 MiB/s: 80 ms: stop");
	is_int((long long)state.rate, (long long)(100 * MB), "... the rate stays the first round's");

	/* Only the time rule, as 84-migrate-precopy.t runs it. */
	only_time.precopy_min = 0;
	only_time.precopy_shrink = 1000;
	is_int(stops_after(&only_time, empty_second, 2), 2,
	       "only the time rule: 800 ms for 32 MiB goes on, nothing left stops it");
	is_int(stops_after(&only_time, empty_first, 1), 1,
	       "a first round that sent nothing (rate 0): stops, no division by zero");
	is_int(stops_after(&only_time, untimed, 1), 1, "a round too quick to time stops");
	/* --precopy-min-time=0: never on time. */
	only_time.precopy_min_ms = 0;
	is_int(stops_after(&only_time, empty_second, 2), 0,
	       "--precopy-min-time=0, --precopy-min=0: an empty round does not stop it");
	return done_testing();
}
