// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "relay.h"

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

int vzctl_relay_pty(int master, int pidfd, bool detach_escape)
{
	struct termios saved, raw;
	bool tty = isatty(STDIN_FILENO), after_esc = false, in_open = true;
	struct sigaction sa = { .sa_handler = on_winch };

	if (tty) {
		tcgetattr(STDIN_FILENO, &saved);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
		copy_winsize(STDIN_FILENO, master);
		sigaction(SIGWINCH, &sa, NULL);
	}
	for (;;) {
		struct pollfd pfd[3] = { { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
					 { .fd = master, .events = POLLIN },
					 { .fd = pidfd, .events = POLLIN } };
		char buf[4096];
		ssize_t n;

		if (winch) {
			winch = 0;
			copy_winsize(STDIN_FILENO, master);
		}
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[2].revents & POLLIN) {
			/* The program ended; its background jobs may keep the pty open. */
			fcntl(master, F_SETFL, O_NONBLOCK);
			while ((n = read(master, buf, sizeof(buf))) > 0)
				write_all(STDOUT_FILENO, buf, n);
			break;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				break; /* the program ended (EIO once the slave is closed) */
			if (write_all(STDOUT_FILENO, buf, n) < 0)
				break;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				in_open = false;
				continue;
			}
			if (detach_escape) {
				/* "Esc ." leaves the console; the CT keeps running. */
				for (ssize_t i = 0; i < n; i++) {
					if (after_esc && buf[i] == '.')
						goto out;
					after_esc = buf[i] == 0x1b;
				}
			}
			if (write_all(master, buf, n) < 0)
				break;
		}
	}
out:
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
		signal(SIGWINCH, SIG_DFL);
	}
	return 0;
}

int vzctl_relay_pipes(int to_child, int from_out, int from_err)
{
	int out_fd[2] = { STDOUT_FILENO, STDERR_FILENO };
	int src[2] = { from_out, from_err };

	for (;;) {
		struct pollfd pfd[3] = { { .fd = to_child >= 0 ? STDIN_FILENO : -1, .events = POLLIN },
					 { .fd = src[0], .events = POLLIN },
					 { .fd = src[1], .events = POLLIN } };
		char buf[4096];
		ssize_t n;

		if (src[0] < 0 && src[1] < 0)
			break;
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < 2; i++) {
			if (!(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(src[i], buf, sizeof(buf));
			if (n <= 0) {
				close(src[i]);
				src[i] = -1;
				continue;
			}
			write_all(out_fd[i], buf, n);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0 || write_all(to_child, buf, n) < 0) {
				close(to_child);
				to_child = -1;
			}
		}
	}
	if (to_child >= 0)
		close(to_child);
	return 0;
}
