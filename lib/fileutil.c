// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"

int vz_read_fd(int fd, size_t max, char **out)
{
	__vz_free char *buf = NULL;
	size_t len = 0, cap = 4096;

	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				return -ENOMEM;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	*out = take_ptr(buf);
	return (int)len;
}

int vz_read_file(const char *path, char **out, struct vz_error *err)
{
	__vz_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int ret;

	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open '%s'", path);
	ret = vz_read_fd(fd, 64u << 20, out);
	if (ret == -EFBIG)
		return vz_error_set(err, VZ_E_SYSTEM, EFBIG, "'%s' is too large", path);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot read '%s'", path);
	return ret;
}

int vz_read_text_at(int dirfd, const char *name, size_t max, char **out,
		    enum vz_error_kind kind, struct vz_error *err)
{
	__vz_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	__vz_free char *text = NULL;
	int len;

	*out = NULL;
	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0)
		return vz_error_sys(err, kind, errno, "Cannot read '%s'", name);
	len = vz_read_fd(fd, max, &text);
	if (len == -EFBIG)
		return vz_error_set(err, kind, EFBIG, "'%s' is too big", name);
	if (len < 0)
		return vz_error_sys(err, kind, -len, "Cannot read '%s'", name);
	if (strlen(text) != (size_t)len)
		return vz_error_set(err, kind, EBADMSG, "'%s' is not text", name);
	*out = take_ptr(text);
	return len;
}

int vz_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return got ? -EPIPE : 0;
		got += n;
	}
	return 1;
}

int vz_read_fd_small(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

int vz_read_file_at(int dirfd, const char *path, char *buf, size_t size)
{
	__vz_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	return fd < 0 ? -errno : vz_read_fd_small(fd, buf, size);
}

int vz_write_file_at(int dirfd, const char *path, const char *text)
{
	__vz_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = strlen(text);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

int vz_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
			 struct vz_error *err)
{
	__vz_free char *tmp = NULL;
	__vz_close int fd = -1;
	size_t off = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return vz_error_sys(err, VZ_E_SAVE_CONFIG, ENOMEM, "Cannot write '%s'", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_SAVE_CONFIG, errno, "Cannot create '%s'", tmp);
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			unlink(tmp);
			return vz_error_sys(err, VZ_E_SAVE_CONFIG, e, "Cannot write '%s'", tmp);
		}
		off += n;
	}
	if (fsync(fd) < 0 || close(take_fd(fd)) < 0) {
		int e = errno;

		unlink(tmp);
		return vz_error_sys(err, VZ_E_SAVE_CONFIG, e, "Cannot write '%s'", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return vz_error_sys(err, VZ_E_SAVE_CONFIG, e, "Cannot rename '%s' to '%s'", tmp, path);
	}
	return 0;
}

int vz_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int rm_rf_at(int parentfd, const char *name, dev_t dev)
{
	struct stat st;
	__vz_closedir DIR *dir = NULL;
	struct dirent *de;
	int fd, ret = 0;

	if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parentfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (st.st_dev != dev)
		return -EBUSY; /* a mount point: never descend into another file system */
	fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		int r;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = rm_rf_at(dirfd(dir), de->d_name, dev);
		if (r < 0 && !ret)
			ret = r;
	}
	if (ret)
		return ret;
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int vz_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return rm_rf_at(AT_FDCWD, path, st.st_dev);
}

bool vz_path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool vz_dir_is_empty(const char *path)
{
	__vz_closedir DIR *dir = opendir(path);
	struct dirent *de;

	if (!dir)
		return errno == ENOENT;
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return false;
	return true;
}

char *vz_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	char *out;

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (asprintf(&out, "%.*s/%s", (int)la, a, b) < 0)
		return NULL;
	return out;
}

char *vz_subst_veid(const char *text, const char *ctid)
{
	size_t cap = strlen(text) + 1, len = 0, idlen = strlen(ctid);
	char *out;

	for (const char *p = strstr(text, "VEID"); p; p = strstr(p + 1, "VEID"))
		cap += idlen;
	out = malloc(cap);
	if (!out)
		return NULL;
	for (const char *p = text; *p;) {
		if (!strncmp(p, "$VEID", 5)) {
			memcpy(out + len, ctid, idlen);
			len += idlen;
			p += 5;
		} else if (!strncmp(p, "${VEID}", 7)) {
			memcpy(out + len, ctid, idlen);
			len += idlen;
			p += 7;
		} else {
			out[len++] = *p++;
		}
	}
	out[len] = '\0';
	return out;
}

int vz_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= n;
	}
	return 0;
}
