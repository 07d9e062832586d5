// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "action"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "cleanup.h"
#include "exec.h"
#include "fileutil.h"
#include "log.h"
#include "procutil.h"

static int run_one(struct vz_ct *ct, const char *script, struct vz_error *err)
{
	__vz_free char *root = vz_ct_get_subst(ct, "VE_ROOT");
	__vz_free char *priv = vz_ct_get_subst(ct, "VE_PRIVATE");
	char veid[32], conffile[4096], veroot[4096], vepriv[4096];
	char *argv[] = { "/bin/sh", (char *)script, NULL };
	char *envp[] = { veid, conffile, veroot, vepriv,
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int ret;

	snprintf(veid, sizeof(veid), "VEID=%s", ct->idstr);
	snprintf(conffile, sizeof(conffile), "VE_CONFFILE=%s", ct->conf_path);
	snprintf(veroot, sizeof(veroot), "VE_ROOT=%s", root ? root : "");
	snprintf(vepriv, sizeof(vepriv), "VE_PRIVATE=%s", priv ? priv : "");
	vz_debug("Running action script '%s'", script);
	ret = vz_run_wait(argv, envp);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_ACTION_SCRIPT, -ret, "Cannot run action script '%s'", script);
	if (ret != 0)
		return vz_error_set(err, VZ_E_ACTION_SCRIPT, EIO, "Action script '%s' failed with exit code %d",
				    script, ret);
	return 0;
}

int vz_action_run(struct vz_ct *ct, const char *action, struct vz_error *err)
{
	const char *names[] = { "vps", ct->idstr };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		__vz_free char *path = NULL;
		int ret;

		if (asprintf(&path, "%s/conf/%s.%s", ct->env->confdir, names[i], action) < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot run action scripts");
		if (access(path, F_OK) < 0)
			continue;
		ret = run_one(ct, path, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int vz_action_run_in_ct(struct vz_ct *ct, const char *action, struct vz_error *err)
{
	char *const argv[] = { "/bin/sh", "-s", NULL };
	__vz_free char *path = NULL;
	__vz_close int fd = -1;
	struct vz_exec x = { .argv = argv, .stdio = { -1, 1, 2 }, .pty_sock = -1 };
	pid_t pid;
	int ret, status;

	if (asprintf(&path, "%s/conf/%s.%s", ct->env->confdir, ct->idstr, action) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot run action scripts");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : vz_error_sys(err, VZ_E_ACTION_SCRIPT, errno, "Cannot open '%s'", path);
	x.stdio[0] = fd;
	vz_debug("Running action script '%s' inside CT %s", path, ct->idstr);
	ret = vz_ct_exec_start(ct, &x, &pid, err);
	if (ret < 0)
		return ret;
	status = vz_ct_exec_wait(pid);
	if (status != 0)
		return vz_error_set(err, VZ_E_ACTION_SCRIPT, EIO,
				    "Action script '%s' failed inside the CT with exit code %d", path, status);
	return 0;
}
