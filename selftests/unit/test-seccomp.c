// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/seccomp.c: the SECCOMP policies, compiled, saved and loaded (each in a child). */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ct.h"
#include "error.h"
#include "fileutil.h"
#include "seccomp.h"
#include "tap.h"

static char tmpdir[] = "/tmp/vz-unit-seccomp.XXXXXX";

/* Every capability a CT may lose; CAP_SYS_ADMIN too unless root (then no_new_privs is set). */
static uint64_t dropped_all(void)
{
	uint64_t mask = ~0ULL;

	return geteuid() == 0 ? mask & ~(1ULL << CAP_SYS_ADMIN) : mask;
}

static int put(const char *name, const char *text)
{
	char *path = vz_path_join(tmpdir, name);
	int fd, ret = 0;

	fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

static int mkdir_in(const char *name)
{
	char *path = vz_path_join(tmpdir, name);
	int ret = path ? vz_mkdir_p(path, 0755) : -ENOMEM;

	free(path);
	return ret;
}

enum probe { P_KEXEC, P_KEYCTL, P_GETCPU, P_CLOCK, P_PERSONA, P_QUERY, P_NR };
static const char *const probe_names[] = {
	"kexec_load",	    "keyctl", "getcpu", "clock_settime", "personality(READ_IMPLIES_EXEC)",
	"personality query"};

/* Load sc in a child and report, per probe, whether the call got EPERM. */
static unsigned probe(const struct vz_seccomp *sc)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct timespec ts = {0};
		unsigned bits = 0;
		long r[P_NR];

		if (vz_seccomp_load(sc) < 0)
			_exit(255);
		errno = 0;
		r[P_KEXEC] = syscall(SYS_kexec_load, 0UL, 100000UL, NULL, 0x8000UL) < 0 ? errno : 0;
		r[P_KEYCTL] = syscall(SYS_keyctl, 0, -4, 0) < 0 ? errno : 0;
		r[P_GETCPU] = syscall(SYS_getcpu, NULL, NULL, NULL) < 0 ? errno : 0;
		/* an invalid clock: EINVAL unless the filter answers first */
		r[P_CLOCK] = syscall(SYS_clock_settime, -1, &ts) < 0 ? errno : 0;
		r[P_PERSONA] = personality(READ_IMPLIES_EXEC) == -1 ? errno : 0;
		personality(PER_LINUX);
		r[P_QUERY] = personality(0xffffffff) == -1 ? errno : 0;
		for (int i = 0; i < P_NR; i++)
			if (r[i] == EPERM)
				bits |= 1U << i;
		_exit((int)bits);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return ~0U;
	return (unsigned)WEXITSTATUS(status);
}

static void is_probe(unsigned got, unsigned want, const char *what)
{
	if (got == 255) {
		ok(0, "%s: the filter loads", what);
		return;
	}
	for (int i = 0; i < P_NR; i++)
		is_int(!!(got & (1U << i)), !!(want & (1U << i)), "%s: %s %s", what, probe_names[i],
		       want & (1U << i) ? "refused" : "let through");
}

static struct vz_ct *open_ct(struct vz_env *env, unsigned id)
{
	struct vz_error err = {0};
	struct vz_ct *ct = NULL;

	if (vz_ct_open(env, id, &ct, &err) < 0)
		diag("CT %u: %s", id, err.msg);
	return ct;
}

static void test_policies(struct vz_env *env)
{
	const unsigned deflt = 1U << P_KEXEC | 1U << P_KEYCTL | 1U << P_CLOCK | 1U << P_PERSONA;
	struct vz_seccomp *sc = NULL;
	struct vz_error err = {0};
	struct vz_ct *ct;
	int ret;

	ct = open_ct(env, 101);
	ret = vz_seccomp_prepare(ct, dropped_all(), &sc, &err);
	is_int(ret, 0, "default: compiles");
	is_probe(probe(sc), deflt, "default");
	vz_seccomp_free(sc);
	sc = NULL;
	/* CAPABILITY="SYS_TIME:on": the admin opted in, the clock calls are not filtered */
	ret = vz_seccomp_prepare(ct, dropped_all() & ~(1ULL << CAP_SYS_TIME), &sc, &err);
	is_int(ret, 0, "default with CAP_SYS_TIME granted: compiles");
	is_probe(probe(sc), deflt & ~(1U << P_CLOCK), "CAP_SYS_TIME granted");

	/* saved at start, read back by exec, removed at stop */
	is_int(vz_seccomp_save(ct, sc, &err), 0, "save into RUNDIR");
	vz_seccomp_free(sc);
	sc = NULL;
	is_int(vz_seccomp_get(ct, dropped_all(), &sc, &err), 0, "get the saved one");
	is_probe(probe(sc), deflt & ~(1U << P_CLOCK), "saved");
	vz_seccomp_free(sc);
	sc = NULL;
	put("run/101.seccomp", "vzscmp1\0garbage");
	ret = vz_seccomp_get(ct, dropped_all(), &sc, &err);
	is_int(ret, -EINVAL, "a damaged saved filter is refused");
	like(err.msg, "Corrupt seccomp filter", "and the message says so");
	vz_seccomp_forget(ct);
	ok(!vz_path_exists("run/101.seccomp"), "forget removes it");
	vz_ct_free(ct);

	ct = open_ct(env, 102);
	sc = (struct vz_seccomp *)1;
	ret = vz_seccomp_prepare(ct, dropped_all(), &sc, &err);
	is_int(ret, 0, "off: fine");
	ok(sc == NULL, "off: no filter");
	vz_ct_free(ct);

	ct = open_ct(env, 103);
	ret = vz_seccomp_prepare(ct, dropped_all(), &sc, &err);
	is_int(ret, 0, "profile: compiles");
	is_probe(probe(sc), (deflt & ~(1U << P_KEYCTL)) | 1U << P_GETCPU, "profile");
	vz_seccomp_free(sc);
	sc = NULL;
	vz_ct_free(ct);

	ct = open_ct(env, 104);
	vz_error_clear(&err);
	ret = vz_seccomp_prepare(ct, dropped_all(), &sc, &err);
	is_int(ret, -EINVAL, "profile with an unknown call: -EINVAL");
	like(err.msg, "no_such_call", "and the message names it");
	vz_ct_free(ct);

	ct = open_ct(env, 105);
	vz_error_clear(&err);
	ret = vz_seccomp_prepare(ct, dropped_all(), &sc, &err);
	is_int(ret, -ENOENT, "a missing profile: -ENOENT");
	like(err.msg, "Cannot read seccomp profile", "and the message says so");
	vz_ct_free(ct);
}

int main(void)
{
	struct vz_error err = {0};
	struct vz_env *env = NULL;
	char text[512];
	int ret = 0;

	if (!mkdtemp(tmpdir)) {
		ok(0, "create a temporary directory");
		return done_testing();
	}
	snprintf(text, sizeof(text), "RUNDIR=\"%s/run\"\nLOCKDIR=\"%s\"\n", tmpdir, tmpdir);
	ret |= mkdir_in("conf");
	ret |= mkdir_in("run");
	ret |= put("vz.conf", text);
	ret |= put("conf/101.conf", "ONBOOT=\"no\"\n");
	ret |= put("conf/102.conf", "SECCOMP=\"off\"\n");
	snprintf(text, sizeof(text), "SECCOMP=\"%s/profile\"\n", tmpdir);
	ret |= put("conf/103.conf", text);
	ret |= put("profile", "# a profile\n@default\n  !keyctl\ngetcpu # refused\n\n");
	snprintf(text, sizeof(text), "SECCOMP=\"%s/bad-profile\"\n", tmpdir);
	ret |= put("conf/104.conf", text);
	ret |= put("bad-profile", "kexec_load\nno_such_call\n");
	snprintf(text, sizeof(text), "SECCOMP=\"%s/missing\"\n", tmpdir);
	ret |= put("conf/105.conf", text);
	setenv("VZ_CONFDIR", tmpdir, 1);
	if (ret || chdir(tmpdir) < 0 || vz_env_open(&env, &err) < 0)
		ok(0, "set up a node tree in '%s': %s", tmpdir, err.msg);
	else
		test_policies(env);
	vz_env_free(env);
	ret = done_testing();
	if (vz_rm_rf(tmpdir) < 0)
		diag("Cannot remove '%s'", tmpdir);
	return ret;
}
