// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CT's monitor: parent of the CT's init for the CT's whole life.  It
 * keeps the console pty (buffering its output while nobody is attached),
 * answers requests on $RUNDIR/<CTID>.sock, and when init ends it removes
 * the CT's cgroups and run state, unmounts the CT if it halted by itself,
 * or starts a new init if the CT rebooted.
 */
#define VZ_LOG_PREFIX "monitor"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "config.h"
#include "fileutil.h"
#include "lifecycle.h"
#include "log.h"
#include "net.h"
#include "procutil.h"
#include "resources.h"
#include "seccomp.h"
#include "state.h"

#define CONSOLE_BACKLOG (64 * 1024)
#define MAX_CLIENTS 16

struct monitor {
	struct vz_launch *l;
	pid_t init_pid;
	int listen_fd;
	int console_client; /* the connection that holds the console, -1 if none */
	int clients[MAX_CLIENTS];
	bool stop_requested; /* vzctl stop drives the shutdown and unmounts itself */
	bool console_hup;    /* nobody in the CT has the console open: look again later */
	char backlog[CONSOLE_BACKLOG];
	size_t backlog_len;
	char *sock_path, *state_path;
};

static int write_state(struct monitor *m, struct vz_error *err)
{
	__vz_conf struct vz_conf *st = vz_conf_new(m->state_path);
	char buf[64];

	if (!st)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write the run state");
	snprintf(buf, sizeof(buf), "%d", (int)m->init_pid);
	vz_conf_set(st, "INIT_PID", buf);
	snprintf(buf, sizeof(buf), "%llu", vz_proc_starttime(m->init_pid));
	vz_conf_set(st, "INIT_STARTTIME", buf);
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	vz_conf_set(st, "MONITOR_PID", buf);
	vz_conf_set(st, "USERNS", m->l->userns ? "yes" : "no");
	snprintf(buf, sizeof(buf), "%lld", (long long)time(NULL));
	vz_conf_set(st, "STARTED", buf);
	/* Where the CT's groups are, whichever cgroup a later command runs from. */
	for (int i = 0; i < m->l->cg->nr_hier; i++) {
		__vz_free char *value = NULL;
		char key[32];

		snprintf(key, sizeof(key), "CGROUP_%d", i);
		if (asprintf(&value, "%s:%s", m->l->cg->hier[i].controllers, m->l->cg->hier[i].path) < 0 ||
		    vz_conf_set(st, key, value) < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write the run state");
	}
	return vz_conf_save(st, m->state_path, err);
}

static int listen_socket(const char *path, struct vz_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return vz_error_set(err, VZ_E_SYSTEM, ENAMETOOLONG, "Socket path '%s' is too long", path);
	strcpy(addr.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create the control socket");
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 8) < 0) {
		int e = errno;

		close(fd);
		return vz_error_sys(err, VZ_E_SYSTEM, e, "Cannot listen on '%s'", path);
	}
	return fd;
}

static void backlog_add(struct monitor *m, const char *data, size_t len)
{
	if (len >= CONSOLE_BACKLOG) {
		data += len - CONSOLE_BACKLOG;
		len = CONSOLE_BACKLOG;
	}
	if (m->backlog_len + len > CONSOLE_BACKLOG) {
		size_t drop = m->backlog_len + len - CONSOLE_BACKLOG;

		memmove(m->backlog, m->backlog + drop, m->backlog_len - drop);
		m->backlog_len -= drop;
	}
	memcpy(m->backlog + m->backlog_len, data, len);
	m->backlog_len += len;
}

/* Hand the console master to a client, with the output it missed. */
static void send_console(struct monitor *m, int client)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = m->backlog_len ? m->backlog : "\n",
			     .iov_len = m->backlog_len ? m->backlog_len : 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	if (m->console_client >= 0) {
		const char *busy = "busy";

		send(client, busy, strlen(busy), MSG_NOSIGNAL);
		return;
	}
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &m->l->console_master, sizeof(int));
	if (sendmsg(client, &msg, MSG_NOSIGNAL) >= 0) {
		m->console_client = client;
		m->backlog_len = 0;
	}
}

static void handle_request(struct monitor *m, int client)
{
	char req[256], reply[256];
	ssize_t n = recv(client, req, sizeof(req) - 1, 0);

	if (n <= 0) {
		if (m->console_client == client)
			m->console_client = -1;
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (m->clients[i] == client)
				m->clients[i] = -1;
		close(client);
		return;
	}
	req[n] = '\0';
	if (!strcmp(req, "console")) {
		send_console(m, client);
		return;
	}
	if (!strcmp(req, "stop"))
		m->stop_requested = true;
	if (!strcmp(req, "stop") || !strcmp(req, "ping"))
		snprintf(reply, sizeof(reply), "ok %d", (int)m->init_pid);
	else
		snprintf(reply, sizeof(reply), "error unknown request");
	send(client, reply, strlen(reply), MSG_NOSIGNAL);
}

static void accept_client(struct monitor *m)
{
	int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (m->clients[i] < 0) {
			m->clients[i] = fd;
			return;
		}
	}
	close(fd);
}

static void drain_console(struct monitor *m)
{
	char buf[4096];
	ssize_t n = read(m->l->console_master, buf, sizeof(buf));

	if (n > 0)
		backlog_add(m, buf, n);
	else
		m->console_hup = true; /* no slave open right now: do not spin on POLLHUP */
}

/* Wait for init to end; returns its wait status. */
static int run_loop(struct monitor *m, int sigfd)
{
	for (;;) {
		struct pollfd pfd[3 + MAX_CLIENTS];
		int nfds = 0, status, ret;

		pfd[nfds++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		pfd[nfds++] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
		pfd[nfds++] = (struct pollfd){
			.fd = m->console_client < 0 && !m->console_hup ? m->l->console_master : -1,
			.events = POLLIN
		};
		for (int i = 0; i < MAX_CLIENTS; i++)
			pfd[nfds++] = (struct pollfd){ .fd = m->clients[i], .events = POLLIN };
		ret = poll(pfd, nfds, m->console_hup ? 500 : -1);
		if (ret < 0 && errno != EINTR)
			return -1;
		if (ret == 0)
			m->console_hup = false;
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) < 0) {
				/* level-triggered: waitpid below tells the truth */
			}
			if (waitpid(m->init_pid, &status, WNOHANG) == m->init_pid)
				return status;
		}
		if (pfd[1].revents & POLLIN)
			accept_client(m);
		if (pfd[2].revents & (POLLIN | POLLHUP))
			drain_console(m);
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (pfd[3 + i].revents & (POLLIN | POLLHUP | POLLERR))
				handle_request(m, m->clients[i]);
	}
}

static void cleanup_ct(struct monitor *m, bool unmount)
{
	struct vz_error err = { 0 };

	vz_net_unplug(m->l->ct, true);
	vz_seccomp_forget(m->l->ct);
	if (m->l->cg->ops->destroy(m->l->cg, &err) < 0)
		vz_err("%s", err.msg);
	unlink(m->state_path);
	unlink(m->sock_path);
	if (unmount && vz_ct_umount(m->l->ct, &err) < 0)
		vz_err("%s", err.msg);
}

static void __attribute__((noreturn)) monitor_main(struct vz_launch *l, int reportfd)
{
	struct monitor m = { .l = l, .console_client = -1 };
	struct vz_error err = { 0 };
	sigset_t mask;
	int sigfd, status, null;

	for (int i = 0; i < MAX_CLIENTS; i++)
		m.clients[i] = -1;
	m.sock_path = vz_ct_run_path(l->ct, ".sock");
	m.state_path = vz_ct_run_path(l->ct, ".state");
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (!m.sock_path || !m.state_path || sigfd < 0) {
		vz_error_sys(&err, VZ_E_SYSTEM, errno ? errno : ENOMEM, "Cannot start the monitor");
		goto fail;
	}
	m.listen_fd = listen_socket(m.sock_path, &err);
	if (m.listen_fd < 0)
		goto fail;
	if ((l->launch ? l->launch(l, &m.init_pid, &err) : vz_init_launch(l, &m.init_pid, &err)) < 0)
		goto fail_sock;
	if (write_state(&m, &err) < 0) {
		kill(m.init_pid, SIGKILL);
		waitpid(m.init_pid, NULL, 0);
		goto fail_sock;
	}
	if (write(reportfd, &err, sizeof(err)) < 0) {
		/* vzctl was killed: the CT is up all the same */
	}
	close(reportfd);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	vz_log_set_verbosity(-1);

	for (;;) {
		status = run_loop(&m, sigfd);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP && !m.stop_requested) {
			/* reboot(2) inside the CT: start a fresh init in fresh namespaces */
			vz_info("Container %s is rebooting", l->ct->idstr);
			vz_net_unplug(l->ct, false); /* plugged in again for the new init */
			/* What vzctl set --save changed meanwhile applies, as at a start. */
			if (vz_ct_reload(l->ct, &err) == 0 && l->cg->ops->destroy(l->cg, &err) == 0 &&
			    l->cg->ops->create(l->cg, &err) == 0 &&
			    l->cg->ops->setup_devices(l->cg, &err) == 0 &&
			    vz_res_apply(l->ct, l->cg, VZ_RES_ALL, false, &err) == 0 &&
			    vz_init_launch(l, &m.init_pid, &err) == 0 && write_state(&m, &err) == 0)
				continue;
			vz_err("Cannot restart container %s: %s", l->ct->idstr, err.msg);
		}
		break;
	}
	cleanup_ct(&m, !m.stop_requested);
	vz_info("Container %s stopped", l->ct->idstr);
	_exit(0);

fail_sock:
	vz_net_unplug(l->ct, true);
	unlink(m.sock_path);
fail:
	if (write(reportfd, &err, sizeof(err)) < 0) {
		/* nobody to report to */
	}
	_exit(1);
}

int vz_monitor_spawn(struct vz_launch *l, struct vz_error *err)
{
	struct vz_error child_err;
	int report[2];
	ssize_t n;
	pid_t pid;

	if (pipe2(report, O_CLOEXEC) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot start the CT's monitor");
	pid = fork();
	if (pid < 0) {
		close(report[0]);
		close(report[1]);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot start the CT's monitor");
	}
	if (pid == 0) {
		int keep[] = { report[1], l->console_master, -1 };

		close(report[0]);
		setsid();
		vz_close_fds_from(3, keep);
		monitor_main(l, report[1]);
	}
	close(report[1]);
	do
		n = read(report[0], &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	close(report[0]);
	if (n != (ssize_t)sizeof(child_err)) {
		waitpid(pid, NULL, 0);
		return vz_error_set(err, VZ_E_SYSTEM, EPIPE, "The CT's monitor died during start");
	}
	if (child_err.kind != VZ_E_NONE) {
		waitpid(pid, NULL, 0);
		if (err)
			*err = child_err;
		return child_err.errnum ? -child_err.errnum : -EINVAL;
	}
	return 0;
}

int vz_monitor_request(struct vz_ct *ct, const char *request, char *reply, size_t size,
		       int *fd_out, struct vz_error *err)
{
	__vz_free char *path = vz_ct_run_path(ct, ".sock");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = reply, .iov_len = size - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	__vz_close int fd = -1;
	struct cmsghdr *cmsg;
	ssize_t n;

	if (fd_out)
		*fd_out = -1;
	if (!path || strlen(path) >= sizeof(addr.sun_path))
		return vz_error_set(err, VZ_E_SYSTEM, ENAMETOOLONG, "Bad control socket path");
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return vz_error_sys(err, VZ_E_NOT_RUNNING, errno,
				    "Cannot reach the monitor of container %s", ct->idstr);
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot talk to the CT's monitor");
	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot talk to the CT's monitor");
	reply[n] = '\0';
	cmsg = CMSG_FIRSTHDR(&msg);
	if (fd_out && cmsg && cmsg->cmsg_type == SCM_RIGHTS) {
		memcpy(fd_out, CMSG_DATA(cmsg), sizeof(int));
		/* The connection stays open while the console is held. */
		return take_fd(fd);
	}
	return (int)n;
}
