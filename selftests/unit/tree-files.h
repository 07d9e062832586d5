/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small files in a test's temporary tree, for the unit tests of the
 * private area's passes (test-mig-tree.c, test-mig-changes.c).
 */
#ifndef VZ_TEST_TREE_FILES_H
#define VZ_TEST_TREE_FILES_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileutil.h"

/* dir/name, in one of two buffers that calls take in turn (rename() takes two). */
static inline const char *path_of(const char *dir, const char *name)
{
	static char path[2][PATH_MAX];
	static int next;

	next = !next;
	snprintf(path[next], sizeof(path[next]), "%s/%s", dir, name);
	return path[next];
}

static inline void put(const char *dir, const char *name, const char *text)
{
	int fd = open(path_of(dir, name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || vz_write_full(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
}

/* The text of dir/name, "" if it is missing. */
static inline const char *text_of(const char *dir, const char *name)
{
	static char buf[64];
	int fd = open(path_of(dir, name), O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

/*
 * A temporary directory of the test's own, /tmp/vz-unit-<name>.<random>,
 * in tmpdir, with a source and a destination tree in it, and the name of
 * a snapshot file: tmpdir, src, dst and snap hold size bytes.  0, or -1
 * when it cannot be made.
 */
static inline int tree_dirs(const char *name, char *tmpdir, char *src, char *dst, char *snap,
			    size_t size)
{
	snprintf(tmpdir, size, "/tmp/vz-unit-%s.XXXXXX", name);
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(src, size, "%s/src", tmpdir);
	snprintf(dst, size, "%s/dst", tmpdir);
	snprintf(snap, size, "%s/snapshot", tmpdir);
	return mkdir(src, 0755) < 0 || mkdir(dst, 0755) < 0 ? -1 : 0;
}

#endif
