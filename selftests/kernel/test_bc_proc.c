// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of the OpenVZ /proc files of the beancounter controller:
 * /proc/user_beancounters (exact "Version: 2.5" layout), /proc/bc,
 * /proc/vz/{veinfo,vestat,version}, the "beancounter.id" interface, the
 * memory rows against memcg, and the scoping by cgroup namespace (the host
 * sees every container, a container only itself).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "cgroup_util.h"

#define UNLIMITED "9223372036854775807"

static const char *const ub_order[] = {
	"kmemsize", "lockedpages", "privvmpages", "shmpages", "dummy",
	"numproc", "physpages", "vmguarpages", "oomguarpages", "numtcpsock",
	"numflock", "numpty", "numsiginfo", "tcpsndbuf", "tcprcvbuf",
	"othersockbuf", "dgramrcvbuf", "numothersock", "dcachesize", "numfile",
	"dummy", "dummy", "dummy", "numiptent", "swappages",
};

static char *read_file(const char *path)
{
	static char buf[65536];
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return NULL;
	buf[len] = '\0';
	return buf;
}

/* Two containers, ct101 and ct102, with the memory controller. */
struct cts {
	char *base, *a, *b;
};

static int cts_create(struct cts *c, const char *root)
{
	c->base = cg_name(root, "bc_proc");
	c->a = cg_name(root, "bc_proc/ct101");
	c->b = cg_name(root, "bc_proc/ct102");
	if (!c->base || !c->a || !c->b)
		return -1;
	if (cg_create(c->base) ||
	    cg_write(c->base, "cgroup.subtree_control", "+beancounter +memory") ||
	    cg_create(c->a) || cg_create(c->b) ||
	    cg_write(c->a, "beancounter.id", "101") ||
	    cg_write(c->b, "beancounter.id", "102"))
		return -1;
	return 0;
}

static void cts_destroy(struct cts *c)
{
	if (c->a)
		cg_destroy(c->a);
	if (c->b)
		cg_destroy(c->b);
	if (c->base)
		cg_destroy(c->base);
	free(c->a);
	free(c->b);
	free(c->base);
	memset(c, 0, sizeof(*c));
}

/*
 * Check the rows of container @id in @text: the first "<id>:" row and the
 * 24 after it, in OpenVZ's order, each with five numbers.  With @dummies
 * false the dummy rows must be absent (resources files).  Returns the
 * pointer after the last row, or NULL.
 */
static const char *check_table(const char *text, const char *id, bool dummies)
{
	char first[64], name[32], uid[32];
	unsigned long long v[5];
	const char *p = text;
	size_t i;
	int n;

	if (id) {
		/* "%10s" of "<id>:" right-aligns the colon in column 10 */
		snprintf(uid, sizeof(uid), "%s:", id);
		snprintf(first, sizeof(first), "%10s  kmemsize ", uid);
		p = strstr(text, first);
		if (!p) {
			ksft_print_msg("no row starting with '%s'\n", first);
			return NULL;
		}
	}
	for (i = 0; i < ARRAY_SIZE(ub_order); i++) {
		if (!dummies && !strcmp(ub_order[i], "dummy"))
			continue;
		if (id && i == 0)
			n = sscanf(p + 10, "  %31s %llu %llu %llu %llu %llu",
				   name, &v[0], &v[1], &v[2], &v[3], &v[4]);
		else
			n = sscanf(p, "%31s %llu %llu %llu %llu %llu",
				   name, &v[0], &v[1], &v[2], &v[3], &v[4]);
		if (n != 6 || strcmp(name, ub_order[i])) {
			ksft_print_msg("row %zu: expected %s, got '%.40s'\n",
				       i, ub_order[i], p);
			return NULL;
		}
		if (strncmp(p, "            ", 12) && !(id && i == 0)) {
			ksft_print_msg("row %s is not indented by 12\n", name);
			return NULL;
		}
		if (!strcmp(name, "dummy") &&
		    (v[0] || v[1] || v[2] || v[3] || v[4]))
			return NULL;
		p = strchr(p, '\n');
		if (!p)
			return NULL;
		p++;
	}
	return p;
}

/* Value @col (0 = held ... 4 = failcnt) of row @res of container @id. */
static long long ub_value(const char *text, const char *id, const char *res,
			  int col)
{
	char uid[32], first[48];
	unsigned long long v[5];
	const char *p;
	size_t i;

	snprintf(uid, sizeof(uid), "%s:", id);
	snprintf(first, sizeof(first), "%10s  kmemsize ", uid);
	p = strstr(text, first);
	if (!p)
		return -1;
	p += 10;
	for (i = 0; i < ARRAY_SIZE(ub_order); i++) {
		char name[32];

		if (sscanf(p, "%31s %llu %llu %llu %llu %llu", name, &v[0],
			   &v[1], &v[2], &v[3], &v[4]) != 6)
			return -1;
		if (!strcmp(name, res))
			return v[col];
		p = strchr(p, '\n');
		if (!p)
			return -1;
		p++;
	}
	return -1;
}

static int test_format(const char *root)
{
	const char *hdr = "Version: 2.5\n"
		"       uid  resource                     held              maxheld"
		"              barrier                limit              failcnt\n";
	struct cts c = { 0 };
	int ret = KSFT_FAIL;
	char *text;

	if (cts_create(&c, root))
		goto cleanup;
	text = read_file("/proc/user_beancounters");
	if (!text || strncmp(text, hdr, strlen(hdr))) {
		ksft_print_msg("bad header:\n%.300s\n", text ?: "(unreadable)");
		goto cleanup;
	}
	if (!check_table(text, "101", true) || !check_table(text, "102", true))
		goto cleanup;
	/* Unlimited is LONG_MAX; a set barrier shows up. */
	if (!strstr(text, " " UNLIMITED " ") ||
	    ub_value(text, "101", "numfile", 2) != 0x7fffffffffffffffLL ||
	    ub_value(text, "101", "numfile", 3) != 0x7fffffffffffffffLL ||
	    ub_value(text, "101", "dummy", 3) != 0)
		goto cleanup;
	if (cg_write(c.a, "beancounter.barrier", "numfile 100") ||
	    cg_write(c.a, "beancounter.limit", "numfile 120"))
		goto cleanup;
	text = read_file("/proc/user_beancounters");
	if (!text || ub_value(text, "101", "numfile", 2) != 100 ||
	    ub_value(text, "101", "numfile", 3) != 120 ||
	    ub_value(text, "102", "numfile", 2) != 0x7fffffffffffffffLL)
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	cts_destroy(&c);
	return ret;
}

static int sleeper(const char *cgroup, void *arg)
{
	for (;;)
		pause();
	return 0;
}

/* Counters in the table are those of the controller files. */
static int test_counters(const char *root)
{
	struct cts c = { 0 };
	int ret = KSFT_FAIL;
	long held;
	char *text;
	pid_t pid;

	if (cts_create(&c, root))
		goto cleanup;
	pid = cg_run_nowait(c.a, sleeper, NULL);
	if (pid < 0 || cg_wait_for_proc_count(c.a, 1))
		goto cleanup;
	held = cg_read_key_long(c.a, "beancounter.held", "numproc ");
	text = read_file("/proc/user_beancounters");
	if (held != 1 || !text || ub_value(text, "101", "numproc", 0) != 1 ||
	    ub_value(text, "101", "numproc", 1) != 1 ||
	    ub_value(text, "102", "numproc", 0) != 0)
		goto cleanup_kill;
	text = read_file("/proc/vz/veinfo");
	if (!text || !strstr(text, "       101     0     1\n") ||
	    !strstr(text, "       102     0     0\n")) {
		ksft_print_msg("veinfo:\n%s", text ?: "(unreadable)\n");
		goto cleanup_kill;
	}
	text = read_file("/proc/vz/vestat");
	if (!text || strncmp(text, "Version: 2.2\n", 13) ||
	    !strstr(text, "VEID") || !strstr(text, "\n       101 "))
		goto cleanup_kill;
	ret = KSFT_PASS;
cleanup_kill:
	cg_killall(c.a);
	cg_wait_for_proc_count(c.a, 0);
	waitpid(pid, NULL, 0);
cleanup:
	cts_destroy(&c);
	return ret;
}

/* physpages follows memory.max and memory.current, swappages swap.max. */
static int test_memory_rows(const char *root)
{
	struct cts c = { 0 };
	int ret = KSFT_FAIL;
	long long cur, held;
	char *text;

	if (cts_create(&c, root))
		goto cleanup;
	if (cg_write(c.a, "memory.max", "64M") || cg_write(c.a, "memory.high", "48M"))
		goto cleanup;
	text = read_file("/proc/user_beancounters");
	cur = cg_read_long(c.a, "memory.current") / getpagesize();
	held = text ? ub_value(text, "101", "physpages", 0) : -1;
	if (!text || held < 0 || held > cur + 16 ||
	    ub_value(text, "101", "physpages", 3) != 64 * 1024 * 1024 / getpagesize() ||
	    ub_value(text, "101", "physpages", 2) != 48 * 1024 * 1024 / getpagesize() ||
	    ub_value(text, "102", "physpages", 3) != 0x7fffffffffffffffLL) {
		ksft_print_msg("physpages of 101: held %lld (memory.current %lld pages)\n",
			       held, cur);
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	cts_destroy(&c);
	return ret;
}

static int test_proc_bc(const char *root)
{
	struct cts c = { 0 };
	int ret = KSFT_FAIL;
	struct stat st;
	char *text;
	int i;

	if (cts_create(&c, root))
		goto cleanup;
	text = read_file("/proc/bc/101/resources");
	if (!text || !check_table(text, NULL, false))
		goto cleanup;
	if (strstr(text, "dummy"))
		goto cleanup;
	/* The host has no table of its own. */
	text = read_file("/proc/bc/resources");
	if (!text || *text)
		goto cleanup;
	/* Renaming moves the directory; removing the cgroup removes it. */
	if (cg_write(c.a, "beancounter.id", "201") ||
	    !stat("/proc/bc/101", &st) || stat("/proc/bc/201/resources", &st))
		goto cleanup;
	/* css_offline runs asynchronously after rmdir. */
	if (cg_destroy(c.a))
		goto cleanup;
	for (i = 0; i < 50 && !stat("/proc/bc/201", &st); i++)
		usleep(100000);
	if (!stat("/proc/bc/201", &st))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	cts_destroy(&c);
	return ret;
}

static int test_id_interface(const char *root)
{
	struct cts c = { 0 };
	int ret = KSFT_FAIL;

	if (cts_create(&c, root))
		goto cleanup;
	if (cg_read_strcmp(c.a, "beancounter.id", "101\n"))
		goto cleanup;
	/* Taken, malformed, reserved. */
	if (!cg_write(c.b, "beancounter.id", "101") ||
	    !cg_write(c.b, "beancounter.id", "a b") ||
	    !cg_write(c.b, "beancounter.id", "0") ||
	    !cg_write(c.b, "beancounter.id", "resources") ||
	    !cg_write(c.b, "beancounter.id", "../x"))
		goto cleanup;
	if (cg_read_strcmp(c.b, "beancounter.id", "102\n"))
		goto cleanup;
	/* Unmark: no longer listed. */
	if (cg_write(c.b, "beancounter.id", "\n") ||
	    cg_read_strcmp(c.b, "beancounter.id", "\n") ||
	    strstr(read_file("/proc/user_beancounters") ?: "102:", "102:"))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	cts_destroy(&c);
	return ret;
}

/* Runs in a child inside ct101 with its own cgroup namespace. */
static int scoped_view(const char *cgroup, void *arg)
{
	char *text;

	if (unshare(CLONE_NEWCGROUP))
		return 1;
	text = read_file("/proc/user_beancounters");
	if (!text || !check_table(text, "101", true) || strstr(text, "102:"))
		return 2;
	text = read_file("/proc/vz/veinfo");
	if (!text || !strstr(text, "101") || strstr(text, "102"))
		return 3;
	if (read_file("/proc/bc/102/resources") || errno != ENOENT)
		return 4;
	text = read_file("/proc/bc/resources");
	if (!text || !check_table(text, NULL, false))
		return 5;
	text = read_file("/proc/bc/101/resources");
	if (!text || !check_table(text, NULL, false))
		return 6;
	return 0;
}

static int test_scope(const char *root)
{
	struct cts c = { 0 };
	int ret = KSFT_FAIL;
	char *text;
	int rc;

	if (cts_create(&c, root))
		goto cleanup;
	text = read_file("/proc/user_beancounters");
	if (!text || !strstr(text, "101:") || !strstr(text, "102:"))
		goto cleanup;
	rc = cg_run(c.a, scoped_view, NULL);
	if (rc) {
		ksft_print_msg("the view from ct101 failed at step %d\n", rc);
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	cts_destroy(&c);
	return ret;
}

#define T(x) { x, #x }
static const struct {
	int (*fn)(const char *root);
	const char *name;
} tests[] = {
	T(test_format),
	T(test_counters),
	T(test_memory_rows),
	T(test_proc_bc),
	T(test_id_interface),
	T(test_scope),
};
#undef T

int main(void)
{
	char root[PATH_MAX];
	size_t i;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests));
	if (cg_find_unified_root(root, sizeof(root)))
		ksft_exit_skip("cgroup v2 isn't mounted\n");
	if (cg_read_strstr(root, "cgroup.controllers", "beancounter"))
		ksft_exit_skip("beancounter controller isn't available\n");
	/* With the controller, the OpenVZ files must be there. */
	if (access("/proc/user_beancounters", R_OK) || access("/proc/vz", X_OK))
		ksft_exit_fail_msg("beancounter without /proc/user_beancounters or /proc/vz\n");
	if (cg_write(root, "cgroup.subtree_control", "+beancounter +memory"))
		ksft_exit_fail_msg("cannot enable beancounter and memory\n");

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (tests[i].fn(root) == KSFT_PASS)
			ksft_test_result_pass("%s\n", tests[i].name);
		else
			ksft_test_result_fail("%s\n", tests[i].name);
	}
	ksft_finished();
}
