// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of the per-container /proc virtualization of the beancounter
 * controller ("beancounter.proc_virt"): /proc/meminfo against memcg,
 * /proc/cpuinfo and /sys/devices/system/cpu/online against the cpuset,
 * /proc/uptime against the PID namespace's init, /proc/loadavg against the
 * container's busy tasks and the kernel's decay, /proc/stat against the
 * cpuset, cpu.stat and the init's start, descendants covered, the switch
 * off, and the host view untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int spin(const char *cgroup, void *arg)
{
	for (;;)
		;
	return 0;
}

/* Start @n busy tasks in @cg; their pids go to @pids. */
static int spin_start(const char *cg, pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		pids[i] = cg_run_nowait(cg, spin, NULL);
		if (pids[i] < 0)
			return -1;
	}
	return 0;
}

static void spin_stop(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
		pids[i] = 0;
	}
}

struct loadavg {
	double load[3];
	unsigned int running, threads;
};

static int read_loadavg(struct loadavg *l)
{
	char buf[256];

	if (!read_file("/proc/loadavg", buf, sizeof(buf)))
		return -1;
	if (sscanf(buf, "%lf %lf %lf %u/%u", &l->load[0], &l->load[1],
		   &l->load[2], &l->running, &l->threads) != 5)
		return -1;
	return 0;
}

/* n * (1 - e^k): the average after k samples of n tasks, from 0 */
static double decayed(int n, double e, int k)
{
	double x = 1;

	while (k-- > 0)
		x *= e;
	return n * (1 - x);
}

#define LOAD_TASKS	3
#define LOAD_SAMPLES	5

struct load_arg {
	double start;	/* when beancounter.proc_virt was set */
};

/*
 * In the container with LOAD_TASKS busy tasks: every 5 s (the kernel's
 * LOAD_FREQ), the averages grow toward LOAD_TASKS along the kernel's
 * decay curves, 1 min fastest; running/threads are the busy tasks and
 * this reader.
 */
static int in_ct_loadavg(const char *cgroup, void *arg)
{
	static const double e[3] = { 1884 / 2048.0, 2014 / 2048.0,
				     2037 / 2048.0 };
	const struct load_arg *a = arg;
	double prev = 0, lo, hi;
	struct loadavg l;
	int i, j, k;

	for (i = 0; i < LOAD_SAMPLES; i++) {
		sleep(5);
		if (read_loadavg(&l))
			return 1;
		/* Samples so far: one every 5 s, the first within 5 s. */
		k = (int)((now_s() - a->start) / 5.01);
		for (j = 0; j < 3; j++) {
			lo = decayed(LOAD_TASKS, e[j], k - 1) - 0.02;
			hi = decayed(LOAD_TASKS, e[j], k + 1) + 0.02;
			if (l.load[j] < lo || l.load[j] > hi) {
				ksft_print_msg("after %d samples load[%d] = %.2f, expected %.2f..%.2f\n",
					       k, j, l.load[j], lo, hi);
				return 2;
			}
		}
		if (l.load[0] < prev || l.load[1] > l.load[0] ||
		    l.load[2] > l.load[1])
			return 3;
		if (l.running != LOAD_TASKS + 1 || l.threads != LOAD_TASKS + 1) {
			ksft_print_msg("running/threads %u/%u, expected %d/%d\n",
				       l.running, l.threads, LOAD_TASKS + 1,
				       LOAD_TASKS + 1);
			return 4;
		}
		prev = l.load[0];
	}
	ksft_print_msg("load average of %d busy tasks after %d s: %.2f %.2f %.2f\n",
		       LOAD_TASKS, LOAD_SAMPLES * 5, l.load[0], l.load[1],
		       l.load[2]);
	return 0;
}

/* An idle container's load stays 0 while the host is busy. */
static int in_ct_idle_load(const char *cgroup, void *arg)
{
	struct loadavg l;

	if (read_loadavg(&l))
		return 1;
	if (l.load[0] != 0 || l.load[1] != 0 || l.load[2] != 0)
		return 2;
	return l.threads == 1 && l.running == 1 ? 0 : 3;
}

static int test_loadavg(const char *root)
{
	pid_t pids[LOAD_TASKS] = { 0 };
	struct ct c = { 0 }, idle = { 0 };
	struct load_arg a;
	struct loadavg host;
	int ret = KSFT_FAIL, rc;

	if (ct_create(&c, root))
		goto cleanup;
	a.start = now_s();
	if (spin_start(c.init, pids, LOAD_TASKS))
		goto cleanup;
	rc = cg_run(c.leaf, in_ct_loadavg, &a);
	if (rc) {
		ksft_print_msg("loadavg in the container: check %d failed\n", rc);
		goto cleanup;
	}
	/* The host keeps its own view: every thread of the system. */
	if (read_loadavg(&host) || host.threads <= LOAD_TASKS + 1)
		goto cleanup;
	/* A second container, idle, next to the busy one. */
	idle.cg = cg_name(root, "bc_virt_idle");
	if (!idle.cg || cg_create(idle.cg) ||
	    cg_write(idle.cg, "beancounter.proc_virt", "1"))
		goto cleanup;
	sleep(6);
	rc = cg_run(idle.cg, in_ct_idle_load, NULL);
	if (rc) {
		ksft_print_msg("loadavg in an idle container: check %d failed\n", rc);
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	spin_stop(pids, LOAD_TASKS);
	ct_destroy(&c);
	ct_destroy(&idle);
	return ret;
}

/* The "cpu" lines of /proc/stat: jiffies of user, system, idle */
struct cpuline {
	int cpu;	/* -1 for the total */
	unsigned long long user, nice, system, idle;
};

#define MAX_CPULINES	64

struct procstat {
	struct cpuline lines[MAX_CPULINES];
	int n;		/* lines[0] is the total */
	unsigned long long btime, running;
};

static int read_stat(struct procstat *st)
{
	char *buf = malloc(1 << 16), *line, *save = NULL;
	struct cpuline *c;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	if (!buf || !read_file("/proc/stat", buf, 1 << 16))
		goto out;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "cpu", 3)) {
			if (st->n == MAX_CPULINES)
				goto out;
			c = &st->lines[st->n++];
			c->cpu = -1;
			if (line[3] != ' ' && sscanf(line + 3, "%d", &c->cpu) != 1)
				goto out;
			if (sscanf(strchr(line, ' '), " %llu %llu %llu %llu",
				   &c->user, &c->nice, &c->system, &c->idle) != 4)
				goto out;
		}
		sscanf(line, "btime %llu", &st->btime);
		sscanf(line, "procs_running %llu", &st->running);
	}
	ret = st->n > 0 && st->lines[0].cpu == -1 && st->btime ? 0 : -1;
out:
	free(buf);
	return ret;
}

struct stat_arg {
	const char *ct;			/* the container's cgroup */
	unsigned long long host_btime;
};

/*
 * In the container (cpuset "0", one task busy for a while): one CPU line,
 * cpu0, equal to the total; user + system is cpu.stat's usage; idle is
 * what it did not use of the container's uptime; btime is when the
 * container's uptime started.
 */
static int in_ct_stat(const char *cgroup, void *arg)
{
	const struct stat_arg *a = arg;
	long hz = sysconf(_SC_CLK_TCK);
	time_t now = time(NULL);
	struct procstat st;
	struct cpuline *t, *c;
	double used, usage, up;

	if (read_stat(&st))
		return 1;
	if (st.n != 2 || st.lines[1].cpu != 0)
		return 2;
	t = &st.lines[0];
	c = &st.lines[1];
	if (t->user != c->user || t->system != c->system || t->idle != c->idle ||
	    t->nice || c->nice)
		return 3;
	used = (double)(t->user + t->system) / hz;
	usage = cg_read_key_long(a->ct, "cpu.stat", "usage_usec ") / 1e6;
	if (usage < 1 || used < usage * 0.9 - 0.1 || used > usage * 1.1 + 0.1) {
		ksft_print_msg("stat user+system %.2f s, cpu.stat usage %.2f s\n",
			       used, usage);
		return 4;
	}
	up = uptime_s();
	if (t->idle > (up + 1) * hz || t->idle < (up - usage - 2) * hz) {
		ksft_print_msg("idle %llu jiffies, uptime %.2f s, used %.2f s\n",
			       t->idle, up, usage);
		return 5;
	}
	if (llabs((long long)st.btime + (long long)up - now) > 2) {
		ksft_print_msg("btime %llu + uptime %.2f is not now (%lld)\n",
			       st.btime, up, (long long)now);
		return 6;
	}
	if (st.running < 1 || st.running > 3)
		return 7;
	return 0;
}

/* In a new PID namespace: btime is the start of its init. */
static int in_ct_btime(const char *cgroup, void *arg)
{
	const struct stat_arg *a = arg;
	int status;
	pid_t pid;

	if (unshare(CLONE_NEWPID))
		return 1;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		struct procstat st;
		time_t now = time(NULL);

		if (read_stat(&st))
			_exit(3);
		if ((time_t)st.btime < now - 3 || (time_t)st.btime > now + 1 ||
		    st.btime < a->host_btime + 30)
			_exit(4);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 5;
	return WEXITSTATUS(status);
}

static int in_ct_stat_host(const char *cgroup, void *arg)
{
	struct procstat st;

	if (read_stat(&st))
		return 1;
	return st.n == get_nprocs() + 1 ? 0 : 2;
}

static int test_stat(const char *root)
{
	struct procstat host;
	struct stat_arg a;
	struct ct c = { 0 };
	pid_t pid = 0;
	int ret = KSFT_FAIL, rc;

	if (get_nprocs() < 2 || uptime_s() < 40) {
		ret = KSFT_SKIP;
		goto cleanup;
	}
	if (read_stat(&host) || host.n != get_nprocs() + 1 ||
	    ct_create(&c, root))
		goto cleanup;
	a.ct = c.cg;
	a.host_btime = host.btime;
	if (spin_start(c.init, &pid, 1))
		goto cleanup;
	sleep(2);
	rc = cg_run(c.leaf, in_ct_stat, &a);
	if (rc) {
		ksft_print_msg("stat in the container: check %d failed\n", rc);
		goto cleanup;
	}
	rc = cg_run(c.leaf, in_ct_btime, &a);
	if (rc) {
		ksft_print_msg("btime in the container: check %d failed\n", rc);
		goto cleanup;
	}
	/* The host is untouched; switched off, the container sees it too. */
	if (read_stat(&host) || host.n != get_nprocs() + 1 ||
	    host.btime != a.host_btime)
		goto cleanup;
	if (cg_write(c.cg, "beancounter.proc_virt", "0") ||
	    cg_run(c.leaf, in_ct_stat_host, NULL))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	spin_stop(&pid, 1);
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
	T(test_loadavg),
	T(test_stat),
};
#undef T

int main(void)
{
	char root[PATH_MAX];
	size_t i;
	int ret;

	/* Children fork off: no buffered output may be duplicated. */
	setvbuf(stdout, NULL, _IOLBF, 0);
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
