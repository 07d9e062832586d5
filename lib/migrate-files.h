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
#include <time.h>

#include "migrate-stream.h"

/* Called after every chunk with the bytes of this stream so far. */
typedef void (*vz_mig_progress_fn)(uint64_t bytes, void *arg);

/*
 * Send dir as stream.  snapshot: GNU tar's --listed-incremental file (a
 * missing file makes a full pass that creates it; an existing one a pass
 * of the changes since), NULL for a plain full pass.  exclude: a file of
 * dir's top level left out (an image sent by vz_mig_send_image()), or NULL.
 */
int vz_mig_send_tree(struct vz_mig_conn *c, const char *dir, uint32_t stream,
		     const char *snapshot, const char *exclude, vz_mig_progress_fn fn, void *arg,
		     struct vz_error *err);
/*
 * The same in two steps, so that the pass taken while the CT is frozen (or
 * stopped) does not wait for tar to start: vz_mig_tar_sender() starts tar
 * ahead, loaded and blocked until vz_mig_send_tree_with() gives it the
 * name to archive and sends what it writes.  tar stamps the snapshot with
 * its start, so a tar started early only makes the next pass send more.
 * vz_mig_tar_receiver() and vz_mig_recv_tree_with() likewise for
 * vz_mig_recv_tree().  The _with calls take the tar over;
 * vz_mig_tar_free() kills one that is not needed.
 */
struct vz_mig_tar;

int vz_mig_tar_sender(const char *dir, const char *snapshot, const char *exclude,
		      struct vz_mig_tar **out, struct vz_error *err);
/*
 * changed_since, for the last pass only (the snapshot it leaves behind
 * lacks what it did not walk): a time before the pass that wrote t's
 * snapshot began; tar is given only what changed since
 * (migrate-changes.h), or "." when the walk fails or finds more names than
 * the pipe to tar holds.  NULL: tar is given ".".
 */
int vz_mig_send_tree_with(struct vz_mig_conn *c, struct vz_mig_tar *t, uint32_t stream,
			  const struct timespec *changed_since, vz_mig_progress_fn fn, void *arg,
			  struct vz_error *err);
int vz_mig_tar_receiver(const char *dir, bool incremental, struct vz_mig_tar **out,
			struct vz_error *err);
int vz_mig_recv_tree_with(struct vz_mig_conn *c, struct vz_mig_tar *t, uint32_t stream,
			  struct vz_error *err);
void vz_mig_tar_free(struct vz_mig_tar *t);

/* The CHUNK frame that ends stream. */
int vz_mig_send_eof(struct vz_mig_conn *c, uint32_t stream, struct vz_error *err);
/* Receive stream into dir (which exists); incremental: apply deletions too. */
int vz_mig_recv_tree(struct vz_mig_conn *c, const char *dir, uint32_t stream, bool incremental,
		     struct vz_error *err);

/*
 * A directory of files, symlinks and directories only (the dump), in vz's
 * tree image (cpt-tmpfs.proto) written and read by a forked child rather
 * than by tar: no program to start on either side while the CT is frozen.
 * The receiver replaces what is in its way, as tar does.
 */
int vz_mig_send_dir(struct vz_mig_conn *c, const char *dir, uint32_t stream,
		    vz_mig_progress_fn fn, void *arg, struct vz_error *err);
int vz_mig_recv_dir(struct vz_mig_conn *c, const char *dir, uint32_t stream, struct vz_error *err);

/*
 * The disk image of an image-layout CT (root.img) goes by blocks of
 * VZ_MIG_IMAGE_BLOCK bytes, not through tar: the first pass (the CT may
 * run) sends every block that holds data, skipping holes and blocks of
 * zeros, and the source keeps a hash of each block as it sent it.  The
 * pass taken once the CT is frozen or stopped re-reads the image and sends
 * only the blocks whose hash changed (and, as "zero", those that read as
 * zeros now), so the frozen phase moves what was written since the copy,
 * not the image.  With a sync root (the CT's mounted file system), that
 * pass first writes the file system's dirty data to the image (syncfs).
 *
 *   IMAGE:       size, then data chunks at offsets, eof
 *   IMAGE_DELTA: size (unchanged), data or zero chunks at offsets, eof
 */
#define VZ_MIG_IMAGE_BLOCK (64u << 10)

struct vz_mig_image;

/* Prepare to send the image file path; sync_root NULL: nothing to sync. */
int vz_mig_image_open(const char *path, const char *sync_root, struct vz_mig_image **out,
		      struct vz_error *err);
void vz_mig_image_free(struct vz_mig_image *img);
/* The first pass (delta false) or the blocks changed since the last pass (delta true). */
int vz_mig_send_image(struct vz_mig_conn *c, struct vz_mig_image *img, bool delta,
		      vz_mig_progress_fn fn, void *arg, struct vz_error *err);
/*
 * Receive an image stream into path: the first pass creates the file (it
 * must not exist) as big as the source says, at most max_size; a delta
 * writes into it.  The file is on disk (fdatasync) when this returns 0.
 */
int vz_mig_recv_image(struct vz_mig_conn *c, const char *path, bool delta, uint64_t max_size,
		      struct vz_error *err);

#endif
