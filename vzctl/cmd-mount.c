// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "cli.h"
#include "lifecycle.h"
#include "log.h"
#include "state.h"
#include "vzctl.h"

int cmd_mount(struct vzctl *v, int argc, char **argv)
{
	if (argc > 1)
		return vzctl_bad_usage("mount", "unexpected argument '%s'", argv[1]);
	if (!v->ct->exists) {
		vz_error_set(&v->err, VZ_E_NO_CTCONF, ENOENT, "Container %s does not exist", v->ct->idstr);
		return vz_cli_fail(&v->err);
	}
	if (vz_ct_mount(v->ct, &v->err) < 0)
		return vz_cli_fail(&v->err);
	vz_info("Container is mounted");
	return 0;
}

int cmd_umount(struct vzctl *v, int argc, char **argv)
{
	struct vz_ct_state st;

	if (argc > 1)
		return vzctl_bad_usage("umount", "unexpected argument '%s'", argv[1]);
	if (vz_ct_get_state(v->ct, &st, &v->err) < 0)
		return vz_cli_fail(&v->err);
	if (st.running) {
		vz_error_set(&v->err, VZ_E_RUNNING, EBUSY,
			     "Container is running -- stop it first");
		return vz_cli_fail(&v->err);
	}
	if (vz_ct_umount(v->ct, &v->err) < 0)
		return vz_cli_fail(&v->err);
	vz_info("Container is unmounted");
	return 0;
}
