// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/lock.c: $LOCKDIR/<CTID>.lck, live holders, stale locks, owner changes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct.h"
#include "error.h"
#include "fileutil.h"
#include "lock.h"
#include "log.h"
#include "procutil.h"
#include "tap.h"

static char tmpdir[] = "/tmp/vz-unit-lock.XXXXXX";
static char *lockdir, *lockfile;

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		ret = -EIO;
	close(fd);
	return ret;
}

static char *slurp(const char *path)
{
	char *text = NULL;

	if (vz_read_file(path, &text, NULL) < 0)
		return NULL;
	return text;
}

/* Number of entries in the lock directory (to catch leftover .tmp files). */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* A child that lives until it is killed (or the test dies). */
static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

static void reap(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* The pid of a process that has exited and been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid;
}

static void expect_content(const char *what, pid_t pid, const char *status)
{
	char want[160];
	char *text = slurp(lockfile);

	snprintf(want, sizeof(want), "%d\n%s\n%llu\n", (int)pid, status, vz_proc_starttime(pid));
	is_str(text, want, "%s: the lock file holds \"pid\\nstatus\\nstarttime\\n\"", what);
	free(text);
}

static void test_basic(struct vz_ct *ct)
{
	struct vz_lock lock = {0}, other = {0};
	struct vz_error err = {0};
	char needle[64];
	struct stat st;
	int ret;

	ok(!vz_path_exists(lockdir), "basic: LOCKDIR does not exist yet");
	ret = vz_lock_ct(ct, "starting", &lock, &err);
	is_int(ret, 0, "basic: lock 101");
	ok(lock.held, "basic: the lock is held");
	is_str(lock.path, lockfile, "basic: the lock file is LOCKDIR/101.lck");
	ok(stat(lockdir, &st) == 0 && S_ISDIR(st.st_mode), "basic: LOCKDIR was created");
	expect_content("basic", getpid(), "starting");
	is_int(count_entries(lockdir), 1, "basic: no temporary file left in LOCKDIR");

	/* A second attempt while we hold it: our pid is alive. */
	vz_error_clear(&err);
	ret = vz_lock_ct(ct, "stopping", &other, &err);
	is_int(ret, -EBUSY, "basic: a second lock while held is -EBUSY");
	is_int(err.kind, VZ_E_LOCKED, "basic: a second lock is VZ_E_LOCKED");
	snprintf(needle, sizeof(needle), "pid %d", (int)getpid());
	like(err.msg, needle, "basic: the message names the holder's pid");
	like(err.msg, "starting", "basic: the message names the holder's operation");
	ok(!other.held, "basic: the refused lock is not held");
	vz_unlock(&other);
	ok(vz_path_exists(lockfile), "basic: unlocking a refused lock keeps the holder's file");
	expect_content("basic: after the refused attempt", getpid(), "starting");
	is_int(count_entries(lockdir), 1, "basic: no temporary file left after a refused lock");

	vz_unlock(&lock);
	ok(!vz_path_exists(lockfile), "basic: vz_unlock removes the lock file");
	ok(!lock.held && !lock.path, "basic: vz_unlock resets the lock");
	vz_unlock(&lock);
	ok(!lock.held && !lock.path && !vz_path_exists(lockfile),
	   "basic: a second vz_unlock is harmless");

	/* Relock after unlock; NULL status. */
	ret = vz_lock_ct(ct, NULL, &lock, &err);
	is_int(ret, 0, "basic: lock again after unlock, NULL status");
	expect_content("basic: NULL status", getpid(), "");
	vz_unlock(&lock);
}

static void test_live_holder(struct vz_ct *ct)
{
	struct vz_lock lock = {0};
	struct vz_error err = {0};
	char text[64], needle[64];
	pid_t child = spawn_sleeper();
	char *after;
	int ret;

	if (child < 0) {
		ok(0, "live: fork a holder");
		return;
	}
	vz_mkdir_p(lockdir, 0755);
	snprintf(text, sizeof(text), "%d\nmounting\n", (int)child);
	write_text(lockfile, text);
	ret = vz_lock_ct(ct, "starting", &lock, &err);
	is_int(ret, -EBUSY, "live: a lock held by a live process is -EBUSY");
	is_int(err.kind, VZ_E_LOCKED, "live: VZ_E_LOCKED");
	snprintf(needle, sizeof(needle), "pid %d", (int)child);
	like(err.msg, needle, "live: the message names the holder's pid");
	like(err.msg, "mounting", "live: the message names the holder's operation");
	ok(!lock.held, "live: not held");
	vz_unlock(&lock);
	after = slurp(lockfile);
	is_str(after, text, "live: the holder's lock file is untouched");
	free(after);
	is_int(count_entries(lockdir), 1, "live: no temporary file left");

	/* The holder dies: its lock is now stale. */
	reap(child);
	vz_error_clear(&err);
	ret = vz_lock_ct(ct, "starting", &lock, &err);
	is_int(ret, 0, "live: after the holder died the lock is taken over");
	expect_content("live: taken over", getpid(), "starting");
	vz_unlock(&lock);

	/* A live pid that started at another time than the holder is a later process. */
	snprintf(text, sizeof(text), "1\nstarting\n%llu\n", vz_proc_starttime(1) + 1);
	write_text(lockfile, text);
	vz_error_clear(&err);
	ret = vz_lock_ct(ct, "starting", &lock, &err);
	is_int(ret, 0, "live: a lock whose pid was reused by a later process is stale (%s)",
	       err.msg);
	expect_content("live: reused pid", getpid(), "starting");
	vz_unlock(&lock);
	/* ... and the same start time is the holder itself. */
	snprintf(text, sizeof(text), "1\ninit\n%llu\n", vz_proc_starttime(1));
	write_text(lockfile, text);
	vz_error_clear(&err);
	ret = vz_lock_ct(ct, "starting", &lock, &err);
	ok(ret == -EBUSY && err.kind == VZ_E_LOCKED,
	   "live: a lock with the holder's own start time is -EBUSY (%s)", err.msg);
	vz_unlock(&lock);

	/* pid 1 is always alive. */
	write_text(lockfile, "1\ninit\n");
	vz_error_clear(&err);
	ret = vz_lock_ct(ct, "starting", &lock, &err);
	ok(ret == -EBUSY && err.kind == VZ_E_LOCKED && strstr(err.msg, "pid 1 "),
	   "live: a lock held by pid 1 is -EBUSY naming pid 1 (%s)", err.msg);
	vz_unlock(&lock);
	unlink(lockfile);
}

static void test_stale(struct vz_ct *ct)
{
	static const struct {
		const char *text, *what;
	} garbage[] = {
		{"", "an empty lock file"},
		{"garbage\n", "a garbage lock file"},
		{"\n\n", "a lock file of newlines"},
		{"0\nstarting\n", "a lock file with pid 0"},
		{"-1\nstarting\n", "a lock file with a negative pid"},
	};
	struct vz_lock lock = {0};
	struct vz_error err = {0};
	char text[64];
	pid_t dead = dead_pid();
	int ret;

	vz_mkdir_p(lockdir, 0755);
	if (dead < 0) {
		ok(0, "stale: fork");
	} else {
		snprintf(text, sizeof(text), "%d\nstarting\n", (int)dead);
		write_text(lockfile, text);
		ret = vz_lock_ct(ct, "stopping", &lock, &err);
		is_int(ret, 0, "stale: a lock of a dead pid is taken over");
		ok(lock.held, "stale: held after the takeover");
		expect_content("stale: dead pid", getpid(), "stopping");
		is_int(count_entries(lockdir), 1, "stale: no temporary file left");
		vz_unlock(&lock);
	}

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		write_text(lockfile, garbage[i].text);
		vz_error_clear(&err);
		ret = vz_lock_ct(ct, "stopping", &lock, &err);
		is_int(ret, 0, "stale: %s is taken over (%s)", garbage[i].what, err.msg);
		expect_content(garbage[i].what, getpid(), "stopping");
		vz_unlock(&lock);
	}

	/*
	 * An out-of-range pid ("4294967297" would truncate to pid 1, always
	 * alive) makes the lock file stale, so a corrupt file cannot lock a CT for good.
	 */
	write_text(lockfile, "4294967297\nstarting\n");
	vz_error_clear(&err);
	ret = vz_lock_ct(ct, "stopping", &lock, &err);
	is_int(ret, 0, "stale: a lock file with an out-of-range pid is taken over (%s)", err.msg);
	vz_unlock(&lock);
	unlink(lockfile);
}

static void test_set_owner(struct vz_ct *ct)
{
	struct vz_lock lock = {0}, other = {0}, idle = {0};
	struct vz_error err = {0};
	char needle[64];
	pid_t child;
	int ret;

	ret = vz_lock_ct(ct, "starting", &lock, &err);
	is_int(ret, 0, "owner: lock");
	child = spawn_sleeper();
	if (ret < 0 || child < 0) {
		ok(0, "owner: set up");
		reap(child);
		vz_unlock(&lock);
		return;
	}
	is_int(vz_lock_set_owner(&lock, child, "running"), 0, "owner: vz_lock_set_owner");
	expect_content("owner", child, "running");
	is_int(count_entries(lockdir), 1, "owner: no temporary file left");
	ok(lock.held, "owner: still held");

	ret = vz_lock_ct(ct, "stopping", &other, &err);
	snprintf(needle, sizeof(needle), "pid %d", (int)child);
	ok(ret == -EBUSY && err.kind == VZ_E_LOCKED && strstr(err.msg, needle),
	   "owner: the new owner holds the lock (%s)", err.msg);
	vz_unlock(&other);

	is_int(vz_lock_set_owner(&idle, child, "x"), 0, "owner: on a lock not held is a no-op");
	ok(!idle.path, "owner: a lock not held stays empty");

	/* The new owner dies: the lock is stale. */
	reap(child);
	vz_error_clear(&err);
	ret = vz_lock_ct(ct, "stopping", &other, &err);
	is_int(ret, 0, "owner: after the new owner died the lock is taken over");
	expect_content("owner: taken over", getpid(), "stopping");
	vz_unlock(&other);
	lock.held = 0; /* the file was already taken over and removed */
	vz_unlock(&lock);
}

static void test_lockdir(struct vz_env *env)
{
	struct vz_lock lock = {0};
	struct vz_error err = {0};
	struct vz_ct *ct = NULL;
	char *dir = NULL, *file = vz_path_join(tmpdir, "file"), *want = NULL;
	int ret;

	/* A per-CT LOCKDIR with $VEID. */
	if (vz_ct_open(env, 102, &ct, &err) < 0) {
		ok(0, "lockdir: open 102: %s", err.msg);
		goto out;
	}
	if (asprintf(&dir, "%s/lock-$VEID", tmpdir) < 0 ||
	    asprintf(&want, "%s/lock-102/102.lck", tmpdir) < 0) {
		ok(0, "lockdir: allocate");
		goto out;
	}
	vz_ct_set(ct, "LOCKDIR", dir, &err);
	ret = vz_lock_ct(ct, "x", &lock, &err);
	is_int(ret, 0, "lockdir: lock with LOCKDIR containing $VEID");
	is_str(lock.path, want, "lockdir: $VEID substituted in LOCKDIR");
	ok(vz_path_exists(want), "lockdir: the lock file exists");
	vz_unlock(&lock);

	/* LOCKDIR that cannot be created. */
	free(dir);
	dir = NULL;
	write_text(file, "x");
	if (asprintf(&dir, "%s/file/lock", tmpdir) < 0) {
		ok(0, "lockdir: allocate");
		goto out;
	}
	vz_ct_set(ct, "LOCKDIR", dir, &err);
	vz_error_clear(&err);
	ret = vz_lock_ct(ct, "x", &lock, &err);
	is_int(ret, -ENOTDIR, "lockdir: a LOCKDIR under a file is -ENOTDIR");
	is_int(err.kind, VZ_E_SYSTEM, "lockdir: VZ_E_SYSTEM");
	like(err.msg, dir, "lockdir: the message names the directory");
	ok(!lock.held, "lockdir: not held");
	vz_unlock(&lock);
out:
	vz_ct_free(ct);
	free(dir);
	free(want);
	free(file);
}

int main(void)
{
	struct vz_error err = {0};
	struct vz_env *env = NULL;
	struct vz_ct *ct = NULL;
	char *vzconf = NULL, *text = NULL;
	int ret;

	vz_log_set_verbosity(-1); /* no "Removing stale lock" warnings */
	if (!mkdtemp(tmpdir)) {
		ok(0, "create a temporary directory");
		return done_testing();
	}
	lockdir = vz_path_join(tmpdir, "lock");
	lockfile = vz_path_join(tmpdir, "lock/101.lck");
	vzconf = vz_path_join(tmpdir, "vz.conf");
	if (!lockdir || !lockfile || !vzconf || asprintf(&text, "LOCKDIR=\"%s\"\n", lockdir) < 0 ||
	    write_text(vzconf, text) < 0) {
		ok(0, "set up '%s'", tmpdir);
		goto out;
	}
	setenv("VZ_CONFDIR", tmpdir, 1);
	if (vz_env_open(&env, &err) < 0 || vz_ct_open(env, 101, &ct, &err) < 0) {
		ok(0, "open the environment: %s", err.msg);
		goto out;
	}
	test_basic(ct);
	test_live_holder(ct);
	test_stale(ct);
	test_set_owner(ct);
	test_lockdir(env);
out:
	ret = done_testing();
	vz_ct_free(ct);
	vz_env_free(env);
	free(text);
	free(vzconf);
	free(lockdir);
	free(lockfile);
	if (vz_rm_rf(tmpdir) < 0)
		diag("Cannot remove '%s'", tmpdir);
	return ret;
}
