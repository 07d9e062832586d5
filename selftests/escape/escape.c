// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The escape battery's system calls, for the vectors busybox has no applet
 * for.  Built static by selftests/integration/40-escape.t and run inside a
 * CT as "escape VECTOR [ARGS]"; prints one line "VECTOR STEP=RESULT ..."
 * where RESULT is an errno name (EPERM) or OK, so the test can tell the
 * right refusal from a missing binary or a wrong path.
 *
 * Every call is made so that it does no harm should it be allowed: a
 * zero-length write, a kexec_load with invalid flags, a clock set to the
 * time it already has, a module that is not one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *res(long ret)
{
	return ret < 0 ? strerrorname_np(errno) : "OK";
}

/* "OK" or the errno name of the last failing call. */
#define TRY(call) res((long)(call))

static int mknod_read(char **argv)
{
	const char *path = argv[0];
	dev_t dev = makedev(atoi(argv[1]), atoi(argv[2]));
	char buf[512];
	int fd;

	if (mknod(path, S_IFBLK | 0600, dev) < 0 && errno != EEXIST) {
		printf("mknod mknod=%s\n", strerrorname_np(errno));
		return 0;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("mknod mknod=OK open=%s\n", strerrorname_np(errno));
		return 0;
	}
	printf("mknod mknod=OK open=OK read=%s\n", TRY(read(fd, buf, sizeof(buf))));
	return 0;
}

/* A chardev (/dev/mem 1:1, /dev/kmem) made and opened. */
static int mknod_char(char **argv)
{
	dev_t dev = makedev(atoi(argv[1]), atoi(argv[2]));
	int fd;

	if (mknod(argv[0], S_IFCHR | 0600, dev) < 0 && errno != EEXIST) {
		printf("mknodc mknod=%s\n", strerrorname_np(errno));
		return 0;
	}
	fd = open(argv[0], O_RDONLY);
	printf("mknodc mknod=OK open=%s\n", fd < 0 ? strerrorname_np(errno) : "OK");
	return 0;
}

static int modules(char **argv)
{
	static const char fake[] = "\177ELF not a module";
	const char *a, *b, *c;
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

	a = TRY(syscall(SYS_init_module, fake, sizeof(fake), ""));
	b = fd < 0 ? "NOFILE" : TRY(syscall(SYS_finit_module, fd, "", 0));
	c = TRY(syscall(SYS_delete_module, "vz_escape_none", O_NONBLOCK));
	printf("modules init_module=%s finit_module=%s delete_module=%s\n", a, b, c);
	return 0;
}

/* open for writing and write nothing: the open is the test. */
static int open_write(char **argv)
{
	int fd = open(argv[0], O_WRONLY);

	if (fd < 0) {
		printf("write open=%s\n", strerrorname_np(errno));
		return 0;
	}
	printf("write open=OK write=%s\n", TRY(write(fd, "", 0)));
	return 0;
}

static int open_read(char **argv)
{
	char buf[16];
	int fd = open(argv[0], O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		printf("read open=%s\n", strerrorname_np(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		printf("read open=OK read=%s\n", strerrorname_np(errno));
	else
		printf("read open=OK bytes=%zd\n", n);
	return 0;
}

/* In a private mount namespace: remove a mask and try again (argv: mount, file, r|w). */
static int unmask(char **argv)
{
	if (unshare(CLONE_NEWNS) < 0) {
		printf("unmask unshare=%s\n", strerrorname_np(errno));
		return 0;
	}
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (umount2(argv[0], MNT_DETACH) < 0) {
		printf("unmask umount=%s\n", strerrorname_np(errno));
		return 0;
	}
	printf("unmask umount=OK ");
	fflush(stdout);
	if (!argv[1])
		return printf("\n") < 0;
	return argv[2][0] == 'w' ? open_write(argv + 1) : open_read(argv + 1);
}

/* Mount a fresh proc or sysfs (argv: type, dir, file in it) and open that file for writing. */
static int fresh_mount(char **argv)
{
	char path[256];

	mkdir(argv[1], 0755);
	if (mount(argv[0], argv[1], argv[0], 0, NULL) < 0) {
		printf("fsmount mount=%s\n", strerrorname_np(errno));
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", argv[1], argv[2]);
	printf("fsmount mount=OK ");
	fflush(stdout);
	return open_write((char *[]){path, NULL});
}

/* Mount a cgroup v1 hierarchy (argv: dir, controller) and set its release_agent. */
static int cgroup_v1(char **argv)
{
	char path[256];
	int fd;

	mkdir(argv[0], 0755);
	if (mount("cgroup", argv[0], "cgroup", 0, argv[1]) < 0) {
		printf("cgroup mount=%s\n", strerrorname_np(errno));
		return 0;
	}
	snprintf(path, sizeof(path), "%s/release_agent", argv[0]);
	fd = open(path, O_WRONLY);
	printf("cgroup mount=OK release_agent=%s\n", fd < 0 ? strerrorname_np(errno) : "OK");
	umount2(argv[0], MNT_DETACH);
	return 0;
}

/* struct file_handle ends in a flexible array: room for the largest handle. */
union handle {
	struct file_handle fh;
	unsigned char space[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

/* On the host: a handle of a file, as "type bytes-hex". */
static int get_handle(char **argv)
{
	union handle h = {.fh.handle_bytes = MAX_HANDLE_SZ};
	unsigned char *bytes = h.space + sizeof(struct file_handle);
	int mnt;

	if (name_to_handle_at(AT_FDCWD, argv[0], &h.fh, &mnt, 0) < 0) {
		perror("name_to_handle_at");
		return 1;
	}
	printf("%d ", h.fh.handle_type);
	for (unsigned i = 0; i < h.fh.handle_bytes; i++)
		printf("%02x", bytes[i]);
	printf("\n");
	return 0;
}

/* In the CT: open that handle through the CT's own root (argv: type, hex). */
static int by_handle(char **argv)
{
	union handle h = {.fh.handle_bytes = 0};
	unsigned char *bytes = h.space + sizeof(struct file_handle);
	const char *hex = argv[1];
	int root = open("/", O_RDONLY | O_DIRECTORY), fd;

	h.fh.handle_type = atoi(argv[0]);
	for (; hex[0] && hex[1] && h.fh.handle_bytes < MAX_HANDLE_SZ; hex += 2)
		sscanf(hex, "%2hhx", &bytes[h.fh.handle_bytes++]);
	fd = open_by_handle_at(root, &h.fh, O_RDONLY);
	printf("handle open_by_handle_at=%s\n", fd < 0 ? strerrorname_np(errno) : "OK");
	return 0;
}

static int signal_ptrace(char **argv)
{
	pid_t pid = atoi(argv[0]);
	const char *k, *p, *f;

	k = TRY(kill(pid, 0));
	p = TRY(ptrace(PTRACE_ATTACH, pid, NULL, NULL));
	f = TRY(syscall(SYS_pidfd_open, pid, 0));
	printf("pid kill=%s ptrace=%s pidfd_open=%s\n", k, p, f);
	return 0;
}

static int clock_set(char **argv)
{
	struct timespec ts;
	struct timeval tv;
	const char *a, *b;

	clock_gettime(CLOCK_REALTIME, &ts);
	a = TRY(clock_settime(CLOCK_REALTIME, &ts));
	gettimeofday(&tv, NULL);
	b = TRY(settimeofday(&tv, NULL));
	printf("clock clock_settime=%s settimeofday=%s\n", a, b);
	return 0;
}

static int kexec(char **argv)
{
	const char *a, *b;

	/* Invalid flags and too many segments: EINVAL if the permission check passed. */
	a = TRY(syscall(SYS_kexec_load, 0UL, 100000UL, NULL, 0x8000UL));
	b = TRY(syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0x8000UL));
	printf("kexec kexec_load=%s kexec_file_load=%s\n", a, b);
	return 0;
}

static int keys(char **argv)
{
	const char *a, *b, *c;

	a = TRY(syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -4 /* USER */, 0));
	b = TRY(syscall(SYS_add_key, "user", "vz-escape", "x", 1, -3 /* SESSION */));
	c = TRY(syscall(SYS_request_key, "user", "vz-escape", NULL, 0));
	printf("keys keyctl=%s add_key=%s request_key=%s\n", a, b, c);
	return 0;
}

static int bpf_perf(char **argv)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1};
	struct perf_event_attr pe = {
		.type = PERF_TYPE_SOFTWARE, .size = sizeof(pe), .config = PERF_COUNT_SW_CPU_CLOCK};
	struct io_uring_params up = {0};
	const char *a, *b, *c;

	a = TRY(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
	b = TRY(syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0));
	c = TRY(syscall(SYS_io_uring_setup, 1, &up));
	printf("kernel bpf=%s perf_event_open=%s io_uring_setup=%s\n", a, b, c);
	return 0;
}

static int host_wide(char **argv)
{
	const char *a, *b, *c, *d;

	a = TRY(swapon(argv[0], 0)); /* not a swap file: EINVAL if allowed */
	b = TRY(syscall(SYS_iopl, 3)); /* iopl(0) from level 0 needs no privilege */
	c = TRY(syscall(SYS_acct, NULL));
	d = TRY(syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0));
	printf("hostwide swapon=%s iopl=%s acct=%s syslog=%s\n", a, b, c, d);
	return 0;
}

static int persona(char **argv)
{
	unsigned long cur = personality(0xffffffff);
	const char *a, *b, *c;

	a = TRY(personality(cur | READ_IMPLIES_EXEC));
	b = TRY(personality(0xffffffff00000000UL | cur | MMAP_PAGE_ZERO));
	c = TRY(personality(cur | ADDR_NO_RANDOMIZE));
	personality(cur);
	printf("persona query=%s read_implies_exec=%s mmap_page_zero=%s addr_no_randomize=%s\n",
	       cur == 0xffffffffUL ? strerrorname_np(errno) : "OK", a, b, c);
	return 0;
}

#if defined(__x86_64__)
static long int80(long nr, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1), "c"(a2), "d"(a3) : "memory");
	return ret;
}

/* The i386 and x32 entries of the calls above, from this 64-bit process. */
static int compat(char **argv)
{
	long i386_init = int80(128, 0, 0, 0), i386_kexec = int80(283, 0, 100000, 0);
	long x32_init = syscall(0x40000000 | 175, 0, 0, ""), e32 = errno;
	long x32_kexec = syscall(0x40000000 | 528, 0, 100000, 0, 0x8000);

	printf("compat i386_init_module=%s i386_kexec_load=%s x32_init_module=%s "
	       "x32_kexec_load=%s\n",
	       i386_init < 0 ? strerrorname_np((int)-i386_init) : "OK",
	       i386_kexec < 0 ? strerrorname_np((int)-i386_kexec) : "OK",
	       x32_init < 0 ? strerrorname_np((int)e32) : "OK",
	       x32_kexec < 0 ? strerrorname_np(errno) : "OK");
	return 0;
}
#else
static int compat(char **argv)
{
	printf("compat unsupported\n");
	return 0;
}
#endif

/* Drop to an unprivileged user and exec (argv: uid, prog, args). */
static int run_as(char **argv)
{
	uid_t uid = (uid_t)atoi(argv[0]);

	if (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0) {
		printf("runas %s\n", strerrorname_np(errno));
		return 1;
	}
	execv(argv[1], argv + 1);
	printf("runas exec=%s\n", strerrorname_np(errno));
	return 1;
}

/* Set-user-ID check: print the effective uid (the test makes a copy setuid). */
static int euid(char **argv)
{
	printf("euid %d\n", (int)geteuid());
	return 0;
}

static const struct {
	const char *name;
	int nargs;
	int (*fn)(char **argv);
} vectors[] = {
	{"mknod", 3, mknod_read},   {"mknodc", 3, mknod_char},	 {"modules", 1, modules},
	{"write", 1, open_write},   {"read", 1, open_read},	 {"unmask", 1, unmask},
	{"cgroup", 2, cgroup_v1},   {"fsmount", 3, fresh_mount}, {"gethandle", 1, get_handle},
	{"handle", 2, by_handle},   {"pid", 1, signal_ptrace},	 {"clock", 0, clock_set},
	{"kexec", 0, kexec},	    {"keys", 0, keys},		 {"kernel", 0, bpf_perf},
	{"hostwide", 1, host_wide}, {"persona", 0, persona},	 {"compat", 0, compat},
	{"euid", 0, euid},	    {"runas", 2, run_as},
};

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; argc > 1 && i < sizeof(vectors) / sizeof(vectors[0]); i++)
		if (!strcmp(argv[1], vectors[i].name) && argc - 2 >= vectors[i].nargs)
			return vectors[i].fn(argv + 2);
	fprintf(stderr, "usage: escape VECTOR ARGS...\n");
	return 2;
}
