// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "exec"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "cleanup.h"
#include "exec.h"
#include "log.h"
#include "procutil.h"
#include "resources.h"
#include "seccomp.h"
#include "state.h"

static char *const default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root",
	"TERM=dumb",
	NULL,
};

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "p", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* Open a pty in the CT's own devpts; returns the slave, master sent to sock. */
static int ct_pty(int sock)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave;

	if (master < 0 || unlockpt(master) < 0)
		return -errno;
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0 || send_fd(sock, master) < 0)
		return -errno;
	close(master);
	return slave;
}

static void __attribute__((noreturn)) die(const char *what)
{
	int e = errno;

	fprintf(stderr, "vzctl: %s: %s\n", what, strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* The host-side helper: enters the CT, forks the program, relays its status. */
static void __attribute__((noreturn)) exec_helper(const struct vz_exec *x, int pidfd, int flags,
						  bool userns, uint64_t caps, struct vz_cgroup *cg,
						  const struct vz_seccomp *sc)
{
	struct vz_error err;
	int keep[] = { x->pty_sock, -1 };
	int slave = -1, status;
	pid_t child;

	prctl(PR_SET_DUMPABLE, 0);
	for (int i = 0; i < 3; i++) {
		if (x->stdio[i] != i && dup2(x->stdio[i], i) < 0)
			die("cannot set up stdio");
	}
	vz_close_fds_from(3, (int[]){ pidfd, x->pty_sock, -1 });
	if (cg->ops->attach(cg, getpid(), &err) < 0) {
		fprintf(stderr, "vzctl: %s\n", err.msg);
		_exit(126);
	}
	if (setns(pidfd, flags) < 0)
		die("cannot enter the container");
	close(pidfd);
	if (userns && (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		die("cannot become root in the container");
	if (chdir("/") < 0)
		die("cannot chdir to /");
	if (x->pty_sock >= 0) {
		slave = ct_pty(x->pty_sock);
		if (slave < 0) {
			errno = -slave;
			die("cannot allocate a pty in the container");
		}
	}
	vz_close_fds_from(3, slave >= 0 ? (int[]){ slave, -1 } : (int[]){ -1 });
	(void)keep;
	child = fork();
	if (child < 0)
		die("cannot fork");
	if (child == 0) {
		if (slave >= 0) {
			if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
				die("cannot set the controlling terminal");
			dup2(slave, 0);
			dup2(slave, 1);
			dup2(slave, 2);
			close(slave);
		}
		if (vz_caps_apply(caps) < 0)
			die("cannot drop capabilities");
		/*
		 * Nothing more than the CT's root has: its user namespace, its
		 * bounding set, its seccomp policy, its cgroups, no host fd and
		 * no host environment.  No no_new_privs (see seccomp.c): setuid
		 * programs of the CT keep working for its users.
		 */
		if (vz_seccomp_load(sc) < 0)
			die("cannot install the seccomp filter");
		execvpe(x->argv[0], x->argv, x->envp ? x->envp : default_env);
		die(x->argv[0]);
	}
	if (slave >= 0)
		close(slave);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(126);
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	_exit(128 + WTERMSIG(status));
}

int vz_ct_exec_start(struct vz_ct *ct, const struct vz_exec *x, pid_t *pid_out, struct vz_error *err)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	__vz_seccomp struct vz_seccomp *sc = NULL;
	__vz_close int pidfd = -1;
	struct vz_ct_state st;
	uint64_t caps;
	int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
		    CLONE_NEWCGROUP;
	pid_t pid;
	int ret;

	ret = vz_ct_get_run_state(ct, &st, err);
	if (ret < 0)
		return ret;
	if (!st.running)
		return vz_error_set(err, VZ_E_NOT_RUNNING, EINVAL, "Container is not running");
	ret = vz_caps_dropped(ct, &caps, err);
	if (ret < 0)
		return ret;
	ret = vz_seccomp_get(ct, caps, &sc, err);
	if (ret < 0)
		return ret;
	ret = vz_cgroup_open(ct, &cg, err);
	if (ret < 0)
		return ret;
	pidfd = vz_pidfd_open(st.init_pid);
	if (pidfd < 0)
		return vz_error_sys(err, VZ_E_NOT_RUNNING, -pidfd, "Container's init is gone");
	/* The pidfd names the process we checked: make sure it is still that one. */
	if (vz_proc_starttime(st.init_pid) == 0)
		return vz_error_set(err, VZ_E_NOT_RUNNING, ESRCH, "Container is not running");
	if (st.userns)
		flags |= CLONE_NEWUSER;
	pid = fork();
	if (pid < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot fork");
	if (pid == 0) {
		/* LOCKEDPAGES, as the CT's init passes it on (lib/resources.h) */
		vz_res_apply_rlimits(ct, getpid(), false, NULL);
		exec_helper(x, pidfd, flags, st.userns, caps, cg, sc);
	}
	*pid_out = pid;
	return 0;
}

int vz_ct_exec_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int vz_ct_exec_simple(struct vz_ct *ct, char *const argv[], int *status, struct vz_error *err)
{
	__vz_close int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct vz_exec x = { .argv = argv, .stdio = { null, null, null }, .pty_sock = -1 };
	pid_t pid;
	int ret;

	if (null < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open /dev/null");
	ret = vz_ct_exec_start(ct, &x, &pid, err);
	if (ret < 0)
		return ret;
	*status = vz_ct_exec_wait(pid);
	return 0;
}
