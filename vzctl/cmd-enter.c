// SPDX-License-Identifier: GPL-2.0-or-later
/* enter: an interactive root shell on a pty allocated inside the CT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "exec.h"
#include "procutil.h"
#include "relay.h"
#include "vzctl.h"

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return -EPIPE;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

int cmd_enter(struct vzctl *v, int argc, char **argv)
{
	static char login[] = "if [ -x /bin/bash ]; then exec /bin/bash -l; else exec /bin/sh -l; fi";
	__vz_free char *cmdline = NULL, *term = NULL;
	char *sh[] = { "/bin/sh", "-c", login, NULL };
	char *envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			 "HOME=/root", NULL, NULL };
	struct vz_exec x = { .argv = sh, .envp = envp, .stdio = { 0, 1, 2 } };
	__vz_close int master = -1;
	int sv[2], status, pidfd;
	pid_t pid;

	if (argc > 1) {
		if (strcmp(argv[1], "--exec") || argc < 3)
			return vzctl_bad_usage("enter", "invalid option '%s'", argv[1]);
		size_t len = 1;

		for (int i = 2; i < argc; i++)
			len += strlen(argv[i]) + 1;
		cmdline = calloc(1, len);
		if (!cmdline)
			return VZ_EXIT_SYSTEM;
		for (int i = 2; i < argc; i++) {
			strcat(cmdline, argv[i]);
			if (i + 1 < argc)
				strcat(cmdline, " ");
		}
		sh[2] = cmdline;
	}
	if (!isatty(STDIN_FILENO)) {
		vz_error_set(&v->err, VZ_E_NO_TTY, ENOTTY,
			     "vzctl enter needs a terminal on stdin; use vzctl exec for scripts");
		return vz_cli_fail(&v->err);
	}
	if (asprintf(&term, "TERM=%s", getenv("TERM") ? getenv("TERM") : "xterm") < 0)
		return VZ_EXIT_SYSTEM;
	envp[2] = term;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return VZ_EXIT_SYSTEM;
	x.pty_sock = sv[1];
	if (vz_ct_exec_start(v->ct, &x, &pid, &v->err) < 0) {
		close(sv[0]);
		close(sv[1]);
		return vz_cli_fail(&v->err);
	}
	close(sv[1]);
	master = recv_fd(sv[0]);
	close(sv[0]);
	if (master < 0) {
		status = vz_ct_exec_wait(pid);
		fprintf(stderr, "vzctl enter: cannot open a terminal in the container\n");
		return status ? status : VZ_EXIT_SYSTEM;
	}
	fprintf(stderr, "entered into CT %s\n", v->ct->idstr);
	pidfd = vz_pidfd_open(pid);
	vzctl_relay_pty(master, pidfd, false);
	if (pidfd >= 0)
		close(pidfd);
	status = vz_ct_exec_wait(pid);
	fprintf(stderr, "exited from CT %s\n", v->ct->idstr);
	return status < 0 ? VZ_EXIT_SYSTEM : status;
}
