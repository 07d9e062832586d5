/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What changed in a private area since a time (internal to
 * migrate-files.c): the names the last pass of a migration gives tar, so
 * that tar, while the CT is frozen or stopped, neither walks the whole
 * tree nor writes a listing of every directory into the archive.
 *
 * A change to an inode (its data, attributes, links) or to a directory's
 * entries (added, removed, renamed) sets the ctime of that inode or
 * directory, and nobody can set a ctime back.  So a walk that stats every
 * entry once finds all that changed: a changed directory is named for its
 * whole subtree (tar walks it and compares it with its snapshot, which is
 * how it finds deletions and renamed directories), a changed file of an
 * unchanged directory for itself.
 */
#ifndef VZ_MIGRATE_CHANGES_H
#define VZ_MIGRATE_CHANGES_H

#include <stddef.h>
#include <time.h>

#include "error.h"

/*
 * dir's entries whose ctime is at or after since, as "./path" names each
 * ended by '\0', in *names (*len bytes; free it).  The walk stays on dir's
 * file system (a mount point is left out, not named) and leaves out
 * exclude (a name at dir's top level, or NULL).
 * When dir itself changed, the one name is ".".  0, or -errno with err set.
 */
int vz_mig_changed_names(const char *dir, const struct timespec *since, const char *exclude,
			 char **names, size_t *len, struct vz_error *err);

#endif
