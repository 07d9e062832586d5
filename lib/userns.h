/* SPDX-License-Identifier: GPL-2.0-or-later */
/* User namespaces as objects: an fd for a CT's id mapping (idmapped mounts). */
#ifndef VZ_USERNS_H
#define VZ_USERNS_H

#include "error.h"

#define VZ_ID_RANGE 65536UL

/* A user namespace fd mapping 0..65535 to uid_base/gid_base on the host. */
int vz_userns_fd(unsigned long uid_base, unsigned long gid_base, struct vz_error *err);
/* Write "0 <base> 65536" into /proc/<pid>/{uid,gid}_map. */
int vz_userns_write_maps(pid_t pid, unsigned long uid_base, unsigned long gid_base,
			 struct vz_error *err);

#endif
