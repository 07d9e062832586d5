// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CT's network sysctls across a checkpoint (see cpt-sysctl.h).
 *
 * /proc/sys/net shows the network namespace of the task that looks.  The
 * save child starts before CRIU freezes the CT, makes a new namespace of
 * its own and reads what it starts with; told that the CT is frozen, it
 * enters the CT's namespace and reads the same files there: only the
 * values the CT changed are written, and only half the reading happens
 * while the CT is frozen.  Values the kernel keeps per namespace but
 * nobody set (the TCP Fast Open key is random) are carried too, which
 * keeps them.
 */
#define VZ_LOG_PREFIX "cpt"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-sysctl.h"
#include "fileutil.h"
#include "log.h"

#define NET_DIR	      "/proc/sys/net"
#define PATH_MAX_LEN  256
#define VALUE_MAX_LEN 4096
#define FILE_MAX      (1u << 20)

struct sysctl_job {
	pid_t pid;
	int dirfd;
	int go, go_write; /* save: a byte on go once the CT is frozen */
	const char *text; /* restore: the checked file */
};

struct sysctl_value {
	char *path;
	char *value;
};

struct sysctl_list {
	struct sysctl_value *v;
	size_t n, cap;
};

static void list_free(struct sysctl_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].value);
	}
	free(l->v);
}

static bool path_ok(const char *path, size_t len)
{
	const char *p = path, *end = path + len;

	if (!len || len >= PATH_MAX_LEN)
		return false;
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t clen = (size_t)((slash ? slash : end) - p);

		if (!clen || (clen == 1 && p[0] == '.') || (clen == 2 && !strncmp(p, "..", 2)))
			return false;
		for (size_t i = 0; i < clen; i++)
			if (p[i] <= ' ' || p[i] > '~' || p[i] == '=')
				return false;
		p += clen + (slash != NULL);
		if (slash && p == end)
			return false; /* a trailing slash */
	}
	return true;
}

static bool value_ok(const char *value, size_t len)
{
	if (len >= VALUE_MAX_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] < ' ' && value[i] != '\t')
			return false;
	return true;
}

/*
 * The value of netfd/path without its newline, if the file is one we may
 * write (opening it for writing checks that and has no effect): its
 * length, or -errno (-EINVAL: not one line).
 */
static int read_value(int netfd, const char *path, char *buf, size_t size)
{
	__vz_close int fd = openat(netfd, path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	int n = fd < 0 ? -errno : vz_read_fd_small(fd, buf, size);

	if (n < 0)
		return n;
	if (n == (int)size - 1)
		return -EFBIG;
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (memchr(buf, '\n', (size_t)n) || strlen(buf) != (size_t)n)
		return -EINVAL;
	return n;
}

static int list_add(struct sysctl_list *l, const char *path, const char *value)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct sysctl_value *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].path = strdup(path);
	l->v[l->n].value = strdup(value);
	if (!l->v[l->n].path || !l->v[l->n].value) {
		free(l->v[l->n].path);
		free(l->v[l->n].value);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

/* Every file we may write below netfd/dir (dir "" is the top), with its value, into l. */
static int collect(int netfd, const char *dir, struct sysctl_list *l)
{
	__vz_close int fd = openat(netfd, *dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	char path[PATH_MAX_LEN], value[VALUE_MAX_LEN];
	struct dirent *de;
	int ret = 0;

	if (!d)
		return -errno;
	fd = -1; /* the DIR owns it */
	while (ret == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s%s%s", dir, *dir ? "/" : "", de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (de->d_type == DT_DIR)
			ret = collect(netfd, path, l);
		else if (de->d_type == DT_REG && read_value(netfd, path, value, sizeof(value)) >= 0)
			ret = list_add(l, path, value);
	}
	closedir(d);
	return ret;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct sysctl_value *)a)->path,
		      ((const struct sysctl_value *)b)->path);
}

static const char *fresh_value(const struct sysctl_list *fresh, const char *path)
{
	struct sysctl_value key = {.path = (char *)path};
	const struct sysctl_value *v = bsearch(&key, fresh->v, fresh->n, sizeof(key), by_path);

	return v ? v->value : NULL;
}

/* Whether a new namespace starts with value at path (or at its interface default). */
static bool is_default(const struct sysctl_list *fresh, const char *path, const char *value)
{
	const char *v = fresh_value(fresh, path);
	char dflt[PATH_MAX_LEN];

	if (!v && vz_cpt_sysctl_default_path(path, dflt, sizeof(dflt)) == 0)
		v = fresh_value(fresh, dflt);
	return v && !strcmp(v, value);
}

static int write_changed(int dirfd, const struct sysctl_list *ct, const struct sysctl_list *fresh,
			 struct vz_error *err)
{
	__vz_close int out = -1;

	for (size_t i = 0; i < ct->n; i++) {
		if (is_default(fresh, ct->v[i].path, ct->v[i].value))
			continue;
		/* An interface named with '=' or a space, a value with a control character */
		if (!path_ok(ct->v[i].path, strlen(ct->v[i].path)) ||
		    !value_ok(ct->v[i].value, strlen(ct->v[i].value))) {
			vz_warn("/proc/sys/net/%s cannot be carried: a space, = or control "
				"character",
				ct->v[i].path);
			continue;
		}
		if (out < 0)
			out = openat(dirfd, VZ_CPT_SYSCTL_FILE,
				     O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (out < 0 || dprintf(out, "%s=%s\n", ct->v[i].path, ct->v[i].value) < 0)
			return vz_error_sys(err, VZ_E_CHKPNT, errno, "Cannot write '%s'",
					    VZ_CPT_SYSCTL_FILE);
	}
	return 0;
}

/* In a child: enter pid's network namespace and open its /proc/sys/net. */
static int enter_net_dir(pid_t pid, enum vz_error_kind kind, struct vz_error *err)
{
	int ret = vz_enter_ns(pid, CLONE_NEWNET, kind, err), netfd;

	if (ret < 0)
		return ret;
	netfd = open(NET_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (netfd < 0)
		return vz_error_sys(err, kind, errno, "Cannot open " NET_DIR " of the CT");
	return netfd;
}

/* A new namespace's values, before the CT is frozen; the CT's once told to go. */
static int save_read(struct sysctl_job *j, struct sysctl_list *fresh, struct sysctl_list *ct,
		     struct vz_error *err)
{
	__vz_close int freshfd = -1, netfd = -1;
	char go;
	int ret;

	if (unshare(CLONE_NEWNET) < 0)
		return vz_error_sys(err, VZ_E_CHKPNT, errno, "Cannot make a network namespace");
	freshfd = open(NET_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (freshfd < 0)
		return vz_error_sys(err, VZ_E_CHKPNT, errno, "Cannot open " NET_DIR);
	ret = collect(freshfd, "", fresh);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_CHKPNT, -ret, "Cannot read " NET_DIR);
	qsort(fresh->v, fresh->n, sizeof(*fresh->v), by_path);
	if (vz_read_full(j->go, &go, 1) != 1)
		return 1; /* the dump ended before the CT was frozen */
	netfd = enter_net_dir(j->pid, VZ_E_CHKPNT, err);
	if (netfd < 0)
		return netfd;
	ret = collect(netfd, "", ct);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_CHKPNT, -ret, "Cannot read the CT's network sysctls");
	return 0;
}

static int save_child(void *arg, struct vz_error *err)
{
	struct sysctl_job *j = arg;
	struct sysctl_list fresh = {0}, ct = {0};
	int ret;

	close(j->go_write);
	ret = save_read(j, &fresh, &ct, err);
	if (ret == 0)
		ret = write_changed(j->dirfd, &ct, &fresh, err);
	list_free(&fresh);
	list_free(&ct);
	return ret < 0 ? ret : 0;
}

int vz_cpt_sysctl_save_start(pid_t init_pid, int dirfd, struct vz_cpt_sysctl_save *s,
			     struct vz_error *err)
{
	int go[2], ret;
	struct sysctl_job j = {.pid = init_pid, .dirfd = dirfd};

	if (pipe2(go, O_CLOEXEC) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create a pipe");
	j.go = go[0];
	j.go_write = go[1];
	ret = vz_child_start(&s->child, save_child, &j, err);
	close(go[0]);
	if (ret < 0) {
		close(go[1]);
		return ret;
	}
	s->go = go[1];
	return 0;
}

void vz_cpt_sysctl_save_go(struct vz_cpt_sysctl_save *s)
{
	if (s->go >= 0 && write(s->go, "g", 1) != 1)
		vz_debug("Cannot tell the sysctl reader to go: %s", strerror(errno));
}

int vz_cpt_sysctl_save_wait(struct vz_cpt_sysctl_save *s, struct vz_error *err)
{
	if (s->go >= 0)
		close(s->go);
	s->go = -1;
	return vz_child_wait(&s->child, "Reading the CT's network sysctls", err);
}

int vz_cpt_sysctl_default_path(const char *path, char *buf, size_t size)
{
	/*
	 * A namespace other than the first has no neigh/default: the
	 * neighbour tables' defaults are the kernel's, shared by all, and
	 * the namespace's lo got them like any new interface.
	 */
	static const struct {
		const char *dir, *dflt;
	} iface_dirs[] = {
		{"ipv4/conf/", "default"},
		{"ipv6/conf/", "default"},
		{"ipv4/neigh/", "lo"},
		{"ipv6/neigh/", "lo"},
	};

	for (size_t i = 0; i < sizeof(iface_dirs) / sizeof(iface_dirs[0]); i++) {
		size_t plen = strlen(iface_dirs[i].dir);
		const char *name = path + plen, *rest;

		if (strncmp(path, iface_dirs[i].dir, plen))
			continue;
		rest = strchr(name, '/');
		if (!rest || rest == name || !strncmp(name, "default/", 8) ||
		    !strncmp(name, "all/", 4) || !strncmp(name, "lo/", 3))
			return -ENOENT;
		if (snprintf(buf, size, "%.*s%s%s", (int)plen, path, iface_dirs[i].dflt, rest) >=
		    (int)size)
			return -ENAMETOOLONG;
		return 0;
	}
	return -ENOENT;
}

int vz_cpt_sysctl_check(const char *text, struct vz_error *err)
{
	unsigned lineno = 0;

	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *eq = memchr(line, '=', len);

		lineno++;
		if (!eq || !path_ok(line, (size_t)(eq - line)) ||
		    !value_ok(eq + 1, len - (size_t)(eq - line) - 1))
			return vz_error_set(err, VZ_E_RESTORE, EBADMSG, "'%s' line %u is bad",
					    VZ_CPT_SYSCTL_FILE, lineno);
		line += len + (line[len] == '\n');
	}
	return 0;
}

static int restore_child(void *arg, struct vz_error *err)
{
	struct sysctl_job *j = arg;
	__vz_close int netfd = enter_net_dir(j->pid, VZ_E_RESTORE, err);

	if (netfd < 0)
		return netfd;
	for (const char *line = j->text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *eq = memchr(line, '=', len);
		char path[PATH_MAX_LEN];
		size_t plen = (size_t)(eq - line), vlen = len - plen - 1;
		int fd;

		memcpy(path, line, plen);
		path[plen] = '\0';
		fd = openat(netfd, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || write(fd, eq + 1, vlen) != (ssize_t)vlen) {
			for (char *p = path; *p; p++)
				if (*p == '/')
					*p = '.';
			vz_warn("Cannot set net.%s to '%.*s' in the restored CT: %s", path,
				(int)vlen, eq + 1, strerror(errno));
		}
		if (fd >= 0)
			close(fd);
		line += len + (line[len] == '\n');
	}
	return 0;
}

int vz_cpt_sysctl_restore(pid_t pid, int dirfd, struct vz_error *err)
{
	__vz_free char *text = NULL;
	struct sysctl_job j = {.pid = pid, .dirfd = dirfd};
	int len = vz_read_text_at(dirfd, VZ_CPT_SYSCTL_FILE, FILE_MAX, &text, VZ_E_RESTORE, err);

	if (len == -ENOENT)
		return 0;
	if (len < 0)
		return len;
	if (vz_cpt_sysctl_check(text, err) < 0)
		return -EBADMSG;
	j.text = text;
	return vz_child_run(restore_child, &j, "Setting the CT's network sysctls", err);
}
