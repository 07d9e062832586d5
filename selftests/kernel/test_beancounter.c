// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of the beancounter cgroup controller.
 *
 * For every resource: charge and uncharge, barrier -> refusal + failcnt,
 * maxheld, hierarchical charging and refusal, and the uncharge after the
 * allocating task migrated (the object stays charged to the old group;
 * numproc moves with the task instead).  Plus the soft threshold: objects
 * charged against the limit pass the barrier, and objects that outlive the
 * cgroup they are charged to: it stays, counted in its parent, until the
 * last one is freed, and goes away then.
 *
 * The objects are allocated by a worker process placed in the cgroup under
 * test and driven over a pipe, while this process stays in the root cgroup
 * and reads the interface files: reading a file opens one, and that file
 * must not be counted in the group being measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "cgroup_util.h"

#define MAX_OBJS	64

/* How to allocate and free one object of a resource, in the worker. */
struct bc_res_ops {
	const char *name;		/* resource name in beancounter.* */
	int err;			/* errno of a refused allocation */
	int (*alloc)(int i);		/* returns a handle >= 0 or -errno */
	void (*release)(int handle);
};

/* ---- objects ---------------------------------------------------------- */

static int alloc_proc(int i)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void release_proc(int pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int alloc_file(int i)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static void release_fd(int fd)
{
	close(fd);
}

static int lock_fd = -1;

/* One POSIX lock per object: single bytes, never adjacent, never merged. */
static int alloc_flock(int i)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = 2 * i,
		.l_len = 1,
	};

	if (fcntl(lock_fd, F_SETLK, &fl))
		return -errno;
	return i;
}

static void release_flock(int i)
{
	struct flock fl = {
		.l_type = F_UNLCK,
		.l_whence = SEEK_SET,
		.l_start = 2 * i,
		.l_len = 1,
	};

	fcntl(lock_fd, F_SETLK, &fl);
}

static int alloc_pty(int i)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Queued real-time signals to ourselves; SIGRTMIN is blocked. */
static int alloc_siginfo(int i)
{
	union sigval v = { .sival_int = i };

	if (sigqueue(getpid(), SIGRTMIN, v))
		return -errno;
	return i;
}

static void release_siginfo(int i)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigtimedwait(&set, NULL, &zero);
}

static int alloc_tcpsock(int i)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

static int alloc_othersock(int i)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

static const struct bc_res_ops resources[] = {
	{ "numproc",	  EAGAIN,  alloc_proc,	    release_proc },
	{ "numfile",	  ENFILE,  alloc_file,	    release_fd },
	{ "numflock",	  ENOLCK,  alloc_flock,	    release_flock },
	{ "numpty",	  ENOSPC,  alloc_pty,	    release_fd },
	{ "numsiginfo",	  EAGAIN,  alloc_siginfo,   release_siginfo },
	{ "numtcpsock",	  ENOMEM,  alloc_tcpsock,   release_fd },
	{ "numothersock", ENOMEM,  alloc_othersock, release_fd },
};

/* ---- the worker --------------------------------------------------------- */

struct worker {
	pid_t pid;
	int cmd;	/* parent -> worker */
	int res;	/* worker -> parent */
};

struct reply {
	int count;	/* objects allocated by the last command */
	int err;	/* errno of the refused allocation, 0 if none */
};

static void worker_main(const struct bc_res_ops *ops, int cmd, int res)
{
	int handles[MAX_OBJS];
	struct reply r;
	int nr = 0, n, h;
	char c;

	while (read(cmd, &c, 1) == 1) {
		switch (c) {
		case 'a':
			if (read(cmd, &n, sizeof(n)) != sizeof(n))
				_exit(1);
			r.count = 0;
			r.err = 0;
			while (n-- > 0 && nr < MAX_OBJS) {
				h = ops->alloc(nr);
				if (h < 0) {
					r.err = -h;
					break;
				}
				handles[nr++] = h;
				r.count++;
			}
			break;
		case 'f':
			r.count = nr;
			r.err = 0;
			while (nr > 0)
				ops->release(handles[--nr]);
			break;
		default:
			goto out;
		}
		if (write(res, &r, sizeof(r)) != sizeof(r))
			break;
	}
out:
	/* Children and locks must not outlive the test's cgroups. */
	while (nr > 0)
		ops->release(handles[--nr]);
	_exit(0);
}

/**
 * worker_start() - fork a worker for @ops and move it into @cgroup
 * Returns 0 or -1.
 */
static int worker_start(struct worker *w, const struct bc_res_ops *ops,
			const char *cgroup)
{
	int cmd[2], res[2];
	sigset_t set;

	if (pipe2(cmd, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		return -1;

	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		close(cmd[1]);
		close(res[0]);
		sigemptyset(&set);
		sigaddset(&set, SIGRTMIN);
		sigprocmask(SIG_BLOCK, &set, NULL);
		worker_main(ops, cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	w->cmd = cmd[1];
	w->res = res[0];
	return cg_enter(cgroup, w->pid);
}

static int worker_cmd(struct worker *w, char c, int n, struct reply *r)
{
	if (write(w->cmd, &c, 1) != 1)
		return -1;
	if (c == 'a' && write(w->cmd, &n, sizeof(n)) != sizeof(n))
		return -1;
	if (read(w->res, r, sizeof(*r)) != sizeof(*r))
		return -1;
	return 0;
}

static void worker_stop(struct worker *w)
{
	if (w->pid <= 0)
		return;
	close(w->cmd);
	close(w->res);
	waitpid(w->pid, NULL, 0);
	w->pid = 0;
}

/* ---- helpers -------------------------------------------------------------- */

static long bc_read(const char *cgroup, const char *file, const char *res)
{
	char key[64];

	snprintf(key, sizeof(key), "%s ", res);
	return cg_read_key_long(cgroup, file, key);
}

static int bc_set(const char *cgroup, const char *file, const char *res,
		  long val)
{
	char buf[64];

	if (val < 0)
		snprintf(buf, sizeof(buf), "%s max", res);
	else
		snprintf(buf, sizeof(buf), "%s %ld", res, val);
	return cg_write(cgroup, file, buf);
}

static int bc_expect(const char *cgroup, const char *file, const char *res,
		     long want)
{
	long got = bc_read(cgroup, file, res);

	if (got == want)
		return 0;
	ksft_print_msg("%s: %s %s is %ld, expected %ld\n",
		       cgroup, file, res, got, want);
	return -1;
}

/* A parent with beancounter enabled for its children a and b. */
struct tree {
	char *parent, *a, *b;
};

static int tree_create(struct tree *t, const char *root)
{
	t->parent = cg_name(root, "bc_test");
	t->a = cg_name(root, "bc_test/a");
	t->b = cg_name(root, "bc_test/b");
	if (!t->parent || !t->a || !t->b)
		return -1;
	if (cg_create(t->parent) ||
	    cg_write(t->parent, "cgroup.subtree_control", "+beancounter") ||
	    cg_create(t->a) || cg_create(t->b))
		return -1;
	return 0;
}

static void tree_destroy(struct tree *t)
{
	if (t->a)
		cg_destroy(t->a);
	if (t->b)
		cg_destroy(t->b);
	if (t->parent)
		cg_destroy(t->parent);
	free(t->a);
	free(t->b);
	free(t->parent);
	memset(t, 0, sizeof(*t));
}

/* ---- tests ---------------------------------------------------------------- */

/*
 * Charge 5 objects, check held and maxheld in the group and its parent,
 * free them, check held is back and maxheld stays.
 */
static int test_charge_uncharge(const char *root, const struct bc_res_ops *ops)
{
	struct worker w = { 0 };
	struct tree t = { 0 };
	int ret = KSFT_FAIL;
	struct reply r;
	long base;

	if (tree_create(&t, root) || worker_start(&w, ops, t.a))
		goto cleanup;
	base = bc_read(t.a, "beancounter.held", ops->name);
	if (base < 0 || bc_expect(t.parent, "beancounter.held", ops->name, base))
		goto cleanup;

	if (worker_cmd(&w, 'a', 5, &r) || r.count != 5) {
		ksft_print_msg("allocated %d of 5: %s\n", r.count, strerror(r.err));
		goto cleanup;
	}
	if (bc_expect(t.a, "beancounter.held", ops->name, base + 5) ||
	    bc_expect(t.parent, "beancounter.held", ops->name, base + 5) ||
	    bc_expect(t.a, "beancounter.maxheld", ops->name, base + 5) ||
	    bc_expect(t.b, "beancounter.held", ops->name, 0))
		goto cleanup;

	if (worker_cmd(&w, 'f', 0, &r))
		goto cleanup;
	if (bc_expect(t.a, "beancounter.held", ops->name, base) ||
	    bc_expect(t.parent, "beancounter.held", ops->name, base) ||
	    bc_expect(t.a, "beancounter.maxheld", ops->name, base + 5) ||
	    bc_expect(t.a, "beancounter.failcnt", ops->name, 0))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	worker_stop(&w);
	tree_destroy(&t);
	return ret;
}

/*
 * With the barrier 3 above the held count, the 4th allocation is refused
 * with the resource's errno; failcnt and events count it once; nothing
 * stays charged for the refused object.
 */
static int test_barrier(const char *root, const struct bc_res_ops *ops)
{
	struct worker w = { 0 };
	struct tree t = { 0 };
	int ret = KSFT_FAIL;
	struct reply r;
	long base;

	if (tree_create(&t, root) || worker_start(&w, ops, t.a))
		goto cleanup;
	base = bc_read(t.a, "beancounter.held", ops->name);
	if (base < 0 || bc_set(t.a, "beancounter.barrier", ops->name, base + 3))
		goto cleanup;

	if (worker_cmd(&w, 'a', 5, &r))
		goto cleanup;
	if (r.count != 3 || r.err != ops->err) {
		ksft_print_msg("allocated %d (expected 3), error %s (expected %s)\n",
			       r.count, strerror(r.err), strerror(ops->err));
		goto cleanup;
	}
	if (bc_expect(t.a, "beancounter.held", ops->name, base + 3) ||
	    bc_expect(t.a, "beancounter.failcnt", ops->name, 1) ||
	    bc_expect(t.a, "beancounter.events", ops->name, 1) ||
	    bc_expect(t.parent, "beancounter.events", ops->name, 1) ||
	    bc_expect(t.parent, "beancounter.failcnt", ops->name, 0) ||
	    bc_expect(t.parent, "beancounter.held", ops->name, base + 3))
		goto cleanup;

	/* Freed objects make room again. */
	if (worker_cmd(&w, 'f', 0, &r) || worker_cmd(&w, 'a', 3, &r) ||
	    r.count != 3)
		goto cleanup;
	if (worker_cmd(&w, 'f', 0, &r) ||
	    bc_expect(t.a, "beancounter.held", ops->name, base) ||
	    bc_expect(t.a, "beancounter.failcnt", ops->name, 1))
		goto cleanup;

	/* "max" lifts the barrier. */
	if (bc_set(t.a, "beancounter.barrier", ops->name, -1) ||
	    worker_cmd(&w, 'a', 5, &r) || r.count != 5)
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	worker_stop(&w);
	tree_destroy(&t);
	return ret;
}

/*
 * A barrier on the parent refuses charges from a child: the parent's
 * failcnt counts it, the child's does not; events counts it in both.
 */
static int test_hierarchy(const char *root, const struct bc_res_ops *ops)
{
	struct worker w = { 0 };
	struct tree t = { 0 };
	int ret = KSFT_FAIL;
	struct reply r;
	long base;

	if (tree_create(&t, root) || worker_start(&w, ops, t.a))
		goto cleanup;
	base = bc_read(t.parent, "beancounter.held", ops->name);
	if (base < 0 ||
	    bc_set(t.parent, "beancounter.barrier", ops->name, base + 2) ||
	    bc_set(t.parent, "beancounter.limit", ops->name, base + 2))
		goto cleanup;

	if (worker_cmd(&w, 'a', 4, &r))
		goto cleanup;
	if (r.count != 2 || r.err != ops->err) {
		ksft_print_msg("allocated %d (expected 2), error %s (expected %s)\n",
			       r.count, strerror(r.err), strerror(ops->err));
		goto cleanup;
	}
	if (bc_expect(t.parent, "beancounter.failcnt", ops->name, 1) ||
	    bc_expect(t.a, "beancounter.failcnt", ops->name, 0) ||
	    bc_expect(t.parent, "beancounter.events", ops->name, 1) ||
	    bc_expect(t.a, "beancounter.events", ops->name, 0) ||
	    bc_expect(t.parent, "beancounter.held", ops->name, base + 2) ||
	    bc_expect(t.parent, "beancounter.maxheld", ops->name, base + 2))
		goto cleanup;
	if (worker_cmd(&w, 'f', 0, &r) ||
	    bc_expect(t.parent, "beancounter.held", ops->name, base))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	worker_stop(&w);
	tree_destroy(&t);
	return ret;
}

/*
 * Objects allocated in a stay charged to a after the worker moved to b, and
 * their release uncharges a, not b.  numproc follows the task instead.
 */
static int test_migration(const char *root, const struct bc_res_ops *ops)
{
	bool follows = !strcmp(ops->name, "numproc");
	struct worker w = { 0 };
	struct tree t = { 0 };
	long base_a, base_b;
	int ret = KSFT_FAIL;
	struct reply r;

	if (tree_create(&t, root) || worker_start(&w, ops, t.a))
		goto cleanup;
	base_a = bc_read(t.a, "beancounter.held", ops->name);
	base_b = bc_read(t.b, "beancounter.held", ops->name);
	if (base_a < 0 || base_b != 0)
		goto cleanup;

	if (worker_cmd(&w, 'a', 3, &r) || r.count != 3 ||
	    bc_expect(t.a, "beancounter.held", ops->name, base_a + 3))
		goto cleanup;

	if (cg_enter(t.b, w.pid))
		goto cleanup;
	if (follows) {
		/* The worker moved, its three children did not. */
		if (bc_expect(t.a, "beancounter.held", ops->name, base_a + 2) ||
		    bc_expect(t.b, "beancounter.held", ops->name, 1))
			goto cleanup;
	} else {
		if (bc_expect(t.a, "beancounter.held", ops->name, base_a + 3) ||
		    bc_expect(t.b, "beancounter.held", ops->name, base_b))
			goto cleanup;
	}

	if (worker_cmd(&w, 'f', 0, &r))
		goto cleanup;
	if (follows) {
		if (bc_expect(t.a, "beancounter.held", ops->name, 0) ||
		    bc_expect(t.b, "beancounter.held", ops->name, 1))
			goto cleanup;
	} else {
		if (bc_expect(t.a, "beancounter.held", ops->name, base_a) ||
		    bc_expect(t.b, "beancounter.held", ops->name, base_b))
			goto cleanup;
	}
	if (bc_expect(t.parent, "beancounter.held", ops->name,
		      follows ? 1 : base_a + base_b))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	worker_stop(&w);
	tree_destroy(&t);
	return ret;
}

/* nr_dying_descendants of @cgroup's cgroup.stat, -1 on error. */
static long nr_dying(const char *cgroup)
{
	return cg_read_key_long(cgroup, "cgroup.stat", "nr_dying_descendants ");
}

/* Wait up to 10 s for @cgroup to have @want dying descendants. */
static int expect_dying(const char *cgroup, long want)
{
	long got = -1;
	int i;

	for (i = 0; i < 100; i++) {
		got = nr_dying(cgroup);
		if (got == want)
			return 0;
		usleep(100000);
	}
	ksft_print_msg("%s: nr_dying_descendants is %ld, expected %ld\n",
		       cgroup, got, want);
	return -1;
}

/* Sockets are freed asynchronously: wait up to 5 s for @want held. */
static int wait_held(const char *cgroup, const char *res, long want)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (bc_read(cgroup, "beancounter.held", res) == want)
			return 0;
		usleep(100000);
	}
	return bc_expect(cgroup, "beancounter.held", res, want);
}

/*
 * Objects outlive the cgroup that was charged for them: three objects are
 * allocated in a, the worker moves to b and a is removed.  a stays (a dying
 * descendant of the parent) and its objects stay counted in the parent
 * until they are freed; then a goes away.  Not for numproc, which follows
 * the task and never stays behind in a removed cgroup.
 */
static int test_removed_group(const char *root, const struct bc_res_ops *ops)
{
	struct worker w = { 0 };
	struct tree t = { 0 };
	int ret = KSFT_FAIL;
	struct reply r;
	long base;

	if (tree_create(&t, root) || worker_start(&w, ops, t.a))
		goto cleanup;
	base = bc_read(t.parent, "beancounter.held", ops->name);
	if (base < 0 || worker_cmd(&w, 'a', 3, &r) || r.count != 3 ||
	    bc_expect(t.parent, "beancounter.held", ops->name, base + 3))
		goto cleanup;
	if (cg_enter(t.b, w.pid) || cg_destroy(t.a))
		goto cleanup;
	free(t.a);
	t.a = NULL;
	/* Kept by the charges: no timing involved, nothing frees them. */
	if (nr_dying(t.parent) != 1) {
		ksft_print_msg("the removed cgroup is not kept by its charges\n");
		goto cleanup;
	}
	if (bc_expect(t.parent, "beancounter.held", ops->name, base + 3))
		goto cleanup;
	if (worker_cmd(&w, 'f', 0, &r) || r.count != 3 ||
	    wait_held(t.parent, ops->name, base) || expect_dying(t.parent, 0))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	worker_stop(&w);
	tree_destroy(&t);
	return ret;
}

/*
 * A connection accepted by a listener whose cgroup was removed is charged
 * to that removed cgroup, which stays until both sockets are closed.
 */
static int test_accept_removed_group(const char *root)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int lfd = -1, cfd = -1, afd = -1;
	struct tree t = { 0 };
	int ret = KSFT_FAIL;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (tree_create(&t, root) || cg_enter_current(t.a))
		goto cleanup;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cg_enter_current(root) || lfd < 0)
		goto cleanup;
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &len) || listen(lfd, 8))
		goto cleanup;
	if (cg_destroy(t.a))
		goto cleanup;
	free(t.a);
	t.a = NULL;
	if (nr_dying(t.parent) != 1 ||
	    bc_expect(t.parent, "beancounter.held", "numtcpsock", 1))
		goto cleanup;
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&addr, sizeof(addr)))
		goto cleanup;
	afd = accept(lfd, NULL, NULL);
	if (afd < 0 || bc_expect(t.parent, "beancounter.held", "numtcpsock", 2))
		goto cleanup;
	close(lfd);
	lfd = -1;
	if (wait_held(t.parent, "numtcpsock", 1) || nr_dying(t.parent) != 1)
		goto cleanup;
	close(afd);
	afd = -1;
	close(cfd);
	cfd = -1;
	if (wait_held(t.parent, "numtcpsock", 0) || expect_dying(t.parent, 0))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	if (afd >= 0)
		close(afd);
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
	cg_enter_current(root);
	tree_destroy(&t);
	return ret;
}

/*
 * Soft charges pass the barrier and stop at the limit: a listening socket
 * in a whose numtcpsock barrier is reached still accepts connections (made
 * from this process, outside a) until the limit, while socket() in a fails.
 */
static int test_tcp_accept_soft(const char *root)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int lfd = -1, cfd[3] = { -1, -1, -1 }, afd = -1, i;
	struct worker w = { 0 };
	struct tree t = { 0 };
	int ret = KSFT_FAIL;
	struct reply r;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (tree_create(&t, root) || worker_start(&w, &resources[5], t.a))
		goto cleanup;
	/* The listener is created by a process in a. */
	if (cg_enter_current(t.a))
		goto cleanup;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cg_enter_current(root) || lfd < 0)
		goto cleanup;
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &len) || listen(lfd, 8))
		goto cleanup;
	if (bc_expect(t.a, "beancounter.held", "numtcpsock", 1) ||
	    bc_set(t.a, "beancounter.barrier", "numtcpsock", 1) ||
	    bc_set(t.a, "beancounter.limit", "numtcpsock", 3))
		goto cleanup;

	/* A direct allocation in a is over the barrier. */
	if (worker_cmd(&w, 'a', 1, &r) || r.count != 0 || r.err != ENOMEM)
		goto cleanup;

	/* Incoming connections are soft charges: two fit under the limit. */
	for (i = 0; i < 3; i++) {
		cfd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (cfd[i] < 0)
			goto cleanup;
		if (connect(cfd[i], (struct sockaddr *)&addr, sizeof(addr)) && i < 2)
			goto cleanup;
	}
	/* Let the third handshake complete or be dropped. */
	usleep(200000);
	if (bc_expect(t.a, "beancounter.held", "numtcpsock", 3))
		goto cleanup;
	/* The worker's socket() and at least one handshake were refused. */
	if (bc_read(t.a, "beancounter.failcnt", "numtcpsock") < 2) {
		ksft_print_msg("numtcpsock failcnt < 2\n");
		goto cleanup;
	}
	/* An accepted socket stays charged to a after accept() elsewhere. */
	afd = accept(lfd, NULL, NULL);
	if (afd < 0 || bc_expect(t.a, "beancounter.held", "numtcpsock", 3))
		goto cleanup;
	close(afd);
	afd = -1;
	close(lfd);
	lfd = -1;
	for (i = 0; i < 3; i++) {
		close(cfd[i]);
		cfd[i] = -1;
	}
	/* TCP teardown of the unaccepted child is asynchronous. */
	for (i = 0; i < 50; i++) {
		if (bc_read(t.a, "beancounter.held", "numtcpsock") == 0)
			break;
		usleep(100000);
	}
	if (bc_expect(t.a, "beancounter.held", "numtcpsock", 0))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	if (afd >= 0)
		close(afd);
	if (lfd >= 0)
		close(lfd);
	for (i = 0; i < 3; i++)
		if (cfd[i] >= 0)
			close(cfd[i]);
	cg_enter_current(root);
	worker_stop(&w);
	tree_destroy(&t);
	return ret;
}

/*
 * Unlocking the middle of a lock splits it in two: that second lock is a
 * soft charge, so the unlock works at the barrier, and fails only at the
 * limit.
 */
static int test_flock_split_soft(const char *root)
{
	struct flock whole = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			       .l_start = 0, .l_len = 10 };
	struct flock mid = { .l_type = F_UNLCK, .l_whence = SEEK_SET,
			     .l_start = 4, .l_len = 2 };
	char path[] = "/tmp/bc_split_XXXXXX";
	struct tree t = { 0 };
	int ret = KSFT_FAIL;
	int fd = -1;

	if (tree_create(&t, root))
		goto cleanup;
	fd = mkstemp(path);
	if (fd < 0)
		goto cleanup;
	unlink(path);
	if (bc_set(t.a, "beancounter.barrier", "numflock", 1) ||
	    bc_set(t.a, "beancounter.limit", "numflock", 1) ||
	    cg_enter_current(t.a))
		goto cleanup;
	if (fcntl(fd, F_SETLK, &whole))
		goto cleanup_root;
	/* At barrier == limit the split is refused... */
	if (!fcntl(fd, F_SETLK, &mid) || errno != ENOLCK)
		goto cleanup_root;
	if (cg_enter_current(root) ||
	    bc_set(t.a, "beancounter.limit", "numflock", 2) ||
	    cg_enter_current(t.a))
		goto cleanup_root;
	/* ...with the limit one above, it works although held > barrier. */
	if (fcntl(fd, F_SETLK, &mid))
		goto cleanup_root;
	if (cg_enter_current(root))
		goto cleanup;
	if (bc_expect(t.a, "beancounter.held", "numflock", 2) ||
	    bc_expect(t.a, "beancounter.failcnt", "numflock", 1))
		goto cleanup;
	close(fd);
	fd = -1;
	if (bc_expect(t.a, "beancounter.held", "numflock", 0))
		goto cleanup;
	ret = KSFT_PASS;
	goto cleanup;
cleanup_root:
	cg_enter_current(root);
cleanup:
	if (fd >= 0)
		close(fd);
	tree_destroy(&t);
	return ret;
}

/*
 * Converting a flock lock (exclusive -> shared) replaces it: the old lock
 * leaves the inode's list (and numflock) before the new one is charged, as
 * a forced charge, so the conversion works at barrier == limit == held and
 * the two locks are never counted together (maxheld stays 1).  A new
 * (compatible) lock at the same point is refused.
 */
static int test_flock_convert_forced(const char *root)
{
	char path[] = "/tmp/bc_convert_XXXXXX";
	struct tree t = { 0 };
	int ret = KSFT_FAIL;
	int fd = -1, fd2 = -1;

	if (tree_create(&t, root))
		goto cleanup;
	fd = mkstemp(path);
	if (fd < 0)
		goto cleanup;
	fd2 = open(path, O_RDWR);
	unlink(path);
	if (fd2 < 0 ||
	    bc_set(t.a, "beancounter.barrier", "numflock", 1) ||
	    bc_set(t.a, "beancounter.limit", "numflock", 1) ||
	    cg_enter_current(t.a))
		goto cleanup;
	if (flock(fd, LOCK_EX | LOCK_NB))
		goto cleanup_root;
	/* The conversion is never refused... */
	if (flock(fd, LOCK_SH | LOCK_NB)) {
		ksft_print_msg("conversion refused: %s\n", strerror(errno));
		goto cleanup_root;
	}
	/* ...a new lock (another open file) is. */
	if (!flock(fd2, LOCK_SH | LOCK_NB) || errno != ENOLCK) {
		ksft_print_msg("second lock not refused with ENOLCK: %s\n",
			       strerror(errno));
		goto cleanup_root;
	}
	if (cg_enter_current(root))
		goto cleanup;
	if (bc_expect(t.a, "beancounter.held", "numflock", 1) ||
	    bc_expect(t.a, "beancounter.maxheld", "numflock", 1) ||
	    bc_expect(t.a, "beancounter.failcnt", "numflock", 1) ||
	    bc_expect(t.parent, "beancounter.held", "numflock", 1) ||
	    bc_expect(t.parent, "beancounter.maxheld", "numflock", 1))
		goto cleanup;
	if (flock(fd, LOCK_UN) ||
	    bc_expect(t.a, "beancounter.held", "numflock", 0) ||
	    bc_expect(t.parent, "beancounter.held", "numflock", 0))
		goto cleanup;
	ret = KSFT_PASS;
	goto cleanup;
cleanup_root:
	cg_enter_current(root);
cleanup:
	if (fd2 >= 0)
		close(fd2);
	if (fd >= 0)
		close(fd);
	tree_destroy(&t);
	return ret;
}

/* Interface files: names, "max", and rejected writes. */
static int test_interface(const char *root)
{
	struct tree t = { 0 };
	int ret = KSFT_FAIL;
	char buf[1024];
	size_t i;

	if (tree_create(&t, root))
		goto cleanup;
	if (cg_read(t.a, "beancounter.limit", buf, sizeof(buf)))
		goto cleanup;
	for (i = 0; i < ARRAY_SIZE(resources); i++) {
		char line[64];

		snprintf(line, sizeof(line), "%s max\n", resources[i].name);
		if (!strstr(buf, line)) {
			ksft_print_msg("no '%s max' in beancounter.limit\n",
				       resources[i].name);
			goto cleanup;
		}
	}
	if (!cg_write(t.a, "beancounter.limit", "nosuch 1") ||
	    !cg_write(t.a, "beancounter.limit", "numfile -1") ||
	    !cg_write(t.a, "beancounter.limit", "numfile") ||
	    !cg_write(t.a, "beancounter.limit", "numfile 1x") ||
	    !cg_write(t.a, "beancounter.held", "numfile 1"))
		goto cleanup;
	if (bc_set(t.a, "beancounter.limit", "numfile", 42) ||
	    bc_expect(t.a, "beancounter.limit", "numfile", 42) ||
	    bc_set(t.a, "beancounter.limit", "numfile", -1) ||
	    cg_read_strstr(t.a, "beancounter.limit", "numfile max\n"))
		goto cleanup;
	/* No files on the root. */
	if (cg_read(root, "beancounter.held", buf, sizeof(buf)) == 0)
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	tree_destroy(&t);
	return ret;
}

typedef int (*res_test_fn)(const char *root, const struct bc_res_ops *ops);

#define T(x) { x, #x }
static const struct {
	res_test_fn fn;
	const char *name;
} res_tests[] = {
	T(test_charge_uncharge),
	T(test_barrier),
	T(test_hierarchy),
	T(test_migration),
};

/* Tests of objects that stay charged to a cgroup: not numproc. */
static const struct {
	res_test_fn fn;
	const char *name;
} obj_tests[] = {
	T(test_removed_group),
};

static const struct {
	int (*fn)(const char *root);
	const char *name;
} tests[] = {
	T(test_interface),
	T(test_flock_split_soft),
	T(test_flock_convert_forced),
	T(test_tcp_accept_soft),
	T(test_accept_removed_group),
};
#undef T

static void report(int ret, const char *name, const char *res)
{
	switch (ret) {
	case KSFT_PASS:
		ksft_test_result_pass("%s%s%s\n", name, res ? " " : "", res ?: "");
		break;
	case KSFT_SKIP:
		ksft_test_result_skip("%s%s%s\n", name, res ? " " : "", res ?: "");
		break;
	default:
		ksft_test_result_fail("%s%s%s\n", name, res ? " " : "", res ?: "");
		break;
	}
}

int main(void)
{
	char root[PATH_MAX];
	size_t i, j;
	char tmpl[] = "/tmp/bc_flock_XXXXXX";

	/* Children fork off: no buffered output may be duplicated. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(res_tests) * ARRAY_SIZE(resources) +
		      ARRAY_SIZE(obj_tests) * (ARRAY_SIZE(resources) - 1) +
		      ARRAY_SIZE(tests));
	if (cg_find_unified_root(root, sizeof(root)))
		ksft_exit_skip("cgroup v2 isn't mounted\n");
	if (cg_read_strstr(root, "cgroup.controllers", "beancounter"))
		ksft_exit_skip("beancounter controller isn't available\n");
	if (cg_write(root, "cgroup.subtree_control", "+beancounter"))
		ksft_exit_fail_msg("cannot enable beancounter in %s\n", root);

	lock_fd = mkstemp(tmpl);
	if (lock_fd < 0)
		ksft_exit_fail_msg("mkstemp: %s\n", strerror(errno));
	unlink(tmpl);

	for (i = 0; i < ARRAY_SIZE(tests); i++)
		report(tests[i].fn(root), tests[i].name, NULL);
	for (i = 0; i < ARRAY_SIZE(res_tests); i++)
		for (j = 0; j < ARRAY_SIZE(resources); j++)
			report(res_tests[i].fn(root, &resources[j]),
			       res_tests[i].name, resources[j].name);
	/* resources[0] is numproc. */
	for (i = 0; i < ARRAY_SIZE(obj_tests); i++)
		for (j = 1; j < ARRAY_SIZE(resources); j++)
			report(obj_tests[i].fn(root, &resources[j]),
			       obj_tests[i].name, resources[j].name);
	ksft_finished();
}
