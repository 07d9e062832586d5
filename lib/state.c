// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "state"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "config.h"
#include "cpt.h"
#include "fileutil.h"
#include "procutil.h"
#include "state.h"

bool vz_is_mountpoint(const char *path)
{
	__vz_free char *mountinfo = NULL;
	char real[PATH_MAX];

	if (!realpath(path, real))
		return false;
	if (vz_read_file("/proc/self/mountinfo", &mountinfo, NULL) < 0)
		return false;
	for (char *line = mountinfo; line && *line;) {
		char *nl = strchr(line, '\n'), mnt[PATH_MAX];

		if (nl)
			*nl = '\0';
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			vz_unescape_mountinfo(mnt);
			if (!strcmp(mnt, real))
				return true;
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

char *vz_ct_run_path(struct vz_ct *ct, const char *suffix)
{
	__vz_free char *dir = vz_ct_get_subst(ct, "RUNDIR");
	char *out;

	if (!dir || asprintf(&out, "%s/%s%s", dir, ct->idstr, suffix) < 0)
		return NULL;
	return out;
}

int vz_ct_get_state(struct vz_ct *ct, struct vz_ct_state *st, struct vz_error *err)
{
	__vz_free char *root = vz_ct_get_subst(ct, "VE_ROOT");
	int ret = vz_ct_get_run_state(ct, st, err);

	st->mounted = root && vz_is_mountpoint(root);
	/* Frozen by vzctl chkpnt --suspend, or down with a dump to restore. */
	if (ret == 0 && st->exists)
		st->suspended = vz_cpt_is_suspended(ct, st->running);
	return ret;
}

int vz_ct_get_run_state(struct vz_ct *ct, struct vz_ct_state *st, struct vz_error *err)
{
	__vz_free char *state_path = vz_ct_run_path(ct, ".state");
	__vz_conf struct vz_conf *rs = NULL;

	memset(st, 0, sizeof(*st));
	st->exists = ct->exists;
	if (!state_path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot get the state of CT %s",
				    ct->idstr);
	if (vz_conf_load(&rs, state_path, NULL) == 0) {
		const char *init = vz_conf_get(rs, "INIT_PID");
		const char *mon = vz_conf_get(rs, "MONITOR_PID");
		const char *start = vz_conf_get(rs, "INIT_STARTTIME");
		const char *userns = vz_conf_get(rs, "USERNS");
		const char *started = vz_conf_get(rs, "STARTED");
		pid_t ipid = init ? (pid_t)atoi(init) : 0, mpid = mon ? (pid_t)atoi(mon) : 0;

		/* Both alive, and init is still the process we started (no pid reuse). */
		if (ipid > 0 && mpid > 0 && (kill(mpid, 0) == 0 || errno == EPERM) && start &&
		    vz_proc_starttime(ipid) == strtoull(start, NULL, 10)) {
			st->running = true;
			st->init_pid = ipid;
			st->monitor_pid = mpid;
			st->userns = userns && !strcmp(userns, "yes");
			st->started = started ? strtoull(started, NULL, 10) : 0;
		}
	}
	return 0;
}

int vz_ct_nr_procs(struct vz_ct *ct)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	static const char *const ctrls[] = { "pids", "freezer", "memory", "" };

	if (vz_cgroup_open(ct, &cg, NULL) < 0)
		return -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++) {
		const char *dir = vz_cg_hier_path(cg, ctrls[i]);
		pid_t *pids;
		size_t nr;

		if (!dir || vz_cg_read_pids(dir, &pids, &nr) < 0)
			continue;
		free(pids);
		return (int)nr;
	}
	return -ENOENT;
}
