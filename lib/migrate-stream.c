// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "migrate"
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "log.h"
#include "migrate-stream.h"

int vz_mig_send(struct vz_mig_conn *c, const MigFrameEntry *f, struct vz_error *err)
{
	size_t len = mig_frame_entry__get_packed_size(f);
	__vz_free uint8_t *buf = NULL;
	uint32_t hdr;
	int ret;

	if (len > VZ_MIG_FRAME_MAX)
		return vz_error_set(err, VZ_E_SYSTEM, EMSGSIZE, "A migration frame is too big");
	buf = malloc(len + 4);
	if (!buf)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot send to the other node");
	hdr = htole32((uint32_t)len);
	memcpy(buf, &hdr, 4);
	mig_frame_entry__pack(f, buf + 4);
	ret = vz_write_full(c->out, buf, len + 4);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot send to the other node");
	c->bytes_out += len + 4;
	return 0;
}

int vz_mig_send_chunk(struct vz_mig_conn *c, uint32_t stream, const void *data, size_t len,
		      const uint64_t *off, bool zero, bool eof, struct vz_error *err)
{
	MigFrameEntry f = MIG_FRAME_ENTRY__INIT;
	MigChunkEntry ch = MIG_CHUNK_ENTRY__INIT;

	f.kind = VZ_MIG_KIND_CHUNK;
	f.chunk = &ch;
	ch.stream = stream;
	if (off) {
		ch.has_offset = true;
		ch.offset = *off;
	}
	if (data) {
		ch.has_data = true;
		ch.data.data = (uint8_t *)data;
		ch.data.len = len;
	}
	ch.has_zero = ch.zero = zero;
	ch.has_eof = ch.eof = eof;
	return vz_mig_send(c, &f, err);
}

int vz_mig_send_kind(struct vz_mig_conn *c, uint32_t kind, struct vz_error *err)
{
	MigFrameEntry f = MIG_FRAME_ENTRY__INIT;

	f.kind = kind;
	return vz_mig_send(c, &f, err);
}

int vz_mig_send_reply(struct vz_mig_conn *c, bool ok, unsigned fail, const char *msg,
		      struct vz_error *err)
{
	MigFrameEntry f = MIG_FRAME_ENTRY__INIT;
	MigReplyEntry r = MIG_REPLY_ENTRY__INIT;

	f.kind = VZ_MIG_KIND_REPLY;
	f.reply = &r;
	r.ok = ok;
	if (!ok) {
		r.has_fail = true;
		r.fail = fail;
		r.message = (char *)(msg ? msg : "");
	}
	return vz_mig_send(c, &f, err);
}

static bool frame_valid(const MigFrameEntry *f)
{
	switch (f->kind) {
	case VZ_MIG_KIND_HELLO:
		return f->hello && !f->reply && !f->chunk && !f->config && !f->round;
	case VZ_MIG_KIND_REPLY:
		return f->reply && !f->hello && !f->chunk && !f->config && !f->round;
	case VZ_MIG_KIND_CONFIG:
		return f->config && !f->hello && !f->reply && !f->chunk && !f->round;
	case VZ_MIG_KIND_CHUNK:
		return f->chunk && !f->hello && !f->reply && !f->config && !f->round &&
		       f->chunk->stream >= VZ_MIG_STREAM_FILES &&
		       f->chunk->stream <= VZ_MIG_STREAM_IMAGE_DELTA;
	case VZ_MIG_KIND_ROUND:
		return f->round && !f->hello && !f->reply && !f->chunk && !f->config &&
		       f->round->round >= 1 && f->round->round <= VZ_MIG_ROUNDS_MAX;
	case VZ_MIG_KIND_COMMIT:
	case VZ_MIG_KIND_ABORT:
		return !f->hello && !f->reply && !f->chunk && !f->config && !f->round;
	default:
		return false;
	}
}

int vz_mig_decode(const uint8_t *buf, size_t len, MigFrameEntry **out, struct vz_error *err)
{
	MigFrameEntry *f = mig_frame_entry__unpack(NULL, len, buf);

	*out = NULL;
	if (!f)
		return vz_error_set(err, VZ_E_SYSTEM, EBADMSG, "The other node sent a frame that cannot be decoded");
	if (!frame_valid(f)) {
		uint32_t kind = f->kind;

		mig_frame_entry__free_unpacked(f, NULL);
		return vz_error_set(err, VZ_E_SYSTEM, EBADMSG,
				    "The other node sent a malformed frame (kind %u)", kind);
	}
	*out = f;
	return 0;
}

int vz_mig_recv(struct vz_mig_conn *c, MigFrameEntry **out, struct vz_error *err)
{
	__vz_free uint8_t *buf = NULL;
	uint32_t hdr, len;
	int ret;

	*out = NULL;
	if (c->pending) {
		*out = take_ptr(c->pending);
		return 0;
	}
	ret = vz_read_full(c->in, &hdr, 4);
	if (ret == 0)
		return vz_error_set(err, VZ_E_SYSTEM, ECONNRESET, "The other node closed the connection");
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot read from the other node");
	len = le32toh(hdr);
	if (len > VZ_MIG_FRAME_MAX)
		return vz_error_set(err, VZ_E_SYSTEM, EMSGSIZE,
				    "The other node sent a frame of %u bytes (at most %u)", len,
				    VZ_MIG_FRAME_MAX);
	buf = malloc(len ? len : 1);
	if (!buf)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read from the other node");
	ret = len ? vz_read_full(c->in, buf, len) : 1;
	if (ret <= 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ret ? -ret : EPIPE,
				    "The connection to the other node broke");
	c->bytes_in += len + 4;
	return vz_mig_decode(buf, len, out, err);
}

bool vz_mig_lost(const struct vz_error *err)
{
	return err->errnum == ECONNRESET || err->errnum == EPIPE || err->errnum == ETIMEDOUT ||
	       err->errnum == ECONNABORTED || err->errnum == EHOSTUNREACH;
}

void vz_mig_conn_set_timeout(struct vz_mig_conn *c, unsigned secs)
{
	int fds[2] = { c->in, c->out }, on = 1, probe = secs / 3 ? secs / 3 : 1, count = 3;
	unsigned ms = secs * 1000;

	if (!secs)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (i && fds[i] == fds[0])
			break;
		/* Only a TCP socket takes these; anything else says so and is left alone. */
		if (setsockopt(fds[i], IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms)) < 0)
			continue;
		setsockopt(fds[i], SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
		setsockopt(fds[i], IPPROTO_TCP, TCP_KEEPIDLE, &probe, sizeof(probe));
		setsockopt(fds[i], IPPROTO_TCP, TCP_KEEPINTVL, &probe, sizeof(probe));
		setsockopt(fds[i], IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
	}
}

void vz_mig_unrecv(struct vz_mig_conn *c, MigFrameEntry *f)
{
	vz_mig_conn_release(c);
	c->pending = f;
}

void vz_mig_conn_release(struct vz_mig_conn *c)
{
	if (c->pending)
		mig_frame_entry__free_unpacked(c->pending, NULL);
	c->pending = NULL;
}
