// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What changed in a private area since a time (see migrate-changes.h).
 */
#define VZ_LOG_PREFIX "migrate"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "migrate-changes.h"

/* Deeper than any distribution's tree; a deeper one is refused, not walked. */
#define WALK_DEPTH_MAX 256

struct walk {
	dev_t dev;
	struct timespec since;
	const char *exclude;
	char path[PATH_MAX];
	char *names;
	size_t len, cap;
};

static bool changed(const struct walk *w, const struct stat *st)
{
	return st->st_ctim.tv_sec > w->since.tv_sec ||
	       (st->st_ctim.tv_sec == w->since.tv_sec && st->st_ctim.tv_nsec >= w->since.tv_nsec);
}

static int add_name(struct walk *w, size_t plen)
{
	if (w->len + plen + 1 > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;
		char *n;

		while (cap < w->len + plen + 1)
			cap *= 2;
		n = realloc(w->names, cap);
		if (!n)
			return -ENOMEM;
		w->names = n;
		w->cap = cap;
	}
	memcpy(w->names + w->len, w->path, plen);
	w->names[w->len + plen] = '\0';
	w->len += plen + 1;
	return 0;
}

/* The entries of the directory fd (taken over) whose name is w->path[0..plen). */
static int walk_dir(struct walk *w, int fd, size_t plen, int depth)
{
	DIR *d;
	struct dirent *e;
	int ret = 0;

	if (depth > WALK_DEPTH_MAX) {
		close(fd);
		return -ELOOP;
	}
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while (ret == 0) {
		size_t nlen, clen;
		struct stat st;

		errno = 0;
		e = readdir(d);
		if (!e) {
			ret = -errno;
			break;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (depth == 0 && w->exclude && !strcmp(e->d_name, w->exclude))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			ret = -errno;
			break;
		}
		nlen = strlen(e->d_name);
		clen = plen + 1 + nlen;
		if (clen >= sizeof(w->path)) {
			ret = -ENAMETOOLONG;
			break;
		}
		w->path[plen] = '/';
		memcpy(w->path + plen + 1, e->d_name, nlen + 1);
		/* Another file system mounted here: tar --one-file-system leaves it out too. */
		if (st.st_dev != w->dev)
			continue;
		if (changed(w, &st)) {
			ret = add_name(w, clen);
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0)
				ret = errno == ENOENT ? 0 : -errno;
			else
				ret = walk_dir(w, sub, clen, depth + 1);
		}
	}
	closedir(d);
	return ret;
}

int vz_mig_changed_names(const char *dir, const struct timespec *since, const char *exclude,
			 char **names, size_t *len, struct vz_error *err)
{
	struct walk w = { .since = *since, .exclude = exclude, .path = "." };
	struct stat st;
	int fd, ret;

	*names = NULL;
	*len = 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot walk '%s'", dir);
	}
	w.dev = st.st_dev;
	if (changed(&w, &st)) {
		close(fd);
		ret = add_name(&w, 1);
	} else {
		ret = walk_dir(&w, fd, 1, 0);
	}
	if (ret < 0) {
		free(w.names);
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot walk '%s'", dir);
	}
	*names = w.names;
	*len = w.len;
	return 0;
}
