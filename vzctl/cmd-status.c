// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "cli.h"
#include "state.h"
#include "vzctl.h"

/* Exactly OpenVZ's line: "CTID <id> exist|deleted mounted|unmounted running|down [suspended]". */
int cmd_status(struct vzctl *v, int argc, char **argv)
{
	struct vz_ct_state st;

	if (argc > 1)
		return vzctl_bad_usage("status", "unexpected argument '%s'", argv[1]);
	if (vz_ct_get_state(v->ct, &st, &v->err) < 0)
		return vz_cli_fail(&v->err);
	printf("CTID %s %s %s %s%s\n", v->ct->idstr, st.exists ? "exist" : "deleted",
	       st.mounted ? "mounted" : "unmounted", st.running ? "running" : "down",
	       st.suspended ? " suspended" : "");
	return 0;
}
