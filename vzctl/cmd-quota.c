// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * quotaon, quotaoff, quotainit: a CT's project quota (simfs and overlay
 * layouts), and the disk options of set (--diskspace, --diskinodes,
 * --quotatime, --quotaugidlimit).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "log.h"
#include "quota.h"
#include "state.h"
#include "vzctl.h"

static int quota_cmd(struct vzctl *v, int argc, char **argv, const char *name,
		     int (*fn)(struct vz_ct *ct, struct vz_error *err))
{
	if (argc > 1)
		return vzctl_bad_usage(name, "unexpected argument '%s'", argv[1]);
	if (!v->ct->exists) {
		vz_error_set(&v->err, VZ_E_NO_CTCONF, ENOENT, "Container %s does not exist",
			     v->ct->idstr);
		return vz_cli_fail(&v->err);
	}
	if (fn(v->ct, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}

int cmd_quotaon(struct vzctl *v, int argc, char **argv)
{
	return quota_cmd(v, argc, argv, "quotaon", vz_ct_quota_on);
}

int cmd_quotaoff(struct vzctl *v, int argc, char **argv)
{
	return quota_cmd(v, argc, argv, "quotaoff", vz_ct_quota_off);
}

int cmd_quotainit(struct vzctl *v, int argc, char **argv)
{
	return quota_cmd(v, argc, argv, "quotainit", vz_ct_quota_init);
}

int vzctl_disk_option(struct vzctl *v, const char *key, const char *value, unsigned *changed)
{
	static const struct {
		const char *key;
		unsigned flag;
	} keys[] = {
		{"DISKSPACE", VZ_DISK_SPACE},
		{"DISKINODES", VZ_DISK_INODES},
		{"QUOTATIME", VZ_DISK_QUOTATIME},
		{"QUOTAUGIDLIMIT", VZ_DISK_UGIDLIMIT},
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcmp(keys[i].key, key))
			continue;
		if (vz_ct_set(v->ct, key, value, &v->err) < 0)
			return vz_cli_fail(&v->err);
		*changed |= keys[i].flag;
		return 0;
	}
	return VZ_EXIT_SYSTEM;
}

int vzctl_disk_apply(struct vzctl *v, unsigned changed, const char *old_inodes, bool mounted,
		     bool save)
{
	if (!changed)
		return 0;
	if (vz_ct_disk_check(v->ct, changed, old_inodes, &v->err) < 0)
		return vz_cli_fail(&v->err);
	/* A CT that is down gets its new size now only if the config keeps it. */
	if ((mounted || save) && vz_ct_disk_apply(v->ct, changed, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}
