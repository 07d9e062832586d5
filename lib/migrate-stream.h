/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The migration stream (internal to the migrate*.c files): frames of a u32
 * little-endian size and a packed mig_frame_entry (proto/mig-frame.proto)
 * over one connected socket or pipe pair, read as hostile input.
 */
#ifndef VZ_MIGRATE_STREAM_H
#define VZ_MIGRATE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "mig-frame.pb-c.h"

#define VZ_MIG_PROTO_VERSION 1
#define VZ_MIG_FRAME_MAX (8u << 20)
#define VZ_MIG_CHUNK_SIZE (1u << 20)
#define VZ_MIG_ROUNDS_MAX 64 /* pre-copy rounds, the final one included */

enum {
	VZ_MIG_KIND_HELLO = 1,
	VZ_MIG_KIND_REPLY = 2,
	VZ_MIG_KIND_CONFIG = 3,
	VZ_MIG_KIND_CHUNK = 4,
	VZ_MIG_KIND_COMMIT = 5, /* the source gave the CT up: the destination keeps it */
	VZ_MIG_KIND_ABORT = 6,	/* the source gives up: undo everything */
	VZ_MIG_KIND_ROUND = 7,	/* a round of memory pre-copy begins (migrate-pages.h) */
};

enum {
	VZ_MIG_STREAM_FILES = 1,	/* the private area, full */
	VZ_MIG_STREAM_FILES_DELTA = 2,	/* what changed since, taken frozen */
	VZ_MIG_STREAM_DUMP = 3,		/* the dump directory */
	VZ_MIG_STREAM_PAGES = 4,	/* CRIU <-> page server bytes of a round, both ways */
	VZ_MIG_STREAM_IMAGE = 5,	/* an image CT's root.img, by blocks (migrate-files.h) */
	VZ_MIG_STREAM_IMAGE_DELTA = 6,	/* its blocks changed since */
};

struct vz_mig_conn {
	int in, out;
	uint64_t bytes_in, bytes_out;
	MigFrameEntry *pending; /* pushed back by vz_mig_unrecv() */
};

int vz_mig_send(struct vz_mig_conn *c, const MigFrameEntry *f, struct vz_error *err);
/* Send a frame of kind with no payload (COMMIT, ABORT). */
/*
 * A CHUNK frame of stream: data (NULL: none), at *off in an image stream
 * (off NULL: a byte stream), zero: zeros there instead of data, eof: the
 * stream's last frame.
 */
int vz_mig_send_chunk(struct vz_mig_conn *c, uint32_t stream, const void *data, size_t len,
		      const uint64_t *off, bool zero, bool eof, struct vz_error *err);
int vz_mig_send_kind(struct vz_mig_conn *c, uint32_t kind, struct vz_error *err);
/* REPLY: ok, or fail (VZ_MIG_F_*) and why. */
int vz_mig_send_reply(struct vz_mig_conn *c, bool ok, unsigned fail, const char *msg,
		      struct vz_error *err);
/*
 * Receive one frame; *f is freed with mig_frame_entry__free_unpacked().
 * -ECONNRESET when the peer closed the stream between frames.
 */
int vz_mig_recv(struct vz_mig_conn *c, MigFrameEntry **f, struct vz_error *err);
/* Put a received frame back: the next vz_mig_recv() returns it. */
void vz_mig_unrecv(struct vz_mig_conn *c, MigFrameEntry *f);
/* Free a pushed back frame (the fds are the caller's). */
void vz_mig_conn_release(struct vz_mig_conn *c);
/*
 * A TCP connection gives up on a peer that has not acknowledged anything
 * for secs seconds (TCP_USER_TIMEOUT, keepalive probes while idle), so a
 * cut link fails the migration instead of hanging it.  A no-op on a pipe
 * or a Unix socket (ssh has its own ServerAlive options).
 */
void vz_mig_conn_set_timeout(struct vz_mig_conn *c, unsigned secs);
/* Did err come from the other node going away or falling silent (not from a bad transfer)? */
bool vz_mig_lost(const struct vz_error *err);
/* Decode a frame body; checks that kind and fields agree. */
int vz_mig_decode(const uint8_t *buf, size_t len, MigFrameEntry **f, struct vz_error *err);

#endif
