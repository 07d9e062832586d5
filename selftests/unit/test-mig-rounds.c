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

int main(void)
{
	struct vz_mig_opts only_time = defaults;
	struct vz_mig_rounds r;
	char why[80];

	/* A CT writing 4 MiB/s: 128 MiB at 60 MB/s, then 9 MiB, then 2 MiB in 0.45 s. */
	memset(&r, 0, sizeof(r));
	ok(!vz_mig_rounds_done(&r, &defaults, 1, 128 * MB, 2100, why, sizeof(why)),
	   "the first round's 128 MiB took 2.1 s: another round");
	ok(!vz_mig_rounds_done(&r, &defaults, 2, 9 * MB, 600, why, sizeof(why)),
	   "9 MiB would take 150 ms at the first round's rate: another round");
	ok(vz_mig_rounds_done(&r, &defaults, 3, 2 * MB, 450, why, sizeof(why)),
	   "2 MiB would take 33 ms, though the round took 450 ms: stop");
	is_str(why, "the pages left would cross in under 100 ms", "... and says why");

	memset(&r, 0, sizeof(r));
	vz_mig_rounds_done(&r, &defaults, 1, 64 * MB, 1500, why, sizeof(why));
	ok(vz_mig_rounds_done(&r, &defaults, 2, 44 * 1024, 380, why, sizeof(why)),
	   "an idle CT's second round: stop");
	is_str(why, "few pages left", "... few pages left");

	/* A slow link: the rounds stay long and stop shrinking. */
	memset(&r, 0, sizeof(r));
	vz_mig_rounds_done(&r, &defaults, 1, 64 * MB, 32000, why, sizeof(why));
	ok(!vz_mig_rounds_done(&r, &defaults, 2, 20 * MB, 10000, why, sizeof(why)),
	   "2 MB/s: 20 MiB would take 10 s: another round");
	ok(vz_mig_rounds_done(&r, &defaults, 3, 19 * MB, 9500, why, sizeof(why)),
	   "19 MiB after 20 MiB: stop");
	is_str(why, "the rounds stopped shrinking", "... the rounds stopped shrinking");

	/* The rate is the fastest round's, not the last one's. */
	memset(&r, 0, sizeof(r));
	vz_mig_rounds_done(&r, &defaults, 1, 100 * MB, 1000, why, sizeof(why));
	vz_mig_rounds_done(&r, &defaults, 2, 30 * MB, 3000, why, sizeof(why));
	is_int((long long)r.rate, (long long)(100 * MB), "the rate stays the first round's");
	ok(vz_mig_rounds_done(&r, &defaults, 3, 8 * MB, 2000, why, sizeof(why)),
	   "8 MiB at 100 MiB/s: 80 ms: stop");

	/* Only the time rule, as 84-migrate-precopy.t runs it. */
	only_time.precopy_min = 0;
	only_time.precopy_shrink = 1000;
	memset(&r, 0, sizeof(r));
	ok(!vz_mig_rounds_done(&r, &only_time, 1, 32 * MB, 800, why, sizeof(why)),
	   "only the time rule: a round of 800 ms for 32 MiB goes on");
	ok(vz_mig_rounds_done(&r, &only_time, 2, 0, 380, why, sizeof(why)),
	   "only the time rule: nothing left stops it");
	memset(&r, 0, sizeof(r));
	ok(vz_mig_rounds_done(&r, &only_time, 1, 0, 300, why, sizeof(why)),
	   "a first round that sent nothing (rate 0): stops, no division by zero");
	memset(&r, 0, sizeof(r));
	ok(vz_mig_rounds_done(&r, &only_time, 1, 4096, 0, why, sizeof(why)),
	   "a round too quick to time stops");

	/* --precopy-min-time=0: never on time. */
	only_time.precopy_min_ms = 0;
	memset(&r, 0, sizeof(r));
	vz_mig_rounds_done(&r, &only_time, 1, 32 * MB, 800, why, sizeof(why));
	ok(!vz_mig_rounds_done(&r, &only_time, 2, 0, 380, why, sizeof(why)),
	   "--precopy-min-time=0, --precopy-min=0: an empty round does not stop it");
	return done_testing();
}
