// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "procutil.h"

unsigned long long vz_proc_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (vz_read_file_at(AT_FDCWD, path, buf, sizeof(buf)) < 0)
		return 0;
	/* The command name may contain spaces and parentheses: skip past the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* After ") " come fields 3..; the start time is field 22. */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu",
		   &start) != 1)
		return 0;
	return start;
}

int vz_pidfd_open(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

void vz_boot_id(char *buf, size_t size)
{
	int n = vz_read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", buf, size);

	if (n <= 0)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

int vz_enter_ns(pid_t pid, int nstype, enum vz_error_kind kind, struct vz_error *err)
{
	const char *what = nstype == CLONE_NEWNET ? "network"
			   : nstype == CLONE_NEWNS ? "mount"
						   : "";
	int pidfd = vz_pidfd_open(pid), ret = 0;

	if (pidfd < 0 || setns(pidfd, nstype) < 0)
		ret = vz_error_sys(err, kind, pidfd < 0 ? -pidfd : errno,
				   "Cannot enter the CT's %s namespace", what);
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}

int vz_pidfd_send_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

int vz_pidfd_wait(int pidfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int ret;

	do
		ret = poll(&pfd, 1, timeout_ms);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	return ret > 0 ? 1 : 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void vz_close_fds_from(int from, const int *keep)
{
	int sorted[16], nr = 0, next = from;

	for (const int *k = keep; k && *k >= 0 && nr < (int)ARRAY_SIZE(sorted); k++)
		if (*k >= from)
			sorted[nr++] = *k;
	qsort(sorted, nr, sizeof(int), cmp_int);
	/* close_range() needs no /proc, which may be another pid namespace's. */
	for (int i = 0; i < nr; i++) {
		if (sorted[i] > next)
			close_range(next, sorted[i] - 1, 0);
		next = sorted[i] + 1;
	}
	close_range(next, ~0U, 0);
}

void vz_unescape_mountinfo(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

int vz_run_wait(char *const argv[], char *const envp[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int vz_child_start(struct vz_child *c, vz_child_fn fn, void *arg, struct vz_error *err)
{
	int pipefd[2];

	c->pid = -1;
	c->errfd = -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create a pipe");
	c->pid = fork();
	if (c->pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot fork");
	}
	if (c->pid == 0) {
		struct vz_error child_err = { 0 };

		close(pipefd[0]);
		if (fn(arg, &child_err) < 0) {
			if (!child_err.kind)
				vz_error_set(&child_err, VZ_E_SYSTEM, EIO, "failed");
			if (write(pipefd[1], &child_err, sizeof(child_err)) < 0) {
				/* the exit status still says it */
			}
			_exit(1);
		}
		_exit(0);
	}
	close(pipefd[1]);
	c->errfd = pipefd[0];
	return 0;
}

int vz_child_wait(struct vz_child *c, const char *what, struct vz_error *err)
{
	struct vz_error child_err;
	ssize_t n;
	int status;

	if (c->errfd < 0)
		return 0;
	do
		n = read(c->errfd, &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	close(c->errfd);
	c->errfd = -1;
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(child_err)) {
		child_err.msg[sizeof(child_err.msg) - 1] = '\0';
		if (err)
			*err = child_err;
		return child_err.errnum > 0 ? -child_err.errnum : -EIO;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return vz_error_set(err, VZ_E_SYSTEM, EIO, "%s: the helper process died", what);
	return 0;
}

int vz_child_run(vz_child_fn fn, void *arg, const char *what, struct vz_error *err)
{
	struct vz_child c;
	int ret = vz_child_start(&c, fn, arg, err);

	return ret < 0 ? ret : vz_child_wait(&c, what, err);
}
