// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/quota-file.c and lib/quota-ct.c without a kernel that has project
 * quotas: the quota file, argument checks before anything changes, and a
 * CT's limits from its config.  lib/quota-tag.c on an xfs image (as root),
 * which keeps project ids also where the kernel has no quota support:
 * every regular file and directory tagged, directories with the inherit
 * flag, a hard link once, symlinks and special files skipped, another file
 * system mounted inside not entered, a re-run changes nothing, with one
 * worker and with several.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quota.h"
#include "tap.h"

static char dir[] = "/tmp/vz-test-quota.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* What the walk over a tagged tree found. */
static struct {
	unsigned id;
	dev_t dev;
	int files, dirs, wrong, inherit_missing;
} seen;

static int check_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct fsxattr fa;
	int fd;

	if (st->st_dev != seen.dev || !(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0) {
		seen.wrong++;
	} else {
		if (fa.fsx_projid != seen.id)
			seen.wrong++;
		if (S_ISDIR(st->st_mode) && !(fa.fsx_xflags & FS_XFLAG_PROJINHERIT))
			seen.inherit_missing++;
	}
	if (fd >= 0)
		close(fd);
	if (S_ISDIR(st->st_mode))
		seen.dirs++;
	else
		seen.files++;
	return 0;
}

static void check_tree(const char *tree, unsigned id, const char *what)
{
	struct stat st;

	memset(&seen, 0, sizeof(seen));
	seen.id = id;
	stat(tree, &st);
	seen.dev = st.st_dev;
	nftw(tree, check_entry, 32, FTW_PHYS | FTW_MOUNT);
	ok(seen.wrong == 0 && seen.inherit_missing == 0,
	   "%s: every file and directory has project %u (%d wrong, %d without inherit)", what, id,
	   seen.wrong, seen.inherit_missing);
}

/* 200 directories of 20 files, a 40-deep chain, a hard link, a symlink, a fifo, a device node. */
static void make_tree(const char *tree)
{
	sh("set -e; cd '%s'; for d in $(seq 200); do mkdir d$d; (cd d$d; touch $(seq 20)); done; "
	   "p=deep; for i in $(seq 40); do p=$p/$i; done; mkdir -p $p; echo x >$p/leaf; "
	   "echo data >d1/a; ln d1/a d1/b; ln -s a d1/sym; mkfifo d1/fifo; mknod d1/null c 1 3; "
	   "mkdir mnt",
	   tree);
}

/*
 * 200 * 21 directories and files, the chain's 41 and its leaf, the hard
 * link (one inode) and the top; mnt is covered by the tmpfs mounted on it.
 */
#define TREE_INODES (200 * 21 + 41 + 1 + 1 + 1)

static void test_tag_tree(void)
{
	char img[600], mnt[600], tree[700], sub[800];
	struct vz_error err = {0};
	uint64_t nr = 0;
	int ret;

	if (geteuid() != 0 || sh("command -v mkfs.xfs >/dev/null") != 0) {
		skip(9, "tagging: needs root and mkfs.xfs (package xfsprogs)");
		return;
	}
	snprintf(img, sizeof(img), "%s/xfs.img", dir);
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	snprintf(tree, sizeof(tree), "%s/tree", mnt);
	if (sh("truncate -s 300M '%s' && mkfs.xfs -q -f '%s' >/dev/null 2>&1 && mkdir -p '%s' && "
	       "mount -o loop '%s' '%s' 2>/dev/null",
	       img, img, mnt, img, mnt) != 0) {
		skip(9, "tagging: cannot mount an xfs image here");
		return;
	}
	mkdir(tree, 0755);
	make_tree(tree);
	/* another file system inside the tree: not entered (tmpfs has no project ids) */
	snprintf(sub, sizeof(sub), "%s/mnt", tree);
	mount("tmpfs", sub, "tmpfs", 0, "size=1m");
	sh("touch '%s/inside'", sub);

	setenv("VZ_QUOTA_TAG_THREADS", "4", 1);
	ret = vz_quota_tag_tree(tree, 4242, &nr, &err);
	is_int(ret, 0, "tagging a tree with 4 workers");
	if (ret < 0)
		diag("%s", err.msg);
	is_int((long long)nr, TREE_INODES, "tags each inode once (a hard link once)");
	check_tree(tree, 4242, "4 workers");
	nr = 1;
	ret = vz_quota_tag_tree(tree, 4242, &nr, &err);
	ok(ret == 0 && nr == 0, "tagging it again changes nothing (%llu changed)",
	   (unsigned long long)nr);

	setenv("VZ_QUOTA_TAG_THREADS", "1", 1);
	ret = vz_quota_tag_tree(tree, 4343, &nr, &err);
	ok(ret == 0 && nr == TREE_INODES, "another id with one worker: %llu changed",
	   (unsigned long long)nr);
	check_tree(tree, 4343, "1 worker");
	unsetenv("VZ_QUOTA_TAG_THREADS");

	snprintf(sub, sizeof(sub), "%s/d1/a", tree);
	ret = vz_quota_tag_tree(sub, 1, &nr, &err);
	ok(ret < 0 && err.kind == VZ_E_NO_PRIVATE, "a file instead of a directory: NO_PRIVATE");
	snprintf(sub, sizeof(sub), "%s/mnt", tree);
	ret = vz_quota_tag_tree(sub, 1, &nr, &err);
	ok(ret < 0 && err.kind == VZ_E_QUOTA_INIT, "a file system without project ids: QUOTA_INIT");
	like(err.msg, "Cannot set the project id", "the message says what failed");

	umount2(sub, MNT_DETACH);
	umount2(mnt, MNT_DETACH);
}

int main(void)
{
	struct vz_quota_limits l = {.bsoft = 10, .bhard = 5, .isoft = 1, .ihard = 2};
	struct vz_error err = {0};
	struct vz_quota q;
	int ret;

	if (!mkdtemp(dir))
		return 1;
	setenv("VZ_QUOTA_DIR", dir, 1);
	is_str(vz_quota_dir(), dir, "VZ_QUOTA_DIR names the quota directory");

	ret = vz_quota_load(301, &q, &err);
	is_int(ret, -ENOENT, "no quota file: -ENOENT");
	is_int(err.kind, VZ_E_QUOTA_NO_FILE, "kind QUOTA_NO_FILE (vzquota exit 11)");
	like(err.msg, "not initialized", "the message says so");

	ret = vz_quota_init(301, "/", &l, &err);
	is_int(err.kind, VZ_E_BAD_VALUE, "init with block soft above hard: BAD_VALUE");
	ok(ret < 0, "and fails");
	l.bsoft = 1;
	l.isoft = 3;
	vz_quota_init(301, "/", &l, &err);
	is_int(err.kind, VZ_E_BAD_VALUE, "init with inode soft above hard: BAD_VALUE");
	l.isoft = 1;
	l.ugidlimit = 10;
	vz_quota_init(301, "/", &l, &err);
	is_int(err.kind, VZ_E_QUOTA_UGID, "second-level quota on a project quota: QUOTA_UGID");
	like(err.msg, "per file system", "the message says why");
	l.ugidlimit = 0;
	vz_quota_init(301, "relative/path", &l, &err);
	is_int(err.kind, VZ_E_BAD_VALUE, "a relative path: BAD_VALUE");
	vz_quota_init(301, "/nonexistent-vz-quota-path", &l, &err);
	is_int(err.kind, VZ_E_NO_PRIVATE, "a path that does not exist: NO_PRIVATE (exit 13)");
	ok(access("/tmp", F_OK) == 0 && vz_quota_load(301, &q, NULL) == -ENOENT,
	   "failed inits leave no quota file");

	write_file("quota.302", "PATH=\"/srv/ct\"\nSTATUS=\"on\"\nBSOFT=\"100\"\nBHARD=\"200\"\n"
				"ISOFT=\"10\"\nIHARD=\"20\"\nBGRACE=\"60\"\nIGRACE=\"70\"\n"
				"BCUR=\"150\"\nICUR=\"5\"\nBTIME=\"1234\"\n");
	ret = vz_quota_show(302, &q, &err);
	is_int(ret, 0, "show reads a quota file");
	is_str(q.path, "/srv/ct", "its path");
	ok(q.on, "its status");
	ok(q.lim.bsoft == 100 && q.lim.bhard == 200 && q.lim.isoft == 10 && q.lim.ihard == 20,
	   "its limits");
	ok(q.lim.bgrace == 60 && q.lim.igrace == 70, "its grace times");
	ok(q.usage.bcur == 150 && q.usage.icur == 5 && q.usage.btime == 1234,
	   "the usage it last saw");

	write_file("quota.303", "STATUS=\"off\"\n");
	ret = vz_quota_show(303, &q, &err);
	is_int(err.kind, VZ_E_QUOTA_FILE, "a quota file without PATH: QUOTA_FILE (exit 4)");

	write_file("quota.304", "PATH=\"/srv/ct\"\nSTATUS=\"off\"\n");
	ret = vz_quota_stat(304, &q, &err);
	is_int(err.kind, VZ_E_QUOTA_NOT_RUNNING,
	       "stat of a quota that is off: NOT_RUNNING (exit 6)");
	ret = vz_quota_off(304, &err);
	is_int(err.kind, VZ_E_QUOTA_NOT_RUNNING, "off of a quota that is off: NOT_RUNNING");
	ret = vz_quota_drop(302, false, &err);
	is_int(err.kind, VZ_E_QUOTA_RUNNING, "drop of a quota that is on: RUNNING (exit 5)");
	ret = vz_quota_drop(304, false, &err);
	is_int(ret, 0, "drop of a quota that is off");
	ok(vz_quota_load(304, &q, NULL) == -ENOENT, "removes its file");

	test_tag_tree();

	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("cannot remove %s", dir);
	}
	return done_testing();
}
