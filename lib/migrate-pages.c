// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The page-server tunnel of memory pre-copy (see migrate-pages.h).
 */
#define VZ_LOG_PREFIX "migrate"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "criu.h"
#include "fileutil.h"
#include "log.h"
#include "migrate-pages.h"

#define PS_LOG	   "page-server.log"
#define PS_SOCKBUF (4 << 20)

static int send_pages(struct vz_mig_conn *c, const void *data, size_t len, bool eof,
		      struct vz_error *err)
{
	return vz_mig_send_chunk(c, VZ_MIG_STREAM_PAGES, len ? data : NULL, len, NULL, false, eof,
				 err);
}

/* A socketpair for CRIU and its page server: stream, roomy buffers. */
static int ps_pair(int sk[2], struct vz_error *err)
{
	int size = PS_SOCKBUF;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno,
				    "Cannot make a socket for CRIU's pages");
	for (int i = 0; i < 2; i++) {
		setsockopt(sk[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		setsockopt(sk[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	return 0;
}

/* ---- the source: the relay thread ---- */

static int relay_loop(struct vz_mig_relay *r, uint8_t *buf)
{
	bool ps_open = true;

	for (;;) {
		struct pollfd p[3] = {
			{.fd = r->stop[0], .events = POLLIN},
			{.fd = r->c->in, .events = POLLIN},
			{.fd = ps_open ? r->ps : -1, .events = POLLIN},
		};
		int ret;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return vz_error_sys(&r->err, VZ_E_SYSTEM, errno,
					    "Cannot relay CRIU's pages");
		}
		if (p[0].revents)
			return 0;
		if (p[2].revents) {
			ssize_t n = read(r->ps, buf, VZ_MIG_CHUNK_SIZE);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return vz_error_sys(&r->err, VZ_E_SYSTEM, errno,
						    "Cannot read CRIU's pages");
			if (n == 0) {
				ps_open = false; /* CRIU is gone: wait for the stop */
			} else {
				ret = send_pages(r->c, buf, n, false, &r->err);
				if (ret < 0)
					return ret;
				__atomic_add_fetch(&r->bytes, n, __ATOMIC_RELAXED);
				if (r->fn)
					r->fn(__atomic_load_n(&r->bytes, __ATOMIC_RELAXED), r->arg);
			}
		}
		if (p[1].revents) {
			MigFrameEntry *f = NULL;

			ret = vz_mig_recv(r->c, &f, &r->err);
			if (ret < 0)
				return ret;
			if (f->kind == VZ_MIG_KIND_REPLY) {
				/* The destination failed (or answers out of turn): the caller reads
				 * it. */
				vz_mig_unrecv(r->c, f);
				r->peer_spoke = true;
				return -EIO;
			}
			if (f->kind != VZ_MIG_KIND_CHUNK ||
			    f->chunk->stream != VZ_MIG_STREAM_PAGES) {
				ret = vz_error_set(&r->err, VZ_E_SYSTEM, EPROTO,
						   "Unexpected frame (kind %u) during pre-copy",
						   f->kind);
				mig_frame_entry__free_unpacked(f, NULL);
				return ret;
			}
			ret = f->chunk->has_data
				      ? vz_write_full(r->ps, f->chunk->data.data, f->chunk->data.len)
				      : 0;
			mig_frame_entry__free_unpacked(f, NULL);
			if (ret < 0 && ret != -EPIPE)
				return vz_error_sys(&r->err, VZ_E_SYSTEM, -ret,
						    "Cannot pass the page server's answer to CRIU");
		}
	}
}

static void *relay_thread(void *arg)
{
	struct vz_mig_relay *r = arg;
	uint8_t *buf = malloc(VZ_MIG_CHUNK_SIZE);

	if (!buf)
		r->ret = vz_error_sys(&r->err, VZ_E_SYSTEM, ENOMEM, "Cannot relay CRIU's pages");
	else
		r->ret = relay_loop(r, buf);
	free(buf);
	/* CRIU must not wait for answers that will not come. */
	if (r->ret < 0)
		shutdown(r->ps, SHUT_RDWR);
	return NULL;
}

int vz_mig_relay_start(struct vz_mig_relay *r, struct vz_mig_conn *c, vz_mig_progress_fn fn,
		       void *arg, struct vz_error *err)
{
	int sk[2], ret;

	memset(r, 0, sizeof(*r));
	r->c = c;
	r->fn = fn;
	r->arg = arg;
	r->ps = r->criu_ps = r->stop[0] = r->stop[1] = -1;
	ret = ps_pair(sk, err);
	if (ret < 0)
		return ret;
	r->ps = sk[0];
	r->criu_ps = sk[1];
	if (pipe2(r->stop, O_CLOEXEC) < 0) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot relay CRIU's pages");
		goto err;
	}
	ret = -pthread_create(&r->thread, NULL, relay_thread, r);
	if (ret < 0) {
		vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot start the page relay");
		goto err;
	}
	r->running = true;
	return 0;
err:
	for (int i = 0; i < 2; i++)
		if (r->stop[i] >= 0)
			close(r->stop[i]);
	close(sk[0]);
	close(sk[1]);
	r->ps = r->criu_ps = r->stop[0] = r->stop[1] = -1;
	return ret;
}

int vz_mig_relay_stop(struct vz_mig_relay *r, struct vz_error *err)
{
	int ret = 0;

	if (r->running) {
		char x = 0;

		if (write(r->stop[1], &x, 1) < 0) {
			/* the pipe cannot be full: one byte per round */
		}
		pthread_join(r->thread, NULL);
		r->running = false;
		ret = r->ret;
		if (ret < 0 && !r->peer_spoke)
			*err = r->err;
	}
	for (int i = 0; i < 2; i++)
		if (r->stop[i] >= 0)
			close(r->stop[i]);
	if (r->ps >= 0)
		close(r->ps);
	if (r->criu_ps >= 0)
		close(r->criu_ps);
	r->ps = r->criu_ps = r->stop[0] = r->stop[1] = -1;
	return ret;
}

/* ---- the destination: a page server per round ---- */

struct round {
	struct vz_mig_conn *c;
	const char *dir;
	struct vz_criu criu;
	int ps;
	pid_t server;
	char *log;
	bool source_done, server_done;
	bool server_gone; /* its socket broke: waiting for its exit status */
	int status;	  /* the page server's wait status */
	uint64_t bytes;
};

static int start_server(struct round *rd, const char *dir, struct vz_error *err)
{
	CriuOpts opts = CRIU_OPTS__INIT;
	CriuReq req = CRIU_REQ__INIT;
	CriuPageServerInfo ps = CRIU_PAGE_SERVER_INFO__INIT;
	CriuResp *resp = NULL;
	__vz_close int dirfd = -1;
	int sk[2], keep[2], ret;

	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open '%s'", dir);
	ret = ps_pair(sk, err);
	if (ret < 0)
		return ret;
	rd->ps = sk[0];
	keep[0] = sk[1];
	keep[1] = -1;
	ret = vz_criu_spawn(&rd->criu, keep, err);
	if (ret < 0) {
		close(sk[1]);
		return ret;
	}
	rd->criu.log_path = rd->log;
	rd->criu.log_shown = NULL;
	opts.images_dir_fd = dirfd;
	opts.log_file = PS_LOG;
	opts.has_log_level = true;
	opts.log_level = vz_criu_log_level();
	ps.has_fd = true;
	ps.fd = sk[1];
	opts.ps = &ps;
	req.type = CRIU_REQ_TYPE__PAGE_SERVER_CHLD;
	req.opts = &opts;
	req.has_keep_open = req.keep_open = true;
	ret = vz_criu_call(&rd->criu, &req, &resp, NULL, NULL, VZ_E_SYSTEM, err);
	close(sk[1]); /* CRIU's now */
	if (ret < 0) {
		vz_error_prefix(err, "Cannot start CRIU's page server: ");
		return ret;
	}
	rd->server = resp->ps && resp->ps->has_pid ? resp->ps->pid : 0;
	criu_resp__free_unpacked(resp, NULL);
	if (rd->server <= 0)
		return vz_error_set(err, VZ_E_SYSTEM, EPROTO,
				    "CRIU did not say which page server it started");
	/* Its exit is answered on the RPC socket: the loop below polls it. */
	req = (CriuReq)CRIU_REQ__INIT;
	req.type = CRIU_REQ_TYPE__WAIT_PID;
	req.has_pid = true;
	req.pid = rd->server;
	ret = vz_criu_request(&rd->criu, &req);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot talk to CRIU's page server");
	return 0;
}

/* Whatever the page server wrote before it exited goes to the source. */
static int drain_server(struct round *rd, uint8_t *buf, struct vz_error *err)
{
	for (;;) {
		ssize_t n = recv(rd->ps, buf, VZ_MIG_CHUNK_SIZE, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		int ret = send_pages(rd->c, buf, n, false, err);

		if (ret < 0)
			return ret;
	}
}

static int server_exited(struct round *rd, uint8_t *buf, struct vz_error *err)
{
	CriuResp *resp = NULL;
	int ret = vz_criu_answer(&rd->criu, &resp);

	rd->server_done = true;
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Lost CRIU's page server");
	rd->status = resp->success && resp->has_status ? resp->status : -1;
	criu_resp__free_unpacked(resp, NULL);
	if (rd->status == 0)
		return drain_server(rd, buf, err);
	{
		char detail[600];
		struct statvfs sv;

		/* A full disk also cuts the log short: say it in our words. */
		if (statvfs(rd->dir, &sv) == 0 && (uint64_t)sv.f_bavail * sv.f_frsize < (1u << 20))
			return vz_error_sys(err, VZ_E_SYSTEM, ENOSPC,
					    "CRIU's page server could not write into '%s'",
					    rd->dir);
		vz_criu_log_errors(rd->log, detail, sizeof(detail));
		return vz_error_set(err, VZ_E_SYSTEM, EIO, "CRIU's page server failed%s%s",
				    detail[0] ? ": " : "", detail);
	}
}

static int from_source(struct round *rd, struct vz_error *err)
{
	MigFrameEntry *f = NULL;
	int ret = vz_mig_recv(rd->c, &f, err);

	if (ret < 0)
		return ret;
	if (f->kind == VZ_MIG_KIND_ABORT) {
		ret = vz_error_set(err, VZ_E_SYSTEM, ECANCELED, "The source gave up the migration");
	} else if (f->kind != VZ_MIG_KIND_CHUNK || f->chunk->stream != VZ_MIG_STREAM_PAGES) {
		ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO,
				   "Unexpected frame (kind %u) during pre-copy", f->kind);
	} else {
		if (f->chunk->has_data && f->chunk->data.len) {
			if (rd->server_done)
				ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO,
						   "Pages after the page server finished");
			else if (!rd->server_gone)
				ret = vz_write_full(rd->ps, f->chunk->data.data, f->chunk->data.len);
			if (ret == -EPIPE || ret == -ECONNRESET) {
				/* It failed: its exit status (polled) says why; drop the rest. */
				rd->server_gone = true;
				ret = 0;
			} else if (ret < 0 && !rd->server_done) {
				ret = vz_error_sys(err, VZ_E_SYSTEM, -ret,
						   "Cannot pass the pages to CRIU's page server");
			}
			rd->bytes += f->chunk->data.len;
		}
		if (ret == 0 && f->chunk->has_eof && f->chunk->eof) {
			rd->source_done = true;
			/* CRIU closed the session; a page server still reading learns the end. */
			shutdown(rd->ps, SHUT_WR);
		}
	}
	mig_frame_entry__free_unpacked(f, NULL);
	return ret;
}

int vz_mig_round_serve(struct vz_mig_conn *c, const char *dir, uint64_t *bytes,
		       struct vz_error *err)
{
	struct round rd = {.c = c, .dir = dir, .ps = -1, .criu = {.pid = -1, .sk = -1}};
	__vz_free uint8_t *buf = malloc(VZ_MIG_CHUNK_SIZE);
	int ret;

	*bytes = 0;
	rd.log = vz_path_join(dir, PS_LOG);
	if (!buf || !rd.log) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot receive the pages");
		goto out;
	}
	ret = start_server(&rd, dir, err);
	if (ret == 0)
		ret = vz_mig_send_reply(c, true, 0, NULL, err);
	while (ret == 0 && !(rd.source_done && rd.server_done)) {
		struct pollfd p[3] = {
			{.fd = rd.source_done ? -1 : c->in, .events = POLLIN},
			{.fd = rd.server_done || rd.server_gone ? -1 : rd.ps, .events = POLLIN},
			{.fd = rd.server_done ? -1 : rd.criu.sk, .events = POLLIN},
		};

		if (poll(p, 3, -1) < 0) {
			if (errno != EINTR)
				ret = vz_error_sys(err, VZ_E_SYSTEM, errno,
						   "Cannot receive the pages");
			continue;
		}
		if (p[1].revents) {
			ssize_t n = read(rd.ps, buf, VZ_MIG_CHUNK_SIZE);

			if (n > 0)
				ret = send_pages(c, buf, n, false, err);
			else if (n == 0 || errno != EINTR)
				rd.server_gone = true; /* its exit status says how it went */
		}
		if (ret == 0 && p[0].revents)
			ret = from_source(&rd, err);
		if (ret == 0 && p[2].revents)
			ret = server_exited(&rd, buf, err);
	}
out:
	*bytes = rd.bytes;
	if (rd.ps >= 0) {
		/* A page server still running reads EOF and exits. */
		shutdown(rd.ps, SHUT_RDWR);
		close(rd.ps);
	}
	if (rd.criu.sk >= 0 || rd.criu.pid > 0)
		vz_criu_close(&rd.criu);
	free(rd.log);
	return ret;
}
