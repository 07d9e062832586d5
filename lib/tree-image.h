/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vz's tree image: a directory tree as one stream (format in
 * cpt-tmpfs.proto), written and read by descriptors only.  The CT's /dev
 * and /dev/shm go through it on checkpoint (cpt-tmpfs.h), and a migration's
 * dump crosses in it (migrate-files.c): types, modes, owners, times, data
 * without holes, hard links and ACLs; sockets are left out.  The reader
 * refuses paths that leave the tree, writes or links through symlinks,
 * device nodes a user-namespaced CT could not make, ids out of range and
 * a stream cut short (the end marker).
 */
#ifndef VZ_TREE_IMAGE_H
#define VZ_TREE_IMAGE_H

#include <stdbool.h>

#include "error.h"

/*
 * How a tree is written and read.  Ids: relative to the CT's base when it
 * has its own user namespace.  files_only: a reader refuses anything but
 * directories, regular files and symlinks.  replace: a reader replaces what
 * is in the way of a non-directory (as tar does), instead of refusing.
 */
struct vz_tree_opts {
	bool userns;
	unsigned long uid_base, gid_base;
	bool files_only, replace;
};

/* The tree at rootfd into the stream outfd. */
int vz_tree_write(int rootfd, int outfd, const struct vz_tree_opts *opts, struct vz_error *err);
/* The stream infd into the (empty, or with replace any) directory rootfd. */
int vz_tree_read(int infd, int rootfd, const struct vz_tree_opts *opts, struct vz_error *err);

#endif
