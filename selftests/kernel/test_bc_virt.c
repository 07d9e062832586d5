// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of the per-container /proc virtualization of the beancounter
 * controller ("beancounter.proc_virt"): /proc/meminfo against memcg,
 * /proc/cpuinfo and /sys/devices/system/cpu/online against the cpuset,
 * /proc/uptime against the PID namespace's init, descendants covered, the
 * switch off, and the host view untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "cgroup_util.h"


static char *read_file(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return NULL;
	buf[len] = '\0';
	return buf;
}

/* A "Key:   value kB" line of /proc/meminfo, in kB, or -1. */
static long meminfo_kb(const char *key)
{
	char buf[8192], *p;

	if (!read_file("/proc/meminfo", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, key);
	if (!p)
		return -1;
	return strtol(p + strlen(key) + 1, NULL, 10);
}

static int cpuinfo_count(void)
{
	char *buf = malloc(1 << 20), *p;
	int n = 0;

	if (!buf || !read_file("/proc/cpuinfo", buf, 1 << 20)) {
		free(buf);
		return -1;
	}
	for (p = buf; (p = strstr(p, "processor\t:")); p++)
		n++;
	free(buf);
	return n;
}

static double uptime_s(void)
{
	char buf[128];

	if (!read_file("/proc/uptime", buf, sizeof(buf)))
		return -1;
	return atof(buf);
}

/*
 * The container bc_virt (limits, proc_virt) with two leaves, as cgroup v2
 * puts processes only in leaves once controllers are enabled below: init
 * (the container's processes) and sub/leaf one level deeper.
 */
struct ct {
	char *cg, *init, *sub, *leaf;
};

static int ct_create(struct ct *c, const char *root)
{
	c->cg = cg_name(root, "bc_virt");
	c->init = cg_name(root, "bc_virt/init");
	c->sub = cg_name(root, "bc_virt/sub");
	c->leaf = cg_name(root, "bc_virt/sub/leaf");
	if (!c->cg || !c->init || !c->sub || !c->leaf)
		return -1;
	if (cg_create(c->cg) || cg_write(c->cg, "memory.max", "256M") ||
	    cg_write(c->cg, "cpuset.cpus", "0") ||
	    cg_write(c->cg, "beancounter.proc_virt", "1") ||
	    cg_write(c->cg, "cgroup.subtree_control", "+memory +beancounter") ||
	    cg_create(c->init) || cg_create(c->sub) ||
	    cg_write(c->sub, "cgroup.subtree_control", "+memory +beancounter") ||
	    cg_create(c->leaf))
		return -1;
	return 0;
}

static void ct_destroy(struct ct *c)
{
	char **p[] = { &c->leaf, &c->sub, &c->init, &c->cg };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		if (*p[i])
			cg_destroy(*p[i]);
		free(*p[i]);
		*p[i] = NULL;
	}
}

/* In the container (@arg its cgroup): the memory cgroup, not the host. */
static int in_ct_meminfo(const char *cgroup, void *arg)
{
	const char *ct = arg;
	long total, free_kb, avail, anon, current;
	size_t size = MB(32);
	char *mem;

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	memset(mem, 1, size);

	total = meminfo_kb("MemTotal:");
	free_kb = meminfo_kb("MemFree:");
	avail = meminfo_kb("MemAvailable:");
	anon = meminfo_kb("AnonPages:");
	current = cg_read_long(ct, "memory.current") / 1024;
	if (total != 256 * 1024)
		return 2;
	/* MemFree = MemTotal - memory.current, give or take a few pages. */
	if (labs(free_kb - (total - current)) > 2048)
		return 3;
	if (anon < 32 * 1024 || anon > total)
		return 4;
	if (avail < free_kb || avail > total)
		return 5;
	if (meminfo_kb("Buffers:") != 0)
		return 6;
	munmap(mem, size);
	return 0;
}

static int test_meminfo(const char *root)
{
	struct sysinfo si;
	struct ct c = { 0 };
	int ret = KSFT_FAIL, rc;

	if (ct_create(&c, root) || sysinfo(&si))
		goto cleanup;
	rc = cg_run(c.init, in_ct_meminfo, c.cg);
	if (rc) {
		ksft_print_msg("meminfo in the container: check %d failed\n", rc);
		goto cleanup;
	}
	/* Deeper descendants see their container's view too. */
	rc = cg_run(c.leaf, in_ct_meminfo, c.cg);
	if (rc) {
		ksft_print_msg("meminfo in a child group: check %d failed\n", rc);
		goto cleanup;
	}
	/* The host is untouched. */
	if (meminfo_kb("MemTotal:") != (long)(si.totalram * si.mem_unit / 1024))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	ct_destroy(&c);
	return ret;
}

static int in_ct_cpus(const char *cgroup, void *arg)
{
	int want = *(int *)arg;
	char buf[64];

	if (cpuinfo_count() != want)
		return 1;
	if (!read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)))
		return 2;
	if (want == 1 && strcmp(buf, "0\n"))
		return 3;
	return 0;
}

static int test_cpus(const char *root)
{
	int host = get_nprocs(), one = 1;
	struct ct c = { 0 };
	int ret = KSFT_FAIL, rc;

	if (host < 2) {
		ret = KSFT_SKIP;
		goto cleanup;
	}
	if (ct_create(&c, root))
		goto cleanup;
	rc = cg_run(c.init, in_ct_cpus, &one);
	if (rc) {
		ksft_print_msg("cpus in the container: check %d failed\n", rc);
		goto cleanup;
	}
	/* Switched off: the host's CPUs again. */
	if (cg_write(c.cg, "beancounter.proc_virt", "0") ||
	    cg_run(c.init, in_ct_cpus, &host))
		goto cleanup;
	if (cpuinfo_count() != host)
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	ct_destroy(&c);
	return ret;
}

/* The init of a new PID namespace is young: so is the container. */
static int in_ct_uptime(const char *cgroup, void *arg)
{
	double host = *(double *)arg, up;
	int status;
	pid_t pid;

	if (unshare(CLONE_NEWPID))
		return 1;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		sleep(1);
		up = uptime_s();
		_exit(up >= 0.5 && up < 30 && up < host ? 0 : 3);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 4;
	return WEXITSTATUS(status);
}

static int test_uptime(const char *root)
{
	double host = uptime_s();
	struct ct c = { 0 };
	int ret = KSFT_FAIL, rc;

	if (host < 40) {
		/* Wait until the host is visibly older than a new init. */
		sleep(40 - (int)host);
		host = uptime_s();
	}
	if (ct_create(&c, root))
		goto cleanup;
	rc = cg_run(c.init, in_ct_uptime, &host);
	if (rc) {
		ksft_print_msg("uptime in the container: check %d failed\n", rc);
		goto cleanup;
	}
	if (uptime_s() < host)
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	ct_destroy(&c);
	return ret;
}

#define T(x) { x, #x }
static const struct {
	int (*fn)(const char *root);
	const char *name;
} tests[] = {
	T(test_meminfo),
	T(test_cpus),
	T(test_uptime),
};
#undef T

int main(void)
{
	char root[PATH_MAX];
	size_t i;
	int ret;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests));
	if (cg_find_unified_root(root, sizeof(root)))
		ksft_exit_skip("cgroup v2 isn't mounted\n");
	if (cg_read_strstr(root, "cgroup.controllers", "beancounter"))
		ksft_exit_skip("beancounter controller isn't available\n");
	if (cg_write(root, "cgroup.subtree_control", "+beancounter +memory +cpuset"))
		ksft_exit_fail_msg("cannot enable beancounter, memory, cpuset\n");

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		ret = tests[i].fn(root);
		if (ret == KSFT_PASS)
			ksft_test_result_pass("%s\n", tests[i].name);
		else if (ret == KSFT_SKIP)
			ksft_test_result_skip("%s\n", tests[i].name);
		else
			ksft_test_result_fail("%s\n", tests[i].name);
	}
	ksft_finished();
}
