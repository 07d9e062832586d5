// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/migrate-pages.c, the source's relay of a pre-copy round without
 * CRIU: what is written on CRIU's end of the socket arrives as PAGES
 * chunks on the other node's side, its PAGES chunks come back on CRIU's
 * end, a REPLY of the other node stops the relay and is left for the
 * caller, and a broken connection cuts CRIU's socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "migrate-pages.h"
#include "tap.h"

static int send_pages(struct vz_mig_conn *c, const char *text)
{
	MigFrameEntry f = MIG_FRAME_ENTRY__INIT;
	MigChunkEntry ch = MIG_CHUNK_ENTRY__INIT;
	struct vz_error err;

	f.kind = VZ_MIG_KIND_CHUNK;
	f.chunk = &ch;
	ch.stream = VZ_MIG_STREAM_PAGES;
	ch.has_data = true;
	ch.data.data = (uint8_t *)text;
	ch.data.len = strlen(text);
	return vz_mig_send(c, &f, &err);
}

/* Read what CRIU's end receives within a second. */
static ssize_t criu_reads(int fd, char *buf, size_t size)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, 1000) != 1)
		return -1;
	return read(fd, buf, size - 1);
}

int main(void)
{
	struct vz_mig_relay r;
	struct vz_error err = {0};
	struct vz_mig_conn src, dst;
	MigFrameEntry *got = NULL;
	char buf[64];
	ssize_t n;
	int sk[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sk) < 0)
		return 1;
	src = (struct vz_mig_conn){.in = sk[0], .out = sk[0]};
	dst = (struct vz_mig_conn){.in = sk[1], .out = sk[1]};

	is_int(vz_mig_relay_start(&r, &src, NULL, NULL, &err), 0, "start a relay");
	ok(r.criu_ps >= 0, "... with a socket for CRIU");
	ok(write(r.criu_ps, "PS_IOV_OPEN2", 12) == 12, "CRIU writes to its page server");
	is_int(vz_mig_recv(&dst, &got, &err), 0, "the other node receives a frame");
	ok(got && got->kind == VZ_MIG_KIND_CHUNK && got->chunk->stream == VZ_MIG_STREAM_PAGES &&
		   got->chunk->data.len == 12 && !memcmp(got->chunk->data.data, "PS_IOV_OPEN2", 12),
	   "... a PAGES chunk with CRIU's bytes");
	mig_frame_entry__free_unpacked(got, NULL);
	is_int(send_pages(&dst, "has-parent"), 0, "the page server answers");
	n = criu_reads(r.criu_ps, buf, sizeof(buf));
	buf[n > 0 ? n : 0] = '\0';
	is_str(buf, "has-parent", "... and CRIU reads the answer");
	is_int(vz_mig_relay_stop(&r, &err), 0, "stop the relay");
	ok(r.bytes == 12, "it counted CRIU's bytes (%llu)", (unsigned long long)r.bytes);
	ok(!r.peer_spoke, "... and nothing else came");

	is_int(vz_mig_relay_start(&r, &src, NULL, NULL, &err), 0, "a second round");
	is_int(vz_mig_send_reply(&dst, false, 6, "No space left on device", &err), 0,
	       "the other node fails");
	n = criu_reads(r.criu_ps, buf, sizeof(buf));
	ok(n == 0, "CRIU's socket is cut (read %zd)", n);
	ok(vz_mig_relay_stop(&r, &err) < 0 && r.peer_spoke, "the relay says the other node spoke");
	is_int(vz_mig_recv(&src, &got, &err), 0, "its answer is left for the caller");
	ok(got && got->kind == VZ_MIG_KIND_REPLY && !got->reply->ok &&
		   !strcmp(got->reply->message, "No space left on device"),
	   "... the refusal with its reason");
	mig_frame_entry__free_unpacked(got, NULL);

	is_int(vz_mig_relay_start(&r, &src, NULL, NULL, &err), 0, "a third round");
	shutdown(sk[1], SHUT_RDWR);
	n = criu_reads(r.criu_ps, buf, sizeof(buf));
	ok(n == 0, "the connection breaks: CRIU's socket is cut (read %zd)", n);
	ok(vz_mig_relay_stop(&r, &err) < 0 && !r.peer_spoke, "the relay fails");
	like(err.msg, "closed the connection", "... saying why (%s)", err.msg);
	vz_mig_conn_release(&src);
	close(sk[0]);
	close(sk[1]);
	return done_testing();
}
