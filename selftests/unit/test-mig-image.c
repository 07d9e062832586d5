// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/migrate-files.c, the disk image of an image-layout CT by blocks: a
 * sparse image arrives whole and sparse, a second pass sends only the
 * blocks changed since (data, and zeros where data was), and a hostile
 * stream (too big, blocks out of place or of the wrong length, a delta of
 * another size) is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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

#define BLOCK VZ_MIG_IMAGE_BLOCK
/* 64 blocks and a tail of 3 KiB: the last block is short. */
#define SIZE ((uint64_t)64 * BLOCK + 3072)

static char tmpdir[] = "/tmp/vz-unit-mig-image.XXXXXX";

static void fill(const char *path, uint64_t off, size_t len, int byte)
{
	uint8_t *buf = malloc(len);
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (!buf || fd < 0)
		abort();
	memset(buf, byte, len);
	if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
		abort();
	close(fd);
	free(buf);
}

static bool same_file(const char *a, const char *b)
{
	char *x = NULL, *y = NULL;
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
	bool same = fa >= 0 && fb >= 0;

	x = malloc(SIZE);
	y = malloc(SIZE);
	if (!x || !y)
		abort();
	same = same && read(fa, x, SIZE) == (ssize_t)SIZE && read(fb, y, SIZE) == (ssize_t)SIZE &&
	       !memcmp(x, y, SIZE) && read(fa, x, 1) == 0 && read(fb, y, 1) == 0;
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	free(x);
	free(y);
	return same;
}

/* The source side in a child: the first pass, the changes, the delta; reports its bytes. */
static pid_t sender(int fd, const char *path, int report)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	{
		struct vz_mig_conn c = {.in = fd, .out = fd};
		struct vz_error err = {0};
		struct vz_mig_image *img = NULL;
		uint64_t full, delta;
		char ack;

		if (vz_mig_image_open(path, NULL, &img, &err) < 0 ||
		    vz_mig_send_image(&c, img, false, NULL, NULL, &err) < 0)
			_exit(1);
		full = c.bytes_out;
		/* The receiver has it all: now the CT writes. */
		if (read(report, &ack, 1) != 1)
			_exit(2);
		fill(path, 5 * BLOCK + 100, 10, 'x'); /* a byte range in a block sent before */
		fill(path, 0, BLOCK, 0);	      /* a block of data becomes zeros */
		fill(path, 20 * BLOCK, BLOCK, 'n');   /* a hole gets data */
		fill(path, 64 * BLOCK, 3072, 't');    /* the short tail changes */
		if (vz_mig_send_image(&c, img, true, NULL, NULL, &err) < 0)
			_exit(3);
		delta = c.bytes_out - full;
		if (write(report, &full, sizeof(full)) != sizeof(full) ||
		    write(report, &delta, sizeof(delta)) != sizeof(delta))
			_exit(4);
		vz_mig_image_free(img);
		_exit(0);
	}
}

static void test_passes(void)
{
	char src[128], dst[128];
	struct vz_error err = {0};
	struct vz_mig_conn c;
	struct stat st;
	uint64_t full = 0, delta = 0;
	int sk[2], rep[2], status, fd;
	pid_t pid;

	snprintf(src, sizeof(src), "%s/src.img", tmpdir);
	snprintf(dst, sizeof(dst), "%s/dst.img", tmpdir);
	fd = open(src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)SIZE) < 0)
		abort();
	close(fd);
	fill(src, 0, BLOCK, 'a');
	fill(src, 5 * BLOCK, BLOCK, 'b');
	fill(src, 7 * BLOCK, BLOCK, 0); /* written, but zeros */
	fill(src, 64 * BLOCK, 3072, 'c');
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rep) < 0)
		abort();
	pid = sender(sk[1], src, rep[1]);
	c = (struct vz_mig_conn){.in = sk[0], .out = sk[0]};
	is_int(vz_mig_recv_image(&c, dst, false, SIZE, &err), 0, "the first pass arrives (%s)",
	       err.msg);
	ok(stat(dst, &st) == 0 && (uint64_t)st.st_size == SIZE, "... as big as the image");
	ok((uint64_t)st.st_blocks * 512 <= 3 * BLOCK + 4096,
	   "... and sparse: holes and zeros were not sent (%llu bytes allocated)",
	   (unsigned long long)st.st_blocks * 512);
	ok(same_file(src, dst), "... equal to the image");
	if (write(rep[0], "", 1) != 1)
		abort();
	is_int(vz_mig_recv_image(&c, dst, true, SIZE, &err), 0, "the delta arrives (%s)", err.msg);
	ok(same_file(src, dst), "... and the copy equals the changed image");
	ok(read(rep[0], &full, sizeof(full)) == sizeof(full) &&
		   read(rep[0], &delta, sizeof(delta)) == sizeof(delta),
	   "the sender reports its bytes");
	ok(delta > 2 * BLOCK + 3072 && delta < 3 * BLOCK,
	   "the delta sent the two changed blocks, the tail and a zero, not more (%llu bytes, "
	   "the first pass %llu)",
	   (unsigned long long)delta, (unsigned long long)full);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the sender succeeded (%d)", status);
	close(sk[0]);
	close(sk[1]);
	close(rep[0]);
	close(rep[1]);
	unlink(dst);
}

/* Send raw chunks of an image stream to a receiver; its answer. */
static int hostile(bool delta, uint64_t max, const MigChunkEntry *chunks, size_t n,
		   struct vz_error *err)
{
	char dst[128];
	struct vz_mig_conn a, b;
	int sk[2], ret;

	snprintf(dst, sizeof(dst), "%s/bad.img", tmpdir);
	unlink(dst);
	if (delta) {
		int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0 || ftruncate(fd, (off_t)SIZE) < 0)
			abort();
		close(fd);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk) < 0)
		abort();
	a = (struct vz_mig_conn){.in = sk[0], .out = sk[0]};
	b = (struct vz_mig_conn){.in = sk[1], .out = sk[1]};
	for (size_t i = 0; i < n; i++) {
		MigFrameEntry f = MIG_FRAME_ENTRY__INIT;
		MigChunkEntry ch = chunks[i];

		f.kind = VZ_MIG_KIND_CHUNK;
		f.chunk = &ch;
		if (vz_mig_send(&a, &f, err) < 0)
			abort();
	}
	vz_error_clear(err);
	ret = vz_mig_recv_image(&b, dst, delta, max, err);
	close(sk[0]);
	close(sk[1]);
	unlink(dst);
	return ret;
}

static void test_hostile(void)
{
	static uint8_t data[BLOCK];
	MigChunkEntry size = MIG_CHUNK_ENTRY__INIT, c1 = MIG_CHUNK_ENTRY__INIT;
	MigChunkEntry eof = MIG_CHUNK_ENTRY__INIT;
	struct vz_error err = {0};

	size.stream = c1.stream = eof.stream = VZ_MIG_STREAM_IMAGE;
	size.has_size = true;
	size.size = SIZE;
	eof.has_eof = eof.eof = true;

	is_int(hostile(false, SIZE - 1, (MigChunkEntry[]){size, eof}, 2, &err), -EFBIG,
	       "an image bigger than DISKSPACE is refused");
	like(err.msg, "more than the CT's DISKSPACE", "... saying so (%s)", err.msg);

	is_int(hostile(false, SIZE, (MigChunkEntry[]){eof}, 1, &err), -EPROTO,
	       "a stream without its size is refused");

	c1.has_offset = true;
	c1.offset = BLOCK / 2;
	c1.has_data = true;
	c1.data.data = data;
	c1.data.len = BLOCK;
	is_int(hostile(false, SIZE, (MigChunkEntry[]){size, c1, eof}, 3, &err), -EPROTO,
	       "a block at an offset that is not a block's is refused");
	c1.offset = SIZE + BLOCK;
	is_int(hostile(false, SIZE, (MigChunkEntry[]){size, c1, eof}, 3, &err), -EPROTO,
	       "a block past the end is refused");
	c1.offset = 64 * BLOCK; /* the tail: 3072 bytes, not a whole block */
	is_int(hostile(false, SIZE, (MigChunkEntry[]){size, c1, eof}, 3, &err), -EPROTO,
	       "a block longer than the image's tail is refused");
	c1.offset = BLOCK;
	c1.has_zero = c1.zero = true;
	is_int(hostile(false, SIZE, (MigChunkEntry[]){size, c1, eof}, 3, &err), -EPROTO,
	       "a zero block with data is refused");
	c1.has_zero = c1.zero = false;
	is_int(hostile(false, SIZE, (MigChunkEntry[]){size, c1, eof}, 3, &err), 0,
	       "a good block is taken (%s)", err.msg);

	size.stream = c1.stream = eof.stream = VZ_MIG_STREAM_IMAGE_DELTA;
	size.size = SIZE + BLOCK;
	is_int(hostile(true, SIZE * 2, (MigChunkEntry[]){size, eof}, 2, &err), -EPROTO,
	       "a delta for an image of another size is refused");
	size.size = SIZE;
	is_int(hostile(true, SIZE, (MigChunkEntry[]){size, c1, eof}, 3, &err), 0,
	       "a delta of the same size is taken (%s)", err.msg);
	c1.stream = VZ_MIG_STREAM_IMAGE;
	is_int(hostile(true, SIZE, (MigChunkEntry[]){size, c1, eof}, 3, &err), -EPROTO,
	       "a chunk of another stream in a delta is refused");
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		ok(0, "create a temporary directory");
		return done_testing();
	}
	test_passes();
	test_hostile();
	vz_rm_rf(tmpdir);
	return done_testing();
}
