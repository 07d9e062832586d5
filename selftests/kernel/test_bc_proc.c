// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of the OpenVZ /proc files of the beancounter controller:
 * /proc/user_beancounters (exact "Version: 2.5" layout), /proc/bc,
 * /proc/vz/{veinfo,vestat,version}, the "beancounter.id" interface, the
 * memory rows against memcg (moving with shm and socket use), the host's
 * own uid 0 table first, and the scoping by cgroup namespace (the host
 * sees itself and every container, a container only itself).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/socket.h>
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
	if (!text || !check_table(text, "101", true) || strstr(text, "102:") ||
	    strstr(text, "        0:"))
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

/*
 * A container's root owns the cgroups it creates: without CAP_SYS_ADMIN in
 * the initial user namespace, it must not take (or drop) a container id.
 * The child writes through a descriptor the parent opened, from a new user
 * namespace, so only the capability differs.
 */
static int test_id_needs_init_admin(const char *root)
{
	struct cts c = { 0 };
	char path[PATH_MAX];
	int ret = KSFT_FAIL, fd = -1, status;
	pid_t pid;

	if (cts_create(&c, root))
		goto cleanup;
	snprintf(path, sizeof(path), "%s/beancounter.id", c.b);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		goto cleanup;
	pid = fork();
	if (pid < 0)
		goto cleanup;
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER))
			_exit(2);
		if (write(fd, "555\n", 4) >= 0)
			_exit(3);
		_exit(errno == EPERM ? 0 : 4);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		goto cleanup;
	/* The id is unchanged, and the host can still change it. */
	if (cg_read_strcmp(c.b, "beancounter.id", "102\n") ||
	    strstr(read_file("/proc/user_beancounters") ?: "555:", "555:") ||
	    cg_write(c.b, "beancounter.id", "103") ||
	    cg_read_strcmp(c.b, "beancounter.id", "103\n"))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	if (fd >= 0)
		close(fd);
	cts_destroy(&c);
	return ret;
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

/* Sum of @res held by the top-level cgroups (the root's children). */
static long long top_level_held(const char *root, const char *res)
{
	char path[PATH_MAX], key[64];
	long long sum = 0;
	struct dirent *d;
	long held;
	DIR *dir;

	dir = opendir(root);
	if (!dir)
		return -1;
	snprintf(key, sizeof(key), "%s ", res);
	while ((d = readdir(dir))) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, d->d_name);
		held = cg_read_key_long(path, "beancounter.held", key);
		if (held > 0)
			sum += held;
	}
	closedir(dir);
	return sum;
}

/*
 * The host's own table comes first, as uid 0: the root cgroup, whose
 * counts are those of the top-level cgroups, without thresholds.
 */
static int test_host_row(const char *root)
{
	const char *hdr_end = "failcnt\n";
	long long before, after, held;
	struct cts c = { 0 };
	int ret = KSFT_FAIL;
	pid_t pid = -1;
	char *text, *p;
	int i;

	if (cts_create(&c, root))
		goto cleanup;
	pid = cg_run_nowait(c.a, sleeper, NULL);
	if (pid < 0 || cg_wait_for_proc_count(c.a, 1))
		goto cleanup;
	text = read_file("/proc/user_beancounters");
	p = text ? strstr(text, hdr_end) : NULL;
	if (!p || strncmp(p + strlen(hdr_end), "        0:  kmemsize ", 21)) {
		ksft_print_msg("the first table is not the host's:\n%.400s\n",
			       text ?: "(unreadable)");
		goto cleanup;
	}
	if (!check_table(text, "0", true) || !check_table(text, "101", true))
		goto cleanup;
	/* The host's count includes the container's task. */
	if (ub_value(text, "0", "numproc", 0) < 1 ||
	    ub_value(text, "0", "numproc", 1) < ub_value(text, "0", "numproc", 0))
		goto cleanup;
	for (i = 0; i < (int)ARRAY_SIZE(ub_order); i++) {
		if (!strcmp(ub_order[i], "dummy"))
			continue;
		if (ub_value(text, "0", ub_order[i], 4) != 0)
			goto cleanup;
	}
	if (ub_value(text, "0", "numfile", 2) != 0x7fffffffffffffffLL ||
	    ub_value(text, "0", "numfile", 3) != 0x7fffffffffffffffLL ||
	    ub_value(text, "0", "physpages", 3) != 0x7fffffffffffffffLL)
		goto cleanup;
	/* Exactly the sum of the top-level cgroups, when nothing moved. */
	for (i = 0; i < 10; i++) {
		before = top_level_held(root, "numproc");
		text = read_file("/proc/user_beancounters");
		after = top_level_held(root, "numproc");
		held = text ? ub_value(text, "0", "numproc", 0) : -1;
		if (before == after)
			break;
	}
	if (before != after || held != before) {
		ksft_print_msg("host numproc %lld, top-level cgroups %lld..%lld\n",
			       held, before, after);
		goto cleanup;
	}
	/* The host's memory rows cover the whole system. */
	if (ub_value(text, "0", "kmemsize", 0) < ub_value(text, "101", "kmemsize", 0) ||
	    ub_value(text, "0", "physpages", 0) < ub_value(text, "101", "physpages", 0))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	cts_destroy(&c);
	return ret;
}

#define SHM_BYTES	(8 << 20)

/*
 * In ct101: 8 MB of SysV shm, and a loopback TCP connection whose
 * receiver does not read, so both queues hold data.  Tells the parent
 * through @arg (a pipe) and waits to be killed.
 */
static int mem_user(const char *cgroup, void *arg)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int *pipefd = arg, lfd, cfd, afd, id, flags;
	static char chunk[65536];
	char *shm;

	id = shmget(IPC_PRIVATE, SHM_BYTES, IPC_CREAT | 0600);
	if (id < 0)
		return 1;
	shm = shmat(id, NULL, 0);
	/* Destroyed when this process detaches, at exit. */
	shmctl(id, IPC_RMID, NULL);
	if (shm == (void *)-1)
		return 2;
	memset(shm, 1, SHM_BYTES);

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &len) || listen(lfd, 1))
		return 3;
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&addr, sizeof(addr)))
		return 4;
	afd = accept(lfd, NULL, NULL);
	if (afd < 0)
		return 5;
	flags = fcntl(cfd, F_GETFL);
	fcntl(cfd, F_SETFL, flags | O_NONBLOCK);
	memset(chunk, 'x', sizeof(chunk));
	while (write(cfd, chunk, sizeof(chunk)) > 0)
		;
	if (errno != EAGAIN)
		return 6;
	if (write(pipefd[1], "r", 1) != 1)
		return 7;
	for (;;)
		pause();
	return 0;
}

/*
 * The memory rows follow memcg: shmpages is the shmem of memory.stat,
 * tcpsndbuf its sock (bytes), kmemsize includes the sock; vmguarpages
 * shows memory.min.  The other container stays at 0.
 */
static int test_filled_rows(const char *root)
{
	long long shm, sock, kmem, stat_shm, stat_sock, page = getpagesize();
	int pipefd[2] = { -1, -1 };
	struct cts c = { 0 };
	int ret = KSFT_FAIL;
	pid_t pid = -1;
	char *text, r;

	if (cts_create(&c, root) || pipe(pipefd))
		goto cleanup;
	if (cg_write(c.a, "memory.min", "16M"))
		goto cleanup;
	text = read_file("/proc/user_beancounters");
	if (!text || ub_value(text, "101", "vmguarpages", 2) != (16 << 20) / page ||
	    ub_value(text, "101", "vmguarpages", 0) != 0 ||
	    ub_value(text, "102", "vmguarpages", 2) != 0)
		goto cleanup;
	if (ub_value(text, "101", "shmpages", 0) > 64)
		goto cleanup;

	pid = cg_run_nowait(c.a, mem_user, pipefd);
	if (pid < 0 || read(pipefd[0], &r, 1) != 1) {
		ksft_print_msg("the shm and socket user in ct101 failed\n");
		goto cleanup;
	}
	text = read_file("/proc/user_beancounters");
	stat_shm = cg_read_key_long(c.a, "memory.stat", "shmem ");
	stat_sock = cg_read_key_long(c.a, "memory.stat", "sock ");
	if (!text)
		goto cleanup;
	shm = ub_value(text, "101", "shmpages", 0);
	sock = ub_value(text, "101", "tcpsndbuf", 0);
	kmem = ub_value(text, "101", "kmemsize", 0);
	ksft_print_msg("ct101: shmpages %lld (memory.stat shmem %lld pages), tcpsndbuf %lld (sock %lld), kmemsize %lld\n",
		       shm, stat_shm / page, sock, stat_sock, kmem);
	/* memcg's per-CPU batches let the two reads differ a little. */
	if (shm < SHM_BYTES / page - 256 || llabs(shm - stat_shm / page) > 256)
		goto cleanup;
	if (sock < 65536 || llabs(sock - stat_sock) > 256 * page ||
	    kmem < sock)
		goto cleanup;
	if (ub_value(text, "101", "privvmpages", 0) < shm ||
	    ub_value(text, "102", "shmpages", 0) != 0 ||
	    ub_value(text, "102", "tcpsndbuf", 0) != 0)
		goto cleanup;
	/* No per-cgroup source: still 0, unlimited. */
	if (ub_value(text, "101", "tcprcvbuf", 0) != 0 ||
	    ub_value(text, "101", "othersockbuf", 0) != 0 ||
	    ub_value(text, "101", "dgramrcvbuf", 0) != 0 ||
	    ub_value(text, "101", "numiptent", 0) != 0 ||
	    ub_value(text, "101", "numiptent", 3) != 0x7fffffffffffffffLL)
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
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
	T(test_id_needs_init_admin),
	T(test_scope),
	T(test_host_row),
	T(test_filled_rows),
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
