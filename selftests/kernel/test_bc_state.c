// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of the checkpoint state of the beancounter controller
 * ("beancounter.state"): the state machine, its owner, what it refuses
 * (migration in and out, fork into and inside, mounts), the frozen
 * requirement, notifications, and the fallback to running when the owner
 * goes away.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "cgroup_util.h"

struct ct {
	char *parent, *cg, *other;
	int cmd, res;		/* pipes to the worker inside cg */
	pid_t worker;
};

/* The worker: forks or mounts on request and reports the errno. */
static void worker_main(int cmd, int res)
{
	char c;
	int err;

	while (read(cmd, &c, 1) == 1) {
		err = 0;
		if (c == 'f') {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid < 0)
				err = errno;
			else
				waitpid(pid, NULL, 0);
		} else if (c == 'm') {
			if (mount("none", "/tmp/bc_state_mnt", "tmpfs", 0, NULL))
				err = errno;
			else
				umount("/tmp/bc_state_mnt");
		}
		if (write(res, &err, sizeof(err)) != sizeof(err))
			break;
	}
	_exit(0);
}

static int worker_do(struct ct *c, char op)
{
	int err;

	if (write(c->cmd, &op, 1) != 1 || read(c->res, &err, sizeof(err)) != sizeof(err))
		return -1;
	return err;
}

static int ct_create(struct ct *c, const char *root)
{
	int cmd[2], res[2];

	memset(c, 0, sizeof(*c));
	c->worker = -1;
	c->parent = cg_name(root, "bc_state");
	c->cg = cg_name(root, "bc_state/ct");
	c->other = cg_name(root, "bc_state/other");
	if (!c->parent || !c->cg || !c->other)
		return -1;
	if (cg_create(c->parent) ||
	    cg_write(c->parent, "cgroup.subtree_control", "+beancounter") ||
	    cg_create(c->cg) || cg_create(c->other))
		return -1;
	if (pipe2(cmd, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		return -1;
	c->worker = fork();
	if (c->worker < 0)
		return -1;
	if (c->worker == 0) {
		close(cmd[1]);
		close(res[0]);
		worker_main(cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	c->cmd = cmd[1];
	c->res = res[0];
	return cg_enter(c->cg, c->worker);
}

static void ct_destroy(struct ct *c)
{
	if (c->cg) {
		cg_write(c->cg, "beancounter.state", "running");
		cg_write(c->cg, "cgroup.freeze", "0");
	}
	if (c->worker > 0) {
		close(c->cmd);
		close(c->res);
		kill(c->worker, SIGKILL);
		waitpid(c->worker, NULL, 0);
	}
	if (c->cg)
		cg_destroy(c->cg);
	if (c->other)
		cg_destroy(c->other);
	if (c->parent)
		cg_destroy(c->parent);
	free(c->cg);
	free(c->other);
	free(c->parent);
	memset(c, 0, sizeof(*c));
}

static int state_open(const char *cgroup)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/beancounter.state", cgroup);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* Write through an open file: 0 or the errno. */
static int state_write(int fd, const char *state)
{
	return write(fd, state, strlen(state)) < 0 ? errno : 0;
}

static int state_is(const char *cgroup, const char *state)
{
	char want[32];

	snprintf(want, sizeof(want), "%s\n", state);
	if (!cg_read_strcmp(cgroup, "beancounter.state", want))
		return 1;
	ksft_print_msg("%s: state is not %s\n", cgroup, state);
	return 0;
}

static int wait_frozen(const char *cgroup)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (!cg_read_strstr(cgroup, "cgroup.events", "frozen 1"))
			return 0;
		usleep(50000);
	}
	return -1;
}

/* A spare process in the parent, to try migrations with. */
static pid_t spare_start(const char *cgroup)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid > 0 && cg_enter(cgroup, pid)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void spare_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* running -> checkpointing -> (frozen) checkpointed -> running. */
static int test_state_machine(const char *root)
{
	int owner = -1, other = -1, ret = KSFT_FAIL;
	struct ct c;

	if (ct_create(&c, root))
		goto cleanup;
	if (!state_is(c.cg, "running"))
		goto cleanup;
	owner = state_open(c.cg);
	other = state_open(c.cg);
	if (owner < 0 || other < 0)
		goto cleanup;
	if (state_write(owner, "frozen") != EINVAL ||
	    state_write(owner, "checkpointed") != EBUSY)
		goto cleanup;
	if (state_write(owner, "checkpointing") || !state_is(c.cg, "checkpointing"))
		goto cleanup;
	/* Only one checkpoint at a time, and only its owner goes on. */
	if (state_write(other, "checkpointing") != EBUSY ||
	    state_write(other, "restoring") != EBUSY ||
	    state_write(other, "checkpointed") != EBUSY)
		goto cleanup;
	/* checkpointed needs the group frozen. */
	if (state_write(owner, "checkpointed") != EAGAIN)
		goto cleanup;
	if (cg_write(c.cg, "cgroup.freeze", "1") || wait_frozen(c.cg))
		goto cleanup;
	if (state_write(owner, "checkpointed") || !state_is(c.cg, "checkpointed"))
		goto cleanup;
	/* running always works, from anybody. */
	if (state_write(other, "running") || !state_is(c.cg, "running"))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	if (owner >= 0)
		close(owner);
	if (other >= 0)
		close(other);
	ct_destroy(&c);
	return ret;
}

/* What checkpointing refuses, and that running allows it again. */
static int test_refusals(const char *root)
{
	int fd = -1, cgfd = -1, ret = KSFT_FAIL;
	pid_t spare = -1, child;
	struct ct c;

	if (ct_create(&c, root))
		goto cleanup;
	mkdir("/tmp/bc_state_mnt", 0755);
	spare = spare_start(c.other);
	fd = state_open(c.cg);
	if (spare < 0 || fd < 0 || state_write(fd, "checkpointing"))
		goto cleanup;

	if (!cg_enter(c.cg, spare)) {
		ksft_print_msg("migration into a checkpointing group worked\n");
		goto cleanup;
	}
	if (!cg_enter(c.other, c.worker)) {
		ksft_print_msg("migration out of a checkpointing group worked\n");
		goto cleanup;
	}
	if (worker_do(&c, 'f') != EBUSY) {
		ksft_print_msg("fork inside a checkpointing group not refused\n");
		goto cleanup;
	}
	if (worker_do(&c, 'm') != EBUSY) {
		ksft_print_msg("mount inside a checkpointing group not refused\n");
		goto cleanup;
	}
	cgfd = dirfd_open_opath(c.cg);
	if (cgfd < 0)
		goto cleanup;
	child = clone_into_cgroup(cgfd);
	if (child == 0)
		_exit(0);
	if (child > 0) {
		waitpid(child, NULL, 0);
		ksft_print_msg("clone into a checkpointing group worked\n");
		goto cleanup;
	}
	if (errno != EBUSY && errno != ENOSYS)
		goto cleanup;

	if (state_write(fd, "running"))
		goto cleanup;
	if (worker_do(&c, 'f') || worker_do(&c, 'm') ||
	    cg_enter(c.cg, spare) || cg_enter(c.other, c.worker) ||
	    cg_enter(c.cg, c.worker))
		goto cleanup;

	/* A group is covered by the state of its ancestors. */
	close(fd);
	fd = state_open(c.parent);
	if (fd < 0 || state_write(fd, "checkpointing") ||
	    worker_do(&c, 'f') != EBUSY || !state_is(c.cg, "running"))
		goto cleanup;
	if (state_write(fd, "running") || worker_do(&c, 'f'))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	if (cgfd >= 0)
		close(cgfd);
	if (fd >= 0)
		close(fd);
	spare_stop(spare);
	ct_destroy(&c);
	rmdir("/tmp/bc_state_mnt");
	return ret;
}

/* The owner closing, or dying, drops the group back to running. */
static int test_owner_gone(const char *root)
{
	int fd = -1, ret = KSFT_FAIL;
	pid_t pid;
	struct ct c;

	if (ct_create(&c, root))
		goto cleanup;
	fd = state_open(c.cg);
	if (fd < 0 || state_write(fd, "checkpointing"))
		goto cleanup;
	close(fd);
	fd = -1;
	if (!state_is(c.cg, "running"))
		goto cleanup;

	/* A dumper that dies with the file open. */
	pid = fork();
	if (pid == 0) {
		int f = state_open(c.cg);

		if (f < 0 || state_write(f, "checkpointing"))
			_exit(1);
		kill(getpid(), SIGKILL);
	}
	if (pid < 0)
		goto cleanup;
	waitpid(pid, NULL, 0);
	if (!state_is(c.cg, "running"))
		goto cleanup;

	/* restoring: owned, exclusive, restricts nothing. */
	fd = state_open(c.cg);
	if (fd < 0 || state_write(fd, "restoring") || !state_is(c.cg, "restoring"))
		goto cleanup;
	if (!cg_write(c.cg, "beancounter.state", "checkpointing") ||
	    worker_do(&c, 'f'))
		goto cleanup;
	close(fd);
	fd = -1;
	if (!state_is(c.cg, "running"))
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	if (fd >= 0)
		close(fd);
	ct_destroy(&c);
	return ret;
}

/* Every change is a modification of beancounter.state and cgroup.events. */
static int test_notify(const char *root)
{
	char path[PATH_MAX], buf[4096];
	int in = -1, fd = -1, ret = KSFT_FAIL;
	struct pollfd pfd;
	struct ct c;

	if (ct_create(&c, root))
		goto cleanup;
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	snprintf(path, sizeof(path), "%s/cgroup.events", c.cg);
	if (in < 0 || inotify_add_watch(in, path, IN_MODIFY) < 0)
		goto cleanup;
	snprintf(path, sizeof(path), "%s/beancounter.state", c.cg);
	if (inotify_add_watch(in, path, IN_MODIFY) < 0)
		goto cleanup;
	fd = state_open(c.cg);
	if (fd < 0 || state_write(fd, "checkpointing"))
		goto cleanup;
	pfd.fd = in;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 2000) != 1 || read(in, buf, sizeof(buf)) <= 0)
		goto cleanup;
	/* The fallback on close notifies too. */
	close(fd);
	fd = -1;
	if (poll(&pfd, 1, 2000) != 1 || read(in, buf, sizeof(buf)) <= 0)
		goto cleanup;
	ret = KSFT_PASS;
cleanup:
	if (fd >= 0)
		close(fd);
	if (in >= 0)
		close(in);
	ct_destroy(&c);
	return ret;
}

#define T(x) { x, #x }
static const struct {
	int (*fn)(const char *root);
	const char *name;
} tests[] = {
	T(test_state_machine),
	T(test_refusals),
	T(test_owner_gone),
	T(test_notify),
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
	if (cg_write(root, "cgroup.subtree_control", "+beancounter"))
		ksft_exit_fail_msg("cannot enable beancounter\n");

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (tests[i].fn(root) == KSFT_PASS)
			ksft_test_result_pass("%s\n", tests[i].name);
		else
			ksft_test_result_fail("%s\n", tests[i].name);
	}
	ksft_finished();
}
