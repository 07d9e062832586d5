// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzctl set --applyconfig: copy a config sample's values into a CT's
 * config, keeping what identifies the CT and its files (OpenVZ keeps
 * HOSTNAME, IP_ADDRESS, OSTEMPLATE, VE_ROOT and VE_PRIVATE; the id ranges,
 * name and layout of an existing CT cannot change either).
 */
#define VZ_LOG_PREFIX "resources"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "resources.h"

static const char *const kept_keys[] = {"HOSTNAME",   "IP_ADDRESS", "OSTEMPLATE", "VE_ROOT",
					"VE_PRIVATE", "NAME",	    "LOCAL_UID",  "LOCAL_GID",
					"VE_LAYOUT",  "NETIF"};

static bool kept(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(kept_keys); i++)
		if (!strcmp(kept_keys[i], key))
			return true;
	return false;
}

int vz_res_apply_sample(struct vz_ct *ct, const char *name, unsigned *mask, bool *restart,
			struct vz_error *err)
{
	__vz_conf struct vz_conf *sample = NULL;
	__vz_free char *path = NULL;
	int ret;

	if (!*name || strchr(name, '/') || name[0] == '.')
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid config sample name '%s'",
				    name);
	if (asprintf(&path, "%s/conf/ve-%s.conf-sample", ct->env->confdir, name) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the sample");
	ret = vz_conf_load(&sample, path, err);
	if (ret < 0) {
		err->kind = VZ_E_APPLY_CONFIG;
		return ret;
	}
	ret = vz_params_validate(sample, false, err);
	if (ret < 0) {
		vz_error_prefix(err, "Cannot apply config sample '%s': ", name);
		return ret;
	}
	for (size_t i = 0; i < sample->nr_lines; i++) {
		const struct vz_conf_line *l = &sample->lines[i];

		if (!l->key || kept(l->key))
			continue;
		ret = vz_ct_set(ct, l->key, l->value, err);
		if (ret < 0)
			return ret;
		*mask |= vz_res_key_mask(l->key);
		if (!strcmp(l->key, "CAPABILITY") || !strcmp(l->key, "FEATURES"))
			*restart = true;
	}
	return 0;
}
