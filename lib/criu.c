// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CRIU RPC client: a swrk worker per session, packed criu_req/criu_resp
 * datagrams, notifications answered, failures reported with CRIU's own
 * error lines.
 */
#define VZ_LOG_PREFIX "criu"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "criu.h"
#include "fileutil.h"
#include "log.h"
#include "procutil.h"

#define CRIU_BINARY "criu"
#define MAX_MSG (16 << 20)

const char *vz_kernel_release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u) < 0)
		return "unknown";
	return u.release;
}

static void __attribute__((noreturn)) worker(int sk, int errfd, const int *keep)
{
	char fdstr[16];
	sigset_t all;
	int keep_all[64], n = 0;

	/* The caller may be the monitor: CRIU needs its signals back. */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	keep_all[n++] = sk;
	keep_all[n++] = errfd;
	for (; keep && *keep >= 0 && n < (int)ARRAY_SIZE(keep_all) - 1; keep++) {
		int fl = fcntl(*keep, F_GETFD);

		if (fl >= 0)
			fcntl(*keep, F_SETFD, fl & ~FD_CLOEXEC);
		keep_all[n++] = *keep;
	}
	keep_all[n] = -1;
	vz_close_fds_from(3, keep_all);
	/* CRIU writes what matters to its log; its terminal chatter is not ours. */
	n = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (n >= 0) {
		dup2(n, 0);
		dup2(n, 1);
		dup2(n, 2);
	}
	fcntl(sk, F_SETFD, 0);
	snprintf(fdstr, sizeof(fdstr), "%d", sk);
	execlp(CRIU_BINARY, CRIU_BINARY, "swrk", fdstr, (char *)NULL);
	n = errno;
	if (write(errfd, &n, sizeof(n)) < 0) {
		/* the parent sees EOF and a dead worker */
	}
	_exit(127);
}

int vz_criu_spawn(struct vz_criu *c, const int *keep, struct vz_error *err)
{
	int sk[2], ep[2], child_errno = 0;
	ssize_t n;

	c->pid = -1;
	c->sk = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot talk to CRIU");
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(sk[0]);
		close(sk[1]);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot talk to CRIU");
	}
	c->pid = fork();
	if (c->pid == 0) {
		close(sk[0]);
		close(ep[0]);
		worker(sk[1], ep[1], keep);
	}
	close(sk[1]);
	close(ep[1]);
	if (c->pid < 0) {
		close(sk[0]);
		close(ep[0]);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot start CRIU");
	}
	do
		n = read(ep[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (n == (ssize_t)sizeof(child_errno)) {
		waitpid(c->pid, NULL, 0);
		c->pid = -1;
		close(sk[0]);
		if (child_errno == ENOENT)
			return vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, ENOENT,
					    "CRIU is not installed ('%s' not found in PATH)",
					    CRIU_BINARY);
		return vz_error_sys(err, VZ_E_SYSTEM, child_errno, "Cannot execute '%s'",
				    CRIU_BINARY);
	}
	c->sk = sk[0];
	return 0;
}

int vz_criu_close(struct vz_criu *c)
{
	int status = 0;

	if (c->sk >= 0)
		close(c->sk);
	c->sk = -1;
	if (c->pid <= 0)
		return 0;
	while (waitpid(c->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			c->pid = -1;
			return -errno;
		}
	}
	c->pid = -1;
	return status;
}

int vz_criu_request(struct vz_criu *c, const CriuReq *req)
{
	size_t len = criu_req__get_packed_size(req);
	__vz_free uint8_t *buf = malloc(len ? len : 1);

	if (!buf)
		return -ENOMEM;
	criu_req__pack(req, buf);
	if (send(c->sk, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -errno ?: -EIO;
	return 0;
}

int vz_criu_answer(struct vz_criu *c, CriuResp **out)
{
	__vz_free uint8_t *buf = NULL;
	ssize_t len;

	do
		len = recv(c->sk, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (len < 0 && errno == EINTR);
	if (len < 0)
		return -errno;
	if (len == 0)
		return -ECONNRESET; /* the worker died */
	if (len > MAX_MSG)
		return -EMSGSIZE;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	if (recv(c->sk, buf, len, 0) != len)
		return -EIO;
	*out = criu_resp__unpack(NULL, len, buf);
	return *out ? 0 : -EBADMSG;
}

/* The "Error" lines at the end of CRIU's log: what went wrong, in its words. */
void vz_criu_log_errors(const char *path, char *buf, size_t size)
{
	__vz_free char *text = NULL;
	const char *lines[3] = { 0 };
	size_t nr = 0, used = 0;

	buf[0] = '\0';
	if (!path || vz_read_file(path, &text, NULL) < 0)
		return;
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		/*
		 * A page server on a Unix socket (migration) cannot be corked
		 * or set NODELAY; CRIU says so as an error and goes on.
		 */
		if (strstr(line, "Error (") && !strstr(line, "Unable to restore TCP_")) {
			if (nr == ARRAY_SIZE(lines))
				memmove(lines, lines + 1, sizeof(lines) - sizeof(lines[0]));
			lines[nr < ARRAY_SIZE(lines) ? nr++ : nr - 1] = line;
		}
	}
	for (size_t i = 0; i < nr && used + 4 < size; i++) {
		const char *msg = strstr(lines[i], "): ");

		msg = msg ? msg + 3 : lines[i];
		used += snprintf(buf + used, size - used, "%s%s", i ? "; " : "", msg);
	}
}

int vz_criu_call(struct vz_criu *c, CriuReq *req, CriuResp **out, vz_criu_notify_fn fn, void *arg,
		 enum vz_error_kind kind, struct vz_error *err)
{
	struct vz_error notify_err = { 0 };
	bool notify_failed = false;
	CriuResp *resp = NULL;
	char detail[600];
	int ret;

	*out = NULL;
	ret = vz_criu_request(c, req);
	if (ret < 0)
		return vz_error_sys(err, kind, -ret, "Cannot send a request to CRIU");
	for (;;) {
		CriuReq ack = CRIU_REQ__INIT;

		ret = vz_criu_answer(c, &resp);
		if (ret < 0) {
			vz_criu_log_errors(c->log_path, detail, sizeof(detail));
			if (notify_failed) {
				*err = notify_err;
				return notify_err.errnum ? -notify_err.errnum : -EIO;
			}
			return vz_error_set(err, kind, -ret, "CRIU ended without an answer%s%s%s",
					    detail[0] ? ": " : "", detail,
					    c->log_path ? "" : " (no log)");
		}
		if (resp->type != CRIU_REQ_TYPE__NOTIFY)
			break;
		ack.type = CRIU_REQ_TYPE__NOTIFY;
		ack.has_notify_success = true;
		ack.notify_success = true;
		if (fn && resp->notify) {
			const char *script = resp->notify->script ? resp->notify->script : "";
			pid_t pid = resp->notify->has_pid ? resp->notify->pid : 0;

			vz_debug("CRIU notification %s (pid %d)", script, (int)pid);
			if (fn(script, pid, arg, &notify_err) < 0) {
				ack.notify_success = false;
				notify_failed = true;
			}
		}
		criu_resp__free_unpacked(resp, NULL);
		resp = NULL;
		ret = vz_criu_request(c, &ack);
		if (ret < 0)
			return vz_error_sys(err, kind, -ret, "Cannot answer CRIU");
	}
	if (!resp->success || notify_failed) {
		int e = resp->has_cr_errno && resp->cr_errno ? resp->cr_errno : EIO;

		if (notify_failed) {
			*err = notify_err;
			ret = notify_err.errnum ? -notify_err.errnum : -EIO;
		} else {
			vz_criu_log_errors(c->log_path, detail, sizeof(detail));
			if (!detail[0] && resp->cr_errmsg)
				snprintf(detail, sizeof(detail), "%s", resp->cr_errmsg);
			const char *shown = c->log_shown ? c->log_shown : c->log_path;

			ret = vz_error_set(err, kind, e, "CRIU failed%s%s%s%s%s",
					   detail[0] ? ": " : "", detail, shown ? " (see '" : "",
					   shown ? shown : "", shown ? "')" : "");
		}
		criu_resp__free_unpacked(resp, NULL);
		return ret;
	}
	*out = resp;
	return 0;
}

/* One request in a session of its own. */
static int one_shot(CriuReq *req, CriuResp **resp, enum vz_error_kind kind, struct vz_error *err)
{
	struct vz_criu c;
	int ret = vz_criu_spawn(&c, NULL, err);

	if (ret < 0)
		return ret;
	c.log_path = c.log_shown = NULL;
	ret = vz_criu_call(&c, req, resp, NULL, NULL, kind, err);
	vz_criu_close(&c);
	return ret;
}

int vz_criu_version(char *buf, size_t size, struct vz_error *err)
{
	CriuReq req = CRIU_REQ__INIT;
	CriuResp *resp = NULL;
	int ret;

	req.type = CRIU_REQ_TYPE__VERSION;
	ret = one_shot(&req, &resp, VZ_E_NO_KERNEL_SUPPORT, err);
	if (ret < 0)
		return ret;
	if (!resp->version) {
		criu_resp__free_unpacked(resp, NULL);
		return vz_error_set(err, VZ_E_NO_KERNEL_SUPPORT, EPROTO, "CRIU did not say its version");
	}
	if (resp->version->has_sublevel)
		snprintf(buf, size, "%d.%d.%d", resp->version->major_number,
			 resp->version->minor_number, resp->version->sublevel);
	else
		snprintf(buf, size, "%d.%d", resp->version->major_number,
			 resp->version->minor_number);
	criu_resp__free_unpacked(resp, NULL);
	return 0;
}

bool vz_criu_has_mem_track(void)
{
	CriuReq req = CRIU_REQ__INIT;
	CriuFeatures want = CRIU_FEATURES__INIT;
	CriuResp *resp = NULL;
	bool ok;

	req.type = CRIU_REQ_TYPE__FEATURE_CHECK;
	want.has_mem_track = want.mem_track = true;
	req.features = &want;
	if (one_shot(&req, &resp, VZ_E_NO_KERNEL_SUPPORT, NULL) < 0)
		return false;
	ok = resp->features && resp->features->has_mem_track && resp->features->mem_track;
	criu_resp__free_unpacked(resp, NULL);
	return ok;
}

int vz_criu_check_key(char *buf, size_t size)
{
	const char *path = getenv("PATH");
	char boot[64], bin[PATH_MAX];
	struct stat st;

	vz_boot_id(boot, sizeof(boot));
	if (!*boot)
		return -ENOENT;
	for (const char *p = path && *path ? path : "/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");

		if (len && snprintf(bin, sizeof(bin), "%.*s/%s", (int)len, p, CRIU_BINARY) <
				   (int)sizeof(bin) &&
		    stat(bin, &st) == 0 && S_ISREG(st.st_mode) && access(bin, X_OK) == 0) {
			int n = snprintf(buf, size, "boot=%s kernel=%s criu=%s:%llu:%llu:%lld.%09ld", boot,
					 vz_kernel_release(), bin, (unsigned long long)st.st_ino,
					 (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec,
					 st.st_mtim.tv_nsec);

			return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
		}
		p += len + (p[len] == ':');
	}
	return -ENOENT;
}

int vz_criu_check_cached(const char *cache, char *version, size_t size, struct vz_error *err)
{
	char key[PATH_MAX + 256], text[PATH_MAX + 512], found[64];
	__vz_free char *line = NULL;
	int ret, n;

	if (!cache || vz_criu_check_key(key, sizeof(key)) < 0)
		return vz_criu_check(version, size, err);
	n = vz_read_file_at(AT_FDCWD, cache, text, sizeof(text));
	if (n > 0 && !strncmp(text, key, strlen(key)) &&
	    sscanf(text + strlen(key), " version=%63s", found) == 1) {
		if (version)
			snprintf(version, size, "%s", found);
		return 0;
	}
	ret = vz_criu_check(found, sizeof(found), err);
	if (ret < 0)
		return ret;
	if (version)
		snprintf(version, size, "%s", found);
	if (asprintf(&line, "%s version=%s\n", key, found) > 0) {
		struct vz_error ignored;

		if (vz_write_file_atomic(cache, line, strlen(line), 0644, &ignored) < 0)
			vz_debug("%s", ignored.msg);
	}
	return 0;
}

int vz_criu_check(char *version_out, size_t size, struct vz_error *err)
{
	CriuReq req = CRIU_REQ__INIT;
	CriuOpts opts = CRIU_OPTS__INIT;
	char dir[] = "/tmp/vz-criu-check.XXXXXX", log[64], version[64];
	__vz_close int dirfd = -1;
	CriuResp *resp = NULL;
	struct vz_criu c;
	int ret;

	ret = vz_criu_version(version, sizeof(version), err);
	if (ret < 0) {
		if (err && err->kind == VZ_E_NO_KERNEL_SUPPORT && err->errnum == ENOENT)
			return ret;
		/* A worker that dies before it can say its version: its self-check failed. */
		vz_error_prefix(err, "Checkpointing is not supported on kernel %s: ",
				vz_kernel_release());
		if (err)
			err->kind = VZ_E_NO_KERNEL_SUPPORT;
		return ret;
	}
	/* CRIU writes its log into the images directory: a private one. */
	if (!mkdtemp(dir))
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create '%s'", dir);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open '%s'", dir);
		goto out;
	}
	snprintf(log, sizeof(log), "%s/check.log", dir);
	req.type = CRIU_REQ_TYPE__CHECK;
	req.opts = &opts;
	opts.images_dir_fd = dirfd;
	opts.log_file = "check.log";
	ret = vz_criu_spawn(&c, NULL, err);
	if (ret < 0)
		goto out;
	c.log_path = log;
	c.log_shown = NULL;
	ret = vz_criu_call(&c, &req, &resp, NULL, NULL, VZ_E_NO_KERNEL_SUPPORT, err);
	vz_criu_close(&c);
	if (ret < 0) {
		/* The log is about to go: keep what it said, not where it was. */
		char *see = err ? strstr(err->msg, " (see '") : NULL;

		if (see)
			*see = '\0';
		vz_error_prefix(err, "CRIU %s cannot checkpoint on kernel %s: ", version,
				vz_kernel_release());
		goto out;
	}
	criu_resp__free_unpacked(resp, NULL);
	if (version_out)
		snprintf(version_out, size, "%s", version);
out:
	vz_rm_rf(dir);
	return ret;
}

int vz_criu_log_level(void)
{
	return vz_log_debug_wanted() ? 4 : 2;
}
