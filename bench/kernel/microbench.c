// SPDX-License-Identifier: GPL-2.0
/*
 * Micro-benchmarks of the system calls the beancounter hooks sit on, and
 * of reading the container-virtualized /proc files.  Run in the guest by
 * bench/kernel/run.sh.
 *
 *   microbench ops [LABEL]
 *	fork+exit+wait, fork+exec+wait, open+close, socket+close (TCP and
 *	Unix), pty open+close, queued signal (sigqueue + sigwaitinfo), flock
 *	and POSIX lock+unlock: a fixed number of operations per round,
 *	BENCH_ROUNDS rounds (default 3), the fastest round reported, as
 *	LABEL_<operation> with LABEL (the cgroup the caller put it in).
 *
 *   microbench proc ITERATIONS LABEL [LXCFS_MOUNTPOINT]
 *	open+read+close /proc/meminfo, /proc/cpuinfo and /proc/uptime
 *	ITERATIONS times each, reported as LABEL_<file>.  With
 *	LXCFS_MOUNTPOINT, first enter a private mount namespace and bind
 *	LXCFS's files over them, as a container manager does, so the reads
 *	go through FUSE to the lxcfs daemon.  Also prints the MemTotal line
 *	and the number of CPUs in cpuinfo as read.
 *
 * Output: "bench: <name> <nanoseconds per operation>" lines, then TAP for
 * the guest harness ("ok 1 microbench").  Under QEMU with -icount the
 * guest's clock counts executed instructions (1 ns per instruction with
 * shift=0), so the times are deterministic instruction counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int lock_fd = -1;

static int op_forkexit(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return 0;
}

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

static int op_pty(void)
{
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return -1;
	return close(fd);
}

/* SIGRTMIN is blocked (main): queued, then taken off the queue. */
static int op_sigqueue(void)
{
	union sigval v = { .sival_int = 1 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	if (sigqueue(getpid(), SIGRTMIN, v))
		return -1;
	return sigwaitinfo(&set, NULL) == SIGRTMIN ? 0 : -1;
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
	long count;		/* operations per round */
} benches[] = {
	{ "fork_exit", op_forkexit, 300 },
	{ "fork_exec", op_forkexec, 150 },
	{ "open_close", op_openclose, 20000 },
	{ "socket_tcp", op_tcpsocket, 5000 },
	{ "socket_unix", op_unixsocket, 5000 },
	{ "pty_open", op_pty, 3000 },
	{ "sigqueue", op_sigqueue, 20000 },
	{ "flock", op_flock, 20000 },
	{ "posix_lock", op_posixlock, 20000 },
};

static int run_ops(const char *label)
{
	int rounds = getenv("BENCH_ROUNDS") ? atoi(getenv("BENCH_ROUNDS")) : 3;
	char tmpl[] = "/tmp/microbench_XXXXXX";
	sigset_t set;
	size_t i;
	long k;
	int r;

	lock_fd = mkstemp(tmpl);
	if (lock_fd < 0) {
		printf("not ok 1 microbench # mkstemp: %s\n", strerror(errno));
		return 1;
	}
	unlink(tmpl);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);

	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		double best = 0, t;

		for (r = 0; r < rounds; r++) {
			double start = now_ns();

			for (k = 0; k < benches[i].count; k++)
				if (benches[i].op()) {
					printf("not ok 1 microbench # %s: %s\n",
					       benches[i].name, strerror(errno));
					return 1;
				}
			t = (now_ns() - start) / benches[i].count;
			printf("# round %d: %s %.1f ns/op\n", r, benches[i].name, t);
			if (!best || t < best)
				best = t;
		}
		if (label)
			printf("bench: %s_%s %.1f\n", label, benches[i].name, best);
		else
			printf("bench: %s %.1f\n", benches[i].name, best);
		fflush(stdout);
	}
	return 0;
}

static char buf[1 << 16];

static int read_all(const char *path)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n < 0 ? -1 : 0;
}

/* A private mount namespace with LXCFS's files over /proc's. */
static int lxcfs_enter(const char *mnt)
{
	static const char *const files[] = { "meminfo", "cpuinfo", "uptime" };
	char src[4096], dst[64];
	size_t i;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(src, sizeof(src), "%s/proc/%s", mnt, files[i]);
		snprintf(dst, sizeof(dst), "/proc/%s", files[i]);
		if (mount(src, dst, NULL, MS_BIND, NULL))
			return -1;
	}
	return 0;
}

static int run_proc(long iterations, const char *how, const char *lxcfs)
{
	static const char *const files[] = { "meminfo", "cpuinfo", "uptime" };
	char path[64], *p;
	int cpus = 0;
	size_t i;
	long k;

	if (lxcfs && lxcfs_enter(lxcfs)) {
		printf("not ok 1 microbench # binding %s: %s\n", lxcfs,
		       strerror(errno));
		return 1;
	}
	if (read_all("/proc/meminfo")) {
		printf("not ok 1 microbench # /proc/meminfo: %s\n", strerror(errno));
		return 1;
	}
	p = strstr(buf, "MemTotal:");
	printf("# %s: %.*s\n", how, p ? (int)strcspn(p, "\n") : 0, p ? p : "");
	if (read_all("/proc/cpuinfo")) {
		printf("not ok 1 microbench # /proc/cpuinfo: %s\n", strerror(errno));
		return 1;
	}
	for (p = buf; (p = strstr(p, "processor\t:")); p++)
		cpus++;
	printf("# %s: cpuinfo lists %d CPUs\n", how, cpus);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		double start, t;

		snprintf(path, sizeof(path), "/proc/%s", files[i]);
		start = now_ns();
		for (k = 0; k < iterations; k++)
			if (read_all(path)) {
				printf("not ok 1 microbench # %s: %s\n", path,
				       strerror(errno));
				return 1;
			}
		t = (now_ns() - start) / iterations;
		printf("bench: %s_%s %.1f\n", how, files[i], t);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	if (argc >= 2 && !strcmp(argv[1], "ops"))
		ret = run_ops(argc >= 3 ? argv[2] : NULL);
	else if (argc >= 4 && !strcmp(argv[1], "proc"))
		ret = run_proc(atol(argv[2]), argv[3], argc >= 5 ? argv[4] : NULL);
	else {
		printf("not ok 1 microbench # usage: microbench ops [LABEL] | proc N LABEL [LXCFS_MOUNTPOINT]\n");
		return 2;
	}
	if (!ret)
		printf("ok 1 microbench\n");
	return ret;
}
