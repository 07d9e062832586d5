// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Values of the resource keys: checks (for params.c and vzctl set), list
 * merging for the name:value keys, and reading a CT's resources with the
 * VSwap derivations.
 */
#define VZ_LOG_PREFIX "resources"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cleanup.h"
#include "resources.h"
#include "units.h"

const struct vz_ub_def vz_ub_defs[VZ_UB__COUNT] = {
#define VZ_UB_DEF(k, n, u, s, b) [VZ_UB_##n] = {#k, #n, u, s, b},
	VZ_UB_LIST(VZ_UB_DEF)
#undef VZ_UB_DEF
};

const char *const vz_feature_names[VZ_FEATURE__COUNT] = {
#define VZ_FEATURE_NAME(name) [VZ_FEATURE_##name] = #name,
	VZ_FEATURE_LIST(VZ_FEATURE_NAME)
#undef VZ_FEATURE_NAME
};

/* /dev/ppp, which FEATURES ppp:on gives a CT. */
#define PPP_MAJOR 108

int vz_ub_lookup(const char *text)
{
	for (int i = 0; i < VZ_UB__COUNT; i++)
		if (!strcasecmp(text, vz_ub_defs[i].key))
			return i;
	return -1;
}

const char *vz_res_check_ub(enum vz_ub_id id, const char *text)
{
	const struct vz_ub_def *d = &vz_ub_defs[id];
	int64_t b, l;
	int ret;

	if (text[0] == '-' || strstr(text, ":-"))
		return "negative values are not allowed";
	ret = vz_parse_ub(text, d->unit, d->suffix, &b, &l);
	if (ret == -ERANGE)
		return "barrier is greater than limit";
	if (ret < 0)
		return d->suffix ? "expected barrier[:limit] (numbers with K/M/G/T suffixes, or "
				   "unlimited)"
				 : "expected barrier[:limit] (whole numbers without suffixes, or "
				   "unlimited)";
	return NULL;
}

int vz_res_parse_ram(const char *text, int64_t *pages, struct vz_error *err)
{
	int64_t v;

	if (text[0] == '-' || !strcasecmp(text, "unlimited") ||
	    vz_parse_size(text, 1, true, &v) < 0 || v == VZ_UNLIMITED)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "Invalid size \"%s\": expected bytes with an optional K, M, G "
				    "or T suffix",
				    text);
	*pages = (v + VZ_PAGE_BYTES - 1) / VZ_PAGE_BYTES;
	return 0;
}

static bool parse_long(const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*text || !isdigit((unsigned char)*text))
		return false;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

const char *vz_res_check_vm_overcommit(const char *text)
{
	char *end;
	double v;

	if (!*text || !(isdigit((unsigned char)*text) || *text == '.'))
		return "expected a non-negative number";
	errno = 0;
	v = strtod(text, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 1000)
		return "expected a non-negative number up to 1000";
	return NULL;
}

const char *vz_res_check_cpuunits(const char *text)
{
	long v;

	return parse_long(text, 8, 500000, &v) ? NULL : "expected a number from 8 to 500000";
}

int vz_res_parse_cpulimit(const char *text, struct vz_cpulimit *out)
{
	__vz_free char *copy = strdup(text);
	size_t len;
	long v;

	if (!copy)
		return -ENOMEM;
	len = strlen(copy);
	out->host = len > 0 && copy[len - 1] == '%';
	if (out->host)
		copy[len - 1] = '\0';
	if (!parse_long(copy, 0, out->host ? 100 : 100000, &v))
		return -EINVAL;
	out->value = v;
	return 0;
}

const char *vz_res_check_cpulimit(const char *text)
{
	struct vz_cpulimit c;

	return vz_res_parse_cpulimit(text, &c) == 0
		       ? NULL
		       : "expected N (percent of one CPU, 0 for none) or N% (percent of the host, "
			 "0..100%)";
}

const char *vz_res_check_cpus(const char *text)
{
	long v;

	if (!strcasecmp(text, "unlimited"))
		return NULL;
	return parse_long(text, 0, 4096, &v) ? NULL : "expected a number of CPUs or unlimited";
}

int vz_res_parse_cpulist(const char *text, char **out)
{
	__vz_free char *copy = NULL;
	char *save = NULL;
	size_t len = 0;
	char *res;

	if (!strcasecmp(text, "all") || !strcasecmp(text, "auto")) {
		*out = strdup("");
		return *out ? 0 : -ENOMEM;
	}
	if (!*text || strspn(text, "0123456789,-") != strlen(text))
		return -EINVAL;
	copy = strdup(text);
	res = calloc(1, strlen(text) + 1);
	if (!copy || !res) {
		free(res);
		return -ENOMEM;
	}
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long lo, hi;
		char *dash = strchr(tok, '-');

		if (dash)
			*dash = '\0';
		if (!parse_long(tok, 0, 4095, &lo) ||
		    (dash && !parse_long(dash + 1, 0, 4095, &hi))) {
			free(res);
			return -EINVAL;
		}
		if (!dash)
			hi = lo;
		if (hi < lo) {
			free(res);
			return -EINVAL;
		}
		len += (size_t)sprintf(res + len, "%s%ld", len ? "," : "", lo);
		if (hi != lo)
			len += (size_t)sprintf(res + len, "-%ld", hi);
	}
	if (!len) {
		free(res);
		return -EINVAL;
	}
	*out = res;
	return 0;
}

const char *vz_res_check_cpumask(const char *text)
{
	__vz_free char *list = NULL;

	return vz_res_parse_cpulist(text, &list) == 0 ? NULL : "expected a list like 0-3,6 or all";
}

int vz_res_parse_iolimit(const char *text, int64_t *bytes)
{
	size_t len = strlen(text);
	unsigned long long n;
	char *end;
	int shift = 20; /* MB/s without a suffix, as OpenVZ */

	if (!strcasecmp(text, "unlimited")) {
		*bytes = 0;
		return 0;
	}
	if (!len || !isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'B':
			shift = 0;
			break;
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		if (end[1])
			return -EINVAL;
	}
	if (n > (unsigned long long)INT64_MAX >> shift)
		return -ERANGE;
	*bytes = (int64_t)(n << shift);
	return 0;
}

const char *vz_res_check_iolimit(const char *text)
{
	int64_t b;

	return vz_res_parse_iolimit(text, &b) == 0 ? NULL
						   : "expected a rate in MB/s, or a number with a "
						     "B, K, M or G suffix (0: none)";
}

const char *vz_res_check_iopslimit(const char *text)
{
	long v;

	if (!strcasecmp(text, "unlimited"))
		return NULL;
	return parse_long(text, 0, 1L << 40, &v) ? NULL
						 : "expected operations per second (0: none)";
}

const char *vz_res_check_ioprio(const char *text)
{
	long v;

	return parse_long(text, 0, 7, &v) ? NULL : "expected a priority from 0 to 7";
}

static bool parse_access(const char *text, unsigned *access)
{
	*access = 0;
	if (!strcmp(text, "none"))
		return true;
	if (!*text)
		return false;
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case 'r':
			*access |= VZ_DEV_READ;
			break;
		case 'w':
			*access |= VZ_DEV_WRITE;
			break;
		case 'q': /* quota management: nothing to allow on this kernel */
			break;
		default:
			return false;
		}
	}
	return true;
}

/* One DEVICES entry: b|c:major:minor|all:access. */
static bool parse_device(const char *text, struct vz_dev_rule *r)
{
	char type[2], minor[16], access[8];
	long major, mn;

	if (sscanf(text, "%1[bc]:%ld:%15[^:]:%7s", type, &major, minor, access) != 4 || major < 0 ||
	    major > 4095)
		return false;
	if (!strcmp(minor, "all"))
		mn = -1;
	else if (!parse_long(minor, 0, (1L << 20) - 1, &mn))
		return false;
	r->type = type[0];
	r->major = (unsigned)major;
	r->minor = (int)mn;
	return parse_access(access, &r->access) && (r->access || strcmp(access, "none") == 0);
}

typedef bool (*entry_fn)(const char *entry);

static bool device_ok(const char *entry)
{
	struct vz_dev_rule r;

	return parse_device(entry, &r);
}

/* One DEVNODES entry: a name under /dev, then :r|w|rw|none. */
static bool devnode_ok(const char *entry)
{
	const char *colon = strrchr(entry, ':');
	unsigned access;
	__vz_free char *acc = NULL;

	if (!colon || colon == entry || entry[0] == '/' || strstr(entry, ".."))
		return false;
	acc = strdup(colon + 1);
	if (!acc || strchr(acc, 'q'))
		return false;
	for (const char *p = entry; p < colon; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_-.", *p))
			return false;
	return parse_access(acc, &access);
}

/* One FEATURES entry: its feature, -1 if not one; *on from ":on"/":off". */
static int parse_feature(const char *entry, bool *on)
{
	const char *colon = strchr(entry, ':');

	if (!colon || (strcmp(colon + 1, "on") && strcmp(colon + 1, "off")))
		return -1;
	*on = !strcmp(colon + 1, "on");
	for (int i = 0; i < VZ_FEATURE__COUNT; i++)
		if (strlen(vz_feature_names[i]) == (size_t)(colon - entry) &&
		    !strncmp(entry, vz_feature_names[i], colon - entry))
			return i;
	return -1;
}

static bool feature_ok(const char *entry)
{
	bool on;

	return parse_feature(entry, &on) >= 0;
}

static bool capability_ok(const char *entry)
{
	const char *colon = strchr(entry, ':');
	char name[64];
	cap_value_t cap;

	if (!colon || (strcmp(colon + 1, "on") && strcmp(colon + 1, "off")) ||
	    (size_t)(colon - entry) >= sizeof(name) - 4 || colon == entry)
		return false;
	snprintf(name, sizeof(name), "cap_%.*s", (int)(colon - entry), entry);
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (cap_from_name(name, &cap) == 0)
		return true;
	snprintf(name, sizeof(name), "%.*s", (int)(colon - entry), entry);
	return cap_from_name(name, &cap) == 0;
}

static bool each_entry(const char *text, entry_fn ok)
{
	__vz_free char *copy = strdup(text);
	char *save = NULL;

	if (!copy)
		return false;
	for (char *tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save))
		if (!ok(tok))
			return false;
	return true;
}

const char *vz_res_check_devices(const char *text)
{
	return each_entry(text, device_ok) ? NULL
					   : "expected b|c:MAJOR:MINOR|all:[r][w][q]|none entries";
}

const char *vz_res_check_devnodes(const char *text)
{
	return each_entry(text, devnode_ok) ? NULL
					    : "expected DEVICE:r|w|rw|none entries (a name under "
					      "/dev)";
}

const char *vz_res_check_features(const char *text)
{
	return each_entry(text, feature_ok)
		       ? NULL
		       : "expected name:on|off with the names sysfs, nfs, sit, ipip, ppp, ipgre, "
			 "bridge, nfsd";
}

const char *vz_res_check_capability(const char *text)
{
	return each_entry(text, capability_ok) ? NULL
					       : "expected name:on|off with a known capability "
						 "name";
}

int vz_res_load_features(const struct vz_ct *ct, struct vz_features *f, struct vz_error *err)
{
	const char *v = vz_ct_get(ct, "FEATURES");
	__vz_free char *copy = NULL;
	char *save = NULL;

	f->on = f->off = 0;
	if (!v || !*v)
		return 0;
	copy = strdup(v);
	if (!copy)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read FEATURES");
	for (char *t = strtok_r(copy, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
		bool on;
		int feat = parse_feature(t, &on);

		if (feat < 0)
			return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
					    "Invalid value for FEATURES \"%s\": %s", v,
					    vz_res_check_features(v));
		/* A later entry for the same feature wins. */
		f->on = on ? f->on | 1u << feat : f->on & ~(1u << feat);
		f->off = on ? f->off & ~(1u << feat) : f->off | 1u << feat;
	}
	return 0;
}

bool vz_res_feature(const struct vz_ct *ct, enum vz_feature feat, bool dflt)
{
	struct vz_features f;

	if (vz_res_load_features(ct, &f, NULL) < 0)
		return dflt;
	if (f.on & 1u << feat)
		return true;
	if (f.off & 1u << feat)
		return false;
	return dflt;
}

/* The part of an entry that names it: up to the last ':'. */
static size_t entry_key_len(const char *entry)
{
	const char *colon = strrchr(entry, ':');

	return colon ? (size_t)(colon - entry) : strlen(entry);
}

int vz_res_merge_list(const char *list, const char *add, char **out)
{
	__vz_free char *old = strdup(list ? list : ""), *new = strdup(add);
	__vz_free const char **ent = NULL;
	size_t n = 0, len = 0;
	char *res, *save = NULL;

	if (!old || !new)
		return -ENOMEM;
	ent = calloc(strlen(old) + strlen(new) + 2, sizeof(*ent));
	res = calloc(1, strlen(old) + strlen(new) + 2);
	if (!ent || !res) {
		free(res);
		return -ENOMEM;
	}
	for (char *tok = strtok_r(old, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save))
		ent[n++] = tok;
	save = NULL;
	for (char *tok = strtok_r(new, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		size_t klen = entry_key_len(tok), k = 0;

		/* An entry for the same name goes; the new one is appended. */
		for (size_t i = 0; i < n; i++)
			if (!(entry_key_len(ent[i]) == klen && !strncmp(ent[i], tok, klen)))
				ent[k++] = ent[i];
		n = k;
		ent[n++] = tok;
	}
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(res + len, "%s%s", len ? " " : "", ent[i]);
	*out = res;
	return 0;
}

/* ---- reading a CT's resources ------------------------------------------ */

static int bad(struct vz_error *err, const char *key, const char *value, const char *why)
{
	return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid value for %s \"%s\": %s", key,
			    value, why);
}

/* Resolve a DEVNODES entry through the host's /dev. */
static int devnode_rule(const char *entry, struct vz_dev_rule *r, struct vz_error *err)
{
	const char *colon = strrchr(entry, ':');
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/%.*s", (int)(colon - entry), entry);
	if (stat(path, &st) < 0)
		return vz_error_sys(err, VZ_E_DEVICES, errno,
				    "Cannot use DEVNODES entry '%s': '%s'", entry, path);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return vz_error_set(err, VZ_E_DEVICES, ENODEV,
				    "Cannot use DEVNODES entry '%s': '%s' is not a device", entry,
				    path);
	r->type = S_ISBLK(st.st_mode) ? 'b' : 'c';
	r->major = major(st.st_rdev);
	r->minor = (int)minor(st.st_rdev);
	parse_access(colon + 1, &r->access);
	return 0;
}

static int load_devices(const struct vz_ct *ct, struct vz_res *res, struct vz_error *err)
{
	static const char *const keys[] = {"DEVICES", "DEVNODES"};

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		const char *v = vz_ct_get(ct, keys[k]);
		__vz_free char *copy = NULL;
		char *save = NULL;

		if (!v || !*v)
			continue;
		copy = strdup(v);
		if (!copy)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read %s", keys[k]);
		for (char *t = strtok_r(copy, " ,\t", &save); t;
		     t = strtok_r(NULL, " ,\t", &save)) {
			struct vz_dev_rule *r = &res->devs[res->nr_devs];
			int ret;

			if (res->nr_devs >= VZ_RES_MAX_DEVS)
				return vz_error_set(err, VZ_E_BAD_VALUE, E2BIG,
						    "Too many device entries (at most %d)",
						    VZ_RES_MAX_DEVS);
			if (k == 0) {
				if (!parse_device(t, r))
					return bad(err, keys[k], v, vz_res_check_devices(v));
				/* A device granted by DEVICES may also be created in the CT. */
				if (r->access)
					r->access |= VZ_DEV_MKNOD;
			} else {
				if (!devnode_ok(t))
					return bad(err, keys[k], v, vz_res_check_devnodes(v));
				ret = devnode_rule(t, r, err);
				if (ret < 0)
					return ret;
				if (r->access)
					r->access |= VZ_DEV_MKNOD;
			}
			res->nr_devs++;
		}
	}
	/* FEATURES ppp:on: /dev/ppp (the PPP channel and unit device). */
	if ((res->features.on | res->features.off) & 1u << VZ_FEATURE_ppp) {
		if (res->nr_devs >= VZ_RES_MAX_DEVS)
			return vz_error_set(err, VZ_E_BAD_VALUE, E2BIG,
					    "Too many device entries (at most %d)",
					    VZ_RES_MAX_DEVS);
		res->devs[res->nr_devs++] =
			(struct vz_dev_rule){'c', PPP_MAJOR, 0,
					     res->features.on & 1u << VZ_FEATURE_ppp
						     ? VZ_DEV_READ | VZ_DEV_WRITE | VZ_DEV_MKNOD
						     : 0};
	}
	return 0;
}

void vz_res_derive(struct vz_res *res)
{
	struct vz_ub_value *phys = &res->ub[VZ_UB_physpages], *swap = &res->ub[VZ_UB_swappages];
	int64_t ram, sw, total;

	if (!phys->set || phys->limit == VZ_UNLIMITED)
		return;
	ram = phys->limit;
	sw = swap->set && swap->limit != VZ_UNLIMITED ? swap->limit : 0;
	if (swap->set && swap->limit == VZ_UNLIMITED)
		total = VZ_UNLIMITED;
	else
		total = ram + sw;
	if (!res->ub[VZ_UB_lockedpages].set)
		res->ub[VZ_UB_lockedpages] = (struct vz_ub_value){ram, VZ_UNLIMITED, true, true};
	if (!res->ub[VZ_UB_oomguarpages].set)
		res->ub[VZ_UB_oomguarpages] = (struct vz_ub_value){ram, VZ_UNLIMITED, true, true};
	if (!res->ub[VZ_UB_vmguarpages].set)
		res->ub[VZ_UB_vmguarpages] = (struct vz_ub_value){total, VZ_UNLIMITED, true, true};
	if (!res->ub[VZ_UB_privvmpages].set) {
		int64_t p = VZ_UNLIMITED;

		if (res->vm_overcommit > 0 && total != VZ_UNLIMITED) {
			long double v = (long double)total * res->vm_overcommit;

			p = v >= (long double)VZ_UNLIMITED ? VZ_UNLIMITED : (int64_t)v;
		}
		res->ub[VZ_UB_privvmpages] = (struct vz_ub_value){p, p, true, true};
	}
}

int vz_res_load(const struct vz_ct *ct, struct vz_res *res, struct vz_error *err)
{
	const char *v;

	memset(res, 0, sizeof(*res));
	res->cpuunits = res->cpulimit.value = res->cpus = -1;
	res->iolimit = res->iopslimit = -1;
	res->ioprio = -1;
	for (int i = 0; i < VZ_UB__COUNT; i++) {
		const struct vz_ub_def *d = &vz_ub_defs[i];
		struct vz_ub_value *u = &res->ub[i];

		u->barrier = u->limit = VZ_UNLIMITED;
		v = vz_ct_get(ct, d->key);
		if (!v || !*v)
			continue;
		if (vz_res_check_ub(i, v))
			return bad(err, d->key, v, vz_res_check_ub(i, v));
		vz_parse_ub(v, d->unit, d->suffix, &u->barrier, &u->limit);
		u->set = true;
	}
	v = vz_ct_get(ct, "VM_OVERCOMMIT");
	if (v && *v) {
		if (vz_res_check_vm_overcommit(v))
			return bad(err, "VM_OVERCOMMIT", v, vz_res_check_vm_overcommit(v));
		res->vm_overcommit = strtod(v, NULL);
	}
	v = vz_ct_get(ct, "CPUUNITS");
	if (v && *v && !parse_long(v, 8, 500000, &res->cpuunits))
		return bad(err, "CPUUNITS", v, vz_res_check_cpuunits(v));
	v = vz_ct_get(ct, "CPULIMIT");
	if (v && *v && vz_res_parse_cpulimit(v, &res->cpulimit) < 0)
		return bad(err, "CPULIMIT", v, vz_res_check_cpulimit(v));
	v = vz_ct_get(ct, "CPUS");
	if (v && *v) {
		if (!strcasecmp(v, "unlimited"))
			res->cpus = 0;
		else if (!parse_long(v, 0, 4096, &res->cpus))
			return bad(err, "CPUS", v, vz_res_check_cpus(v));
	}
	v = vz_ct_get(ct, "CPUMASK");
	if (v && *v && vz_res_parse_cpulist(v, &res->cpumask) < 0)
		return bad(err, "CPUMASK", v, vz_res_check_cpumask(v));
	v = vz_ct_get(ct, "NODEMASK");
	if (v && *v && vz_res_parse_cpulist(v, &res->nodemask) < 0) {
		vz_res_free(res);
		return bad(err, "NODEMASK", v, vz_res_check_cpumask(v));
	}
	v = vz_ct_get(ct, "IOLIMIT");
	if (v && *v && vz_res_parse_iolimit(v, &res->iolimit) < 0) {
		vz_res_free(res);
		return bad(err, "IOLIMIT", v, vz_res_check_iolimit(v));
	}
	v = vz_ct_get(ct, "IOPSLIMIT");
	if (v && *v) {
		long n = 0;

		if (strcasecmp(v, "unlimited") && !parse_long(v, 0, 1L << 40, &n)) {
			vz_res_free(res);
			return bad(err, "IOPSLIMIT", v, vz_res_check_iopslimit(v));
		}
		res->iopslimit = n;
	}
	v = vz_ct_get(ct, "IOPRIO");
	if (v && *v) {
		long n;

		if (!parse_long(v, 0, 7, &n)) {
			vz_res_free(res);
			return bad(err, "IOPRIO", v, vz_res_check_ioprio(v));
		}
		res->ioprio = (int)n;
	}
	if (vz_res_load_features(ct, &res->features, err) < 0 || load_devices(ct, res, err) < 0) {
		vz_res_free(res);
		return -EINVAL;
	}
	vz_res_derive(res);
	return 0;
}

void vz_res_free(struct vz_res *res)
{
	free(res->cpumask);
	free(res->nodemask);
	res->cpumask = res->nodemask = NULL;
}
