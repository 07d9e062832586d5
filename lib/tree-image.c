// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vz's tree image (see tree-image.h): a stream of CptTmpfsEntry messages
 * (cpt-tmpfs.proto) after a magic word, ended by an end marker.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-tmpfs.pb-c.h"
#include "fileutil.h"
#include "tree-image.h"
#include "userns.h"

#define TREE_IMG_MAGIC 0x565a5431u /* "VZT1" */
#define ENTRY_MAX (1u << 20)
#define COPY_CHUNK (1u << 16)

/* ---- ids: relative to the CT in the image ---- */

static int ct_id(const struct vz_tree_opts *opts, bool gid, unsigned long host, uint32_t *out)
{
	unsigned long base = !opts->userns ? 0 : gid ? opts->gid_base : opts->uid_base;

	if (host < base || (opts->userns && host - base >= VZ_ID_RANGE))
		return -ERANGE;
	*out = (uint32_t)(host - base);
	return 0;
}

static int host_id(const struct vz_tree_opts *opts, bool gid, uint32_t ct, unsigned long *out)
{
	if (!opts->userns) {
		*out = ct;
		return 0;
	}
	if (ct >= VZ_ID_RANGE)
		return -ERANGE;
	*out = ct + (gid ? opts->gid_base : opts->uid_base);
	return 0;
}

/* The extended attributes that travel: ACLs (tmpfs of this age keeps no user.* ones). */
static bool xattr_kept(const char *name)
{
	return !strcmp(name, "system.posix_acl_access") || !strcmp(name, "system.posix_acl_default");
}

/* ---- writing ---- */

struct inode_path {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct writer {
	int out;
	const struct vz_tree_opts *opts;
	struct inode_path *links;
	size_t nr_links, cap_links;
	struct vz_error *err;
};

struct entry_mem {
	CptTmpfsEntry e;
	CptTmpfsExtent *extents, **extent_ptrs;
	CptTmpfsXattr *xattrs, **xattr_ptrs;
	char *target, *names;
};

static void entry_mem_free(struct entry_mem *m)
{
	for (size_t i = 0; i < m->e.n_xattrs; i++)
		free(m->xattrs[i].value.data);
	free(m->extents);
	free(m->extent_ptrs);
	free(m->xattrs);
	free(m->xattr_ptrs);
	free(m->target);
	free(m->names);
}

static int emit(struct writer *w, const CptTmpfsEntry *e)
{
	size_t len = cpt_tmpfs_entry__get_packed_size(e);
	__vz_free uint8_t *buf = NULL;
	uint32_t hdr = htole32((uint32_t)len);

	if (len > ENTRY_MAX)
		return vz_error_set(w->err, VZ_E_CHKPNT, E2BIG, "'%s' has too much metadata", e->path);
	buf = malloc(len + 4);
	if (!buf)
		return vz_error_sys(w->err, VZ_E_SYSTEM, ENOMEM, "Cannot save the CT's tmpfs");
	memcpy(buf, &hdr, 4);
	cpt_tmpfs_entry__pack(e, buf + 4);
	return vz_write_full(w->out, buf, len + 4) < 0
		       ? vz_error_sys(w->err, VZ_E_CHKPNT, errno ?: EIO, "Cannot write the CT's tmpfs image")
		       : 0;
}

static int get_xattrs(int fd, struct entry_mem *m)
{
	ssize_t len = flistxattr(fd, NULL, 0);
	size_t n = 0, nr = 0;

	if (len < 0)
		return errno == ENOTSUP ? 0 : -errno;
	if (len == 0)
		return 0;
	m->names = malloc((size_t)len);
	if (!m->names)
		return -ENOMEM;
	len = flistxattr(fd, m->names, (size_t)len);
	if (len < 0)
		return -errno;
	for (ssize_t off = 0; off < len; off += (ssize_t)strlen(m->names + off) + 1)
		nr += xattr_kept(m->names + off);
	if (!nr)
		return 0;
	m->xattrs = calloc(nr, sizeof(*m->xattrs));
	m->xattr_ptrs = calloc(nr, sizeof(*m->xattr_ptrs));
	if (!m->xattrs || !m->xattr_ptrs)
		return -ENOMEM;
	m->e.xattrs = m->xattr_ptrs;
	for (ssize_t off = 0; off < len && n < nr; off += (ssize_t)strlen(m->names + off) + 1) {
		const char *name = m->names + off;
		CptTmpfsXattr *x = &m->xattrs[n];
		ssize_t vlen;

		if (!xattr_kept(name))
			continue;
		cpt_tmpfs_xattr__init(x);
		x->name = (char *)name;
		vlen = fgetxattr(fd, name, NULL, 0);
		if (vlen < 0 && errno == ENODATA)
			continue;
		if (vlen < 0)
			return -errno;
		x->value.data = malloc((size_t)vlen + 1);
		if (!x->value.data)
			return -ENOMEM;
		m->e.n_xattrs = ++n;
		m->xattr_ptrs[n - 1] = x;
		vlen = fgetxattr(fd, name, x->value.data, (size_t)vlen);
		if (vlen < 0)
			return errno == ERANGE ? -EAGAIN : -errno;
		x->value.len = (size_t)vlen;
	}
	return 0;
}

static int get_extents(int fd, off_t size, struct entry_mem *m)
{
	size_t cap = 0;

	for (off_t pos = 0; pos < size;) {
		off_t data = lseek(fd, pos, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0)
			return -errno;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		if (hole > size)
			hole = size;
		if (data >= hole)
			break;
		if (m->e.n_extents == cap) {
			CptTmpfsExtent *v = realloc(m->extents, (cap = cap ? cap * 2 : 4) * sizeof(*v));

			if (!v)
				return -ENOMEM;
			m->extents = v;
		}
		cpt_tmpfs_extent__init(&m->extents[m->e.n_extents]);
		m->extents[m->e.n_extents].offset = (uint64_t)data;
		m->extents[m->e.n_extents].length = (uint64_t)(hole - data);
		m->e.n_extents++;
		pos = hole;
	}
	if (!m->e.n_extents)
		return 0;
	m->extent_ptrs = calloc(m->e.n_extents, sizeof(*m->extent_ptrs));
	if (!m->extent_ptrs)
		return -ENOMEM;
	for (size_t i = 0; i < m->e.n_extents; i++)
		m->extent_ptrs[i] = &m->extents[i];
	m->e.extents = m->extent_ptrs;
	return 0;
}

static int copy_extents(struct writer *w, int fd, const CptTmpfsEntry *e)
{
	__vz_free char *buf = malloc(COPY_CHUNK);

	if (!buf)
		return vz_error_sys(w->err, VZ_E_SYSTEM, ENOMEM, "Cannot save the CT's tmpfs");
	for (size_t i = 0; i < e->n_extents; i++) {
		uint64_t off = e->extents[i]->offset, left = e->extents[i]->length;

		while (left) {
			size_t want = left < COPY_CHUNK ? (size_t)left : COPY_CHUNK;
			ssize_t n = pread(fd, buf, want, (off_t)off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return vz_error_sys(w->err, VZ_E_CHKPNT, n < 0 ? errno : ESTALE,
						    "Cannot read '%s' of the CT's tmpfs", e->path);
			if (vz_write_full(w->out, buf, (size_t)n) < 0)
				return vz_error_sys(w->err, VZ_E_CHKPNT, errno ?: EIO,
						    "Cannot write the CT's tmpfs image");
			off += (uint64_t)n;
			left -= (uint64_t)n;
		}
	}
	return 0;
}

/* An earlier path of the same inode, or NULL after remembering this one. */
static const char *seen_link(struct writer *w, const struct stat *st, const char *path)
{
	for (size_t i = 0; i < w->nr_links; i++)
		if (w->links[i].dev == st->st_dev && w->links[i].ino == st->st_ino)
			return w->links[i].path;
	if (w->nr_links == w->cap_links) {
		size_t cap = w->cap_links ? w->cap_links * 2 : 8;
		struct inode_path *v = realloc(w->links, cap * sizeof(*v));

		if (!v)
			return NULL;
		w->links = v;
		w->cap_links = cap;
	}
	w->links[w->nr_links].path = strdup(path);
	if (w->links[w->nr_links].path) {
		w->links[w->nr_links].dev = st->st_dev;
		w->links[w->nr_links].ino = st->st_ino;
		w->nr_links++;
	}
	return NULL;
}

static int save_entry(struct writer *w, int parent, const char *name, const char *path,
		      const struct stat *st);

static int save_dir(struct writer *w, int fd, const char *path)
{
	__vz_closedir DIR *d = NULL;
	struct dirent *de;
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3), ret = 0;

	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return vz_error_sys(w->err, VZ_E_CHKPNT, errno, "Cannot list '/%s' of the CT's tmpfs",
				    path);
	}
	while (ret == 0 && (errno = 0, de = readdir(d))) {
		__vz_free char *child = NULL;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&child, "%s%s%s", path, *path ? "/" : "", de->d_name) < 0) {
			child = NULL;
			return vz_error_sys(w->err, VZ_E_SYSTEM, ENOMEM, "Cannot save the CT's tmpfs");
		}
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return vz_error_sys(w->err, VZ_E_CHKPNT, errno,
					    "Cannot read '/%s' of the CT's tmpfs", child);
		ret = save_entry(w, fd, de->d_name, child, &st);
	}
	if (ret == 0 && errno)
		ret = vz_error_sys(w->err, VZ_E_CHKPNT, errno, "Cannot list '/%s' of the CT's tmpfs",
				   path);
	return ret;
}

static int save_entry(struct writer *w, int parent, const char *name, const char *path,
		      const struct stat *st)
{
	struct entry_mem m = { .e = CPT_TMPFS_ENTRY__INIT };
	__vz_close int fd = -1;
	int ret = 0;

	if (S_ISSOCK(st->st_mode))
		return 0;
	m.e.path = (char *)path;
	m.e.mode = st->st_mode;
	m.e.has_mtime_sec = m.e.has_mtime_nsec = true;
	m.e.mtime_sec = st->st_mtim.tv_sec;
	m.e.mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	if (ct_id(w->opts, false, st->st_uid, &m.e.uid) < 0 ||
	    ct_id(w->opts, true, st->st_gid, &m.e.gid) < 0)
		return vz_error_set(w->err, VZ_E_CHKPNT, ERANGE,
				    "'/%s' of the CT's tmpfs is owned by %lu:%lu, outside the CT's ids",
				    path, (unsigned long)st->st_uid, (unsigned long)st->st_gid);
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		const char *first = seen_link(w, st, path);

		if (first) {
			m.e.link = (char *)first;
			return emit(w, &m.e);
		}
	}
	switch (st->st_mode & S_IFMT) {
	case S_IFLNK:
		m.target = calloc(1, (size_t)st->st_size + 2);
		if (!m.target)
			ret = -ENOMEM;
		else if (readlinkat(parent, name, m.target, (size_t)st->st_size + 1) !=
			 (ssize_t)st->st_size)
			ret = -ESTALE;
		m.e.target = m.target;
		break;
	case S_IFCHR:
	case S_IFBLK:
		m.e.has_rdev = true;
		m.e.rdev = st->st_rdev;
		break;
	case S_IFDIR:
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		ret = fd < 0 ? -errno : get_xattrs(fd, &m);
		break;
	case S_IFREG:
		fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		m.e.has_size = true;
		m.e.size = (uint64_t)st->st_size;
		ret = fd < 0 ? -errno : get_xattrs(fd, &m);
		if (ret == 0)
			ret = get_extents(fd, st->st_size, &m);
		break;
	}
	if (ret < 0) {
		vz_error_sys(w->err, VZ_E_CHKPNT, -ret, "Cannot read '/%s' of the CT's tmpfs", path);
		goto out;
	}
	ret = emit(w, &m.e);
	if (ret == 0 && S_ISREG(st->st_mode))
		ret = copy_extents(w, fd, &m.e);
	if (ret == 0 && S_ISDIR(st->st_mode))
		ret = save_dir(w, fd, path);
out:
	entry_mem_free(&m);
	return ret;
}

int vz_tree_write(int rootfd, int outfd, const struct vz_tree_opts *opts, struct vz_error *err)
{
	struct writer w = { .out = outfd, .opts = opts, .err = err };
	uint32_t magic = htole32(TREE_IMG_MAGIC);
	struct stat st;
	int ret;

	if (fstat(rootfd, &st) < 0 || !S_ISDIR(st.st_mode))
		return vz_error_sys(err, VZ_E_CHKPNT, errno ?: ENOTDIR, "Cannot read the CT's tmpfs");
	if (vz_write_full(outfd, &magic, sizeof(magic)) < 0)
		return vz_error_sys(err, VZ_E_CHKPNT, errno ?: EIO, "Cannot write the CT's tmpfs image");
	ret = save_entry(&w, rootfd, ".", "", &st);
	/* The end: a cut at an entry boundary must not pass for a whole image. */
	if (ret == 0 && vz_write_full(outfd, &(uint32_t){ 0 }, sizeof(uint32_t)) < 0)
		ret = vz_error_sys(err, VZ_E_CHKPNT, errno ?: EIO, "Cannot write the CT's tmpfs image");
	for (size_t i = 0; i < w.nr_links; i++)
		free(w.links[i].path);
	free(w.links);
	return ret;
}

/* ---- reading ---- */

struct dir_time {
	char *path;
	struct timespec t[2];
};

struct reader {
	int in;
	const struct vz_tree_opts *opts;
	struct dir_time *dirs;
	size_t nr_dirs, cap_dirs;
	struct vz_error *err;
};

static bool path_ok(const char *p)
{
	if (!*p || *p == '/' || strlen(p) >= PATH_MAX)
		return false;
	for (const char *c = p; *c;) {
		size_t len = strcspn(c, "/");

		if (!len || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += len;
		if (*c == '/' && !*++c)
			return false;
	}
	return true;
}

/* The directory holding path, reached without following a symlink; *base: the last name. */
static int open_parent(int rootfd, const char *path, const char **base)
{
	char buf[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);

	*base = slash ? slash + 1 : path;
	if (fd < 0 || !slash)
		return fd < 0 ? -errno : fd;
	memcpy(buf, path, (size_t)(slash - path));
	buf[slash - path] = '\0';
	for (char *c = buf, *next; c && fd >= 0; c = next) {
		int nfd;

		next = strchr(c, '/');
		if (next)
			*next++ = '\0';
		nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd < 0 ? -errno : nfd;
	}
	return fd;
}

static int put_extents(struct reader *r, int fd, const CptTmpfsEntry *e)
{
	__vz_free char *buf = malloc(COPY_CHUNK);
	uint64_t end = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < e->n_extents; i++) {
		uint64_t off = e->extents[i]->offset, left = e->extents[i]->length;

		if (off < end || left == 0 || left > e->size || off > e->size - left)
			return -EBADMSG;
		end = off + left;
		while (left) {
			size_t want = left < COPY_CHUNK ? (size_t)left : COPY_CHUNK;
			int ret = vz_read_full(r->in, buf, want);

			if (ret != 1)
				return ret < 0 && ret != -EPIPE ? ret : -EBADMSG;
			if (pwrite(fd, buf, want, (off_t)off) != (ssize_t)want)
				return errno ? -errno : -EIO;
			off += want;
			left -= want;
		}
	}
	return ftruncate(fd, (off_t)e->size) < 0 ? -errno : 0;
}

static int set_xattrs(int fd, const CptTmpfsEntry *e)
{
	for (size_t i = 0; i < e->n_xattrs; i++) {
		if (!xattr_kept(e->xattrs[i]->name))
			return -EBADMSG;
		if (fsetxattr(fd, e->xattrs[i]->name, e->xattrs[i]->value.data,
			      e->xattrs[i]->value.len, 0) < 0)
			return -errno;
	}
	return 0;
}

static int remember_dir(struct reader *r, const CptTmpfsEntry *e)
{
	struct dir_time *d;

	if (r->nr_dirs == r->cap_dirs) {
		size_t cap = r->cap_dirs ? r->cap_dirs * 2 : 16;

		d = realloc(r->dirs, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		r->dirs = d;
		r->cap_dirs = cap;
	}
	d = &r->dirs[r->nr_dirs];
	d->path = strdup(e->path);
	if (!d->path)
		return -ENOMEM;
	d->t[0].tv_nsec = UTIME_OMIT;
	d->t[1].tv_sec = e->mtime_sec;
	d->t[1].tv_nsec = e->mtime_nsec < 1000000000u ? e->mtime_nsec : 0;
	r->nr_dirs++;
	return 0;
}

/* Owner, mode, attributes and time of what e made (fd open on it, or parent/base). */
static int finish_entry(int fd, int parent, const char *base, const CptTmpfsEntry *e, uid_t uid,
			gid_t gid)
{
	struct timespec t[2] = { { .tv_nsec = UTIME_OMIT },
				 { .tv_sec = e->mtime_sec,
				   .tv_nsec = e->mtime_nsec < 1000000000u ? e->mtime_nsec : 0 } };

	if (fd >= 0) {
		/* chown first: it clears set-id bits. */
		if (fchown(fd, uid, gid) < 0 || fchmod(fd, e->mode & 07777) < 0)
			return -errno;
		if (set_xattrs(fd, e) < 0)
			return errno ? -errno : -EBADMSG;
		return S_ISDIR(e->mode) || futimens(fd, t) == 0 ? 0 : -errno;
	}
	if (e->n_xattrs)
		return -EBADMSG;
	if (fchownat(parent, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(e->mode) && fchmodat(parent, base, e->mode & 07777, 0) < 0) ||
	    utimensat(parent, base, t, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int make_entry(struct reader *r, int rootfd, const CptTmpfsEntry *e, bool first)
{
	__vz_close int parent = -1, fd = -1;
	unsigned long uid, gid;
	const char *base = ".";
	int ret;

	if (host_id(r->opts, false, e->uid, &uid) < 0 || host_id(r->opts, true, e->gid, &gid) < 0)
		return vz_error_set(r->err, VZ_E_RESTORE, ERANGE,
				    "'/%s' of the CT's tmpfs is owned by %u:%u, outside the CT's ids",
				    e->path, e->uid, e->gid);
	if (first != !*e->path || (first && (!S_ISDIR(e->mode) || e->link)) ||
	    (!first && !path_ok(e->path)))
		return vz_error_set(r->err, VZ_E_RESTORE, EBADMSG,
				    "The CT's tmpfs image has a bad path '%s'", e->path);
	if (first) {
		ret = finish_entry(rootfd, -1, NULL, e, uid, gid);
		return ret < 0 || (ret = remember_dir(r, e)) < 0
			       ? vz_error_sys(r->err, VZ_E_RESTORE, -ret,
					      "Cannot restore the root of the CT's tmpfs")
			       : 0;
	}
	parent = open_parent(rootfd, e->path, &base);
	if (parent < 0)
		return vz_error_sys(r->err, VZ_E_RESTORE, -parent,
				    "Cannot restore '/%s' of the CT's tmpfs", e->path);
	if (e->link) {
		__vz_close int from = -1;
		const char *from_base;

		if (!path_ok(e->link) || S_ISDIR(e->mode))
			return vz_error_set(r->err, VZ_E_RESTORE, EBADMSG,
					    "The CT's tmpfs image has a bad link '%s'", e->link);
		from = open_parent(rootfd, e->link, &from_base);
		if (from < 0 || linkat(from, from_base, parent, base, 0) < 0)
			return vz_error_sys(r->err, VZ_E_RESTORE, from < 0 ? -from : errno,
					    "Cannot restore '/%s' of the CT's tmpfs", e->path);
		return 0;
	}
	if (r->opts->files_only && !S_ISDIR(e->mode) && !S_ISREG(e->mode) && !S_ISLNK(e->mode))
		return vz_error_set(r->err, VZ_E_RESTORE, EPERM,
				    "'/%s' of the tree is neither a file, a directory nor a symlink",
				    e->path);
	if (r->opts->replace && !S_ISDIR(e->mode) && unlinkat(parent, base, 0) < 0 && errno != ENOENT)
		return vz_error_sys(r->err, VZ_E_RESTORE, errno, "Cannot replace '/%s'", e->path);
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		ret = mkdirat(parent, base, 0700) < 0 ? -errno : 0;
		if (ret == -EEXIST && r->opts->replace)
			ret = 0;
		if (ret == 0) {
			fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			ret = fd < 0 ? -errno : remember_dir(r, e);
		}
		break;
	case S_IFREG:
		if (!e->has_size)
			return vz_error_set(r->err, VZ_E_RESTORE, EBADMSG,
					    "The CT's tmpfs image lacks the size of '/%s'", e->path);
		fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		ret = fd < 0 ? -errno : put_extents(r, fd, e);
		break;
	case S_IFLNK:
		ret = !e->target || !*e->target ? -EBADMSG
		      : symlinkat(e->target, parent, base) < 0 ? -errno : 0;
		break;
	case S_IFIFO:
		ret = mknodat(parent, base, S_IFIFO | 0600, 0) < 0 ? -errno : 0;
		break;
	case S_IFCHR:
	case S_IFBLK:
		/* A CT of its own user namespace can make no device node but a whiteout. */
		if (r->opts->userns && !(S_ISCHR(e->mode) && e->rdev == 0))
			return vz_error_set(r->err, VZ_E_RESTORE, EPERM,
					    "The CT's tmpfs image has a device node '/%s' the CT "
					    "cannot have made",
					    e->path);
		ret = mknodat(parent, base, (e->mode & S_IFMT) | 0600, (dev_t)e->rdev) < 0 ? -errno : 0;
		break;
	default:
		ret = -EBADMSG;
	}
	if (ret == 0)
		ret = finish_entry(fd, parent, base, e, uid, gid);
	if (ret < 0)
		return vz_error_sys(r->err, VZ_E_RESTORE, -ret, "Cannot restore '/%s' of the CT's tmpfs",
				    e->path);
	return 0;
}

static int set_dir_times(struct reader *r, int rootfd)
{
	for (size_t i = r->nr_dirs; i-- > 0;) {
		__vz_close int parent = -1, fd = -1;
		const char *base = ".";

		parent = *r->dirs[i].path ? open_parent(rootfd, r->dirs[i].path, &base)
					  : fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
		if (parent >= 0)
			fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || futimens(fd, r->dirs[i].t) < 0)
			return vz_error_sys(r->err, VZ_E_RESTORE, errno,
					    "Cannot restore '/%s' of the CT's tmpfs", r->dirs[i].path);
	}
	return 0;
}

int vz_tree_read(int infd, int rootfd, const struct vz_tree_opts *opts, struct vz_error *err)
{
	struct reader r = { .in = infd, .opts = opts, .err = err };
	__vz_free uint8_t *buf = malloc(ENTRY_MAX);
	bool first = true;
	uint32_t word;
	int ret;

	if (!buf)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot restore the CT's tmpfs");
	ret = vz_read_full(infd, &word, sizeof(word));
	if (ret != 1 || le32toh(word) != TREE_IMG_MAGIC)
		return vz_error_set(err, VZ_E_RESTORE, EBADMSG,
				    "The CT's tmpfs image has a bad magic");
	for (;;) {
		CptTmpfsEntry *e;
		uint32_t len;

		ret = vz_read_full(infd, &word, sizeof(word));
		len = le32toh(word);
		if (ret == 1 && len == 0 && !first) {
			ret = 0;
			break;
		}
		if (ret == 1 && len > ENTRY_MAX)
			ret = -EBADMSG;
		if (ret == 1)
			ret = vz_read_full(infd, buf, len);
		if (ret != 1) {
			ret = vz_error_set(err, VZ_E_RESTORE, EBADMSG, "The CT's tmpfs image is truncated");
			break;
		}
		e = cpt_tmpfs_entry__unpack(NULL, len, buf);
		if (!e) {
			ret = vz_error_set(err, VZ_E_RESTORE, EBADMSG,
					   "The CT's tmpfs image cannot be decoded");
			break;
		}
		ret = make_entry(&r, rootfd, e, first);
		cpt_tmpfs_entry__free_unpacked(e, NULL);
		if (ret < 0)
			break;
		first = false;
	}
	if (ret == 0)
		ret = set_dir_times(&r, rootfd);
	for (size_t i = 0; i < r.nr_dirs; i++)
		free(r.dirs[i].path);
	free(r.dirs);
	return ret;
}
