// SPDX-License-Identifier: GPL-2.0
/*
 * Micro-benchmarks of the system calls the beancounter hooks sit on:
 * fork+exec+wait, open+close, socket+close (TCP and Unix), flock and POSIX
 * lock+unlock.  Run in the guest by bench/kernel/run.sh, once on the patched
 * and once on the unpatched kernel, from inside a non-root cgroup (with the
 * beancounter controller enabled when the kernel has it), so the patched
 * kernel pays for its charging.
 *
 * Output: one "bench: <name> <ops/s>" line per benchmark (best of
 * BENCH_ROUNDS rounds of BENCH_SECONDS each), and TAP so the guest harness
 * can run it: "ok 1 microbench".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int lock_fd = -1;

static int op_forkexec(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return 0;
}

static int op_openclose(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		return -1;
	return close(fd);
}

static int op_tcpsocket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	return close(fd);
}

static int op_unixsocket(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	return close(fd);
}

static int op_flock(void)
{
	if (flock(lock_fd, LOCK_EX))
		return -1;
	return flock(lock_fd, LOCK_UN);
}

static int op_posixlock(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = 0, .l_len = 1 };

	if (fcntl(lock_fd, F_SETLK, &fl))
		return -1;
	fl.l_type = F_UNLCK;
	return fcntl(lock_fd, F_SETLK, &fl);
}

static const struct {
	const char *name;
	int (*op)(void);
} benches[] = {
	{ "fork_exec", op_forkexec },
	{ "open_close", op_openclose },
	{ "socket_tcp", op_tcpsocket },
	{ "socket_unix", op_unixsocket },
	{ "flock", op_flock },
	{ "posix_lock", op_posixlock },
};

int main(void)
{
	double seconds = getenv("BENCH_SECONDS") ? atof(getenv("BENCH_SECONDS")) : 1.0;
	int rounds = getenv("BENCH_ROUNDS") ? atoi(getenv("BENCH_ROUNDS")) : 5;
	char tmpl[] = "/tmp/microbench_XXXXXX";
	size_t i;
	int r;

	lock_fd = mkstemp(tmpl);
	if (lock_fd < 0) {
		printf("not ok 1 microbench # mkstemp: %s\n", strerror(errno));
		return 1;
	}
	unlink(tmpl);

	printf("TAP version 13\n1..1\n");
	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		double best = 0;

		for (r = 0; r < rounds; r++) {
			double start = now(), end;
			long n = 0;

			do {
				for (int k = 0; k < 64; k++, n++)
					if (benches[i].op()) {
						printf("not ok 1 microbench # %s: %s\n",
						       benches[i].name, strerror(errno));
						return 1;
					}
				end = now();
			} while (end - start < seconds);
			if (n / (end - start) > best)
				best = n / (end - start);
		}
		printf("# bench: %s %.0f\n", benches[i].name, best);
		fflush(stdout);
	}
	printf("ok 1 microbench\n");
	return 0;
}
