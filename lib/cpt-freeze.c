// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "cpt"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-freeze.h"
#include "fileutil.h"
#include "log.h"

#define FREEZE_TIMEOUT_MS 30000

static bool is_v2(struct vz_cgroup *cg)
{
	return cg->ops == &vz_cgroup_v2_ops;
}

const char *vz_cpt_freezer_dir(struct vz_cgroup *cg)
{
	return vz_cg_hier_path(cg, is_v2(cg) ? "" : "freezer");
}

int vz_cpt_frozen(struct vz_cgroup *cg)
{
	const char *dir = vz_cpt_freezer_dir(cg);
	__vz_free char *path = NULL;
	char buf[512];
	int len;

	if (!dir)
		return -ENOENT;
	path = vz_path_join(dir, is_v2(cg) ? "cgroup.events" : "freezer.state");
	if (!path)
		return -ENOMEM;
	len = vz_read_file_at(AT_FDCWD, path, buf, sizeof(buf) - 1);
	if (len < 0)
		return len;
	buf[len] = '\0';
	if (is_v2(cg))
		return strstr(buf, "frozen 1") != NULL;
	return !strncmp(buf, "FROZEN", 6);
}

int vz_cpt_freeze(struct vz_cgroup *cg, bool freeze, struct vz_error *err)
{
	const char *dir = vz_cpt_freezer_dir(cg);
	__vz_free char *path = NULL;
	struct timespec start, now;
	int ret;

	if (!dir)
		return vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, ENOENT,
				    "The kernel has no cgroup freezer");
	path = vz_path_join(dir, is_v2(cg) ? "cgroup.freeze" : "freezer.state");
	if (!path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot freeze the CT");
	ret = vz_write_file_at(AT_FDCWD, path, is_v2(cg) ? (freeze ? "1" : "0")
							 : (freeze ? "FROZEN" : "THAWED"));
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot %s the CT ('%s')",
				    freeze ? "freeze" : "thaw", path);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ret = vz_cpt_frozen(cg);
		if (ret < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot read the freezer state");
		if (ret == freeze)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
		    FREEZE_TIMEOUT_MS)
			return vz_error_set(err, VZ_E_SYSTEM, ETIMEDOUT,
					    "The CT did not %s in %d s", freeze ? "freeze" : "thaw",
					    FREEZE_TIMEOUT_MS / 1000);
		usleep(1000);
	}
}

int vz_cpt_state_enter(struct vz_cgroup *cg, const char *state, struct vz_error *err)
{
	const char *dir = is_v2(cg) ? vz_cg_hier_path(cg, "") : NULL;
	__vz_free char *path = dir ? vz_path_join(dir, "beancounter.state") : NULL;
	__vz_close int fd = -1;
	int ret;

	if (!path || access(path, F_OK) < 0)
		return -ENOENT;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open '%s'", path);
	ret = vz_cpt_state_set(fd, state, err);
	if (ret < 0)
		return ret;
	return take_fd(fd);
}

int vz_cpt_state_set(int fd, const char *state, struct vz_error *err)
{
	ssize_t n = pwrite(fd, state, strlen(state), 0);

	if (n == (ssize_t)strlen(state))
		return 0;
	return vz_error_sys(err, VZ_E_SYSTEM, n < 0 ? errno : EIO,
			    "The kernel refused the checkpoint state '%s'", state);
}

void vz_cpt_state_leave(int fd)
{
	if (fd < 0)
		return;
	if (pwrite(fd, "running", 7, 0) < 0)
		vz_debug("Checkpoint state: %m (closing the fd resets it)");
	close(fd);
}
