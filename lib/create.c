// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "create"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "cleanup.h"
#include "create.h"
#include "dist.h"
#include "fileutil.h"
#include "lock.h"
#include "log.h"
#include "net.h"
#include "quota.h"
#include "state.h"
#include "storage.h"
#include "userns.h"


static char *marker_path(struct vz_ct *ct)
{
	__vz_free char *dir = vz_ct_get_subst(ct, "LOCKDIR");
	char *p;

	if (!dir || asprintf(&p, "%s/%s.create", dir, ct->idstr) < 0)
		return NULL;
	return p;
}

/*
 * A marker left by a create that was killed: its private area (and .tmp)
 * are ours to remove, since the CT never got a config.
 */
static int clear_dead_create(struct vz_ct *ct, const char *marker, struct vz_error *err)
{
	__vz_free char *priv = NULL, *tmp = NULL;
	int ret;

	if (vz_read_file(marker, &priv, NULL) < 0)
		return 0;
	priv[strcspn(priv, "\n")] = '\0';
	if (ct->exists) {
		unlink(marker); /* killed after the config was written: the CT is complete */
		return 0;
	}
	vz_warn("Removing the remains of an interrupted create of CT %s", ct->idstr);
	if (asprintf(&tmp, "%s.tmp", priv) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot clean up");
	ret = vz_rm_rf(tmp);
	if (ret == 0 && *priv)
		ret = vz_rm_rf(priv);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_CREATE_PRIVATE, -ret, "Cannot remove '%s'", priv);
	unlink(marker);
	return 0;
}

/* The lowest 65536-id range at or above base that no other CT holds. */
static int allocate_ids(struct vz_ct *ct, unsigned long base, unsigned long *out,
			struct vz_error *err)
{
	__vz_free char *dir = vz_path_join(ct->env->confdir, "conf");
	unsigned long *used = NULL;
	size_t nr = 0;
	__vz_closedir DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;
	unsigned long candidate = base;

	while (d && (de = readdir(d))) {
		__vz_free char *path = NULL;
		__vz_conf struct vz_conf *conf = NULL;
		const char *uid;
		size_t len = strlen(de->d_name);
		unsigned long *grown;

		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") || de->d_name[0] < '0' ||
		    de->d_name[0] > '9')
			continue;
		path = vz_path_join(dir, de->d_name);
		if (!path || vz_conf_load(&conf, path, NULL) < 0)
			continue;
		uid = vz_conf_get(conf, "LOCAL_UID");
		if (!uid || !strtoul(uid, NULL, 10))
			continue;
		grown = realloc(used, (nr + 1) * sizeof(*used));
		if (!grown) {
			free(used);
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot allocate ids");
		}
		used = grown;
		used[nr++] = strtoul(uid, NULL, 10);
	}
	for (bool clash = true; clash;) {
		clash = false;
		for (size_t i = 0; i < nr; i++) {
			if (candidate < used[i] + VZ_ID_RANGE && used[i] < candidate + VZ_ID_RANGE) {
				candidate = used[i] + VZ_ID_RANGE;
				clash = true;
			}
		}
	}
	free(used);
	if (candidate > UINT_MAX - VZ_ID_RANGE)
		return vz_error_set(err, VZ_E_NO_RESOURCES, ENOSPC, "No free user id range left");
	*out = candidate;
	return 0;
}

static int load_sample(struct vz_ct *ct, const char *name, struct vz_error *err)
{
	__vz_free char *path = NULL;
	__vz_conf struct vz_conf *sample = NULL;
	int ret;

	if (!name || !*name)
		return 0;
	if (strchr(name, '/'))
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid config sample name '%s'", name);
	if (asprintf(&path, "%s/conf/ve-%s.conf-sample", ct->env->confdir, name) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the sample");
	ret = vz_conf_load(&sample, path, err);
	if (ret < 0) {
		err->kind = VZ_E_CONFIG_COPY;
		return ret;
	}
	ret = vz_params_validate(sample, false, err);
	if (ret < 0)
		return ret;
	/* What the command line already set wins over the sample. */
	for (size_t i = 0; i < sample->nr_lines; i++)
		if (sample->lines[i].key && !vz_conf_get(ct->conf, sample->lines[i].key))
			vz_conf_set(ct->conf, sample->lines[i].key, sample->lines[i].value);
	return 0;
}

int vz_ct_set_name(struct vz_ct *ct, const char *name, struct vz_error *err)
{
	__vz_free char *names = vz_path_join(ct->env->confdir, "names");
	const char *old = vz_conf_get(ct->conf, "NAME");
	char target[PATH_MAX];
	int ret;

	if (!names)
		return vz_error_sys(err, VZ_E_NAME, ENOMEM, "Cannot set the name");
	if (name && *name) {
		__vz_free char *link = vz_path_join(names, name), *tmp = NULL;
		ssize_t n;

		if (!vz_ct_name_valid(name))
			return vz_error_set(err, VZ_E_NAME, EINVAL, "Invalid container name '%s'", name);
		ret = vz_mkdir_p(names, 0755);
		if (ret < 0 || !link || asprintf(&tmp, "%s.tmp%d", link, (int)getpid()) < 0)
			return vz_error_sys(err, VZ_E_NAME, ret < 0 ? -ret : ENOMEM, "Cannot set the name");
		n = readlink(link, target, sizeof(target) - 1);
		if (n >= 0) {
			target[n] = '\0';
			if (strcmp(target, ct->conf_path))
				return vz_error_set(err, VZ_E_NAME, EEXIST,
						    "Name %s is already used by another container", name);
		}
		unlink(tmp);
		if (symlink(ct->conf_path, tmp) < 0 || rename(tmp, link) < 0) {
			int e = errno;

			unlink(tmp);
			return vz_error_sys(err, VZ_E_NAME, e, "Cannot create '%s'", link);
		}
	}
	if (old && *old && (!name || strcmp(old, name))) {
		__vz_free char *link = vz_path_join(names, old);
		ssize_t n = link ? readlink(link, target, sizeof(target) - 1) : -1;

		if (n >= 0) {
			target[n] = '\0';
			if (!strcmp(target, ct->conf_path))
				unlink(link);
		}
	}
	return 0;
}

int vz_ct_create(struct vz_ct *ct, const struct vz_create_opts *opts, struct vz_error *err)
{
	__vz_free char *marker = marker_path(ct), *cache = NULL, *priv = NULL, *root = NULL;
	__vz_free char *tmp = NULL;
	const char *ostemplate = opts->ostemplate;
	unsigned long uid_base = 0, gid_base = 0, uid_def, gid_def;
	char num[32];
	int ret;

	if (!marker)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot create the CT");
	ret = clear_dead_create(ct, marker, err);
	if (ret < 0)
		return ret;
	if (ct->exists)
		return vz_error_set(err, VZ_E_PRIVATE_EXISTS, EEXIST, "Container %s already exists",
				    ct->idstr);
	if (!ostemplate)
		ostemplate = vz_env_get(ct->env, "DEF_OSTEMPLATE");
	if (!ostemplate || !*ostemplate)
		return vz_error_set(err, VZ_E_NO_OSTEMPLATE_SET, EINVAL,
				    "OS template is not specified (--ostemplate or DEF_OSTEMPLATE)");
	ret = vz_template_find(ct->env, ostemplate, &cache, err);
	if (ret < 0)
		return ret;
	if (opts->name && !vz_ct_name_valid(opts->name))
		return vz_error_set(err, VZ_E_NAME, EINVAL, "Invalid container name '%s'", opts->name);

	/* The new config: sample, then what the command line says. */
	ret = load_sample(ct, opts->config ? opts->config : vz_env_get(ct->env, "CONFIGFILE"), err);
	if (ret < 0)
		return ret;
	if ((opts->private_path && (ret = vz_ct_set(ct, "VE_PRIVATE", opts->private_path, err)) < 0) ||
	    (opts->root_path && (ret = vz_ct_set(ct, "VE_ROOT", opts->root_path, err)) < 0) ||
	    (opts->hostname && (ret = vz_ct_set(ct, "HOSTNAME", opts->hostname, err)) < 0) ||
	    (ret = vz_ct_set(ct, "OSTEMPLATE", ostemplate, err)) < 0)
		return ret;
	priv = vz_ct_get_subst(ct, "VE_PRIVATE");
	root = vz_ct_get_subst(ct, "VE_ROOT");
	if (!priv)
		return vz_error_set(err, VZ_E_NO_VE_PRIVATE, EINVAL, "VE_PRIVATE is not set");
	if (!root)
		return vz_error_set(err, VZ_E_NO_VE_ROOT, EINVAL, "VE_ROOT is not set");
	if (!vz_dir_is_empty(priv))
		return vz_error_set(err, VZ_E_PRIVATE_EXISTS, EEXIST,
				    "Private area '%s' already exists", priv);

	/* Tenant-safe by default: each CT gets its own range of host ids. */
	uid_def = vz_ct_get_ulong(ct, "LOCAL_UID", 0);
	gid_def = vz_ct_get_ulong(ct, "LOCAL_GID", uid_def);
	if (uid_def) {
		ret = allocate_ids(ct, uid_def, &uid_base, err);
		if (ret < 0)
			return ret;
		gid_base = gid_def == uid_def ? uid_base : gid_def + (uid_base - uid_def);
	} else {
		vz_warn("LOCAL_UID=0: container %s runs without a user namespace and is not "
			"safe for untrusted tenants", ct->idstr);
	}
	/* The layout is the CT's for life, whatever vz.conf says later. */
	vz_ct_set(ct, "VE_LAYOUT", vz_storage_of(ct)->name, err);
	snprintf(num, sizeof(num), "%lu", uid_base);
	vz_ct_set(ct, "LOCAL_UID", num, err);
	snprintf(num, sizeof(num), "%lu", gid_base);
	vz_ct_set(ct, "LOCAL_GID", num, err);

	if (vz_write_file_atomic(marker, priv, strlen(priv), 0600, err) < 0)
		return -EIO;
	vz_info("Creating container private area (%s)", ostemplate);
	if (asprintf(&tmp, "%s.tmp", priv) < 0) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot create the CT");
		goto err_marker;
	}
	vz_rm_rf(tmp);
	ret = vz_mkdir_p(tmp, 0755);
	if (ret < 0) {
		ret = vz_error_sys(err, VZ_E_CREATE_PRIVATE, -ret, "Cannot create '%s'", tmp);
		goto err_marker;
	}
	vz_ct_quota_prepare(ct, tmp);
	ret = vz_storage_of(ct)->populate(ct, cache, tmp, uid_base, gid_base, err);
	if (ret < 0)
		goto err_tmp;
	if (chown(tmp, uid_base, gid_base) < 0 || chmod(tmp, 0755) < 0) {
		ret = vz_error_sys(err, VZ_E_CREATE_PRIVATE, errno, "Cannot set the owner of '%s'", tmp);
		goto err_tmp;
	}
	rmdir(priv);
	if (rename(tmp, priv) < 0) {
		ret = vz_error_sys(err, VZ_E_CREATE_PRIVATE, errno, "Cannot rename '%s'", tmp);
		goto err_tmp;
	}
	ret = vz_mkdir_p(root, 0755);
	if (ret < 0) {
		ret = vz_error_sys(err, VZ_E_CREATE_ROOT, -ret, "Cannot create '%s'", root);
		goto err_priv;
	}
	/* Before the config exists: a failing POST_CREATE leaves no CT behind. */
	ret = vz_dist_post_create(ct, err);
	if (ret < 0)
		goto err_priv;
	if (opts->name) {
		ret = vz_ct_set_name(ct, opts->name, err);
		if (ret < 0)
			goto err_priv;
		vz_ct_set(ct, "NAME", opts->name, err);
	}
	ret = vz_ct_save(ct, err);
	if (ret < 0)
		goto err_name;
	unlink(marker);
	vz_info("Container private area was created");
	return vz_action_run(ct, "create", err);

err_name:
	if (opts->name) {
		__vz_free char *link = NULL;

		if (asprintf(&link, "%s/names/%s", ct->env->confdir, opts->name) >= 0)
			unlink(link);
	}
err_priv:
	vz_rm_rf(priv);
err_tmp:
	vz_rm_rf(tmp);
err_marker:
	unlink(marker);
	return ret;
}

int vz_ct_destroy(struct vz_ct *ct, struct vz_error *err)
{
	__vz_free char *priv = vz_ct_get_subst(ct, "VE_PRIVATE");
	__vz_free char *root = vz_ct_get_subst(ct, "VE_ROOT");
	__vz_free char *doomed = NULL, *destroyed = NULL;
	struct vz_ct_state st;
	int ret;

	ret = vz_ct_get_state(ct, &st, err);
	if (ret < 0)
		return ret;
	if (!st.exists)
		return vz_error_set(err, VZ_E_NO_CTCONF, ENOENT, "Container %s does not exist", ct->idstr);
	if (st.running)
		return vz_error_set(err, VZ_E_RUNNING, EBUSY,
				    "Container is currently running. Stop it first.");
	if (st.mounted)
		return vz_error_set(err, VZ_E_MOUNTED, EBUSY,
				    "Container is currently mounted (umount first)");
	if (!priv)
		return vz_error_set(err, VZ_E_NO_VE_PRIVATE, EINVAL, "VE_PRIVATE is not set");
	vz_info("Destroying container private area: %s", priv);
	/* Move the private area aside first so a later create never meets half of it. */
	if (asprintf(&doomed, "%s.destroyed.%d", priv, (int)getpid()) < 0 ||
	    asprintf(&destroyed, "%s.destroyed", ct->conf_path) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot destroy the CT");
	if (rename(priv, doomed) < 0 && errno != ENOENT)
		return vz_error_sys(err, VZ_E_DELETE, errno, "Cannot move '%s' aside", priv);
	ret = vz_ct_set_name(ct, NULL, err);
	if (ret < 0)
		vz_warn("%s", err->msg);
	if (rename(ct->conf_path, destroyed) < 0)
		return vz_error_sys(err, VZ_E_DELETE, errno, "Cannot rename '%s'", ct->conf_path);
	ct->exists = false;
	vz_net_destroy(ct);
	vz_ct_quota_forget(ct);
	ret = vz_rm_rf(doomed);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_DELETE, -ret, "Cannot remove '%s'", doomed);
	if (root)
		rmdir(root);
	vz_info("Container private area was destroyed");
	return 0;
}
