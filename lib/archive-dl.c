// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "archive"
#define VZ_ARCHIVE_DL_IMPL
#include <dlfcn.h>
#include <errno.h>

#include "archive-dl.h"

struct vz_archive_api vz_archive;

int vz_archive_load(struct vz_error *err)
{
	static void *handle;

	if (handle)
		return 0;
	handle = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return vz_error_set(err, VZ_E_SYSTEM, ENOENT,
				    "Cannot load libarchive.so.13 (package libarchive13): %s", dlerror());
#define VZ_ARCHIVE_LOAD(f)                                                                         \
	*(void **)&vz_archive.f = dlsym(handle, #f);                                               \
	if (!vz_archive.f)                                                                         \
		goto err_missing;
	VZ_ARCHIVE_FUNCS(VZ_ARCHIVE_LOAD)
#undef VZ_ARCHIVE_LOAD
	return 0;

err_missing:
	dlclose(handle);
	handle = NULL;
	return vz_error_set(err, VZ_E_SYSTEM, ENOSYS, "libarchive.so.13 lacks a function vz needs");
}
