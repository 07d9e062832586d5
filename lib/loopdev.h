/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loop devices from C: a free device from /dev/loop-control, bound to a
 * file with LOOP_CONFIGURE (LOOP_SET_FD + LOOP_SET_STATUS64 on kernels
 * before 5.8), always with LO_FLAGS_AUTOCLEAR: the kernel releases the
 * device when its last user goes (the last descriptor is closed and the
 * file system on it is unmounted), so a killed process never leaks one.
 */
#ifndef VZ_LOOPDEV_H
#define VZ_LOOPDEV_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * Bind file to a free loop device; returns an open descriptor of the device
 * (the caller mounts it, then closes the descriptor) and its path in dev.
 */
int vz_loop_attach(const char *file, bool read_only, char *dev, size_t size, struct vz_error *err);
/*
 * The loop device backed by file (same device and inode), path in dev:
 * 1 found, 0 none, -errno.
 */
int vz_loop_find(const char *file, char *dev, size_t size);
/* Make the loop device pick up the new size of its grown backing file. */
int vz_loop_set_capacity(const char *dev, struct vz_error *err);

#endif
