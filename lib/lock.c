// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "lock"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "lock.h"
#include "log.h"
#include "procutil.h"

/*
 * "pid\nstatus\nstarttime\n": the start time (of /proc/<pid>/stat) tells
 * the holder from a later process that got its pid.
 */
static int write_lock_file(const char *path, pid_t pid, const char *status)
{
	char text[160];
	__vz_close int fd = -1;
	int len = snprintf(text, sizeof(text), "%d\n%s\n%llu\n", (int)pid, status ? status : "",
			   vz_proc_starttime(pid));

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != len) {
		int e = errno ? errno : EIO;

		unlink(path);
		return -e;
	}
	return 0;
}

/*
 * Read the holder; returns its pid, 0 if the file is empty or garbage,
 * -errno.  *starttime: 0 if the file has none (written by hand or by an
 * older vzctl).
 */
static int read_holder(const char *path, char *status, size_t size, unsigned long long *starttime)
{
	char buf[256], *nl, *st;
	long pid;
	int n = vz_read_file_at(AT_FDCWD, path, buf, sizeof(buf));

	*starttime = 0;
	if (n < 0)
		return n;
	errno = 0;
	pid = strtol(buf, &nl, 10);
	if (nl == buf || *nl != '\n' || pid <= 0 || pid > INT_MAX || errno)
		return 0;
	snprintf(status, size, "%s", nl + 1);
	status[strcspn(status, "\n")] = '\0';
	st = strchr(nl + 1, '\n');
	if (st && st[1])
		*starttime = strtoull(st + 1, NULL, 10);
	return (int)pid;
}

/* The holder runs: its pid is alive and, if the lock says when it started, started then. */
static int pid_alive(pid_t pid, unsigned long long starttime)
{
	if (kill(pid, 0) < 0 && errno != EPERM)
		return 0;
	return !starttime || vz_proc_starttime(pid) == starttime;
}

int vz_lock_ct(struct vz_ct *ct, const char *status, struct vz_lock *lock, struct vz_error *err)
{
	__vz_free char *dir = vz_ct_get_subst(ct, "LOCKDIR"), *tmp = NULL;
	char name[32];
	int ret;

	lock->held = 0;
	lock->path = NULL;
	if (!dir)
		return vz_error_set(err, VZ_E_SYSTEM, EINVAL, "LOCKDIR is not set");
	ret = vz_mkdir_p(dir, 0755);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create lock directory '%s'", dir);
	snprintf(name, sizeof(name), "%s.lck", ct->idstr);
	lock->path = vz_path_join(dir, name);
	if (!lock->path || asprintf(&tmp, "%s.%d.tmp", lock->path, (int)getpid()) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot lock container %s", ct->idstr);
	unlink(tmp);
	ret = write_lock_file(tmp, getpid(), status);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create lock file '%s'", tmp);

	for (int attempt = 0; attempt < 3; attempt++) {
		char holder_status[128] = "";
		unsigned long long holder_start;
		int holder;

		if (link(tmp, lock->path) == 0) {
			unlink(tmp);
			lock->held = 1;
			return 0;
		}
		if (errno != EEXIST) {
			ret = -errno;
			unlink(tmp);
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create lock file '%s'",
					    lock->path);
		}
		holder = read_holder(lock->path, holder_status, sizeof(holder_status), &holder_start);
		if (holder == -ENOENT)
			continue; /* released meanwhile */
		if (holder > 0 && pid_alive(holder, holder_start)) {
			unlink(tmp);
			return vz_error_set(err, VZ_E_LOCKED, EBUSY,
					    "Container already locked by pid %d (%s)", holder,
					    holder_status[0] ? holder_status : "unknown operation");
		}
		if (holder == 0) {
			/* A holder may be between link() and nothing else; give it a moment. */
			usleep(100000);
			holder = read_holder(lock->path, holder_status, sizeof(holder_status),
					     &holder_start);
			if (holder != 0)
				continue;
		}
		vz_warn("Removing stale lock file '%s'", lock->path);
		if (unlink(lock->path) < 0 && errno != ENOENT) {
			ret = -errno;
			unlink(tmp);
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot remove stale lock '%s'",
					    lock->path);
		}
	}
	unlink(tmp);
	return vz_error_set(err, VZ_E_LOCKED, EBUSY, "Cannot lock container %s: lock file '%s' keeps changing",
			    ct->idstr, lock->path);
}

int vz_lock_set_owner(struct vz_lock *lock, pid_t pid, const char *status)
{
	__vz_free char *tmp = NULL;
	int ret;

	if (!lock->held)
		return 0;
	if (asprintf(&tmp, "%s.%d.tmp", lock->path, (int)pid) < 0)
		return -ENOMEM;
	unlink(tmp);
	ret = write_lock_file(tmp, pid, status);
	if (ret == 0 && rename(tmp, lock->path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	return ret;
}

void vz_unlock(struct vz_lock *lock)
{
	if (lock->held && lock->path)
		unlink(lock->path);
	lock->held = 0;
	free(lock->path);
	lock->path = NULL;
}
