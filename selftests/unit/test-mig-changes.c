// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/migrate-changes.c and the last pass of lib/migrate-files.c: the walk
 * names what changed since a time (a changed directory for its subtree, a
 * changed file of an unchanged directory alone, "." when the top changed,
 * nothing when nothing did), and a last pass given those names leaves the
 * receiver's tree equal to the source's: changed, new, deleted and renamed
 * files and directories, modes, symlinks and hard links.  Where the walk
 * gives up (a tree deeper than it goes, more names than tar's pipe takes)
 * tar walks everything itself, and the changes arrive all the same.
 */
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fileutil.h"
#include "migrate-changes.h"
#include "migrate-files.h"
#include "tap.h"
#include "tree-files.h"

static char tmpdir[128], src[128], dst[128], snap[128];

static void mkdirs(const char *dir, const char *const *names)
{
	for (; *names; names++)
		if (mkdir(path_of(dir, *names), 0755) < 0)
			abort();
}

/*
 * A time after everything made so far and before what comes next, whatever
 * the tick of the coarse clock that file times are taken from.
 */
static struct timespec a_moment(void)
{
	struct timespec t;

	usleep(30 * 1000);
	clock_gettime(CLOCK_REALTIME, &t);
	usleep(30 * 1000);
	return t;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names sorted (a walk goes in the directories' order) as one line, "" for none. */
static const char *joined(char *names, size_t len)
{
	static char line[1024];
	char *v[64];
	size_t n = 0, used = 0;

	for (size_t i = 0; i < len && n < 64; i += strlen(names + i) + 1)
		v[n++] = names + i;
	qsort(v, n, sizeof(v[0]), by_name);
	line[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += snprintf(line + used, sizeof(line) - used, "%s%s", i ? " " : "", v[i]);
	return line;
}

static const char *changed_since(const struct timespec *t, const char *exclude)
{
	struct vz_error err = {0};
	char *names = NULL;
	size_t len = 0;
	static char copy[1024];

	if (vz_mig_changed_names(src, t, exclude, &names, &len, &err) < 0) {
		snprintf(copy, sizeof(copy), "error: %s", err.msg);
		return copy;
	}
	snprintf(copy, sizeof(copy), "%s", joined(names, len));
	free(names);
	return copy;
}

static void test_names(void)
{
	static const char *const dirs[] = { "etc", "var", "var/log", "var/lib", "var/lib/deep",
					    "home", "opt", NULL };
	struct timespec t;

	mkdirs(src, dirs);
	put(src, "etc/passwd", "root");
	put(src, "var/log/syslog", "boot");
	put(src, "var/lib/deep/state", "1");
	put(src, "home/file", "f");
	put(src, "opt/conf", "a=1");
	put(src, "root.img", "image");
	t = a_moment();
	is_str(changed_since(&t, NULL), "", "nothing changed: no name");
	put(src, "etc/passwd", "root,user");
	is_str(changed_since(&t, NULL), "./etc/passwd",
	       "a file changed in a directory that did not: the file alone");
	put(src, "var/log/new.log", "x");
	is_str(changed_since(&t, NULL), "./etc/passwd ./var/log",
	       "a file made: its directory, for its whole subtree, not the file");
	if (chmod(path_of(src, "var/lib/deep"), 0700) < 0)
		abort();
	is_str(changed_since(&t, NULL), "./etc/passwd ./var/lib/deep ./var/log",
	       "a directory's mode changed: that directory");
	put(src, "root.img", "image, changed");
	is_str(changed_since(&t, "root.img"), "./etc/passwd ./var/lib/deep ./var/log",
	       "the excluded image is left out");
	t = a_moment();
	if (rename(path_of(src, "var/lib/deep"), path_of(src, "home/deep")) < 0)
		abort();
	is_str(changed_since(&t, "root.img"), "./home ./var/lib",
	       "a directory renamed: both parents (the renamed one within the new)");
	if (unlink(path_of(src, "root.img")) < 0)
		abort();
	is_str(changed_since(&t, "root.img"), ".", "the top changed: \".\", everything");
}

/* A file system mounted in the tree: neither named nor walked (as tar --one-file-system). */
static void test_mount_point(void)
{
	struct timespec t;

	if (geteuid() != 0) {
		ok(1, "# SKIP mounting needs root");
		return;
	}
	if (mkdir(path_of(src, "mnt"), 0755) < 0)
		abort();
	t = a_moment();
	if (mount("vzt", path_of(src, "mnt"), "tmpfs", 0, "size=1m") < 0) {
		ok(1, "# SKIP cannot mount a tmpfs here (%s)", strerror(errno));
		return;
	}
	put(src, "mnt/inside", "x");
	put(src, "opt/conf", "a=3");
	is_str(changed_since(&t, NULL), "./opt/conf",
	       "a file system mounted in the tree is left out, not named");
	umount(path_of(src, "mnt"));
	rmdir(path_of(src, "mnt"));
}

/* The last pass in a child: a tar started ahead, given what changed since *t. */
static void __attribute__((noreturn)) send_last(int fd, const struct timespec *t)
{
	struct vz_mig_conn c = {.in = fd, .out = fd};
	struct vz_error err = {0};
	struct vz_mig_tar *tar = NULL;

	if (vz_mig_tar_sender(src, snap, NULL, &tar, &err) < 0)
		_exit(2);
	_exit(vz_mig_send_tree_with(&c, tar, 2, t, NULL, NULL, &err) < 0 ? 5 : 0);
}

/* The running pass (full, with the snapshot), changes, the last pass. */
static int last_pass(void (*change)(void), const char *what)
{
	struct vz_error err = {0};
	struct vz_mig_conn c;
	struct timespec t;
	int sk[2], status, ret;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk) < 0)
		abort();
	/* This process keeps the senders' end open too: a sender that dies must not hang it. */
	if (setsockopt(sk[0], SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){.tv_sec = 60},
		       sizeof(struct timeval)) < 0)
		abort();
	t = a_moment();
	pid = fork();
	if (pid == 0) {
		struct vz_mig_conn out = {.in = sk[1], .out = sk[1]};

		if (vz_mig_send_tree(&out, src, 1, snap, NULL, NULL, NULL, &err) < 0)
			_exit(1);
		_exit(0);
	}
	c = (struct vz_mig_conn){.in = sk[0], .out = sk[0]};
	ret = vz_mig_recv_tree(&c, dst, 1, true, &err);
	waitpid(pid, &status, 0);
	if (ret < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		diag("%s: the running pass failed: %s", what, err.msg);
		return -1;
	}
	a_moment();
	change();
	pid = fork();
	if (pid == 0)
		send_last(sk[1], &t);
	ret = vz_mig_recv_tree(&c, dst, 2, true, &err);
	waitpid(pid, &status, 0);
	close(sk[0]);
	close(sk[1]);
	if (ret < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		diag("%s: the last pass failed (%d): %s", what, status, err.msg);
		return -1;
	}
	return 0;
}

static bool trees_equal(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "diff -r --no-dereference %s %s >/dev/null 2>&1", src, dst);
	return system(cmd) == 0;
}

static mode_t mode_of(const char *dir, const char *name)
{
	struct stat st;

	return lstat(path_of(dir, name), &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void no_change(void)
{
}

static void many_changes(void)
{
	static const char *const dirs[] = { "var/cache", "var/cache/apt", NULL };

	put(src, "etc/passwd", "root,user,other");
	put(src, "opt/conf", "a=2");
	put(src, "var/log/new2.log", "y");
	if (unlink(path_of(src, "var/log/syslog")) < 0 ||
	    rename(path_of(src, "home/deep"), path_of(src, "etc/moved")) < 0 ||
	    chmod(path_of(src, "var/log"), 0750) < 0 ||
	    symlink("../etc/passwd", path_of(src, "var/passwd-link")) < 0 ||
	    link(path_of(src, "home/file"), path_of(src, "etc/file-link")) < 0)
		abort();
	mkdirs(src, dirs);
	put(src, "var/cache/apt/pkg", "deb");
}

static void test_last_pass(void)
{
	struct stat a, b;

	is_int(last_pass(no_change, "nothing changed"), 0, "a last pass with nothing changed");
	ok(trees_equal(), "... leaves the receiver's tree as the source's");
	is_int(last_pass(many_changes, "changes"), 0, "a last pass after changes of every kind");
	ok(trees_equal(), "... leaves the receiver's tree as the source's");
	ok(access(path_of(dst, "var/log/syslog"), F_OK) < 0 && errno == ENOENT,
	   "... a deleted file is gone");
	ok(access(path_of(dst, "etc/moved/state"), F_OK) == 0 &&
		   access(path_of(dst, "home/deep"), F_OK) < 0,
	   "... a renamed directory moved with its content");
	is_str(text_of(dst, "opt/conf"), "a=2", "... a file changed in a directory that did not");
	is_int(mode_of(dst, "var/log"), 0750, "... a directory's new mode");
	is_int(mode_of(dst, "etc/moved"), 0700, "... the moved directory's mode");
	ok(lstat(path_of(dst, "home/file"), &a) == 0 && lstat(path_of(dst, "etc/file-link"), &b) == 0 &&
		   a.st_ino == b.st_ino,
	   "... a new hard link is a hard link");
}

#define DEEP 300	/* levels: deeper than the walk goes */
#define BULK 7000	/* files of 180-character names: over 1 MiB of names */

/* src/deep/d/d/.../d, DEEP levels of d below deep; made first if make. */
static const char *deep_dir(bool make)
{
	static char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/deep", src);

	for (int i = 0; i <= DEEP; i++) {
		if (make && mkdir(path, 0755) < 0)
			abort();
		if (i < DEEP)
			n += snprintf(path + n, sizeof(path) - n, "/d");
	}
	return path;
}

static const char *bulk_name(int i)
{
	static char name[200];

	snprintf(name, sizeof(name), "bulk/%05d-%0174d", i, 0);
	return name;
}

static void change_deep(void)
{
	put(deep_dir(false), "bottom", "after");
}

static void change_bulk(void)
{
	for (int i = 0; i < BULK; i++)
		put(src, bulk_name(i), "v2");
}

static void test_fallbacks(void)
{
	put(deep_dir(true), "bottom", "before");
	is_int(last_pass(change_deep, "a deep change"), 0,
	       "a last pass after a change %d directories down", DEEP);
	ok(trees_equal(), "... deeper than the walk goes: tar walks, the change arrives");
	/* The walk of the next test would fail on it first. */
	if (vz_rm_rf(path_of(src, "deep")) < 0)
		abort();

	if (mkdir(path_of(src, "bulk"), 0755) < 0)
		abort();
	for (int i = 0; i < BULK; i++)
		put(src, bulk_name(i), "v1");
	is_int(last_pass(change_bulk, "many names"), 0,
	       "a last pass after changes to %d files of an unchanged directory", BULK);
	ok(trees_equal(), "... more names than tar's pipe takes: tar walks, all of them arrive");
	is_str(text_of(dst, bulk_name(BULK - 1)), "v2", "... the last of them too");
}

int main(void)
{
	if (tree_dirs("mig-changes", tmpdir, src, dst, snap, sizeof(src)) < 0) {
		ok(0, "create a temporary directory");
		return done_testing();
	}
	test_names();
	test_mount_point();
	test_last_pass();
	test_fallbacks();
	vz_rm_rf(tmpdir);
	return done_testing();
}
