/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRIU driven through its RPC service, never its command line: a worker
 * "criu swrk <fd>" is forked with one end of a SOCK_SEQPACKET socketpair;
 * each datagram is one packed criu_req or criu_resp (bindings generated
 * from the criu package's rpc.proto).  While a request runs, CRIU sends
 * NOTIFY messages (pre-dump, post-dump, setup-namespaces, ...) that are
 * answered with success or failure; failing post-dump makes CRIU resume
 * the dumped tasks, which is how a checkpoint is rolled back.
 */
#ifndef VZ_CRIU_H
#define VZ_CRIU_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "rpc.pb-c.h"

struct vz_criu {
	pid_t pid; /* the swrk worker */
	int sk;	   /* our end of the socketpair */
	const char *log_path; /* CRIU's log, read for error messages */
	const char *log_shown; /* where the message says the log is (default log_path) */
};

/*
 * Called for each notification; return 0 to let CRIU go on, -errno (with
 * err filled) to make it fail.  pid is the task CRIU names (restore: the
 * root task of the restored tree), 0 if none.
 */
typedef int (*vz_criu_notify_fn)(const char *script, pid_t pid, void *arg, struct vz_error *err);

/* Fork a worker; keep: -1-terminated fds it inherits (inherit_fd, page server). */
int vz_criu_spawn(struct vz_criu *c, const int *keep, struct vz_error *err);
/*
 * Send req and wait for its answer, serving notifications with fn (NULL:
 * all answered with success).  On CRIU's failure err says so with kind,
 * CRIU's errno and the error lines of its log.  *resp is the final answer
 * (free with criu_resp__free_unpacked(*resp, NULL)), NULL on failure.
 */
int vz_criu_call(struct vz_criu *c, CriuReq *req, CriuResp **resp, vz_criu_notify_fn fn,
		 void *arg, enum vz_error_kind kind, struct vz_error *err);
/*
 * The two halves of vz_criu_call() for a request answered later (WAIT_PID
 * while a page server runs): send it, then read the one answer (no
 * notifications come) when c->sk is readable.  -errno, no err: the caller
 * says what it was doing.
 */
int vz_criu_request(struct vz_criu *c, const CriuReq *req);
int vz_criu_answer(struct vz_criu *c, CriuResp **resp);
/* The last "Error" lines of CRIU's log at path, in its words ("" if none). */
void vz_criu_log_errors(const char *path, char *buf, size_t size);
/* Close the connection and reap the worker; its exit status, or -errno. */
int vz_criu_close(struct vz_criu *c);

/* The installed CRIU's version ("3.17.1"), asked over RPC. */
int vz_criu_version(char *buf, size_t size, struct vz_error *err);
/* "6.1.192" and friends: the running kernel's release. */
const char *vz_kernel_release(void);
/* Can CRIU track dirty memory here (soft-dirty bits: pre-copy)?  Asked over RPC. */
bool vz_criu_has_mem_track(void);
/*
 * Can this node checkpoint at all?  CRIU's own check of the kernel; a
 * failure is VZ_E_NO_KERNEL_SUPPORT naming the kernel and CRIU versions.
 * CRIU's version (asked first) goes to version unless it is NULL.
 */
int vz_criu_check(char *version, size_t size, struct vz_error *err);
/*
 * vz_criu_check() at most once per boot and CRIU binary: a check that
 * passed is remembered in the file cache (this boot's id, the kernel, the
 * CRIU binary's inode, size and time, the version), and a later call that
 * finds the same answers there starts no CRIU worker.  A failure is never
 * remembered.
 */
int vz_criu_check_cached(const char *cache, char *version, size_t size, struct vz_error *err);
/* What a remembered check must match: "boot=... kernel=... criu=<path>:<ino>:<size>:<mtime>". */
int vz_criu_check_key(char *buf, size_t size);
/*
 * The log level for CRIU's dump, pre-dump, page server and restore logs.
 * CRIU writes each line with a system call of its own, and its debug log
 * (level 4, some 1900 lines for an idle busybox CT) costs the frozen CT
 * measurable time: it is written when vz's own debug messages are wanted
 * (--verbose, or LOG_LEVEL 1 with a log file), else errors and warnings (2).
 */
int vz_criu_log_level(void);

#endif
