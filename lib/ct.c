// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "ct"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "fileutil.h"

/* Values used when neither the CT config nor vz.conf sets a key. */
static const struct {
	const char *key, *value;
} builtin_defaults[] = {
	{ "LOCKDIR", "/vz/lock" },
	{ "DUMPDIR", "/vz/dump" },
	{ "TEMPLATE", "/vz/template" },
	{ "RUNDIR", "/run/vz" },
	{ "CGROUP_PARENT", "/vz" },
	{ "STOP_TIMEOUT", "120" },
	{ "VE_LAYOUT", "simfs" },
	{ "LOGGING", "yes" },
	{ "LOGFILE", "/var/log/vzctl.log" },
	{ "LOG_LEVEL", "0" },
	/* Tenant-safe by default: CTs get id ranges from 100000 up; LOCAL_GID follows. */
	{ "LOCAL_UID", "100000" },
};

int vz_env_open(struct vz_env **out, struct vz_error *err)
{
	const char *dir = getenv("VZ_CONFDIR");
	struct vz_env *env;
	int ret;

	if (!dir || !*dir)
		dir = VZ_DEFAULT_CONFDIR;
	env = calloc(1, sizeof(*env));
	if (!env)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the configuration");
	env->confdir = strdup(dir);
	env->vzconf_path = vz_path_join(dir, "vz.conf");
	if (!env->confdir || !env->vzconf_path) {
		vz_env_free(env);
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the configuration");
	}
	ret = vz_conf_load(&env->global, env->vzconf_path, err);
	if (ret == -ENOENT) {
		vz_error_set(err, VZ_E_NO_VZCONF, ENOENT, "Global configuration file '%s' not found",
			     env->vzconf_path);
	}
	if (ret == 0)
		ret = vz_params_validate(env->global, true, err);
	if (ret < 0) {
		vz_env_free(env);
		return ret;
	}
	*out = env;
	return 0;
}

void vz_env_free(struct vz_env *env)
{
	if (!env)
		return;
	vz_conf_free(env->global);
	free(env->confdir);
	free(env->vzconf_path);
	free(env);
}

const char *vz_env_get(const struct vz_env *env, const char *key)
{
	const char *v = vz_conf_get(env->global, key);

	if (v)
		return v;
	for (size_t i = 0; i < ARRAY_SIZE(builtin_defaults); i++)
		if (!strcmp(builtin_defaults[i].key, key))
			return builtin_defaults[i].value;
	return NULL;
}

char *vz_env_dir(const struct vz_env *env, const char *key)
{
	const char *v = vz_env_get(env, key);

	return v && *v ? strdup(v) : NULL;
}

int vz_ctid_parse(const char *text, unsigned *ctid, struct vz_error *err)
{
	unsigned long v;
	char *end;

	if (!text || !*text || !isdigit((unsigned char)text[0]))
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid container ID '%s'",
				    text ? text : "");
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || v > UINT_MAX)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid container ID '%s'", text);
	if (v != 0 && (v < VZ_CTID_MIN || v > VZ_CTID_MAX))
		return vz_error_set(err, VZ_E_BAD_VALUE, ERANGE,
				    "Invalid container ID %lu: must be in range %u..%u", v,
				    VZ_CTID_MIN, VZ_CTID_MAX);
	*ctid = (unsigned)v;
	return 0;
}

bool vz_ct_name_valid(const char *name)
{
	bool all_digits = true;

	if (!*name || strlen(name) > 255)
		return false;
	for (const char *p = name; *p; p++) {
		if (!isdigit((unsigned char)*p))
			all_digits = false;
		if (!isalnum((unsigned char)*p) && !strchr(" -+_.", *p))
			return false;
	}
	return !all_digits && strcmp(name, ".") && strcmp(name, "..");
}

int vz_ct_resolve(struct vz_env *env, const char *id_or_name, unsigned *ctid, struct vz_error *err)
{
	__vz_free char *link = NULL, *names = NULL;
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	/* A number is a CTID; anything else, "1web" included, is a name. */
	if (id_or_name && *id_or_name && strspn(id_or_name, "0123456789") == strlen(id_or_name))
		return vz_ctid_parse(id_or_name, ctid, err);
	if (!id_or_name || !vz_ct_name_valid(id_or_name))
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid container ID or name '%s'",
				    id_or_name ? id_or_name : "");
	names = vz_path_join(env->confdir, "names");
	link = names ? vz_path_join(names, id_or_name) : NULL;
	if (!link)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot resolve '%s'", id_or_name);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return vz_error_set(err, VZ_E_BAD_VALUE, ENOENT,
				    "Container name '%s' not found (no link '%s')", id_or_name, link);
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) <= 5 || strcmp(base + strlen(base) - 5, ".conf"))
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Name link '%s' points to '%s'",
				    link, target);
	target[n - 5] = '\0';
	return vz_ctid_parse(base, ctid, err);
}

static int ct_load(struct vz_ct *ct, struct vz_error *err)
{
	struct vz_conf *conf = NULL;
	int ret;

	ret = vz_conf_load(&conf, ct->conf_path, err);
	if (ret == -ENOENT) {
		conf = vz_conf_new(ct->conf_path);
		if (!conf)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the configuration");
		ct->exists = false;
	} else if (ret < 0) {
		return ret;
	} else {
		ct->exists = true;
		ret = vz_params_validate(conf, false, err);
		if (ret < 0) {
			vz_conf_free(conf);
			return ret;
		}
	}
	vz_conf_free(ct->conf);
	ct->conf = conf;
	return 0;
}

int vz_ct_open(struct vz_env *env, unsigned ctid, struct vz_ct **out, struct vz_error *err)
{
	__vz_ct struct vz_ct *ct = calloc(1, sizeof(*ct));
	char name[32];
	__vz_free char *confdir = NULL;
	int ret;

	if (!ct)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot open container %u", ctid);
	ct->env = env;
	ct->id = ctid;
	snprintf(ct->idstr, sizeof(ct->idstr), "%u", ctid);
	snprintf(name, sizeof(name), "%u.conf", ctid);
	confdir = vz_path_join(env->confdir, "conf");
	ct->conf_path = confdir ? vz_path_join(confdir, name) : NULL;
	if (!ct->conf_path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot open container %u", ctid);
	ret = ct_load(ct, err);
	if (ret < 0)
		return ret;
	*out = take_ptr(ct);
	return 0;
}

int vz_ct_reload(struct vz_ct *ct, struct vz_error *err)
{
	return ct_load(ct, err);
}

void vz_ct_free(struct vz_ct *ct)
{
	if (!ct)
		return;
	vz_conf_free(ct->conf);
	free(ct->conf_path);
	free(ct);
}

const char *vz_ct_get(const struct vz_ct *ct, const char *key)
{
	const char *v = vz_conf_get(ct->conf, key);

	return v ? v : vz_env_get(ct->env, key);
}

char *vz_ct_get_subst(const struct vz_ct *ct, const char *key)
{
	const char *v = vz_ct_get(ct, key);

	return v && *v ? vz_subst_veid(v, ct->idstr) : NULL;
}

bool vz_ct_get_bool(const struct vz_ct *ct, const char *key, bool def)
{
	const char *v = vz_ct_get(ct, key);

	if (!v || !*v)
		return def;
	return !strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcmp(v, "1");
}

unsigned long vz_ct_get_ulong(const struct vz_ct *ct, const char *key, unsigned long def)
{
	const char *v = vz_ct_get(ct, key);
	unsigned long n;
	char *end;

	if (!v || !isdigit((unsigned char)*v))
		return def;
	errno = 0;
	n = strtoul(v, &end, 10);
	return errno || *end ? def : n;
}

int vz_ct_set(struct vz_ct *ct, const char *key, const char *value, struct vz_error *err)
{
	int ret;

	if (value) {
		ret = vz_param_check(key, value, err);
		if (ret < 0)
			return ret;
	}
	ret = vz_conf_set(ct->conf, key, value);
	if (ret < 0)
		return vz_error_set(err, VZ_E_BAD_VALUE, -ret, "Cannot set %s=\"%s\"", key,
				    value ? value : "");
	return 0;
}

int vz_ct_save(struct vz_ct *ct, struct vz_error *err)
{
	int ret = vz_conf_save(ct->conf, ct->conf_path, err);

	if (ret == 0) {
		ct->conf->dirty = false;
		ct->exists = true;
	}
	return ret;
}
