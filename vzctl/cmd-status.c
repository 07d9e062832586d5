// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "cli.h"
#include "migrate-incoming.h"
#include "state.h"
#include "vzctl.h"

/* Exactly OpenVZ's line: "CTID <id> exist|deleted mounted|unmounted running|down [suspended]". */
int cmd_status(struct vzctl *v, int argc, char **argv)
{
	struct vz_mig_incoming in;
	struct vz_ct_state st;

	if (argc > 1)
		return vzctl_bad_usage("status", "unexpected argument '%s'", argv[1]);
	if (vz_ct_get_state(v->ct, &st, &v->err) < 0)
		return vz_cli_fail(&v->err);
	printf("CTID %s %s %s %s%s\n", v->ct->idstr, st.exists ? "exist" : "deleted",
	       st.mounted ? "mounted" : "unmounted", st.running ? "running" : "down",
	       st.suspended ? " suspended" : "");
	/* The line stays OpenVZ's; a CT a dead migration receiver left is named on stderr. */
	if (vz_mig_incoming_stale(v->ct, &in) == 1) {
		fprintf(stderr,
			in.stage == VZ_MIG_STAGE_RUNNING
				? "Container %s: restored here by a migration whose receiver (pid %d) "
				  "died before the commit; check the source node\n"
				: "Container %s: half made by a migration whose receiver (pid %d) died; "
				  "the next vzctl command that locks it, or the next migration, removes "
				  "it\n",
			v->ct->idstr, (int)in.pid);
		vz_mig_incoming_free(&in);
	}
	return 0;
}
