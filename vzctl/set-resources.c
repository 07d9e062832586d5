// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzctl set: the resource options.  Each one is checked and written into
 * the CT's config in memory; on a running CT the changed resources are
 * applied live before anything is saved.
 */
#define VZ_LOG_PREFIX "vzctl"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "cleanup.h"
#include "cli.h"
#include "lifecycle.h"
#include "log.h"
#include "resources.h"
#include "set-resources.h"
#include "units.h"

#define VZCTL_RES_NAME(name, arg) #name,
static const char *const opt_names[] = {VZCTL_RES_OPTS(VZCTL_RES_NAME)};
#undef VZCTL_RES_NAME

/* Option -> config key, for the options that set one key as given. */
static const struct {
	int opt;
	const char *key;
	const char *(*check)(const char *text);
} plain_keys[] = {
	{RES_OPT_vm_overcommit, "VM_OVERCOMMIT", vz_res_check_vm_overcommit},
	{RES_OPT_cpuunits, "CPUUNITS", vz_res_check_cpuunits},
	{RES_OPT_cpulimit, "CPULIMIT", vz_res_check_cpulimit},
	{RES_OPT_cpus, "CPUS", vz_res_check_cpus},
	{RES_OPT_cpumask, "CPUMASK", vz_res_check_cpumask},
	{RES_OPT_nodemask, "NODEMASK", vz_res_check_cpumask},
	{RES_OPT_iolimit, "IOLIMIT", vz_res_check_iolimit},
	{RES_OPT_iopslimit, "IOPSLIMIT", vz_res_check_iopslimit},
	{RES_OPT_ioprio, "IOPRIO", vz_res_check_ioprio},
};

/* Options adding name:value entries to a list key. */
static const struct {
	int opt;
	const char *key;
	const char *(*check)(const char *text);
	bool restart; /* cannot change on a running CT */
} list_keys[] = {
	{RES_OPT_devices, "DEVICES", vz_res_check_devices, false},
	{RES_OPT_devnodes, "DEVNODES", vz_res_check_devnodes, false},
	{RES_OPT_capability, "CAPABILITY", vz_res_check_capability, true},
	{RES_OPT_features, "FEATURES", vz_res_check_features, true},
};

static int bad_value(struct vzctl *v, int opt, const char *arg, const char *why)
{
	vz_error_set(&v->err, VZ_E_BAD_VALUE, EINVAL, "Invalid value for --%s \"%s\": %s",
		     opt_names[opt], arg, why);
	return vz_cli_fail(&v->err);
}

static int set_key(struct vzctl *v, struct vzctl_res_edit *e, const char *key, const char *value)
{
	if (vz_ct_set(v->ct, key, value, &v->err) < 0)
		return vz_cli_fail(&v->err);
	e->mask |= vz_res_key_mask(key);
	e->changed = true;
	return 0;
}

/* Every entry of a DEVNODES value names a device node of the host. */
static const char *devnodes_exist(const char *arg)
{
	__vz_free char *copy = strdup(arg);
	char *save = NULL;

	if (!copy)
		return "out of memory";
	for (char *t = strtok_r(copy, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
		char path[256];
		struct stat st;

		snprintf(path, sizeof(path), "/dev/%.*s", (int)(strrchr(t, ':') - t), t);
		if (stat(path, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
			return "no such device node in the host's /dev";
	}
	return NULL;
}

static int ram_swap(struct vzctl *v, struct vzctl_res_edit *e, int opt, const char *arg)
{
	int64_t pages;
	char value[64];

	if (vz_res_parse_ram(arg, &pages, &v->err) < 0)
		return bad_value(v, opt, arg,
				 "expected a size in bytes with an optional K, M, G or T suffix");
	/* VSwap: the barrier is not used, the limit is the size. */
	snprintf(value, sizeof(value), "0:%lld", (long long)pages);
	return set_key(v, e, opt == RES_OPT_ram ? "PHYSPAGES" : "SWAPPAGES", value);
}

int vzctl_res_option(struct vzctl *v, int c, const char *arg, struct vzctl_res_edit *e)
{
	int opt = c - OPT_RES_BASE;
	const char *why;
	int ub;

	switch (opt) {
	case RES_OPT_ram:
	case RES_OPT_swap:
		return ram_swap(v, e, opt, arg);
	case RES_OPT_setmode:
		if (!strcmp(arg, "restart"))
			e->setmode = SETMODE_RESTART;
		else if (!strcmp(arg, "ignore"))
			e->setmode = SETMODE_IGNORE;
		else
			return vzctl_bad_usage("set", "--setmode takes restart or ignore, not '%s'",
					       arg);
		return 0;
	case RES_OPT_reset_ub:
		e->reset_ub = true;
		return 0;
	case RES_OPT_strict:
		e->strict = true;
		return 0;
	case RES_OPT_applyconfig: {
		bool restart = false;

		if (vz_res_apply_sample(v->ct, arg, &e->mask, &restart, &v->err) < 0)
			return vz_cli_fail(&v->err);
		e->restart |= restart;
		e->changed = true;
		return 0;
	}
	default:
		break;
	}
	for (size_t i = 0; i < ARRAY_SIZE(plain_keys); i++) {
		if (plain_keys[i].opt != opt)
			continue;
		why = plain_keys[i].check(arg);
		if (why)
			return bad_value(v, opt, arg, why);
		return set_key(v, e, plain_keys[i].key, arg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(list_keys); i++) {
		__vz_free char *merged = NULL;

		if (list_keys[i].opt != opt)
			continue;
		why = list_keys[i].check(arg);
		if (!why && opt == RES_OPT_devnodes)
			why = devnodes_exist(arg);
		if (why)
			return bad_value(v, opt, arg, why);
		if (vz_res_merge_list(vz_conf_get(v->ct->conf, list_keys[i].key), arg, &merged) < 0)
			return VZ_EXIT_SYSTEM;
		e->restart |= list_keys[i].restart;
		return set_key(v, e, list_keys[i].key, merged);
	}
	ub = vz_ub_lookup(opt_names[opt]);
	if (ub >= 0) {
		why = vz_res_check_ub(ub, arg);
		if (why)
			return bad_value(v, opt, arg, why);
		return set_key(v, e, vz_ub_defs[ub].key, arg);
	}
	return vzctl_bad_usage("set", "invalid option '--%s'", opt_names[opt]);
}

int vzctl_res_apply(struct vzctl *v, const struct vzctl_res_edit *e, const struct vz_ct_state *st)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	unsigned mask = e->mask | (e->reset_ub ? VZ_RES_UB : 0);
	bool strict = e->strict || vz_ct_get_bool(v->ct, "STRICT_LIMITS", false);

	if (e->reset_ub && !st->running) {
		vz_error_set(&v->err, VZ_E_NOT_RUNNING, EINVAL,
			     "--reset_ub needs a running container");
		return vz_cli_fail(&v->err);
	}
	if (!st->running || !mask)
		return 0;
	if (vz_cgroup_open(v->ct, &cg, &v->err) < 0 ||
	    vz_res_apply(v->ct, cg, mask, strict, &v->err) < 0)
		return vz_cli_fail(&v->err);
	/* The nodes in the CT's /dev, and LOCKEDPAGES of its processes. */
	if ((mask & VZ_RES_DEVICES) && vz_devnodes_apply_live(v->ct, st->init_pid, &v->err) < 0)
		return vz_cli_fail(&v->err);
	if ((mask & VZ_RES_MEM) && vz_res_apply_rlimits_live(v->ct, st->init_pid, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}

int vzctl_res_finish(struct vzctl *v, const struct vzctl_res_edit *e, const struct vz_ct_state *st,
		     bool saved)
{
	struct vz_start_opts so = {0};
	struct vz_stop_opts to = {0};

	if (!st->running || !e->restart || e->setmode == SETMODE_IGNORE)
		return 0;
	if (e->setmode == SETMODE_WARN || !saved) {
		vz_warn("WARNING: Some of the parameters (capabilities, features) cannot be "
			"changed on "
			"a running container; they take effect at the next start%s",
			e->setmode == SETMODE_WARN ? " (use --setmode restart|ignore)" : "");
		return 0;
	}
	vz_info("Restarting the container to apply the new parameters");
	if (vz_ct_stop(v->ct, &to, &v->err) < 0 || vz_ct_start(v->ct, &so, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}
