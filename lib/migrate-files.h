/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File trees over the migration stream (internal to migrate*.c): GNU tar
 * writes and reads the tree (ACLs, xattrs, hard links, sparse files,
 * numeric ids), its bytes travel as CHUNK frames of one stream.  An
 * incremental pass (--listed-incremental) sends only what changed since the
 * snapshot file was written, and the deletions.
 */
#ifndef VZ_MIGRATE_FILES_H
#define VZ_MIGRATE_FILES_H

#include <stdbool.h>
#include <stdint.h>

#include "migrate-stream.h"

/* Called after every chunk with the bytes of this stream so far. */
typedef void (*vz_mig_progress_fn)(uint64_t bytes, void *arg);

/*
 * Send dir as stream.  snapshot: GNU tar's --listed-incremental file (a
 * missing file makes a full pass that creates it; an existing one a pass
 * of the changes since), NULL for a plain full pass.
 */
int vz_mig_send_tree(struct vz_mig_conn *c, const char *dir, uint32_t stream,
		     const char *snapshot, vz_mig_progress_fn fn, void *arg, struct vz_error *err);
/* Receive stream into dir (which exists); incremental: apply deletions too. */
int vz_mig_recv_tree(struct vz_mig_conn *c, const char *dir, uint32_t stream, bool incremental,
		     struct vz_error *err);

#endif
