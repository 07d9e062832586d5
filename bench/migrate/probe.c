// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/migrate helper, built static so it runs inside a busybox CT:
 *
 *   probe dirty MB PORT [R]  in the CT: keep MB MiB of memory and write
 *                            every page of it over and over (or, with R,
 *                            R MiB of pages per second, walking through
 *                            all of it; 0: touch it once, then idle), and
 *                            answer UDP datagrams on PORT (echo)
 *   probe probe ADDR PORT S  outside: a datagram to ADDR:PORT every
 *                            millisecond for S seconds (or until SIGTERM);
 *                            prints the longest time without an answer
 *                            ("gap_ms N") and the number of answers
 *   probe sink ADDR PORT     the link's bandwidth, receiving end: accept one
 *                            TCP connection on ADDR:PORT, read it to its
 *                            end, print "link_mbps N" (MB/s, 10^6 bytes)
 *   probe send ADDR PORT MB  the sending end: MB MiB in 1 MiB writes, as
 *                            vzmigrate's stream writes its chunks
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *echo(void *arg)
{
	int fd = *(int *)arg;
	char buf[64];

	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

		if (n > 0)
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);
	}
	return NULL;
}

static int dirty(size_t mb, int port, long rate)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	size_t size = mb << 20, page = 4096;
	/* volatile: the stores are the point, though nothing reads them back */
	volatile unsigned char *mem = malloc(size);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	pthread_t t;

	if (!mem || fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("dirty");
		return 1;
	}
	pthread_create(&t, NULL, echo, &fd);
	if (rate >= 0) {
		size_t off = 0, per_tick = ((size_t)rate << 20) / 100;
		unsigned char v = 1;
		int ready;

		for (off = 0; off < size; off += page)
			mem[off] = v;
		off = 0;
		/* All of it is there: the benchmark may start. */
		ready = open("/tmp/probe-ready", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (ready >= 0)
			close(ready);
		for (;;) {
			/* rate MiB/s in ticks of 10 ms, page by page */
			for (size_t done = 0; done < per_tick; done += page) {
				mem[off] = ++v;
				off = (off + page) % size;
			}
			usleep(10000);
		}
	}
	for (unsigned char v = 1;; v++) {
		for (size_t off = 0; off < size; off += page)
			mem[off] = v;
		usleep(1000);
	}
}

static int probe(const char *addr, int port, double secs)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	double start = now(), last = 0, gap = 0, next = start;
	unsigned long answers = 0;
	char buf[64];

	if (fd < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("probe");
		return 1;
	}
	signal(SIGTERM, on_term);
	while (!stop && now() - start < secs) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double t = now();

		if (t >= next) {
			send(fd, "p", 1, 0);
			next += 0.001;
		}
		if (poll(&p, 1, 1) > 0 && recv(fd, buf, sizeof(buf), 0) > 0) {
			t = now();
			if (last > 0 && t - last > gap)
				gap = t - last;
			last = t;
			answers++;
		}
	}
	if (last > 0 && now() - last > gap)
		gap = now() - last; /* never answered again */
	printf("gap_ms %.0f answers %lu\n", answers ? gap * 1000 : secs * 1000, answers);
	return 0;
}

static int sink(const char *addr, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0), fd;
	static char buf[1 << 20];
	unsigned long long bytes = 0;
	double start = 0;
	ssize_t n;

	if (lfd < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 1) < 0) {
		perror("sink");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("sink: accept");
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (!bytes)
			start = now();
		bytes += n;
	}
	if (n < 0 || bytes == 0) {
		perror("sink: read");
		return 1;
	}
	printf("link_mbps %.1f bytes %llu\n", bytes / 1e6 / (now() - start), bytes);
	return 0;
}

static int send_mb(const char *addr, int port, unsigned long mb)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	static char buf[1 << 20];

	if (fd < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("send");
		return 1;
	}
	memset(buf, 0x5a, sizeof(buf));
	for (unsigned long i = 0; i < mb; i++) {
		for (size_t off = 0; off < sizeof(buf);) {
			ssize_t n = write(fd, buf + off, sizeof(buf) - off);

			if (n < 0) {
				perror("send: write");
				return 1;
			}
			off += n;
		}
	}
	return close(fd) < 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "dirty"))
		return dirty(strtoul(argv[2], NULL, 10), atoi(argv[3]),
			     argc == 5 ? atol(argv[4]) : -1);
	if (argc == 5 && !strcmp(argv[1], "probe"))
		return probe(argv[2], atoi(argv[3]), atof(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "sink"))
		return sink(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "send"))
		return send_mb(argv[2], atoi(argv[3]), strtoul(argv[4], NULL, 10));
	fprintf(stderr, "usage: probe dirty MB PORT [MB_PER_S] | probe probe ADDR PORT SECONDS |\n"
			"       probe sink ADDR PORT | probe send ADDR PORT MB\n");
	return 2;
}
