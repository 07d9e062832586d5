// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The default seccomp policy of a CT, built with libseccomp.
 *
 * The filter allows by default and refuses a short list with EPERM, never
 * by killing: software probes these calls and copes with an error.  What a
 * CT may do is decided first by its user namespace and capabilities; this
 * list covers the calls where those are not enough (a privileged CT, a
 * capability a CT keeps for another reason such as CAP_SYS_BOOT for
 * reboot(2)) or where the kernel code itself is the risk.  It follows the
 * default profiles of Docker/containerd, crun/podman and LXC:
 *
 *   Docker, crun   allow-list; everything below is outside it or tied to a
 *                  capability the container does not get by default
 *   LXC            common.seccomp: kexec_load, open_by_handle_at,
 *                  init/finit/delete_module, keyctl
 */
#define VZ_LOG_PREFIX "seccomp"
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
/* libseccomp's <seccomp.h>: -Ilib would find this directory's own seccomp.h first. */
#include <linux/../seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fileutil.h"
#include "log.h"
#include "seccomp.h"
#include "state.h"

#define ALWAYS (-1)

/*
 * X(syscall, verdict, capability, reason)
 *   DENY    refused with EPERM, unless CAPABILITY grants the capability
 *           (ALWAYS: whatever the CT's capabilities)
 *   FLAGS   personality(2): refused only with a flag of PERSONA_DENIED
 *   ALLOW   looked at and let through, for the reason given
 */
#define VZ_SECCOMP_POLICY(X)                                                                       \
	X(kexec_load, DENY, ALWAYS, "boots another kernel; CT keeps CAP_SYS_BOOT for reboot(2)")   \
	X(kexec_file_load, DENY, ALWAYS, "same as kexec_load")                                     \
	X(open_by_handle_at, DENY, ALWAYS, "opens any inode past the CT root (shocker exploit)")   \
	X(init_module, DENY, CAP_SYS_MODULE, "kernel modules are host code")                       \
	X(finit_module, DENY, CAP_SYS_MODULE, "kernel modules are host code")                      \
	X(delete_module, DENY, CAP_SYS_MODULE, "unloads modules the host uses")                    \
	X(iopl, DENY, CAP_SYS_RAWIO, "raw I/O ports of the host's hardware")                       \
	X(ioperm, DENY, CAP_SYS_RAWIO, "raw I/O ports of the host's hardware")                     \
	X(swapon, DENY, ALWAYS, "swap is host-wide")                                               \
	X(swapoff, DENY, ALWAYS, "swap is host-wide")                                              \
	X(acct, DENY, CAP_SYS_PACCT, "process accounting is host-wide")                            \
	X(lookup_dcookie, DENY, ALWAYS, "obsolete oprofile call, leaks host paths")                \
	X(perf_event_open, DENY, CAP_PERFMON, "host-wide counters: side channel, attack surface")  \
	X(bpf, DENY, CAP_BPF, "eBPF programs run in the host kernel")                              \
	X(keyctl, DENY, ALWAYS, "kernel keyrings are not per CT (host root's in a privileged CT)") \
	X(add_key, DENY, ALWAYS, "kernel keyrings are not per CT")                                 \
	X(request_key, DENY, ALWAYS, "kernel keyrings; also runs /sbin/request-key on the host")   \
	X(quotactl, DENY, ALWAYS, "quotas of the host file system the CT lives on")                \
	X(quotactl_fd, DENY, ALWAYS, "quotas of the host file system, from any file of the CT")    \
	X(settimeofday, DENY, CAP_SYS_TIME, "the clock is host-wide")                              \
	X(clock_settime, DENY, CAP_SYS_TIME, "the clock is host-wide")                             \
	X(clock_settime64, DENY, CAP_SYS_TIME, "the clock is host-wide (32-bit time64 call)")      \
	X(stime, DENY, CAP_SYS_TIME, "the clock is host-wide (i386 call)")                         \
	X(syslog, DENY, CAP_SYSLOG, "the host's kernel log")                                       \
	X(nfsservctl, DENY, ALWAYS, "kernel NFS server control (gone since 3.1)")                  \
	X(uselib, DENY, ALWAYS, "a.out libraries: obsolete, past exploits")                        \
	X(_sysctl, DENY, ALWAYS, "binary sysctl: obsolete (gone since 5.5)")                       \
	X(vm86, DENY, ALWAYS, "virtual 8086 mode: obsolete, past exploits")                        \
	X(vm86old, DENY, ALWAYS, "virtual 8086 mode: obsolete, past exploits")                     \
	X(modify_ldt, DENY, ALWAYS, "16-bit segments (Wine, DOSEMU) only; past exploits")          \
	X(io_uring_setup, DENY, ALWAYS, "top source of kernel exploits; programs fall back")       \
	X(io_uring_enter, DENY, ALWAYS, "see io_uring_setup")                                      \
	X(io_uring_register, DENY, ALWAYS, "see io_uring_setup")                                   \
	X(personality, FLAGS, ALWAYS, "READ_IMPLIES_EXEC/MMAP_PAGE_ZERO undo W^X, NULL guard")     \
	X(reboot, ALLOW, ALWAYS, "in a pid namespace it halts or reboots only the CT")             \
	X(userfaultfd, ALLOW, ALWAYS, "5.11+: kernel faults need CAP_SYS_PTRACE; CRIU lazy pages") \
	X(adjtimex, ALLOW, ALWAYS, "modes=0 reads the clock state; setting needs CAP_SYS_TIME")    \
	X(clock_adjtime, ALLOW, ALWAYS, "as adjtimex")                                             \
	X(name_to_handle_at, ALLOW, ALWAYS, "only makes a handle; opening one is refused")         \
	X(mount, ALLOW, ALWAYS, "fs type is a pointer: user ns and FS_USERNS_MOUNT decide")        \
	X(unshare, ALLOW, ALWAYS, "nested namespaces: systemd sandboxing, nested CTs")             \
	X(ptrace, ALLOW, ALWAYS, "the CT's pid namespace is all it can reach")                     \
	X(vhangup, ALLOW, ALWAYS, "getty and login use it on the CT's terminals")

enum verdict { DENY, FLAGS, ALLOW };

#define PERSONA_DENIED (READ_IMPLIES_EXEC | MMAP_PAGE_ZERO)

#define POLICY_ENTRY(name, verdict, cap, why) {#name, verdict, cap},
static const struct rule {
	const char *name;
	enum verdict verdict;
	int cap;
} policy[] = {VZ_SECCOMP_POLICY(POLICY_ENTRY)};
#undef POLICY_ENTRY

struct vz_seccomp {
	struct sock_fprog prog;
	bool nnp; /* seccomp(2) needs no_new_privs: the CT has no CAP_SYS_ADMIN */
};

static void release_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/*
 * The kernel ignores the upper half of personality's argument and treats
 * 0xffffffff as a query.  One comparison per rule (libseccomp 2.5), so
 * "flag set and the low 32 bits not all ones" is one rule per other bit:
 * flag set and that bit clear.
 */
static int deny_persona_flag(scmp_filter_ctx ctx, unsigned long flag)
{
	int ret = 0;

	for (int bit = 0; bit < 32 && !ret; bit++) {
		unsigned long other = 1UL << bit;

		if (other == flag)
			continue;
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, flag | other, flag));
	}
	return ret;
}

static int add_rule(scmp_filter_ctx ctx, const struct rule *r, uint64_t caps_dropped)
{
	int nr;

	if (r->verdict == ALLOW)
		return 0;
	if (r->cap != ALWAYS && !(caps_dropped & (1ULL << r->cap)))
		return 0; /* CAPABILITY grants it: the admin opted in */
	if (r->verdict == FLAGS) {
		int ret = 0;

		for (unsigned long f = 1; f && !ret; f <<= 1)
			if (f & PERSONA_DENIED)
				ret = deny_persona_flag(ctx, f);
		return ret;
	}
	nr = seccomp_syscall_resolve_name(r->name);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* unknown to this libseccomp: no ABI of ours has it */
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
}

/* Every ABI a process of this machine can enter the kernel with. */
static int add_arches(scmp_filter_ctx ctx)
{
	static const uint32_t x86_64[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
	static const uint32_t aarch64[] = {SCMP_ARCH_ARM};
	const uint32_t *extra = NULL;
	size_t nr = 0;
	int ret;

	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		extra = x86_64;
		nr = ARRAY_SIZE(x86_64);
		break;
	case SCMP_ARCH_AARCH64:
		extra = aarch64;
		nr = ARRAY_SIZE(aarch64);
		break;
	}
	for (size_t i = 0; i < nr; i++) {
		ret = seccomp_arch_add(ctx, extra[i]);
		if (ret < 0 && ret != -EEXIST)
			return ret;
	}
	return 0;
}

static bool excluded(char *const *words, size_t nr, const char *name)
{
	for (size_t i = 0; i < nr; i++)
		if (words[i][0] == '!' && !strcmp(words[i] + 1, name))
			return true;
	return false;
}

/* A profile file: "@default", "NAME" and "!NAME" lines. */
static int add_profile(scmp_filter_ctx ctx, const char *path, uint64_t caps_dropped,
		       struct vz_error *err)
{
	__vz_free char *text = NULL;
	__vz_free char **words = NULL;
	bool with_default = false;
	char *save = NULL;
	size_t nr = 0;
	int ret;

	ret = vz_read_file(path, &text, NULL);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_BAD_VALUE, -ret, "Cannot read seccomp profile '%s'",
				    path);
	words = calloc((size_t)ret / 2 + 1, sizeof(*words));
	if (!words)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read seccomp profile '%s'",
				    path);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *word = line + strspn(line, " \t");

		word[strcspn(word, " \t#")] = '\0';
		if (*word)
			words[nr++] = word;
	}
	for (size_t i = 0; i < nr; i++) {
		if (!strcmp(words[i], "@default")) {
			with_default = true;
			continue;
		}
		if (words[i][0] == '!')
			continue;
		ret = seccomp_syscall_resolve_name(words[i]);
		if (ret == __NR_SCMP_ERROR)
			return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
					    "Unknown system call '%s' in seccomp profile '%s'",
					    words[i], path);
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), ret, 0);
		if (ret < 0 && ret != -EEXIST)
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot add '%s' to the filter",
					    words[i]);
	}
	for (size_t i = 0; with_default && i < ARRAY_SIZE(policy); i++) {
		if (excluded(words, nr, policy[i].name))
			continue;
		ret = add_rule(ctx, &policy[i], caps_dropped);
		if (ret < 0 && ret != -EEXIST)
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot add '%s' to the filter",
					    policy[i].name);
	}
	return 0;
}

/* Classic BPF out of libseccomp, through a memfd (2.5 has no in-memory export). */
static int export_prog(scmp_filter_ctx ctx, struct sock_fprog *prog, struct vz_error *err)
{
	__vz_close int fd = memfd_create("vz-seccomp", MFD_CLOEXEC);
	struct stat st;
	int ret;

	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot compile the seccomp filter");
	ret = seccomp_export_bpf(ctx, fd);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot compile the seccomp filter");
	if (fstat(fd, &st) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot compile the seccomp filter");
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return vz_error_set(err, VZ_E_SYSTEM, E2BIG, "The seccomp filter is too large");
	prog->filter = malloc(st.st_size);
	if (!prog->filter)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot compile the seccomp filter");
	prog->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	if (pread(fd, prog->filter, st.st_size, 0) != st.st_size)
		return vz_error_sys(err, VZ_E_SYSTEM, errno ? errno : EIO,
				    "Cannot compile the seccomp filter");
	return 0;
}

int vz_seccomp_prepare(const struct vz_ct *ct, uint64_t caps_dropped, struct vz_seccomp **out,
		       struct vz_error *err)
{
	const char *spec = vz_ct_get(ct, "SECCOMP");
	scmp_filter_ctx ctx __attribute__((cleanup(release_ctx))) = NULL;
	struct vz_seccomp *sc;
	int ret = 0;

	*out = NULL;
	if (spec && !strcmp(spec, "off"))
		return 0;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot build the seccomp filter");
	/* A binary search over the system call numbers: exec latency counts. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	ret = add_arches(ctx);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot build the seccomp filter");
	if (spec && spec[0] == '/') {
		ret = add_profile(ctx, spec, caps_dropped, err);
		if (ret < 0)
			return ret;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(policy) && !ret; i++)
			ret = add_rule(ctx, &policy[i], caps_dropped);
		if (ret < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, -ret,
					    "Cannot build the seccomp filter");
	}
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot build the seccomp filter");
	ret = export_prog(ctx, &sc->prog, err);
	if (ret < 0) {
		vz_seccomp_free(sc);
		return ret;
	}
	sc->nnp = caps_dropped & (1ULL << CAP_SYS_ADMIN);
	*out = sc;
	return 0;
}

/* $RUNDIR/<CTID>.seccomp: this header, then len struct sock_filter. */
struct saved_prog {
	char magic[8];
	uint32_t len; /* 0: SECCOMP="off" */
	uint32_t nnp;
};

static const char saved_magic[8] = "vzscmp1";

/* No fsync: like the rest of the run state, it means nothing after a host crash. */
int vz_seccomp_save(struct vz_ct *ct, const struct vz_seccomp *sc, struct vz_error *err)
{
	__vz_free char *path = vz_ct_run_path(ct, ".seccomp");
	__vz_free char *tmp = NULL;
	__vz_close int fd = -1;
	struct saved_prog hdr = {.len = sc ? sc->prog.len : 0, .nnp = sc && sc->nnp};
	struct iovec iov[2] = {
		{.iov_base = &hdr, .iov_len = sizeof(hdr)},
		{.iov_base = sc ? sc->prog.filter : NULL,
		 .iov_len = hdr.len * sizeof(struct sock_filter)},
	};
	ssize_t size = (ssize_t)(iov[0].iov_len + iov[1].iov_len);

	memcpy(hdr.magic, saved_magic, sizeof(hdr.magic));
	if (!path || asprintf(&tmp, "%s.tmp", path) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot save the seccomp filter");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create '%s'", tmp);
	errno = 0;
	if (writev(fd, iov, 2) != size || rename(tmp, path) < 0) {
		int e = errno ? errno : EIO;

		unlink(tmp);
		return vz_error_sys(err, VZ_E_SYSTEM, e, "Cannot save the seccomp filter in '%s'",
				    path);
	}
	return 0;
}

void vz_seccomp_forget(struct vz_ct *ct)
{
	__vz_free char *path = vz_ct_run_path(ct, ".seccomp");

	if (path)
		unlink(path);
}

/* A saved program, checked: anything odd fails closed rather than running unfiltered. */
static int read_saved(const char *path, struct vz_seccomp **out, struct vz_error *err)
{
	__vz_free char *buf = NULL;
	struct saved_prog hdr;
	struct vz_seccomp *sc;
	int size = vz_read_file(path, &buf, NULL);

	if (size == -ENOENT)
		return size; /* not saved: the caller compiles it */
	if (size < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -size, "Cannot read '%s'", path);
	if ((size_t)size < sizeof(hdr))
		goto bad;
	memcpy(&hdr, buf, sizeof(hdr));
	if (memcmp(hdr.magic, saved_magic, sizeof(hdr.magic)) || hdr.len > BPF_MAXINSNS ||
	    (size_t)size != sizeof(hdr) + hdr.len * sizeof(struct sock_filter))
		goto bad;
	*out = NULL;
	if (!hdr.len)
		return 0;
	sc = calloc(1, sizeof(*sc));
	if (!sc || !(sc->prog.filter = malloc(hdr.len * sizeof(struct sock_filter)))) {
		free(sc);
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot load the seccomp filter");
	}
	sc->prog.len = (unsigned short)hdr.len;
	memcpy(sc->prog.filter, buf + sizeof(hdr), hdr.len * sizeof(struct sock_filter));
	sc->nnp = hdr.nnp;
	*out = sc;
	return 0;
bad:
	return vz_error_set(err, VZ_E_SYSTEM, EINVAL, "Corrupt seccomp filter '%s'", path);
}

int vz_seccomp_get(struct vz_ct *ct, uint64_t caps_dropped, struct vz_seccomp **out,
		   struct vz_error *err)
{
	__vz_free char *path = vz_ct_run_path(ct, ".seccomp");
	int ret;

	if (!path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot load the seccomp filter");
	ret = read_saved(path, out, err);
	if (ret == -ENOENT) /* started by a vzctl that did not save it */
		return vz_seccomp_prepare(ct, caps_dropped, out, err);
	return ret;
}

/*
 * No PR_SET_NO_NEW_PRIVS unless the kernel insists: seccomp(2) takes a
 * filter without it from a task with CAP_SYS_ADMIN in its own user
 * namespace, which the CT's root has.  no_new_privs is inherited by every
 * descendant and would break setuid programs inside the CT (su, sudo,
 * passwd, ping, postdrop); the CT's root gains nothing from them, and the
 * filter, the capability bounding set and the user namespace bind them
 * all the same.  A CT whose CAPABILITY drops SYS_ADMIN gets no_new_privs,
 * since the kernel then requires it.
 */
int vz_seccomp_load(const struct vz_seccomp *sc)
{
	if (!sc)
		return 0;
	if (sc->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &sc->prog) < 0)
		return -errno;
	return 0;
}

void vz_seccomp_free(struct vz_seccomp *sc)
{
	if (!sc)
		return;
	free(sc->prog.filter);
	free(sc);
}
