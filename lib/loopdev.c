// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "loop"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "loopdev.h"

/* Another process may take the free device between GET_FREE and our bind. */
#define ATTACH_TRIES 16

static int bind_fd(int loop, int file, bool read_only, const char *path)
{
	struct loop_config cfg = {.fd = (__u32)file};

	/*
	 * Direct I/O: the image's pages are cached once, by the file system in
	 * it, not a second time as pages of the backing file; the kernel falls
	 * back to buffered I/O where the backing file system cannot do it.
	 */
	cfg.info.lo_flags =
		LO_FLAGS_AUTOCLEAR | LO_FLAGS_DIRECT_IO | (read_only ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", path);
	if (ioctl(loop, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;
	/* Before Linux 5.8: bind, then set the flags (a window LOOP_CONFIGURE closes). */
	if (ioctl(loop, LOOP_SET_FD, file) < 0)
		return -errno;
	if (ioctl(loop, LOOP_SET_STATUS64, &cfg.info) < 0) {
		int e = errno;

		ioctl(loop, LOOP_CLR_FD, 0);
		return -e;
	}
	ioctl(loop, LOOP_SET_DIRECT_IO, 1UL); /* best effort, as above */
	return 0;
}

int vz_loop_attach(const char *file, bool read_only, char *dev, size_t size, struct vz_error *err)
{
	__vz_close int ctl = -1, fd = -1;
	int ret = -EBUSY;

	fd = open(file, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot open '%s'", file);
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return vz_error_sys(err, errno == ENOENT ? VZ_E_NO_KERNEL_SUPPORT : VZ_E_MOUNT,
				    errno,
				    "Cannot open /dev/loop-control (loop device support, "
				    "CONFIG_BLK_DEV_LOOP, is needed)");
	for (int i = 0; i < ATTACH_TRIES; i++) {
		__vz_close int loop = -1;
		int nr = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (nr < 0)
			return vz_error_sys(err, VZ_E_NO_RESOURCES, errno, "No free loop device");
		snprintf(dev, size, "/dev/loop%d", nr);
		loop = open(dev, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (loop < 0)
			return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot open '%s'", dev);
		ret = bind_fd(loop, fd, read_only, file);
		if (ret == 0)
			return take_fd(loop);
		if (ret != -EBUSY)
			break;
	}
	return vz_error_sys(err, VZ_E_MOUNT, -ret, "Cannot bind '%s' to a loop device", file);
}

int vz_loop_find(const char *file, char *dev, size_t size)
{
	__vz_closedir DIR *d = opendir("/sys/block");
	struct dirent *de;
	struct stat st;

	if (stat(file, &st) < 0)
		return -errno;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct loop_info64 info;
		__vz_close int fd = -1;
		char path[64];

		if (strncmp(de->d_name, "loop", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, LOOP_GET_STATUS64, &info) < 0)
			continue;
		if (info.lo_device == st.st_dev && info.lo_inode == st.st_ino) {
			snprintf(dev, size, "%s", path);
			return 1;
		}
	}
	return 0;
}

int vz_loop_set_capacity(const char *dev, struct vz_error *err)
{
	__vz_close int fd = open(dev, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, LOOP_SET_CAPACITY, 0) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot resize '%s'", dev);
	return 0;
}
