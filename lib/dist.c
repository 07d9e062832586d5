// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "dist"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "dist.h"
#include "exec.h"
#include "fileutil.h"
#include "lifecycle.h"
#include "log.h"
#include "procutil.h"

int vz_dist_conf_find(struct vz_ct *ct, char **path, struct vz_error *err)
{
	const char *ostemplate = vz_ct_get(ct, "OSTEMPLATE");
	__vz_free char *name = strdup(ostemplate && *ostemplate ? ostemplate : "default");

	*path = NULL;
	if (!name)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM,
				    "Cannot find the distribution config");
	for (;;) {
		char *p = NULL, *dash;

		if (asprintf(&p, "%s/dists/%s.conf", ct->env->confdir, name) < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM,
					    "Cannot find the distribution config");
		if (access(p, R_OK) == 0) {
			*path = p;
			return 0;
		}
		free(p);
		if (!strcmp(name, "default"))
			break;
		dash = strrchr(name, '-');
		if (dash)
			*dash = '\0';
		else
			strcpy(name, "default");
	}
	return vz_error_set(err, VZ_E_NO_DISTCONF, ENOENT,
			    "No distribution config for '%s' in '%s/dists'",
			    ostemplate ? ostemplate : "", ct->env->confdir);
}

static char **build_env(const char *const vars[])
{
	size_t n = 0;
	char **env;

	while (vars[n * 2])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	env[0] = strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env[1] = strdup("HOME=/root");
	for (size_t i = 0; i < n; i++)
		if (asprintf(&env[i + 2], "%s=%s", vars[2 * i], vars[2 * i + 1]) < 0)
			env[i + 2] = NULL;
	for (size_t i = 0; i < n + 2; i++) {
		if (!env[i]) {
			vz_free_strv(&env);
			return NULL;
		}
	}
	return env;
}

int vz_dist_action(struct vz_ct *ct, const char *action, const char *const vars[],
		   struct vz_error *err)
{
	__vz_free char *conf_path = NULL, *script = NULL, *text = NULL;
	__vz_conf struct vz_conf *conf = NULL;
	__vz_strv char **env = NULL;
	__vz_close int null = -1;
	const char *name;
	pid_t pid;
	int ret, status;

	ret = vz_dist_conf_find(ct, &conf_path, NULL);
	if (ret < 0) {
		vz_debug("No distribution config for CT %s: %s skipped", ct->idstr, action);
		return 0;
	}
	ret = vz_conf_load(&conf, conf_path, err);
	if (ret < 0)
		return ret;
	name = vz_conf_get(conf, action);
	if (!name || !*name)
		return 0;
	if (strchr(name, '/') || name[0] == '.')
		return vz_error_set(err, VZ_E_NO_SCRIPT, EINVAL, "%s: bad script name '%s' for %s",
				    conf_path, name, action);
	if (asprintf(&script, "%s/dists/scripts/%s", ct->env->confdir, name) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot run %s", action);
	ret = vz_read_file(script, &text, NULL);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_NO_SCRIPT, -ret, "Distribution script '%s' for %s",
				    script, action);
	env = build_env(vars);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (!env || null < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, env ? errno : ENOMEM, "Cannot run %s",
				    action);
	{
		char *const argv[] = { "/bin/sh", "-c", text, (char *)name, NULL };
		struct vz_exec x = { .argv = argv, .envp = env, .stdio = { null, null, 2 },
				     .pty_sock = -1 };

		vz_debug("Running %s (%s) inside CT %s", action, script, ct->idstr);
		ret = vz_ct_exec_start(ct, &x, &pid, err);
		if (ret < 0)
			return ret;
	}
	status = vz_ct_exec_wait(pid);
	if (status != 0)
		return vz_error_set(err, VZ_E_ACTION_SCRIPT, EIO,
				    "Distribution script '%s' (%s) failed inside the CT with exit "
				    "code %d",
				    script, action, status);
	return 0;
}

int vz_dist_post_create(struct vz_ct *ct, struct vz_error *err)
{
	__vz_free char *conf_path = NULL, *script = NULL;
	__vz_free char *root = vz_ct_get_subst(ct, "VE_ROOT");
	__vz_free char *priv = vz_ct_get_subst(ct, "VE_PRIVATE");
	__vz_conf struct vz_conf *conf = NULL;
	char veid[32], veroot[4096], vepriv[4096];
	char *envp[] = { veid, veroot, vepriv,
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	struct vz_error ignored;
	const char *name;
	int ret, status;

	if (vz_dist_conf_find(ct, &conf_path, NULL) < 0)
		return 0;
	ret = vz_conf_load(&conf, conf_path, err);
	if (ret < 0)
		return ret;
	name = vz_conf_get(conf, "POST_CREATE");
	if (!name || !*name)
		return 0;
	if (strchr(name, '/') || name[0] == '.')
		return vz_error_set(err, VZ_E_NO_SCRIPT, EINVAL, "%s: bad script name '%s' for POST_CREATE",
				    conf_path, name);
	if (asprintf(&script, "%s/dists/scripts/%s", ct->env->confdir, name) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot run POST_CREATE");
	if (access(script, R_OK) < 0)
		return vz_error_sys(err, VZ_E_NO_SCRIPT, errno, "Distribution script '%s' for POST_CREATE",
				    script);
	ret = vz_ct_mount(ct, err);
	if (ret < 0)
		return ret;
	snprintf(veid, sizeof(veid), "VEID=%s", ct->idstr);
	snprintf(veroot, sizeof(veroot), "VE_ROOT=%s", root ? root : "");
	snprintf(vepriv, sizeof(vepriv), "VE_PRIVATE=%s", priv ? priv : "");
	{
		char *argv[] = { "/bin/sh", script, NULL };

		vz_debug("Running POST_CREATE (%s) for CT %s", script, ct->idstr);
		status = vz_run_wait(argv, envp);
	}
	vz_ct_umount(ct, &ignored);
	if (status != 0)
		return vz_error_set(err, VZ_E_ACTION_SCRIPT, EIO,
				    "POST_CREATE script '%s' failed with exit code %d", script, status);
	return 0;
}

int vz_dist_host_nameservers(const char *resolv_conf, char **list)
{
	__vz_fclose FILE *f = fopen(resolv_conf, "re");
	__vz_free char *out = strdup("");
	char line[512], addr[256];

	if (!f)
		return -errno;
	if (!out)
		return -ENOMEM;
	while (fgets(line, sizeof(line), f)) {
		char *n;

		if (sscanf(line, " nameserver %255s", addr) != 1)
			continue;
		if (asprintf(&n, "%s%s%s", out, *out ? " " : "", addr) < 0)
			return -ENOMEM;
		free(out);
		out = n;
	}
	*list = take_ptr(out);
	return 0;
}
