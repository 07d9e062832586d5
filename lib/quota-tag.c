// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tagging a tree with a project id (vzquota init): every directory gets
 * the id and the inherit flag, every regular file the id, through
 * FS_IOC_FSGETXATTR/FS_IOC_FSSETXATTR on an open descriptor.
 *
 * The walk is by descriptors only (openat with O_NOFOLLOW relative to the
 * parent directory), so a tree whose owner swaps a directory for a symlink
 * while we walk cannot send us outside it.  getdents64's d_type says what
 * an entry is without a stat.  An inode that already carries the id (and,
 * for a directory, the inherit flag) is not written again, so a re-init of
 * a tagged tree only reads, and the second name of a hard link costs no
 * write.  Directories go to a queue shared by one worker
 * thread per online CPU (VZ_QUOTA_TAG_THREADS overrides the number): the
 * cost is an open, one or two ioctls and a close per inode, and the file
 * system serves them in parallel.
 *
 * Symlinks, device nodes, fifos and sockets are not tagged: a symlink
 * cannot be opened, opening a device node would open the device, and ext4
 * and xfs give the other special files no FS_IOC_FSSETXATTR.  Those that
 * exist when the tree is tagged stay in project 0, so the quota's usage
 * leaves them out (an inode each, and a block for a symlink longer than
 * 60 bytes); those made afterwards take the id from their directory's
 * inherit flag and are counted.  vzctl create tags the empty private area
 * before the template goes in, and a migration's destination before the
 * tree arrives (vz_ct_quota_prepare), so a CT's tree is born tagged,
 * special files included, and its first init only reads.  A directory
 * that is another file system's mount point is not entered.
 *
 * Once every inode of a tree is in the project, the file system keeps it
 * so: what is made in a directory with the inherit flag takes its id, and
 * ext4 and xfs refuse a rename or a hard link into such a directory from
 * another project (EXDEV; mv copies, and the copies inherit).  So a walk
 * that ends without an error leaves a mark on the root (VZ_QUOTA_TAG_MARK:
 * the id, the root's inode and its file system), and so does tagging an
 * empty directory.  A later walk that finds its own mark trusts every
 * directory already carrying the id and the inherit flag: it reads the
 * directories and leaves their files alone, which costs less than the stat
 * of every file du does.  A directory without the id is tagged file by
 * file as before.  The mark is removed while a walk runs (a walk tags a
 * directory before its files, so one cut short leaves none); it names the
 * root's inode, so a tree copied with its xattrs (rsync -X) onto another
 * inode, or the mark of another id, is not trusted.  The node's root can
 * still take a file out of the project by hand (chattr -p): a trusted walk
 * does not see that; removing the mark makes the next init check all.
 */
#define VZ_LOG_PREFIX "quota"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "log.h"
#include "quota.h"

#define TAG_MAX_WORKERS 64
#define DENTS_BUF	(64 * 1024)
#define OPEN_FLAGS	(O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
#define TAG_MARK_LEN	96

/* A directory being read, or whose subdirectories wait in the queue. */
struct tag_dir {
	int fd;
	unsigned refs; /* its reader + its queued subdirectories; under walk.lock */
	char path[];   /* for messages */
};

/* A subdirectory waiting for a worker to open it. */
struct tag_item {
	struct tag_item *next;
	struct tag_dir *parent;
	char name[];
};

struct tag_walk {
	pthread_mutex_t lock;
	pthread_cond_t more; /* an item was queued, or the walk is over */
	struct tag_item *head;
	unsigned busy; /* workers reading a directory */
	bool done;     /* nothing left, or an error */
	dev_t dev;
	unsigned id;
	bool trust; /* the root has our mark: see the top of the file */
	uint64_t nr_seen, nr_set;
	int ret;
	struct vz_error err; /* the first failure */
};

/* A worker's buffer for getdents64. */
struct tag_scratch {
	char dents[DENTS_BUF];
};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* 1: the id was set, 0: it was there already, or -errno. */
static int tag_fd(int fd, unsigned id, bool dir)
{
	struct fsxattr fa;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0)
		return -errno;
	if (fa.fsx_projid == id && (!dir || (fa.fsx_xflags & FS_XFLAG_PROJINHERIT)))
		return 0;
	fa.fsx_projid = id;
	if (dir)
		fa.fsx_xflags |= FS_XFLAG_PROJINHERIT;
	if (ioctl(fd, FS_IOC_FSSETXATTR, &fa) < 0)
		return -errno;
	return 1;
}

static void dir_put(struct tag_walk *w, struct tag_dir *d)
{
	bool last;

	pthread_mutex_lock(&w->lock);
	last = --d->refs == 0;
	pthread_mutex_unlock(&w->lock);
	if (last) {
		close(d->fd);
		free(d);
	}
}

/* Record the first failure and end the walk; later ones are dropped. */
static void walk_fail(struct tag_walk *w, const struct vz_error *e, int ret)
{
	pthread_mutex_lock(&w->lock);
	if (!w->ret) {
		w->ret = ret;
		w->err = *e;
	}
	w->done = true;
	pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->lock);
}

static bool walk_over(struct tag_walk *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_RELAXED);
}

/*
 * Tag directory fd (path) and the regular files in it; its subdirectories
 * go to the queue.  Takes over fd.
 */
static int tag_one_dir(struct tag_walk *w, int fd, const char *path, struct tag_scratch *s,
		       uint64_t *seen, uint64_t *set, struct vz_error *err)
{
	char *buf = s->dents;
	struct tag_item *items = NULL, **tail = &items;
	unsigned nr_items = 0;
	struct tag_dir *d;
	size_t plen = strlen(path);
	bool files;
	int ret;

	ret = tag_fd(fd, w->id, true);
	if (ret < 0) {
		close(fd);
		return vz_error_sys(err, VZ_E_QUOTA_INIT, -ret, "Cannot set the project id of '%s'",
				    path);
	}
	(*seen)++;
	*set += (uint64_t)ret;
	files = !w->trust || ret == 1;
	d = malloc(sizeof(*d) + plen + 1);
	if (!d) {
		close(fd);
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot walk '%s'", path);
	}
	d->fd = fd;
	d->refs = 1;
	memcpy(d->path, path, plen + 1);

	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, DENTS_BUF);

		if (n < 0) {
			ret = vz_error_sys(err, VZ_E_QUOTA_INIT, errno, "Cannot read '%s'", path);
			goto out;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);
			unsigned char type = de->d_type;
			const char *name = de->d_name;
			__vz_close int cfd = -1;

			off += de->d_reclen;
			if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
				continue;
			if (type == DT_UNKNOWN) {
				struct stat st;

				if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
					continue;
				type = S_ISDIR(st.st_mode)   ? DT_DIR
				       : S_ISREG(st.st_mode) ? DT_REG
							     : DT_LNK;
			}
			if (type == DT_DIR) {
				size_t len = strlen(name);
				struct tag_item *it = malloc(sizeof(*it) + len + 1);

				if (!it) {
					ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM,
							   "Cannot walk '%s'", path);
					goto out;
				}
				it->next = NULL;
				it->parent = d;
				memcpy(it->name, name, len + 1);
				*tail = it;
				tail = &it->next;
				nr_items++;
				continue;
			}
			if (type != DT_REG || !files)
				continue; /* see the top of the file */
			if (walk_over(w)) {
				ret = 0;
				goto out;
			}
			cfd = openat(fd, name, OPEN_FLAGS);
			if (cfd < 0) {
				if (errno == ENOENT || errno == ELOOP)
					continue; /* removed, or replaced by a symlink, meanwhile */
				ret = vz_error_sys(err, VZ_E_QUOTA_INIT, errno,
						   "Cannot open '%s/%s'", path, name);
				goto out;
			}
			ret = tag_fd(cfd, w->id, false);
			if (ret < 0) {
				ret = vz_error_sys(err, VZ_E_QUOTA_INIT, -ret,
						   "Cannot set the project id of '%s/%s'", path,
						   name);
				goto out;
			}
			(*seen)++;
			*set += (uint64_t)ret;
		}
		/* Hand the subdirectories found so far to the other workers early. */
		if (items) {
			pthread_mutex_lock(&w->lock);
			d->refs += nr_items;
			*tail = w->head;
			w->head = items;
			pthread_cond_broadcast(&w->more);
			pthread_mutex_unlock(&w->lock);
			items = NULL;
			tail = &items;
			nr_items = 0;
		}
	}
	ret = 0;
out:
	while (items) {
		struct tag_item *next = items->next;

		free(items);
		items = next;
	}
	dir_put(w, d);
	return ret;
}

/* Open a queued subdirectory and tag it: 0 also when it is skipped. */
static int tag_item(struct tag_walk *w, struct tag_item *it, struct tag_scratch *s, uint64_t *seen,
		    uint64_t *set, struct vz_error *err)
{
	struct tag_dir *parent = it->parent;
	__vz_free char *path = NULL;
	struct stat st;
	int fd, ret = 0;

	fd = openat(parent->fd, it->name, OPEN_FLAGS | O_DIRECTORY);
	if (fd < 0) {
		/* removed, or replaced by a symlink or a file, meanwhile */
		if (errno != ENOENT && errno != ELOOP && errno != ENOTDIR)
			ret = vz_error_sys(err, VZ_E_QUOTA_INIT, errno, "Cannot open '%s/%s'",
					   parent->path, it->name);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ret = vz_error_sys(err, VZ_E_QUOTA_INIT, errno, "Cannot stat '%s/%s'", parent->path,
				   it->name);
		close(fd);
		goto out;
	}
	if (st.st_dev != w->dev) {
		close(fd); /* another file system mounted here */
		goto out;
	}
	if (asprintf(&path, "%s/%s", parent->path, it->name) < 0) {
		path = NULL;
		close(fd);
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot walk '%s'", parent->path);
		goto out;
	}
	ret = tag_one_dir(w, fd, path, s, seen, set, err);
out:
	dir_put(w, parent);
	free(it);
	return ret;
}

static void *worker(void *arg)
{
	struct tag_walk *w = arg;
	uint64_t seen = 0, set = 0;
	struct vz_error err = {0};
	struct tag_scratch *s = calloc(1, sizeof(*s));

	if (!s) {
		vz_error_sys(&err, VZ_E_SYSTEM, ENOMEM, "Cannot walk the tree");
		walk_fail(w, &err, -ENOMEM);
		return NULL;
	}
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct tag_item *it;
		int ret;

		while (!w->head && !w->done && w->busy)
			pthread_cond_wait(&w->more, &w->lock);
		if (w->done || !w->head) {
			/* An error, or an empty queue with nobody left to fill it. */
			w->done = true;
			pthread_cond_broadcast(&w->more);
			break;
		}
		it = w->head;
		w->head = it->next;
		w->busy++;
		pthread_mutex_unlock(&w->lock);
		ret = tag_item(w, it, s, &seen, &set, &err);
		if (ret < 0)
			walk_fail(w, &err, ret);
		pthread_mutex_lock(&w->lock);
		w->busy--;
	}
	w->nr_seen += seen;
	w->nr_set += set;
	pthread_mutex_unlock(&w->lock);
	free(s);
	return NULL;
}

static unsigned nr_workers(void)
{
	const char *env = getenv("VZ_QUOTA_TAG_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > TAG_MAX_WORKERS ? TAG_MAX_WORKERS : (unsigned)n;
}

/* What the mark of a tree tagged with id says: the id, the root's inode and file system. */
static int tag_mark(int fd, unsigned id, char *buf, size_t size)
{
	struct statfs sfs;
	struct stat st;
	int len;

	if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0)
		return -errno;
	len = snprintf(buf, size, "id=%u ino=%llu fsid=%08x%08x", id,
		       (unsigned long long)st.st_ino, (unsigned)sfs.f_fsid.__val[0],
		       (unsigned)sfs.f_fsid.__val[1]);
	return len > 0 && (size_t)len < size ? len : -ENAMETOOLONG;
}

static bool tag_mark_found(int fd, unsigned id)
{
	char want[TAG_MARK_LEN], got[TAG_MARK_LEN];
	int len = tag_mark(fd, id, want, sizeof(want));
	ssize_t n;

	if (len < 0)
		return false;
	n = fgetxattr(fd, VZ_QUOTA_TAG_MARK, got, sizeof(got));
	return n == len && !memcmp(got, want, (size_t)len);
}

/* A file system without trusted xattrs only costs the next init a full walk. */
static void tag_mark_set(int fd, unsigned id, const char *path)
{
	char mark[TAG_MARK_LEN];
	int len = tag_mark(fd, id, mark, sizeof(mark));

	if (len < 0 || fsetxattr(fd, VZ_QUOTA_TAG_MARK, mark, (size_t)len, 0) < 0)
		vz_debug("Cannot mark '%s' as tagged: %s", path, strerror(len < 0 ? -len : errno));
}

static void tag_mark_clear(int fd, const char *path)
{
	if (fremovexattr(fd, VZ_QUOTA_TAG_MARK) < 0 && errno != ENODATA && errno != ENOTSUP)
		vz_debug("Cannot remove the quota mark of '%s': %s", path, strerror(errno));
}

int vz_quota_tag_dir(const char *path, unsigned id, struct vz_error *err)
{
	__vz_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return vz_error_sys(err, VZ_E_QUOTA_INIT, errno, "Cannot open '%s'", path);
	ret = tag_fd(fd, id, true);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_QUOTA_INIT, -ret, "Cannot set the project id of '%s'",
				    path);
	if (vz_dir_is_empty(path))
		tag_mark_set(fd, id, path);
	return 0;
}

int vz_quota_tag_tree(const char *path, unsigned id, uint64_t *nr_tagged, struct vz_error *err)
{
	struct tag_walk w = {.lock = PTHREAD_MUTEX_INITIALIZER,
			     .more = PTHREAD_COND_INITIALIZER,
			     .busy = 1, /* the root, tagged below */
			     .id = id};
	pthread_t threads[TAG_MAX_WORKERS];
	unsigned nr_threads = 0, want = nr_workers();
	uint64_t seen = 0, set = 0;
	struct tag_scratch *s = calloc(1, sizeof(*s));
	struct vz_error root_err = {0};
	__vz_close int mark_fd = -1;
	struct stat st;
	int fd, ret;

	*nr_tagged = 0;
	if (!s)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot walk '%s'", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		free(s);
		return vz_error_sys(err, VZ_E_NO_PRIVATE, errno, "Cannot open '%s'", path);
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		free(s);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot stat '%s'", path);
	}
	w.dev = st.st_dev;
	w.trust = tag_mark_found(fd, id);
	/* Until this walk ends: it may tag directories before their files. */
	tag_mark_clear(fd, path);
	/* Fewer workers than asked for (no threads left) only make it slower. */
	while (nr_threads + 1 < want && pthread_create(&threads[nr_threads], NULL, worker, &w) == 0)
		nr_threads++;
	mark_fd = dup(fd);
	if (mark_fd < 0) {
		ret = vz_error_sys(&root_err, VZ_E_SYSTEM, errno, "Cannot walk '%s'", path);
		close(fd);
	} else {
		ret = tag_one_dir(&w, fd, path, s, &seen, &set, &root_err);
	}
	free(s);
	if (ret < 0)
		walk_fail(&w, &root_err, ret);
	pthread_mutex_lock(&w.lock);
	w.busy--;
	w.nr_seen += seen;
	w.nr_set += set;
	pthread_cond_broadcast(&w.more);
	pthread_mutex_unlock(&w.lock);
	worker(&w);
	for (unsigned i = 0; i < nr_threads; i++)
		pthread_join(threads[i], NULL);
	/* After a failure the queue may still hold directories nobody opened. */
	while (w.head) {
		struct tag_item *it = w.head;

		w.head = it->next;
		dir_put(&w, it->parent);
		free(it);
	}
	if (w.ret < 0) {
		if (err)
			*err = w.err;
		return w.ret;
	}
	tag_mark_set(mark_fd, id, path);
	vz_debug("Tagged %" PRIu64 " of %" PRIu64 " files and directories under '%s' with project "
		 "%u (%u workers%s)",
		 w.nr_set, w.nr_seen, path, id, nr_threads + 1,
		 w.trust ? "; files in tagged directories trusted" : "");
	*nr_tagged = w.nr_set;
	return 0;
}
