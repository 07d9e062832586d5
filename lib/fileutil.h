/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small file helpers shared by the library: whole-file I/O and trees. */
#ifndef VZ_FILEUTIL_H
#define VZ_FILEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * Read fd to its end into a malloc'ed NUL-terminated buffer: the length,
 * or -EFBIG past max bytes, or -errno.
 */
int vz_read_fd(int fd, size_t max, char **out);
/*
 * Read dirfd/name (not through a symlink), at most max bytes of text, into
 * *out: its length; -ENOENT (err untouched) if there is no such file;
 * -errno with err set, of kind, for a symlink, a bigger file, a NUL byte.
 */
int vz_read_text_at(int dirfd, const char *name, size_t max, char **out,
		    enum vz_error_kind kind, struct vz_error *err);
/* Read a whole file into a NUL-terminated buffer; returns its length or -errno. */
int vz_read_file(const char *path, char **out, struct vz_error *err);
/* Exactly len bytes: 1, or 0 at the end before the first byte, -EPIPE after it, -errno. */
int vz_read_full(int fd, void *buf, size_t len);
/* One read of fd into buf, NUL-terminated: the length or -errno. */
int vz_read_fd_small(int fd, char *buf, size_t size);
/* Read a small file relative to dirfd (cgroup and /proc files). */
int vz_read_file_at(int dirfd, const char *path, char *buf, size_t size);
/* Write all of buf to fd, retrying short writes and EINTR: 0 or -errno. */
int vz_write_full(int fd, const void *buf, size_t len);
/* Write a string to an existing file relative to dirfd (cgroup and /proc files). */
int vz_write_file_at(int dirfd, const char *path, const char *text);
/* Write data to <path>.tmp, fsync it, rename it over path. */
int vz_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
			 struct vz_error *err);
int vz_mkdir_p(const char *path, mode_t mode);
/* Remove a tree without following symlinks or crossing mount points. */
int vz_rm_rf(const char *path);
bool vz_path_exists(const char *path);
bool vz_dir_is_empty(const char *path);
/* Join with a single slash; returns a malloc'ed string or NULL. */
char *vz_path_join(const char *a, const char *b);
/* Replace every $VEID (and ${VEID}) in text with ctid; malloc'ed. */
char *vz_subst_veid(const char *text, const char *ctid);

#endif
