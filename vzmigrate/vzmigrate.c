// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzmigrate: move a CT to another node, live (--online) or not.
 *
 *   vzmigrate [options] <dst> <CTID>      the source side
 *   vzmigrate --receive                   the destination side on stdin/stdout
 *                                         (what the source runs over ssh)
 *   vzmigrate --listen ADDR:PORT          the destination side on one TCP
 *                                         connection (dst "tcp:ADDR:PORT")
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "ct.h"
#include "lock.h"
#include "log.h"
#include "migrate-incoming.h"
#include "migrate.h"
#include "units.h"

/*
 * SIGINT, SIGTERM, SIGHUP: break the connection.  Each side then fails the
 * step it is in and undoes what it did: the source resumes the CT (CRIU's
 * post-dump fails), the destination removes what it received.
 */
static volatile sig_atomic_t conn_fd = -1;

static void on_signal(int sig)
{
	int fd = conn_fd;

	(void)sig;
	if (fd >= 0 && shutdown(fd, SHUT_RDWR) < 0)
		close(fd);
}

static void watch_connection(int fd)
{
	struct sigaction sa = { .sa_handler = on_signal };

	conn_fd = fd;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* OpenVZ's vzmigrate exit codes, one per failure kind. */
static const int exit_codes[VZ_MIG_F__COUNT] = {
	[VZ_MIG_F_NONE] = 0,	   [VZ_MIG_F_SYSTEM] = 1,  [VZ_MIG_F_STOPPED] = 2,
	[VZ_MIG_F_CONNECT] = 4,	   [VZ_MIG_F_NO_SUPPORT] = 5, [VZ_MIG_F_COPY] = 6,
	[VZ_MIG_F_RESTORE] = 7,	   [VZ_MIG_F_CHKPNT] = 8,  [VZ_MIG_F_EXISTS] = 9,
	[VZ_MIG_F_NO_CT] = 10,	   [VZ_MIG_F_IP_IN_USE] = 12, [VZ_MIG_F_CPU] = 18,
	[VZ_MIG_F_LOCKED] = 20,	   [VZ_MIG_F_LAYOUT] = 1,
};
#define EXIT_USAGE 1

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vzmigrate [--online] [--keep-dst] [-r yes|no] [--dry-run] [-t] [-v]\n"
		"                 [-f cpu] [--ssh=OPTIONS] [--timeout=SECS] [pre-copy options]\n"
		"                 <dst> <CTID>\n"
		"       vzmigrate --receive | --listen ADDR:PORT\n"
		"       vzmigrate --help | --version\n\n"
		"<dst> is a host reached with ssh (running 'vzmigrate --receive' there),\n"
		"or tcp:ADDR:PORT for a destination started with --listen.\n\n"
		"Memory pre-copy (--online): CRIU pre-dumps the running CT in rounds, each\n"
		"sending the pages dirtied since the one before; then the CT is frozen and\n"
		"only what is still dirty is dumped.  The rounds stop at the first of:\n"
		"  --precopy-rounds=N     N rounds done (default %u)\n"
		"  --precopy-min=SIZE     a round sent less than SIZE (default %uK)\n"
		"  --precopy-min-time=MS  a round's pages would cross in less than MS ms\n"
		"                         at the rate of the fastest round (default %u)\n"
		"  --precopy-shrink=PCT   a round sent PCT%% or more of the one before (default %u)\n"
		"  --noiter               no pre-copy: freeze, dump, copy, restore\n"
		"--timeout=SECS: give up on a TCP peer silent that long (default %u, 0: never).\n"
		"An image-layout CT's root.img goes by blocks: while the CT runs, then frozen\n"
		"(or stopped) only the blocks written since.\n"
		"See vzmigrate(8) for the checks and the exit codes.\n",
		VZ_MIG_PRECOPY_ROUNDS, VZ_MIG_PRECOPY_MIN >> 10, VZ_MIG_PRECOPY_MIN_MS,
		VZ_MIG_PRECOPY_SHRINK, VZ_MIG_TIMEOUT);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "vzmigrate: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'vzmigrate --help' for more information.\n");
	return EXIT_USAGE;
}

/*
 * Every frame goes out in one write, and while the CT is frozen a short one
 * (the end of a stream, a reply) must not wait for the peer's delayed ACK
 * (Nagle's algorithm): up to 40 ms each, several times per migration.
 */
static void no_delay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* "ADDR:PORT", "[v6]:PORT" -> a connected or listening TCP socket. */
static int tcp_socket(const char *spec, bool listen_mode, struct vz_error *err)
{
	__vz_free char *host = strdup(spec);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = listen_mode ? AI_PASSIVE : 0 };
	struct addrinfo *ai = NULL;
	char *port;
	int fd = -1, r;

	if (!host)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot parse '%s'", spec);
	port = strrchr(host, ':');
	if (!port || port == host || !port[1])
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "'%s' is not ADDR:PORT", spec);
	*port++ = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	r = getaddrinfo(host, port, &hints, &ai);
	if (r)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Cannot resolve '%s': %s", spec,
				    gai_strerror(r));
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		int one = 1;

		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		if (listen_mode) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1) == 0)
				break;
		} else if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			no_delay(fd);
			break;
		}
		r = errno;
		close(fd);
		fd = -1;
		errno = r;
	}
	r = errno;
	freeaddrinfo(ai);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, r, "Cannot %s %s", listen_mode ? "listen on" : "connect to",
				    spec);
	return fd;
}

/* ssh DST vzmigrate --receive, its stdin/stdout on one end of a socketpair. */
static int ssh_connect(const char *dst, const char *ssh_opts, unsigned timeout, pid_t *pid,
		       struct vz_error *err)
{
	__vz_free char *opts = ssh_opts ? strdup(ssh_opts) : NULL;
	char *argv[64], alive[48];
	int n = 0, sk[2];

	argv[n++] = "ssh";
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	if (timeout) {
		/* ssh's own keepalive: a cut link ends the session as --timeout says. */
		snprintf(alive, sizeof(alive), "ServerAliveInterval=%u", timeout / 3 ? timeout / 3 : 1);
		argv[n++] = "-o";
		argv[n++] = alive;
		argv[n++] = "-o";
		argv[n++] = "ServerAliveCountMax=3";
	}
	if (opts)
		for (char *save = NULL, *w = strtok_r(opts, " \t", &save); w && n < 52;
		     w = strtok_r(NULL, " \t", &save))
			argv[n++] = w;
	argv[n++] = (char *)dst;
	argv[n++] = "vzmigrate";
	argv[n++] = "--receive";
	argv[n] = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot connect to %s", dst);
	*pid = fork();
	if (*pid < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot connect to %s", dst);
	if (*pid == 0) {
		dup2(sk[1], 0);
		dup2(sk[1], 1);
		execvp("ssh", argv);
		fprintf(stderr, "vzmigrate: cannot execute ssh: %m\n");
		_exit(127);
	}
	close(sk[1]);
	return sk[0];
}

static void report(const struct vz_mig_report *r, bool online)
{
	fprintf(stderr, "Times: total %.2f s, first copy %.2f s (%.1f MB)", r->total_ms / 1000.0,
		r->copy_ms / 1000.0, r->files_bytes / 1048576.0);
	if (r->sync_ms)
		fprintf(stderr, ", running sync %.2f s (%.1f MB)", r->sync_ms / 1000.0,
			r->sync_bytes / 1048576.0);
	if (online && r->rounds)
		fprintf(stderr, ", pre-copy %.2f s (%u rounds, %.1f MB)", r->precopy_ms / 1000.0,
			r->rounds, r->precopy_bytes / 1048576.0);
	if (online)
		fprintf(stderr,
			", frozen %.3f s (CRIU dump %.3f s, restore %.3f s; pages %.1f MB, delta %.1f MB, "
			"dump %.1f MB)",
			r->frozen_ms / 1000.0, r->dump_ms / 1000.0, r->restore_ms / 1000.0,
			r->final_bytes / 1048576.0, r->delta_bytes / 1048576.0,
			r->dump_bytes / 1048576.0);
	fputc('\n', stderr);
}

/* A whole number in [min, max] for option name. */
static bool parse_uint(const char *name, const char *text, unsigned min, unsigned max,
		       unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || *text == '-' || v < min || v > max) {
		fprintf(stderr, "vzmigrate: %s takes a number from %u to %u, not '%s'\n", name, min,
			max, text);
		return false;
	}
	*out = v;
	return true;
}

static int receive(int in, int out, unsigned timeout)
{
	struct vz_mig_conn c = { .in = in, .out = out };
	struct vz_mig_report r;
	struct vz_error err = { 0 };
	__vz_env struct vz_env *env = NULL;

	if (vz_env_open(&env, &err) < 0) {
		fprintf(stderr, "vzmigrate: %s\n", err.msg);
		return exit_codes[VZ_MIG_F_SYSTEM];
	}
	/* What receivers killed before left half made on this node goes first. */
	vz_mig_incoming_sweep(env);
	watch_connection(in);
	vz_mig_conn_set_timeout(&c, timeout);
	if (vz_migrate_dest(env, &c, &r, &err) < 0) {
		fprintf(stderr, "vzmigrate --receive: %s\n", err.msg);
		return exit_codes[r.fail];
	}
	return 0;
}

static int listen_once(const char *spec, unsigned timeout)
{
	struct vz_error err = { 0 };
	int lfd = tcp_socket(spec, true, &err), fd;

	if (lfd < 0) {
		fprintf(stderr, "vzmigrate: %s\n", err.msg);
		return exit_codes[VZ_MIG_F_CONNECT];
	}
	fprintf(stderr, "vzmigrate: listening on %s\n", spec);
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	close(lfd);
	if (fd < 0) {
		fprintf(stderr, "vzmigrate: accept: %m\n");
		return exit_codes[VZ_MIG_F_CONNECT];
	}
	no_delay(fd);
	return receive(fd, fd, timeout);
}

enum {
	OPT_ONLINE = 256,
	OPT_KEEP_DST,
	OPT_DRY_RUN,
	OPT_SSH,
	OPT_RECEIVE,
	OPT_LISTEN,
	OPT_VERSION,
	OPT_NOITER,
	OPT_ROUNDS,
	OPT_MIN,
	OPT_MIN_TIME,
	OPT_SHRINK,
	OPT_TIMEOUT,
};

static const struct option long_opts[] = {
	{ "online", no_argument, NULL, OPT_ONLINE },
	{ "live", no_argument, NULL, OPT_ONLINE },
	{ "keep-dst", no_argument, NULL, OPT_KEEP_DST },
	{ "remove-area", required_argument, NULL, 'r' },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "check-only", no_argument, NULL, OPT_DRY_RUN },
	{ "times", no_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "nodeps", optional_argument, NULL, 'f' },
	{ "ssh", required_argument, NULL, OPT_SSH },
	{ "receive", no_argument, NULL, OPT_RECEIVE },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "noiter", no_argument, NULL, OPT_NOITER },
	{ "precopy-rounds", required_argument, NULL, OPT_ROUNDS },
	{ "precopy-min", required_argument, NULL, OPT_MIN },
	{ "precopy-min-time", required_argument, NULL, OPT_MIN_TIME },
	{ "precopy-shrink", required_argument, NULL, OPT_SHRINK },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	struct vz_mig_opts o = {
		.remove_area = true,
		.progress = true,
		.precopy_rounds = VZ_MIG_PRECOPY_ROUNDS,
		.precopy_min = VZ_MIG_PRECOPY_MIN,
		.precopy_min_ms = VZ_MIG_PRECOPY_MIN_MS,
		.precopy_shrink = VZ_MIG_PRECOPY_SHRINK,
		.timeout = VZ_MIG_TIMEOUT,
	};
	int64_t size;
	const char *ssh_opts = NULL, *listen_spec = NULL;
	__vz_env struct vz_env *env = NULL;
	__vz_ct struct vz_ct *ct = NULL;
	struct vz_error err = { 0 };
	struct vz_lock lock = { 0 };
	struct vz_mig_report r = { 0 };
	bool receive_mode = false, times = false;
	int verbosity = 0, c, fd, ret;
	pid_t ssh_pid = -1;
	unsigned ctid;

	signal(SIGPIPE, SIG_IGN);
	/*
	 * Every frame of the stream is up to a MiB, allocated and freed once per
	 * frame.  By default glibc maps blocks that size afresh or gives the top
	 * of the heap back after each free, so every frame faulted its pages in
	 * again: five to ten times the cost of the copies themselves.  Keep them.
	 */
	mallopt(M_MMAP_THRESHOLD, 16 << 20); /* frames are at most 8 MiB */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	while ((c = getopt_long(argc, argv, "r:tvf::h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ONLINE:
			o.online = true;
			break;
		case OPT_KEEP_DST:
			o.keep_dst = true;
			break;
		case 'r':
			if (strcmp(optarg, "yes") && strcmp(optarg, "no"))
				return bad_usage("-r takes yes or no, not '%s'", optarg);
			o.remove_area = !strcmp(optarg, "yes");
			break;
		case OPT_DRY_RUN:
			o.dry_run = true;
			break;
		case 't':
			times = true;
			break;
		case 'v':
			verbosity++;
			break;
		case 'f':
			if (optarg && strcmp(optarg, "cpu") && strcmp(optarg, "all"))
				return bad_usage("unknown dependency '%s' (cpu, all)", optarg);
			o.ignore_cpu = true;
			break;
		case OPT_SSH:
			ssh_opts = optarg;
			break;
		case OPT_RECEIVE:
			receive_mode = true;
			break;
		case OPT_LISTEN:
			listen_spec = optarg;
			break;
		case OPT_NOITER:
			o.precopy_rounds = 0;
			break;
		case OPT_ROUNDS:
			if (!parse_uint("--precopy-rounds", optarg, 0, VZ_MIG_ROUNDS_MAX - 1,
					&o.precopy_rounds))
				return EXIT_USAGE;
			break;
		case OPT_MIN:
			if (vz_parse_size(optarg, 1, true, &size) < 0 || size < 0 ||
			    size == VZ_UNLIMITED)
				return bad_usage("--precopy-min takes a size (4096, 512K, 2M), not '%s'",
						 optarg);
			o.precopy_min = size;
			break;
		case OPT_MIN_TIME:
			if (!parse_uint("--precopy-min-time", optarg, 0, 3600000, &o.precopy_min_ms))
				return EXIT_USAGE;
			break;
		case OPT_SHRINK:
			if (!parse_uint("--precopy-shrink", optarg, 1, 1000, &o.precopy_shrink))
				return EXIT_USAGE;
			break;
		case OPT_TIMEOUT:
			if (!parse_uint("--timeout", optarg, 0, 86400, &o.timeout))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("vzmigrate version %s\n", VZ_VERSION);
			return 0;
		default:
			return bad_usage("invalid option '%s'", argv[optind - 1]);
		}
	}
	vz_log_set_verbosity(verbosity);
	if (receive_mode || listen_spec) {
		if (optind < argc)
			return bad_usage("unexpected argument '%s'", argv[optind]);
		if (receive_mode && listen_spec)
			return bad_usage("%s", "--receive and --listen exclude each other");
		return listen_spec ? listen_once(listen_spec, o.timeout) : receive(0, 1, 0);
	}
	if (argc - optind != 2)
		return bad_usage("%s", "a destination and a CTID are required");

	ret = vz_env_open(&env, &err);
	if (ret == 0)
		ret = vz_ct_resolve(env, argv[optind + 1], &ctid, &err);
	if (ret == 0 && ctid == 0)
		ret = vz_error_set(&err, VZ_E_BAD_VALUE, EINVAL, "Container ID 0 (the host) cannot migrate");
	if (ret == 0)
		ret = vz_ct_open(env, ctid, &ct, &err);
	if (ret < 0) {
		fprintf(stderr, "vzmigrate: %s\n", err.msg);
		return err.kind == VZ_E_BAD_VALUE ? EXIT_USAGE : exit_codes[VZ_MIG_F_SYSTEM];
	}
	if (!ct->exists) {
		fprintf(stderr, "vzmigrate: Container %s does not exist\n", ct->idstr);
		return exit_codes[VZ_MIG_F_NO_CT];
	}
	ret = vz_lock_ct(ct, "migrating", &lock, &err);
	if (ret < 0) {
		fprintf(stderr, "vzmigrate: %s\n", err.msg);
		return exit_codes[err.kind == VZ_E_LOCKED ? VZ_MIG_F_LOCKED : VZ_MIG_F_SYSTEM];
	}
	vz_ct_reload(ct, &err);
	if (!strncmp(argv[optind], "tcp:", 4))
		fd = tcp_socket(argv[optind] + 4, false, &err);
	else
		fd = ssh_connect(argv[optind], ssh_opts, o.timeout, &ssh_pid, &err);
	if (fd < 0) {
		fprintf(stderr, "vzmigrate: %s\n", err.msg);
		vz_unlock(&lock);
		return exit_codes[VZ_MIG_F_CONNECT];
	}
	fprintf(stderr, "Migrating container %s to %s%s\n", ct->idstr, argv[optind],
		o.dry_run ? " (checks only)" : o.online ? " (online)" : "");
	watch_connection(fd);
	{
		struct vz_mig_conn conn = { .in = fd, .out = fd };

		ret = vz_migrate_source(ct, &conn, &o, &r, &err);
		vz_mig_conn_release(&conn);
	}
	conn_fd = -1;
	close(fd);
	if (ssh_pid > 0)
		waitpid(ssh_pid, NULL, 0);
	vz_unlock(&lock);
	if (times)
		report(&r, o.online);
	if (ret < 0) {
		fprintf(stderr, "vzmigrate: %s\n", err.msg);
		return exit_codes[r.fail] ? exit_codes[r.fail] : exit_codes[VZ_MIG_F_SYSTEM];
	}
	if (!o.dry_run)
		fprintf(stderr, "Container %s migrated to %s\n", ct->idstr, argv[optind]);
	return 0;
}
