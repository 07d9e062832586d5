/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory pre-copy through CRIU's page server, tunnelled in the migration
 * stream (internal to migrate*.c).
 *
 * CRIU's pre-dump and dump send pages to a page server over a socket they
 * are given (criu_opts.ps.fd); a page server started over RPC
 * (PAGE_SERVER_CHLD) serves a socket it is given the same way.  Neither
 * needs a TCP connection of its own: on the source CRIU gets one end of a
 * socketpair and a relay thread carries what it writes as PAGES chunks of
 * the migration stream, and the page server's answers back; on the
 * destination the same bytes go into the socketpair of a page server
 * writing into the round's images directory.  So the whole migration keeps
 * to one connection (ssh or TCP) and its timeouts.
 *
 *   source                                  destination
 *   ROUND n                              -> images dir n, "parent" -> ../n-1,
 *                                           a page server on it (WAIT_PID
 *                                           asked at once: its exit is news)
 *                                        <- REPLY (ready)
 *   CRIU pre-dump/dump, relay thread     <-> PAGES chunks both ways
 *   PAGES eof (CRIU is done)             -> the page server has exited
 *                                        <- REPLY (the pages are on disk)
 *
 * A failure on the destination is a REPLY at any time: the relay thread
 * leaves it for the source's next read and cuts CRIU's socket, so CRIU's
 * pre-dump (CT running) or dump (post-dump never reached: CT resumed)
 * fails at once.
 */
#ifndef VZ_MIGRATE_PAGES_H
#define VZ_MIGRATE_PAGES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "migrate-files.h"
#include "migrate-stream.h"

struct vz_mig_relay {
	struct vz_mig_conn *c;
	int ps;	     /* our end of CRIU's page-server socket */
	int criu_ps; /* CRIU's end, until CRIU has inherited it */
	int stop[2]; /* the main thread's "round over" */
	pthread_t thread;
	bool running;
	bool peer_spoke; /* the destination sent a REPLY (pushed back on c) */
	uint64_t bytes;	 /* bytes CRIU sent this round */
	vz_mig_progress_fn fn;
	void *arg;
	int ret; /* the thread's result */
	struct vz_error err;
};

/* Source: a socketpair for CRIU (relay->criu_ps) and the thread that relays it. */
int vz_mig_relay_start(struct vz_mig_relay *r, struct vz_mig_conn *c, vz_mig_progress_fn fn,
		       void *arg, struct vz_error *err);
/*
 * Source: CRIU is done (or failed): stop the thread.  A thread that failed
 * says why (err); a REPLY of the destination is left on c, with
 * relay->peer_spoke, for the caller to read.
 */
int vz_mig_relay_stop(struct vz_mig_relay *r, struct vz_error *err);

/*
 * Destination: serve one round into dir (which exists, with its "parent"
 * link): start a page server, answer REPLY ok, relay until the source's
 * eof and the page server's exit.  On failure the caller answers REPLY
 * with err (the page server is gone by then).
 */
int vz_mig_round_serve(struct vz_mig_conn *c, const char *dir, uint64_t *bytes,
		       struct vz_error *err);

#endif
