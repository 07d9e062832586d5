// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/cgroup.c path computation (vz_cg_hier_add, vz_cg_hier_path) and the
 * /proc helpers of lib/procutil.c.  No cgroup file system is touched.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "procutil.h"
#include "tap.h"

struct hier_case {
	const char *mnt, *controllers, *own, *parent, *ctid, *want;
};

static void test_paths(void)
{
	static const struct hier_case cases[] = {
		/* absolute parent: from the root of the hierarchy, own path ignored */
		{"/sys/fs/cgroup/memory", "memory", "/user.slice", "/vz", "101",
		 "/sys/fs/cgroup/memory/vz/101"},
		{"/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct", "/x/y", "/vz", "101",
		 "/sys/fs/cgroup/cpu,cpuacct/vz/101"},
		{"/sys/fs/cgroup/name=systemd", "name=systemd", "/", "/vz/", "101",
		 "/sys/fs/cgroup/name=systemd/vz/101"},
		{"/sys/fs/cgroup/net_cls,net_prio", "net_cls,net_prio", "/x/y", "/", "101",
		 "/sys/fs/cgroup/net_cls,net_prio/101"},
		{"/sys/fs/cgroup/perf_event", "perf_event", "/", "/a/b", "2147483644",
		 "/sys/fs/cgroup/perf_event/a/b/2147483644"},
		/* relative parent "": directly under our own group */
		{"/sys/fs/cgroup/pids", "pids", "/x/y", "", "101", "/sys/fs/cgroup/pids/x/y/101"},
		{"/sys/fs/cgroup/devices", "devices", "/", "", "101", "/sys/fs/cgroup/devices/101"},
		/* relative parent "a/b": under our own group */
		{"/sys/fs/cgroup/blkio", "blkio", "/x/y", "a/b", "101",
		 "/sys/fs/cgroup/blkio/x/y/a/b/101"},
		{"/sys/fs/cgroup/freezer", "freezer", "/", "a/b", "101",
		 "/sys/fs/cgroup/freezer/a/b/101"},
		{"/sys/fs/cgroup/cpuset", "cpuset", "/x/y", "a/b/", "101",
		 "/sys/fs/cgroup/cpuset/x/y/a/b/101"},
	};
	struct vz_cgroup *cg = calloc(1, sizeof(*cg));

	if (!cg) {
		ok(0, "paths: allocate");
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hier_case *c = &cases[i];
		int ret = vz_cg_hier_add(cg, c->mnt, c->controllers, c->own, c->parent, c->ctid);

		is_int(ret, 0, "add %s (own \"%s\", parent \"%s\")", c->controllers, c->own,
		       c->parent);
		is_str(ret == 0 ? cg->hier[cg->nr_hier - 1].path : NULL, c->want,
		       "path for %s, own \"%s\", parent \"%s\"", c->controllers, c->own, c->parent);
		is_str(ret == 0 ? cg->hier[cg->nr_hier - 1].controllers : NULL, c->controllers,
		       "controllers \"%s\" kept", c->controllers);
	}
	is_int(cg->nr_hier, sizeof(cases) / sizeof(cases[0]), "one hierarchy per add");

	/* Lookup by controller name: each name of a comma-separated list. */
	is_str(vz_cg_hier_path(cg, "memory"), "/sys/fs/cgroup/memory/vz/101", "lookup memory");
	is_str(vz_cg_hier_path(cg, "cpu"), "/sys/fs/cgroup/cpu,cpuacct/vz/101",
	       "lookup cpu in \"cpu,cpuacct\"");
	is_str(vz_cg_hier_path(cg, "cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/vz/101",
	       "lookup cpuacct in \"cpu,cpuacct\"");
	is_str(vz_cg_hier_path(cg, "net_cls"), "/sys/fs/cgroup/net_cls,net_prio/101",
	       "lookup net_cls (first of the list)");
	is_str(vz_cg_hier_path(cg, "net_prio"), "/sys/fs/cgroup/net_cls,net_prio/101",
	       "lookup net_prio (last of the list)");
	is_str(vz_cg_hier_path(cg, "name=systemd"), "/sys/fs/cgroup/name=systemd/vz/101",
	       "lookup name=systemd");
	is_str(vz_cg_hier_path(cg, "pids"), "/sys/fs/cgroup/pids/x/y/101", "lookup pids");
	is_str(vz_cg_hier_path(cg, "cpuset"), "/sys/fs/cgroup/cpuset/x/y/a/b/101", "lookup cpuset");
	is_str(vz_cg_hier_path(cg, "cpua"), NULL, "lookup: a prefix of a name does not match");
	is_str(vz_cg_hier_path(cg, "acct"), NULL, "lookup: a suffix of a name does not match");
	is_str(vz_cg_hier_path(cg, "memoryx"), NULL, "lookup: a longer name does not match");
	is_str(vz_cg_hier_path(cg, "systemd"), NULL, "lookup: \"systemd\" is not \"name=systemd\"");
	is_str(vz_cg_hier_path(cg, "rdma"), NULL, "lookup: an absent controller is NULL");
	is_str(vz_cg_hier_path(cg, ""), NULL, "lookup: no unified hierarchy on a v1-only host");

	/* Hybrid: add the unified hierarchy; "" finds it, the others are unchanged. */
	is_int(vz_cg_hier_add(cg, "/sys/fs/cgroup/unified", "", "/x/y", "/vz", "101"), 0,
	       "hybrid: add the unified hierarchy");
	is_str(vz_cg_hier_path(cg, ""), "/sys/fs/cgroup/unified/vz/101",
	       "hybrid: \"\" finds the unified hierarchy");
	is_str(vz_cg_hier_path(cg, "memory"), "/sys/fs/cgroup/memory/vz/101",
	       "hybrid: memory still in its v1 hierarchy");

	/* Room for VZ_CG_MAX_HIER hierarchies, no more. */
	while (cg->nr_hier < VZ_CG_MAX_HIER)
		if (vz_cg_hier_add(cg, "/sys/fs/cgroup/misc", "misc", "/", "/vz", "101") < 0)
			break;
	is_int(cg->nr_hier, VZ_CG_MAX_HIER, "fill up to VZ_CG_MAX_HIER");
	is_int(vz_cg_hier_add(cg, "/sys/fs/cgroup/rdma", "rdma", "/", "/vz", "101"), -E2BIG,
	       "one more than VZ_CG_MAX_HIER is -E2BIG");
	is_int(cg->nr_hier, VZ_CG_MAX_HIER, "a refused add changes nothing");
	is_str(vz_cg_hier_path(cg, "rdma"), NULL, "a refused hierarchy is not found");
	vz_cgroup_free(cg);
}

static void test_unified(void)
{
	static const struct hier_case cases[] = {
		{"/sys/fs/cgroup", "", "/init.scope", "/vz", "101", "/sys/fs/cgroup/vz/101"},
		{"/sys/fs/cgroup", "", "/", "/vz", "101", "/sys/fs/cgroup/vz/101"},
		{"/sys/fs/cgroup/", "", "/", "/vz", "101", "/sys/fs/cgroup/vz/101"},
		{"/sys/fs/cgroup", "", "/", "", "101", "/sys/fs/cgroup/101"},
		{"/sys/fs/cgroup", "", "/x/y", "", "101", "/sys/fs/cgroup/x/y/101"},
		{"/sys/fs/cgroup", "", "/x/y", "a/b", "101", "/sys/fs/cgroup/x/y/a/b/101"},
		{"/sys/fs/cgroup", "", "/", "a/b", "101", "/sys/fs/cgroup/a/b/101"},
		{"/sys/fs/cgroup", "", "/user.slice/user-0.slice/session-1.scope", "vz", "101",
		 "/sys/fs/cgroup/user.slice/user-0.slice/session-1.scope/vz/101"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hier_case *c = &cases[i];
		struct vz_cgroup *cg = calloc(1, sizeof(*cg));
		int ret;

		if (!cg) {
			ok(0, "unified: allocate");
			return;
		}
		ret = vz_cg_hier_add(cg, c->mnt, c->controllers, c->own, c->parent, c->ctid);
		is_int(ret, 0, "unified: add (mount \"%s\", own \"%s\", parent \"%s\")", c->mnt,
		       c->own, c->parent);
		is_str(vz_cg_hier_path(cg, ""), c->want,
		       "unified: \"\" gives %s (mount \"%s\", own \"%s\", parent \"%s\")", c->want,
		       c->mnt, c->own, c->parent);
		is_str(vz_cg_hier_path(cg, "memory"), NULL,
		       "unified: a controller name does not match the unified hierarchy");
		vz_cgroup_free(cg);
	}
}

static void test_unescape(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"/mnt/with\\040space", "/mnt/with space"},
		{"\\040lead", " lead"},
		{"trail\\040", "trail "},
		{"a\\040\\040b", "a  b"},
		{"tab\\011here", "tab\there"},
		{"new\\012line", "new\nline"},
		{"back\\134slash", "back\\slash"},
		{"\\1340", "\\0"},
		{"\\0400", " 0"},
		{"plain/path", "plain/path"},
		{"", ""},
		{"trail\\", "trail\\"},
		{"short\\04", "short\\04"},
		{"short\\0", "short\\0"},
		{"not\\089octal", "not\\089octal"},
		{"not\\x40hex", "not\\x40hex"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = strdup(cases[i].in);

		if (!s) {
			ok(0, "unescape: allocate");
			continue;
		}
		vz_unescape_mountinfo(s);
		is_str(s, cases[i].want, "unescape \"%s\"", cases[i].in);
		free(s);
	}
}

static void test_starttime(void)
{
	unsigned long long self = vz_proc_starttime(getpid()), renamed, child_start;
	char name[17] = "";
	pid_t child;

	ok(self > 0, "starttime of this process is non-zero");
	is_int(vz_proc_starttime(getpid()), self, "starttime is stable");

	/* A command name with ") " must not shift the fields. */
	prctl(PR_GET_NAME, name);
	prctl(PR_SET_NAME, "x) 1 2 3 (y");
	renamed = vz_proc_starttime(getpid());
	prctl(PR_SET_NAME, name);
	is_int(renamed, self, "starttime with ') ' in the command name");

	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	child_start = child > 0 ? vz_proc_starttime(child) : 0;
	ok(child_start >= self, "starttime of a child is not before ours");
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		is_int(vz_proc_starttime(child), 0, "starttime of a reaped child is 0");
	} else {
		ok(0, "fork");
	}
	is_int(vz_proc_starttime(-1), 0, "starttime of pid -1 is 0");
}

int main(void)
{
	test_paths();
	test_unified();
	test_unescape();
	test_starttime();
	return done_testing();
}
