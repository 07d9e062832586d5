// SPDX-License-Identifier: GPL-2.0-or-later
/* console: attach to the CT's console held by its monitor; "Esc ." detaches. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "lifecycle.h"
#include "relay.h"
#include "state.h"
#include "vzctl.h"

int cmd_console(struct vzctl *v, int argc, char **argv)
{
	__vz_free char *backlog = malloc(65 * 1024);
	__vz_close int conn = -1, master = -1;
	struct vz_ct_state st;
	int n;

	if (argc > 2)
		return vzctl_bad_usage("console", "unexpected argument '%s'", argv[2]);
	if (!backlog)
		return VZ_EXIT_SYSTEM;
	if (vz_ct_get_state(v->ct, &st, &v->err) < 0)
		return vz_cli_fail(&v->err);
	if (!st.running) {
		vz_error_set(&v->err, VZ_E_NOT_RUNNING, EINVAL, "Container is not running");
		return vz_cli_fail(&v->err);
	}
	conn = vz_monitor_request(v->ct, "console", backlog, 65 * 1024, &master, &v->err);
	if (conn < 0)
		return vz_cli_fail(&v->err);
	if (master < 0) {
		vz_error_set(&v->err, VZ_E_SYSTEM, EBUSY,
			     "The console of container %s is attached elsewhere", v->ct->idstr);
		return vz_cli_fail(&v->err);
	}
	n = (int)strlen(backlog);
	fprintf(stderr, "Attached to CT %s (ESC . to detach)\n", v->ct->idstr);
	if (n > 1 && write(STDOUT_FILENO, backlog, n) < 0)
		return VZ_EXIT_SYSTEM;
	vzctl_relay_pty(master, -1, true);
	fprintf(stderr, "\nDetached from CT %s\n", v->ct->idstr);
	return 0;
}
