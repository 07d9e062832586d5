// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/migrate-stream.c: frames through a socketpair, pushed back, and every
 * kind of broken or hostile frame refused with a clear error.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "migrate-stream.h"
#include "tap.h"

static void raw(int fd, uint32_t len, const void *body, size_t body_len)
{
	uint32_t hdr = htole32(len);

	if (write(fd, &hdr, 4) != 4 || (body_len && write(fd, body, body_len) != (ssize_t)body_len))
		abort();
}

static void refused(struct vz_mig_conn *c, int want_errno, const char *want, const char *what)
{
	struct vz_error err = { 0 };
	MigFrameEntry *f = (MigFrameEntry *)1;
	int ret = vz_mig_recv(c, &f, &err);

	ok(ret == -want_errno && f == NULL, "%s is refused (%d)", what, ret);
	like(err.msg, want, "... saying \"%s\"", want);
}

int main(void)
{
	struct vz_error err = { 0 };
	MigFrameEntry f = MIG_FRAME_ENTRY__INIT, *got = NULL;
	MigHelloEntry h = MIG_HELLO_ENTRY__INIT;
	MigChunkEntry ch = MIG_CHUNK_ENTRY__INIT;
	struct vz_mig_conn a, b;
	uint8_t data[3] = { 1, 2, 3 };
	int sk[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sk) < 0)
		return 1;
	a = (struct vz_mig_conn){ .in = sk[0], .out = sk[0] };
	b = (struct vz_mig_conn){ .in = sk[1], .out = sk[1] };

	f.kind = VZ_MIG_KIND_HELLO;
	f.hello = &h;
	h.version = VZ_MIG_PROTO_VERSION;
	h.ctid = 101;
	h.kernel = "6.1.0";
	is_int(vz_mig_send(&a, &f, &err), 0, "send a hello");
	is_int(vz_mig_recv(&b, &got, &err), 0, "receive it");
	ok(got && got->kind == VZ_MIG_KIND_HELLO && got->hello->ctid == 101 &&
		   !strcmp(got->hello->kernel, "6.1.0"),
	   "... intact");
	ok(a.bytes_out == b.bytes_in && a.bytes_out > 4, "byte counters agree (%llu)",
	   (unsigned long long)a.bytes_out);
	vz_mig_unrecv(&b, got);
	got = NULL;
	is_int(vz_mig_recv(&b, &got, &err), 0, "a pushed back frame comes again");
	ok(got && got->hello && got->hello->ctid == 101, "... the same frame");
	mig_frame_entry__free_unpacked(got, NULL);

	f = (MigFrameEntry)MIG_FRAME_ENTRY__INIT;
	f.kind = VZ_MIG_KIND_CHUNK;
	f.chunk = &ch;
	ch.stream = VZ_MIG_STREAM_FILES;
	ch.has_data = true;
	ch.data.data = data;
	ch.data.len = sizeof(data);
	is_int(vz_mig_send(&a, &f, &err), 0, "send a chunk");
	is_int(vz_mig_recv(&b, &got, &err), 0, "receive it");
	ok(got && got->chunk->data.len == 3 && got->chunk->data.data[2] == 3, "... with its bytes");
	mig_frame_entry__free_unpacked(got, NULL);
	is_int(vz_mig_send_kind(&a, VZ_MIG_KIND_COMMIT, &err), 0, "send a commit");
	is_int(vz_mig_recv(&b, &got, &err), 0, "receive it");
	ok(got && got->kind == VZ_MIG_KIND_COMMIT, "... as a commit");
	mig_frame_entry__free_unpacked(got, NULL);
	is_int(vz_mig_send_reply(&a, false, 9, "exists", &err), 0, "send a refusal");
	is_int(vz_mig_recv(&b, &got, &err), 0, "receive it");
	ok(got && got->reply && !got->reply->ok && got->reply->fail == 9 &&
		   !strcmp(got->reply->message, "exists"),
	   "... with its class and message");
	mig_frame_entry__free_unpacked(got, NULL);

	{
		MigRoundEntry rd = MIG_ROUND_ENTRY__INIT;

		f = (MigFrameEntry)MIG_FRAME_ENTRY__INIT;
		f.kind = VZ_MIG_KIND_ROUND;
		f.round = &rd;
		rd.round = 2;
		rd.has_final = rd.final = true;
		is_int(vz_mig_send(&a, &f, &err), 0, "send a pre-copy round");
		is_int(vz_mig_recv(&b, &got, &err), 0, "receive it");
		ok(got && got->round && got->round->round == 2 && got->round->final,
		   "... with its number and the final flag");
		mig_frame_entry__free_unpacked(got, NULL);
	}

	/* hostile input */
	raw(sk[0], VZ_MIG_FRAME_MAX + 1, NULL, 0);
	refused(&b, EMSGSIZE, "frame of", "a frame bigger than the limit");
	raw(sk[0], 3, "\xff\xff\xff", 3);
	refused(&b, EBADMSG, "cannot be decoded", "a garbage frame");
	{
		MigFrameEntry bad = MIG_FRAME_ENTRY__INIT;
		uint8_t buf[64];
		size_t len;

		bad.kind = VZ_MIG_KIND_HELLO; /* without its hello */
		len = mig_frame_entry__pack(&bad, buf);
		raw(sk[0], len, buf, len);
		refused(&b, EBADMSG, "malformed frame (kind 1)", "a hello frame without a hello");
		bad.kind = 77;
		len = mig_frame_entry__pack(&bad, buf);
		raw(sk[0], len, buf, len);
		refused(&b, EBADMSG, "malformed frame (kind 77)", "an unknown kind");
		bad = (MigFrameEntry)MIG_FRAME_ENTRY__INIT;
		bad.kind = VZ_MIG_KIND_CHUNK;
		bad.chunk = &ch;
		ch.stream = 42;
		len = mig_frame_entry__pack(&bad, buf);
		raw(sk[0], len, buf, len);
		refused(&b, EBADMSG, "malformed frame (kind 4)", "a chunk of an unknown stream");
		{
			MigRoundEntry rd = MIG_ROUND_ENTRY__INIT;

			bad = (MigFrameEntry)MIG_FRAME_ENTRY__INIT;
			bad.kind = VZ_MIG_KIND_ROUND;
			len = mig_frame_entry__pack(&bad, buf);
			raw(sk[0], len, buf, len);
			refused(&b, EBADMSG, "malformed frame (kind 7)", "a round frame without a round");
			bad.round = &rd;
			rd.round = 0;
			len = mig_frame_entry__pack(&bad, buf);
			raw(sk[0], len, buf, len);
			refused(&b, EBADMSG, "malformed frame (kind 7)", "pre-copy round 0");
			rd.round = VZ_MIG_ROUNDS_MAX + 1;
			len = mig_frame_entry__pack(&bad, buf);
			raw(sk[0], len, buf, len);
			refused(&b, EBADMSG, "malformed frame (kind 7)", "a round beyond the last");
			rd.round = 3;
			bad.config = "x";
			len = mig_frame_entry__pack(&bad, buf);
			raw(sk[0], len, buf, len);
			refused(&b, EBADMSG, "malformed frame (kind 7)", "a round frame with a config");
		}
	}
	raw(sk[0], 100, "abc", 3);
	shutdown(sk[0], SHUT_WR);
	refused(&b, EPIPE, "broke", "a frame cut by the end of the stream");
	refused(&b, ECONNRESET, "closed the connection", "the end of the stream");
	vz_mig_conn_release(&b);
	close(sk[0]);
	close(sk[1]);
	return done_testing();
}
