// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "migrate"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "migrate-files.h"
#include "procutil.h"

#define TAR "tar"

/* Fork tar with argv; its stdin (to_tar) or stdout (!to_tar) is our *fd. */
static pid_t spawn_tar(char *const argv[], bool to_tar, int *fd, struct vz_error *err)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot start tar");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot start tar");
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(to_tar ? p[0] : p[1], to_tar ? 0 : 1) < 0)
			_exit(127);
		if (!to_tar) {
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (null >= 0)
				dup2(null, 0);
		}
		execvp(TAR, argv);
		fprintf(stderr, "Cannot execute %s: %m\n", TAR);
		_exit(127);
	}
	close(to_tar ? p[0] : p[1]);
	*fd = to_tar ? p[1] : p[0];
	return pid;
}

static int tar_status(pid_t pid, bool create, struct vz_error *err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot wait for tar");
	/* tar --create says 1 when a file changed while it read it: the delta pass catches up. */
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || (create && WEXITSTATUS(status) == 1)))
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return vz_error_set(err, VZ_E_SYSTEM, ENOENT, "GNU tar is not installed");
	return vz_error_set(err, VZ_E_SYSTEM, EIO, "tar %s failed (%s %d)",
			    create ? "--create" : "--extract",
			    WIFEXITED(status) ? "exit status" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

int vz_mig_send_tree(struct vz_mig_conn *c, const char *dir, uint32_t stream, const char *snapshot,
		     vz_mig_progress_fn fn, void *arg, struct vz_error *err)
{
	__vz_free char *dir_opt = NULL, *snap_opt = NULL;
	__vz_free uint8_t *buf = malloc(VZ_MIG_CHUNK_SIZE);
	MigFrameEntry f = MIG_FRAME_ENTRY__INIT;
	MigChunkEntry ch = MIG_CHUNK_ENTRY__INIT;
	__vz_close int fd = -1;
	uint64_t total = 0;
	int ret = 0;
	pid_t pid;

	if (!buf || asprintf(&dir_opt, "--directory=%s", dir) < 0 ||
	    (snapshot && asprintf(&snap_opt, "--listed-incremental=%s", snapshot) < 0))
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot send '%s'", dir);
	{
		char *argv[] = { TAR, "--create", "--file=-", dir_opt, "--numeric-owner", "--sparse",
				 "--xattrs", "--xattrs-include=*", "--acls", "--one-file-system",
				 snap_opt ? snap_opt : ".", snap_opt ? "." : NULL, NULL };

		pid = spawn_tar(argv, false, &fd, err);
	}
	if (pid < 0)
		return (int)pid;
	f.kind = VZ_MIG_KIND_CHUNK;
	f.chunk = &ch;
	ch.stream = stream;
	for (;;) {
		ssize_t n = read(fd, buf, VZ_MIG_CHUNK_SIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot read tar's output");
			break;
		}
		if (n == 0)
			break;
		ch.has_data = true;
		ch.data.data = buf;
		ch.data.len = n;
		ret = vz_mig_send(c, &f, err);
		if (ret < 0)
			break;
		total += n;
		if (fn)
			fn(total, arg);
	}
	if (ret < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return ret;
	}
	ret = tar_status(pid, true, err);
	if (ret < 0)
		return ret;
	ch.has_data = false;
	ch.has_eof = true;
	ch.eof = true;
	return vz_mig_send(c, &f, err);
}

int vz_mig_recv_tree(struct vz_mig_conn *c, const char *dir, uint32_t stream, bool incremental,
		     struct vz_error *err)
{
	__vz_free char *dir_opt = NULL;
	__vz_close int fd = -1;
	int ret = 0;
	pid_t pid;

	if (asprintf(&dir_opt, "--directory=%s", dir) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot receive '%s'", dir);
	{
		char *argv[] = { TAR, "--extract", "--file=-", dir_opt, "--numeric-owner",
				 "--same-owner", "--preserve-permissions", "--xattrs",
				 "--xattrs-include=*", "--acls",
				 incremental ? "--listed-incremental=/dev/null" : NULL, NULL };

		pid = spawn_tar(argv, true, &fd, err);
	}
	if (pid < 0)
		return (int)pid;
	for (;;) {
		MigFrameEntry *f = NULL;
		bool eof;

		ret = vz_mig_recv(c, &f, err);
		if (ret < 0)
			break;
		if (f->kind == VZ_MIG_KIND_ABORT || f->kind != VZ_MIG_KIND_CHUNK ||
		    f->chunk->stream != stream) {
			ret = f->kind == VZ_MIG_KIND_ABORT
				      ? vz_error_set(err, VZ_E_SYSTEM, ECANCELED,
						     "The source node gave up the migration")
				      : vz_error_set(err, VZ_E_SYSTEM, EPROTO,
						     "Unexpected frame (kind %u) in a file stream",
						     f->kind);
			mig_frame_entry__free_unpacked(f, NULL);
			break;
		}
		if (f->chunk->has_data && f->chunk->data.len) {
			const uint8_t *p = f->chunk->data.data;
			size_t left = f->chunk->data.len;

			while (left && ret == 0) {
				ssize_t n = write(fd, p, left);

				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0)
					ret = vz_error_sys(err, VZ_E_SYSTEM, n < 0 ? errno : EIO,
							   "tar stopped reading");
				else
					p += n, left -= n;
			}
		}
		eof = f->chunk->has_eof && f->chunk->eof;
		mig_frame_entry__free_unpacked(f, NULL);
		if (ret < 0 || eof)
			break;
	}
	close(fd);
	fd = -1;
	if (ret < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return ret;
	}
	return tar_status(pid, false, err);
}
