// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exec: the arguments joined and run by /bin/sh -c, exit 8 if it fails;
 * exec2: the same, returning the command's own exit code; exec3: argv run
 * without a shell; "-" as the command reads a script from stdin.
 * runscript: a host script run by the CT's /bin/sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "exec.h"
#include "fileutil.h"
#include "relay.h"
#include "vzctl.h"

enum exec_mode { EXEC_SHELL, EXEC_SHELL_RC, EXEC_ARGV };

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *out;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	out = calloc(1, len);
	if (!out)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, argv[i]);
	}
	return out;
}

/* Run argv in the CT with the caller's stdio (relayed through pipes if it is a tty). */
static int run_in_ct(struct vzctl *v, char *const argv[], int stdin_fd)
{
	bool tty = isatty(STDIN_FILENO) || isatty(STDOUT_FILENO) || isatty(STDERR_FILENO);
	struct vz_exec x = { .argv = argv, .stdio = { stdin_fd, 1, 2 }, .pty_sock = -1 };
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	pid_t pid;
	int ret;

	if (tty && stdin_fd == STDIN_FILENO) {
		if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
			vz_error_sys(&v->err, VZ_E_SYSTEM, errno, "Cannot create pipes");
			return -errno;
		}
		x.stdio[0] = in[0];
		x.stdio[1] = out[1];
		x.stdio[2] = errp[1];
	}
	signal(SIGPIPE, SIG_IGN);
	ret = vz_ct_exec_start(v->ct, &x, &pid, &v->err);
	if (in[0] >= 0) {
		close(in[0]);
		close(out[1]);
		close(errp[1]);
		if (ret == 0)
			vzctl_relay_pipes(in[1], out[0], errp[0]);
		else {
			close(in[1]);
			close(out[0]);
			close(errp[0]);
		}
	}
	if (ret < 0)
		return ret;
	return vz_ct_exec_wait(pid);
}

static int do_exec(struct vzctl *v, const char *cmd, enum exec_mode mode, int argc, char **argv)
{
	__vz_free char *line = NULL;
	int status;

	/* argv[0] is the CTID; the command follows. */
	if (argc < 2)
		return vzctl_bad_usage(cmd, "a command is required");
	if (mode == EXEC_ARGV) {
		status = run_in_ct(v, argv + 1, STDIN_FILENO);
	} else if (argc == 2 && !strcmp(argv[1], "-")) {
		char *const sh[] = { "/bin/sh", NULL };

		status = run_in_ct(v, sh, STDIN_FILENO);
	} else {
		line = join_args(argc - 1, argv + 1);
		if (!line)
			return VZ_EXIT_SYSTEM;
		char *const sh[] = { "/bin/sh", "-c", line, NULL };

		status = run_in_ct(v, sh, STDIN_FILENO);
	}
	if (status < 0)
		return vz_cli_fail(&v->err);
	if (mode == EXEC_SHELL)
		return status ? VZ_EXIT_EXEC_NONZERO : 0;
	return status;
}

int cmd_exec(struct vzctl *v, int argc, char **argv)
{
	return do_exec(v, "exec", EXEC_SHELL, argc, argv);
}

int cmd_exec2(struct vzctl *v, int argc, char **argv)
{
	return do_exec(v, "exec2", EXEC_SHELL_RC, argc, argv);
}

int cmd_exec3(struct vzctl *v, int argc, char **argv)
{
	return do_exec(v, "exec3", EXEC_ARGV, argc, argv);
}

int cmd_runscript(struct vzctl *v, int argc, char **argv)
{
	char *const sh[] = { "/bin/sh", "-s", NULL };
	__vz_close int fd = -1;
	int status;

	if (argc != 2)
		return vzctl_bad_usage("runscript", "exactly one script file is required");
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		vz_error_sys(&v->err, VZ_E_NO_SCRIPT, errno, "Cannot open script '%s'", argv[1]);
		return vz_cli_fail(&v->err);
	}
	status = run_in_ct(v, sh, fd);
	if (status < 0)
		return vz_cli_fail(&v->err);
	return status;
}
