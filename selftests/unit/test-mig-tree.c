// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/migrate-files.c, the private area's passes through tar: a tar started
 * ahead of its pass (vz_mig_tar_sender, vz_mig_tar_receiver) archives the
 * tree as it is when the pass begins, not when tar started: what changed
 * in between arrives (new, changed and deleted files), the excluded image
 * stays behind, and a tar not needed is killed without leaving a child.
 * A tree of many small files goes in full chunks, not a frame per record
 * tar writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "fileutil.h"
#include "migrate-files.h"
#include "tap.h"
#include "tree-files.h"

static char tmpdir[128], src[128], dst[128], snap[128];

static bool exists(const char *dir, const char *name)
{
	return access(path_of(dir, name), F_OK) == 0;
}

/*
 * The source side in a child: the full pass, then a tar started ahead;
 * only after the receiver said it has the full pass and started its own
 * tar (a byte on report) does the tree change, and then the pass begins.
 */
static void __attribute__((noreturn)) send_side(int fd, int report)
{
	struct vz_mig_conn c = {.in = fd, .out = fd};
	struct vz_error err = {0};
	struct vz_mig_tar *t = NULL;
	char ack;

	if (vz_mig_send_tree(&c, src, 1, snap, "root.img", NULL, NULL, &err) < 0)
		_exit(1);
	if (vz_mig_tar_sender(src, snap, "root.img", &t, &err) < 0)
		_exit(2);
	if (read(report, &ack, 1) != 1)
		_exit(3);
	put(src, "changed", "after");
	put(src, "dir/new", "new");
	put(src, "root.img", "image, changed");
	if (unlink(path_of(src, "gone")) < 0)
		_exit(4);
	_exit(vz_mig_send_tree_with(&c, t, 2, NULL, NULL, NULL, &err) < 0 ? 5 : 0);
}

static void test_started_ahead(void)
{
	struct vz_error err = {0};
	struct vz_mig_conn c;
	struct vz_mig_tar *t = NULL;
	int sk[2], rep[2], status;
	pid_t pid;

	put(src, "changed", "before");
	put(src, "gone", "soon gone");
	put(src, "root.img", "image");
	put(src, "dir/kept", "kept");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rep) < 0)
		abort();
	pid = fork();
	if (pid == 0)
		send_side(sk[1], rep[1]);
	c = (struct vz_mig_conn){.in = sk[0], .out = sk[0]};
	is_int(vz_mig_recv_tree(&c, dst, 1, false, &err), 0, "the full pass arrives (%s)",
	       err.msg);
	is_str(text_of(dst, "changed"), "before", "... with the files as they were");
	ok(exists(dst, "gone") && !exists(dst, "root.img"), "... but not the excluded image");
	is_int(vz_mig_tar_receiver(dst, true, &t, &err), 0, "a receiver starts ahead (%s)",
	       err.msg);
	if (write(rep[0], "", 1) != 1)
		abort();
	is_int(vz_mig_recv_tree_with(&c, t, 2, &err), 0, "the delta pass arrives (%s)", err.msg);
	is_str(text_of(dst, "changed"), "after",
	       "a file changed after the sender's tar started is sent changed");
	is_str(text_of(dst, "dir/new"), "new", "... one made since is sent");
	ok(!exists(dst, "gone"), "... one deleted since is deleted on the receiver");
	is_str(text_of(dst, "dir/kept"), "kept", "... one unchanged stays");
	ok(!exists(dst, "root.img"), "... the excluded image stays behind");
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the sender succeeded (%d)", status);
	for (int i = 0; i < 2; i++) {
		close(sk[i]);
		close(rep[i]);
	}
}

static void test_not_needed(void)
{
	struct vz_error err = {0};
	struct vz_mig_tar *s = NULL, *r = NULL;
	struct stat before, after;

	if (stat(snap, &before) < 0)
		abort();
	is_int(vz_mig_tar_sender(src, snap, NULL, &s, &err), 0, "a sender starts (%s)", err.msg);
	is_int(vz_mig_tar_receiver(dst, true, &r, &err), 0, "a receiver starts (%s)", err.msg);
	/* Long enough for both to load and block on their input. */
	usleep(200 * 1000);
	vz_mig_tar_free(s);
	vz_mig_tar_free(r);
	errno = 0;
	ok(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
	   "freeing them leaves no child behind");
	ok(stat(snap, &after) == 0 && after.st_size == before.st_size &&
		   after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
		   after.st_mtim.tv_nsec == before.st_mtim.tv_nsec,
	   "... and the killed sender did not rewrite the snapshot");
	is_str(text_of(dst, "dir/kept"), "kept", "... nor did the receiver touch the tree");
	vz_mig_tar_free(NULL);
	ok(1, "freeing nothing is allowed");
}

/* 400 files of 8 KiB: tar writes them in records of 10 KiB. */
static void test_full_chunks(void)
{
	char many[192], name[32], text[8193];
	struct vz_error err = {0};
	struct vz_mig_conn c;
	size_t frames = 0, short_frames = 0, bytes = 0;
	bool eof = false;
	int sk[2], status;
	pid_t pid;

	snprintf(many, sizeof(many), "%s/many", tmpdir);
	if (mkdir(many, 0755) < 0)
		abort();
	for (int i = 0; i < 400; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		memset(text, 'a' + i % 26, sizeof(text) - 1);
		text[sizeof(text) - 1] = '\0';
		put(many, name, text);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		c = (struct vz_mig_conn){.in = sk[1], .out = sk[1]};
		_exit(vz_mig_send_tree(&c, many, 1, NULL, NULL, NULL, NULL, &err) < 0);
	}
	close(sk[1]);
	c = (struct vz_mig_conn){.in = sk[0], .out = sk[0]};
	while (!eof) {
		MigFrameEntry *f = NULL;

		if (vz_mig_recv(&c, &f, &err) < 0)
			break;
		eof = f->kind == VZ_MIG_KIND_CHUNK && f->chunk->has_eof && f->chunk->eof;
		if (f->kind == VZ_MIG_KIND_CHUNK && f->chunk->has_data && f->chunk->data.len) {
			if (frames && bytes % VZ_MIG_CHUNK_SIZE)
				short_frames++; /* a short frame before this one */
			frames++;
			bytes += f->chunk->data.len;
		}
		mig_frame_entry__free_unpacked(f, NULL);
	}
	ok(eof && bytes > 400 * 8192, "the tree of 400 files arrives (%zu bytes, %s)", bytes,
	   eof ? "complete" : err.msg);
	is_int((long long)frames, (long long)((bytes + VZ_MIG_CHUNK_SIZE - 1) / VZ_MIG_CHUNK_SIZE),
	       "... in full chunks: %zu frames", frames);
	is_int((long long)short_frames, 0, "... none short but the last");
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "... and the sender succeeds");
	close(sk[0]);
}

int main(void)
{
	if (tree_dirs("mig-tree", tmpdir, src, dst, snap, sizeof(src)) < 0) {
		ok(0, "create a temporary directory");
		return done_testing();
	}
	if (mkdir(path_of(src, "dir"), 0755) < 0)
		abort();
	test_started_ahead();
	test_not_needed();
	test_full_chunks();
	vz_rm_rf(tmpdir);
	return done_testing();
}
