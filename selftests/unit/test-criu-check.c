// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/criu.c: a CRIU check that passed is remembered for the boot and the
 * CRIU binary, and only then; a remembered answer of another boot, or of
 * another binary, is not taken.  On a kernel where CRIU cannot work (the
 * build machines' own), a remembered answer is the only way to pass, which
 * shows that no CRIU worker ran.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "criu.h"
#include "fileutil.h"
#include "tap.h"

static char tmpdir[] = "/tmp/vz-test-criu.XXXXXX";

static void put(const char *path, const char *text)
{
	struct vz_error err = { 0 };

	if (vz_write_file_atomic(path, text, strlen(text), 0644, &err) < 0)
		abort();
}

int main(void)
{
	char cache[PATH_MAX], key[PATH_MAX + 256], text[PATH_MAX + 512], version[64];
	struct vz_error err = { 0 };
	int ret;

	if (!mkdtemp(tmpdir))
		return 1;
	snprintf(cache, sizeof(cache), "%s/criu-check", tmpdir);

	/* Nothing remembered: CRIU's own check decides, and only a pass is kept. */
	ret = vz_criu_check_cached(cache, version, sizeof(version), &err);
	if (ret == 0) {
		ok(vz_path_exists(cache), "a check that passed is remembered (CRIU %s works here)",
		   version);
	} else {
		ok(err.kind == VZ_E_NO_KERNEL_SUPPORT, "a failed check says so: %s", err.msg);
		ok(!vz_path_exists(cache), "... and is not remembered");
	}

	if (vz_criu_check_key(key, sizeof(key)) < 0) {
		skip(5, "no criu binary on PATH");
		vz_rm_rf(tmpdir);
		return done_testing();
	}
	ok(!strncmp(key, "boot=", 5) && strstr(key, " kernel=") && strstr(key, " criu=/"),
	   "the key names the boot, the kernel and the CRIU binary: %s", key);

	snprintf(text, sizeof(text), "%s version=9.9.9\n", key);
	put(cache, text);
	memset(version, 0, sizeof(version));
	is_int(vz_criu_check_cached(cache, version, sizeof(version), &err), 0,
	       "a remembered pass of this boot and binary is taken");
	is_str(version, "9.9.9", "... with the version it remembered (no CRIU worker asked)");

	snprintf(text, sizeof(text), "boot=00000000-0000-0000-0000-000000000000%s version=9.9.9\n",
		 strchr(key, ' '));
	put(cache, text);
	memset(version, 0, sizeof(version));
	ret = vz_criu_check_cached(cache, version, sizeof(version), &err);
	ok(ret < 0 || strcmp(version, "9.9.9"), "a pass remembered in another boot is not taken");

	snprintf(text, sizeof(text), "%s1 version=9.9.9\n", key);
	put(cache, text);
	memset(version, 0, sizeof(version));
	ret = vz_criu_check_cached(cache, version, sizeof(version), &err);
	ok(ret < 0 || strcmp(version, "9.9.9"), "... nor one of another CRIU binary");

	vz_rm_rf(tmpdir);
	return done_testing();
}
