// SPDX-License-Identifier: GPL-2.0
/*
 * Sanity checks of the vz test guest itself: the harness relies on a pure
 * cgroup v2 hierarchy at /sys/fs/cgroup and on the tests running as root in
 * the root cgroup.  If these fail, every other result is meaningless.
 */
#include <linux/limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "kselftest.h"
#include "cgroup_util.h"

static int test_cgroup2_mounted(const char *root)
{
	struct statfs st;

	if (statfs("/sys/fs/cgroup", &st))
		return KSFT_FAIL;
	if (st.f_type != CGROUP2_SUPER_MAGIC)
		return KSFT_FAIL;
	if (strcmp(root, "/sys/fs/cgroup"))
		return KSFT_FAIL;
	return KSFT_PASS;
}

static int test_root_cgroup(const char *root)
{
	char buf[256];

	if (proc_read_text(0, false, "cgroup", buf, sizeof(buf)) < 0)
		return KSFT_FAIL;
	return strcmp(buf, "0::/\n") ? KSFT_FAIL : KSFT_PASS;
}

static int test_create_destroy(const char *root)
{
	int ret = KSFT_FAIL;
	char *cg;

	cg = cg_name(root, "vz_smoke");
	if (!cg)
		return KSFT_FAIL;
	if (cg_create(cg))
		goto cleanup;
	if (cg_read_strcmp(cg, "cgroup.procs", ""))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	cg_destroy(cg);
	free(cg);
	return ret;
}

#define T(x) { x, #x }
static const struct {
	int (*fn)(const char *root);
	const char *name;
} tests[] = {
	T(test_cgroup2_mounted),
	T(test_root_cgroup),
	T(test_create_destroy),
};
#undef T

int main(void)
{
	char root[PATH_MAX];
	size_t i;

	/* Children fork off: no buffered output may be duplicated. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests));
	if (cg_find_unified_root(root, sizeof(root)))
		ksft_exit_skip("cgroup v2 isn't mounted\n");
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		switch (tests[i].fn(root)) {
		case KSFT_PASS:
			ksft_test_result_pass("%s\n", tests[i].name);
			break;
		case KSFT_SKIP:
			ksft_test_result_skip("%s\n", tests[i].name);
			break;
		default:
			ksft_test_result_fail("%s\n", tests[i].name);
			break;
		}
	}
	ksft_finished();
}
