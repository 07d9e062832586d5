// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/quota-file.c and lib/quota-ct.c without a kernel that has project
 * quotas: the quota file, argument checks before anything changes, and a
 * CT's limits from its config.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quota.h"
#include "tap.h"

static char dir[] = "/tmp/vz-test-quota.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

int main(void)
{
	struct vz_quota_limits l = {.bsoft = 10, .bhard = 5, .isoft = 1, .ihard = 2};
	struct vz_error err = {0};
	struct vz_quota q;
	int ret;

	if (!mkdtemp(dir))
		return 1;
	setenv("VZ_QUOTA_DIR", dir, 1);
	is_str(vz_quota_dir(), dir, "VZ_QUOTA_DIR names the quota directory");

	ret = vz_quota_load(301, &q, &err);
	is_int(ret, -ENOENT, "no quota file: -ENOENT");
	is_int(err.kind, VZ_E_QUOTA_NO_FILE, "kind QUOTA_NO_FILE (vzquota exit 11)");
	like(err.msg, "not initialized", "the message says so");

	ret = vz_quota_init(301, "/", &l, &err);
	is_int(err.kind, VZ_E_BAD_VALUE, "init with block soft above hard: BAD_VALUE");
	ok(ret < 0, "and fails");
	l.bsoft = 1;
	l.isoft = 3;
	vz_quota_init(301, "/", &l, &err);
	is_int(err.kind, VZ_E_BAD_VALUE, "init with inode soft above hard: BAD_VALUE");
	l.isoft = 1;
	l.ugidlimit = 10;
	vz_quota_init(301, "/", &l, &err);
	is_int(err.kind, VZ_E_QUOTA_UGID, "second-level quota on a project quota: QUOTA_UGID");
	like(err.msg, "per file system", "the message says why");
	l.ugidlimit = 0;
	vz_quota_init(301, "relative/path", &l, &err);
	is_int(err.kind, VZ_E_BAD_VALUE, "a relative path: BAD_VALUE");
	vz_quota_init(301, "/nonexistent-vz-quota-path", &l, &err);
	is_int(err.kind, VZ_E_NO_PRIVATE, "a path that does not exist: NO_PRIVATE (exit 13)");
	ok(access("/tmp", F_OK) == 0 && vz_quota_load(301, &q, NULL) == -ENOENT,
	   "failed inits leave no quota file");

	write_file("quota.302", "PATH=\"/srv/ct\"\nSTATUS=\"on\"\nBSOFT=\"100\"\nBHARD=\"200\"\n"
				"ISOFT=\"10\"\nIHARD=\"20\"\nBGRACE=\"60\"\nIGRACE=\"70\"\n"
				"BCUR=\"150\"\nICUR=\"5\"\nBTIME=\"1234\"\n");
	ret = vz_quota_show(302, &q, &err);
	is_int(ret, 0, "show reads a quota file");
	is_str(q.path, "/srv/ct", "its path");
	ok(q.on, "its status");
	ok(q.lim.bsoft == 100 && q.lim.bhard == 200 && q.lim.isoft == 10 && q.lim.ihard == 20,
	   "its limits");
	ok(q.lim.bgrace == 60 && q.lim.igrace == 70, "its grace times");
	ok(q.usage.bcur == 150 && q.usage.icur == 5 && q.usage.btime == 1234,
	   "the usage it last saw");

	write_file("quota.303", "STATUS=\"off\"\n");
	ret = vz_quota_show(303, &q, &err);
	is_int(err.kind, VZ_E_QUOTA_FILE, "a quota file without PATH: QUOTA_FILE (exit 4)");

	write_file("quota.304", "PATH=\"/srv/ct\"\nSTATUS=\"off\"\n");
	ret = vz_quota_stat(304, &q, &err);
	is_int(err.kind, VZ_E_QUOTA_NOT_RUNNING,
	       "stat of a quota that is off: NOT_RUNNING (exit 6)");
	ret = vz_quota_off(304, &err);
	is_int(err.kind, VZ_E_QUOTA_NOT_RUNNING, "off of a quota that is off: NOT_RUNNING");
	ret = vz_quota_drop(302, false, &err);
	is_int(err.kind, VZ_E_QUOTA_RUNNING, "drop of a quota that is on: RUNNING (exit 5)");
	ret = vz_quota_drop(304, false, &err);
	is_int(ret, 0, "drop of a quota that is off");
	ok(vz_quota_load(304, &q, NULL) == -ENOENT, "removes its file");

	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("cannot remove %s", dir);
	}
	return done_testing();
}
