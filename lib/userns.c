// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "userns"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileutil.h"
#include "userns.h"

int vz_userns_write_maps(pid_t pid, unsigned long uid_base, unsigned long gid_base,
			 struct vz_error *err)
{
	char path[64], map[64];
	int ret;

	snprintf(map, sizeof(map), "0 %lu %lu\n", uid_base, VZ_ID_RANGE);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	ret = vz_write_file_at(AT_FDCWD, path, map);
	if (ret == 0) {
		snprintf(map, sizeof(map), "0 %lu %lu\n", gid_base, VZ_ID_RANGE);
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		ret = vz_write_file_at(AT_FDCWD, path, map);
	}
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot write the id maps of pid %d",
				    (int)pid);
	return 0;
}

int vz_userns_fd(unsigned long uid_base, unsigned long gid_base, struct vz_error *err)
{
	int ready[2], fd = -1, ret;
	char path[64], c;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create a user namespace");
	pid = fork();
	if (pid < 0) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create a user namespace");
		goto out;
	}
	if (pid == 0) {
		/* Only lives until the parent has the namespace's fd. */
		close(ready[0]);
		c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ready[1] = -1;
	if (read(ready[0], &c, 1) != 1 || c != 'y') {
		ret = vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, EPERM,
				   "Cannot create a user namespace for an idmapped mount");
		goto out_kill;
	}
	ret = vz_userns_write_maps(pid, uid_base, gid_base, err);
	if (ret < 0)
		goto out_kill;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ret = fd < 0 ? vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open '%s'", path) : fd;
out_kill:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
out:
	close(ready[0]);
	if (ready[1] >= 0)
		close(ready[1]);
	return ret;
}
