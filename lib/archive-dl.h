/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libarchive, loaded when a template is unpacked rather than at every
 * program start: it pulls libxml2, ICU and libstdc++ with it, and relocating
 * those was 95% of what a short command like vzctl exec or status executed.
 * Include after <archive.h> and <archive_entry.h>; the archive_* calls of the
 * including file then go through the loaded table.
 */
#ifndef VZ_ARCHIVE_DL_H
#define VZ_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#include "error.h"

#define VZ_ARCHIVE_FUNCS(X)                                                                        \
	X(archive_read_new)                                                                        \
	X(archive_read_support_filter_all)                                                         \
	X(archive_read_support_format_tar)                                                         \
	X(archive_read_open_filename)                                                              \
	X(archive_read_next_header)                                                                \
	X(archive_read_data_block)                                                                 \
	X(archive_read_close)                                                                      \
	X(archive_read_free)                                                                       \
	X(archive_write_disk_new)                                                                  \
	X(archive_write_disk_set_options)                                                          \
	X(archive_write_header)                                                                    \
	X(archive_write_data_block)                                                                \
	X(archive_write_finish_entry)                                                              \
	X(archive_write_close)                                                                     \
	X(archive_write_free)                                                                      \
	X(archive_errno)                                                                           \
	X(archive_error_string)                                                                    \
	X(archive_entry_pathname)                                                                  \
	X(archive_entry_hardlink)                                                                  \
	X(archive_entry_set_pathname)                                                              \
	X(archive_entry_set_hardlink)                                                              \
	X(archive_entry_uid)                                                                       \
	X(archive_entry_gid)                                                                       \
	X(archive_entry_set_uid)                                                                   \
	X(archive_entry_set_gid)                                                                   \
	X(archive_entry_set_uname)                                                                 \
	X(archive_entry_set_gname)                                                                 \
	X(archive_entry_size)

#define VZ_ARCHIVE_PTR(f) __typeof__(&f) f;
struct vz_archive_api {
	VZ_ARCHIVE_FUNCS(VZ_ARCHIVE_PTR)
};
#undef VZ_ARCHIVE_PTR

extern struct vz_archive_api vz_archive;

/* dlopen libarchive once; -ENOENT with err set if it is not installed. */
int vz_archive_load(struct vz_error *err);

#ifndef VZ_ARCHIVE_DL_IMPL
#define archive_read_new		vz_archive.archive_read_new
#define archive_read_support_filter_all vz_archive.archive_read_support_filter_all
#define archive_read_support_format_tar vz_archive.archive_read_support_format_tar
#define archive_read_open_filename	vz_archive.archive_read_open_filename
#define archive_read_next_header	vz_archive.archive_read_next_header
#define archive_read_data_block		vz_archive.archive_read_data_block
#define archive_read_close		vz_archive.archive_read_close
#define archive_read_free		vz_archive.archive_read_free
#define archive_write_disk_new		vz_archive.archive_write_disk_new
#define archive_write_disk_set_options	vz_archive.archive_write_disk_set_options
#define archive_write_header		vz_archive.archive_write_header
#define archive_write_data_block	vz_archive.archive_write_data_block
#define archive_write_finish_entry	vz_archive.archive_write_finish_entry
#define archive_write_close		vz_archive.archive_write_close
#define archive_write_free		vz_archive.archive_write_free
#define archive_errno			vz_archive.archive_errno
#define archive_error_string		vz_archive.archive_error_string
#define archive_entry_pathname		vz_archive.archive_entry_pathname
#define archive_entry_hardlink		vz_archive.archive_entry_hardlink
#define archive_entry_set_pathname	vz_archive.archive_entry_set_pathname
#define archive_entry_set_hardlink	vz_archive.archive_entry_set_hardlink
#define archive_entry_uid		vz_archive.archive_entry_uid
#define archive_entry_gid		vz_archive.archive_entry_gid
#define archive_entry_set_uid		vz_archive.archive_entry_set_uid
#define archive_entry_set_gid		vz_archive.archive_entry_set_gid
#define archive_entry_set_uname		vz_archive.archive_entry_set_uname
#define archive_entry_set_gname		vz_archive.archive_entry_set_gname
#define archive_entry_size		vz_archive.archive_entry_size
#endif

#endif
