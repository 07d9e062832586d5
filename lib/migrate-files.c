// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "migrate"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cleanup.h"
#include "cpt-tmpfs.h"
#include "fileutil.h"
#include "log.h"
#include "migrate-changes.h"
#include "migrate-files.h"
#include "procutil.h"
#include "quota.h"

#define TAR "tar"
/* The most changed names a pass gives tar (the default pipe-max-size). */
#define PASS_NAMES_MAX (1 << 20)

/*
 * In a child of vzmigrate that works a file stream: default signals, and it
 * dies with vzmigrate (killed with SIGKILL, nothing writes on).
 */
static void stream_child_setup(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(127);
}

/*
 * A tar working one pass of a file stream: a sender writes the archive to
 * fd and takes the names to archive from the pipe names_fd (until it gets
 * them it has only loaded itself and read its snapshot file); a receiver
 * reads the archive from fd.
 */
struct vz_mig_tar {
	pid_t pid;
	int fd;
	int names_fd;
	bool create;
	char *dir, *exclude; /* a sender's */
};

static void close_pipe(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

void vz_mig_tar_free(struct vz_mig_tar *t)
{
	if (!t)
		return;
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		while (waitpid(t->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (t->fd >= 0)
		close(t->fd);
	if (t->names_fd >= 0)
		close(t->names_fd);
	free(t->dir);
	free(t->exclude);
	free(t);
}

/* Fork tar with argv; create: stdout t->fd, stdin t->names_fd; else stdin t->fd. */
static int spawn_tar(char *const argv[], bool create, struct vz_mig_tar **out, struct vz_error *err)
{
	struct vz_mig_tar *t = calloc(1, sizeof(*t));
	int p[2] = { -1, -1 }, n[2] = { -1, -1 };

	*out = NULL;
	if (!t)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot start tar");
	t->fd = t->names_fd = -1;
	t->create = create;
	if (pipe2(p, O_CLOEXEC) < 0 || (create && pipe2(n, O_CLOEXEC) < 0)) {
		int e = errno;

		close_pipe(p);
		free(t);
		return vz_error_sys(err, VZ_E_SYSTEM, e, "Cannot start tar");
	}
	t->pid = fork();
	if (t->pid < 0) {
		int e = errno;

		close_pipe(p);
		close_pipe(n);
		free(t);
		return vz_error_sys(err, VZ_E_SYSTEM, e, "Cannot start tar");
	}
	if (t->pid == 0) {
		stream_child_setup();
		if (dup2(create ? n[0] : p[0], 0) < 0 || (create && dup2(p[1], 1) < 0))
			_exit(127);
		execvp(TAR, argv);
		fprintf(stderr, "Cannot execute %s: %m\n", TAR);
		_exit(127);
	}
	close(create ? p[1] : p[0]);
	t->fd = create ? p[0] : p[1];
	/* Room for a whole chunk: fewer wake-ups of tar and of us (a smaller pipe works too). */
	fcntl(t->fd, F_SETPIPE_SZ, (int)VZ_MIG_CHUNK_SIZE);
	if (create) {
		close(n[0]);
		t->names_fd = n[1];
	}
	*out = t;
	return 0;
}

/* Wait for t's tar to end and free t: 0 if it did its work. */
static int tar_finish(struct vz_mig_tar *t, struct vz_error *err)
{
	bool create = t->create;
	int status;

	while (waitpid(t->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			int e = errno;

			vz_mig_tar_free(t);
			return vz_error_sys(err, VZ_E_SYSTEM, e, "Cannot wait for tar");
		}
	}
	t->pid = 0;
	vz_mig_tar_free(t);
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

/* What fd yields, as CHUNK frames of stream (without the end). */
static int send_chunks(struct vz_mig_conn *c, int fd, uint32_t stream, vz_mig_progress_fn fn,
		       void *arg, struct vz_error *err)
{
	__vz_free uint8_t *buf = malloc(VZ_MIG_CHUNK_SIZE);
	uint64_t total = 0;

	if (!buf)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot send a file stream");
	for (;;) {
		size_t len = 0;
		ssize_t n = 1;
		int ret;

		/*
		 * Full chunks: tar writes records of 10 KiB, and a frame per
		 * record would cost a frame's work and a TCP segment each.
		 */
		while (len < VZ_MIG_CHUNK_SIZE) {
			n = read(fd, buf + len, VZ_MIG_CHUNK_SIZE - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return vz_error_sys(err, VZ_E_SYSTEM, errno,
						    "Cannot read the file stream");
			if (n == 0)
				break;
			len += n;
		}
		if (!len)
			return 0;
		ret = vz_mig_send_chunk(c, stream, buf, len, NULL, false, false, err);
		if (ret < 0)
			return ret;
		total += len;
		if (fn)
			fn(total, arg);
		if (n == 0)
			return 0;
	}
}

int vz_mig_send_eof(struct vz_mig_conn *c, uint32_t stream, struct vz_error *err)
{
	return vz_mig_send_chunk(c, stream, NULL, 0, NULL, false, true, err);
}

/* The CHUNK frames of stream into fd, up to the one that ends it. */
static int recv_chunks(struct vz_mig_conn *c, int fd, uint32_t stream, struct vz_error *err)
{
	for (;;) {
		MigFrameEntry *f = NULL;
		bool eof;
		int ret = vz_mig_recv(c, &f, err);

		if (ret < 0)
			return ret;
		if (f->kind == VZ_MIG_KIND_ABORT || f->kind != VZ_MIG_KIND_CHUNK ||
		    f->chunk->stream != stream) {
			ret = f->kind == VZ_MIG_KIND_ABORT
				      ? vz_error_set(err, VZ_E_SYSTEM, ECANCELED,
						     "The source node gave up the migration")
				      : vz_error_set(err, VZ_E_SYSTEM, EPROTO,
						     "Unexpected frame (kind %u) in a file stream",
						     f->kind);
			mig_frame_entry__free_unpacked(f, NULL);
			return ret;
		}
		if (f->chunk->has_data && f->chunk->data.len &&
		    vz_write_full(fd, f->chunk->data.data, f->chunk->data.len) < 0)
			ret = vz_error_sys(err, VZ_E_SYSTEM, errno ?: EIO,
					   "The file stream's reader stopped reading");
		eof = f->chunk->has_eof && f->chunk->eof;
		mig_frame_entry__free_unpacked(f, NULL);
		if (ret < 0 || eof)
			return ret;
	}
}

int vz_mig_tar_sender(const char *dir, const char *snapshot, const char *exclude,
		      struct vz_mig_tar **out, struct vz_error *err)
{
	__vz_free char *dir_opt = NULL, *snap_opt = NULL, *excl_opt = NULL;
	char *argv[20];
	int argc = 0, ret;

	if (asprintf(&dir_opt, "--directory=%s", dir) < 0 ||
	    (snapshot && asprintf(&snap_opt, "--listed-incremental=%s", snapshot) < 0) ||
	    (exclude && asprintf(&excl_opt, "--exclude=./%s", exclude) < 0))
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot send '%s'", dir);
	argv[argc++] = TAR;
	argv[argc++] = "--create";
	argv[argc++] = "--file=-";
	argv[argc++] = dir_opt;
	argv[argc++] = "--numeric-owner";
	argv[argc++] = "--sparse";
	argv[argc++] = "--xattrs";
	argv[argc++] = "--xattrs-include=*";
	argv[argc++] = "--xattrs-exclude=" VZ_QUOTA_TAG_MARK;
	argv[argc++] = "--acls";
	argv[argc++] = "--one-file-system";
	/* tar applies an --exclude to the names that follow it. */
	if (excl_opt)
		argv[argc++] = excl_opt;
	if (snap_opt)
		argv[argc++] = snap_opt;
	/* The names (".", or what changed) arrive on stdin when the pass begins. */
	argv[argc++] = "--verbatim-files-from";
	argv[argc++] = "--null";
	argv[argc++] = "--files-from=-";
	argv[argc] = NULL;
	ret = spawn_tar(argv, true, out, err);
	if (ret == 0 && (!((*out)->dir = strdup(dir)) ||
			 (exclude && !((*out)->exclude = strdup(exclude))))) {
		vz_mig_tar_free(*out);
		*out = NULL;
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot send '%s'", dir);
	}
	return ret;
}

/*
 * The names for a pass of t: everything, or what changed since
 * changed_since when the walk works and its list fits the names pipe
 * (which tar reads while it writes the archive vzmigrate reads only
 * after): otherwise "." still gives the right pass, only a slower one.
 */
static int pass_names(struct vz_mig_tar *t, const struct timespec *changed_since, char **names,
		      size_t *len)
{
	struct vz_error ignored;
	int room;

	*names = NULL;
	if (changed_since &&
	    vz_mig_changed_names(t->dir, changed_since, t->exclude, names, len, &ignored) == 0) {
		room = fcntl(t->names_fd, F_GETPIPE_SZ);
		if ((room > 0 && *len <= (size_t)room) ||
		    (*len <= PASS_NAMES_MAX && fcntl(t->names_fd, F_SETPIPE_SZ, (int)*len) >= 0)) {
			vz_debug("The last pass: %zu bytes of changed names", *len);
			return 0;
		}
		free(*names);
	} else if (changed_since) {
		vz_debug("The last pass walks everything: %s", ignored.msg);
	}
	*names = strdup(".");
	*len = 2;
	return *names ? 0 : -ENOMEM;
}

int vz_mig_send_tree_with(struct vz_mig_conn *c, struct vz_mig_tar *t, uint32_t stream,
			  const struct timespec *changed_since, vz_mig_progress_fn fn, void *arg,
			  struct vz_error *err)
{
	__vz_free char *names = NULL;
	size_t len;
	int ret;

	if (pass_names(t, changed_since, &names, &len) < 0) {
		vz_mig_tar_free(t);
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot start a pass");
	}
	if (!len) {
		/* Nothing changed, and tar given no name archives "."; the archive of nothing instead. */
		static const uint8_t end_of_archive[10240];

		vz_mig_tar_free(t);
		ret = vz_mig_send_chunk(c, stream, end_of_archive, sizeof(end_of_archive), NULL, false,
					false, err);
		return ret < 0 ? ret : vz_mig_send_eof(c, stream, err);
	}
	if (vz_write_full(t->names_fd, names, len) < 0) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, errno ?: EIO, "tar ended before its pass");
		vz_mig_tar_free(t);
		return ret;
	}
	close(t->names_fd);
	t->names_fd = -1;
	ret = send_chunks(c, t->fd, stream, fn, arg, err);
	if (ret < 0) {
		vz_mig_tar_free(t);
		return ret;
	}
	ret = tar_finish(t, err);
	return ret < 0 ? ret : vz_mig_send_eof(c, stream, err);
}

int vz_mig_send_tree(struct vz_mig_conn *c, const char *dir, uint32_t stream, const char *snapshot,
		     const char *exclude, vz_mig_progress_fn fn, void *arg, struct vz_error *err)
{
	struct vz_mig_tar *t;
	int ret = vz_mig_tar_sender(dir, snapshot, exclude, &t, err);

	return ret < 0 ? ret : vz_mig_send_tree_with(c, t, stream, NULL, fn, arg, err);
}

int vz_mig_tar_receiver(const char *dir, bool incremental, struct vz_mig_tar **out,
			struct vz_error *err)
{
	__vz_free char *dir_opt = NULL;

	if (asprintf(&dir_opt, "--directory=%s", dir) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot receive '%s'", dir);
	{
		char *argv[] = { TAR, "--extract", "--file=-", dir_opt, "--numeric-owner",
				 "--same-owner", "--preserve-permissions", "--xattrs",
				 "--xattrs-include=*", "--xattrs-exclude=" VZ_QUOTA_TAG_MARK, "--acls",
				 incremental ? "--listed-incremental=/dev/null" : NULL, NULL };

		return spawn_tar(argv, false, out, err);
	}
}

int vz_mig_recv_tree_with(struct vz_mig_conn *c, struct vz_mig_tar *t, uint32_t stream,
			  struct vz_error *err)
{
	int ret = recv_chunks(c, t->fd, stream, err);

	close(t->fd);
	t->fd = -1;
	if (ret < 0) {
		vz_mig_tar_free(t);
		return ret;
	}
	return tar_finish(t, err);
}

int vz_mig_recv_tree(struct vz_mig_conn *c, const char *dir, uint32_t stream, bool incremental,
		     struct vz_error *err)
{
	struct vz_mig_tar *t;
	int ret = vz_mig_tar_receiver(dir, incremental, &t, err);

	return ret < 0 ? ret : vz_mig_recv_tree_with(c, t, stream, err);
}

/* ---- the disk image of an image-layout CT, by blocks ---- */

#define HASH_LEN 16 /* of BLAKE2b-512: a block changed unless its hash is the same */

struct vz_mig_image {
	char *path;
	char *sync_root;
	uint64_t size;
	size_t nr_blocks;
	uint8_t (*hash)[HASH_LEN]; /* per block as last sent; all zero: a block of zeros */
	bool sent;		   /* the first pass is done */
};

void vz_mig_image_free(struct vz_mig_image *img)
{
	if (!img)
		return;
	free(img->path);
	free(img->sync_root);
	free(img->hash);
	free(img);
}

int vz_mig_image_open(const char *path, const char *sync_root, struct vz_mig_image **out,
		      struct vz_error *err)
{
	struct vz_mig_image *img = calloc(1, sizeof(*img));
	struct stat st;

	*out = NULL;
	if (!img || !(img->path = strdup(path)) ||
	    (sync_root && !(img->sync_root = strdup(sync_root)))) {
		vz_mig_image_free(img);
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot send '%s'", path);
	}
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = errno && !S_ISREG(st.st_mode) ? errno : EINVAL;

		vz_mig_image_free(img);
		return vz_error_sys(err, VZ_E_NO_PRIVATE, e, "Cannot send the disk image '%s'", path);
	}
	img->size = (uint64_t)st.st_size;
	img->nr_blocks = (img->size + VZ_MIG_IMAGE_BLOCK - 1) / VZ_MIG_IMAGE_BLOCK;
	img->hash = calloc(img->nr_blocks ? img->nr_blocks : 1, HASH_LEN);
	if (!img->hash) {
		vz_mig_image_free(img);
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot send '%s'", path);
	}
	*out = img;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	static const uint8_t zero[4096];

	for (; len >= sizeof(zero); p += sizeof(zero), len -= sizeof(zero))
		if (memcmp(p, zero, sizeof(zero)))
			return false;
	return !len || !memcmp(p, zero, len);
}

/* The hash of a block; all zero bytes for a block of zeros. */
static int block_hash(const uint8_t *p, size_t len, uint8_t out[HASH_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (all_zero(p, len)) {
		memset(out, 0, HASH_LEN);
		return 0;
	}
	if (!EVP_Digest(p, len, md, &md_len, EVP_blake2b512(), NULL) || md_len < HASH_LEN)
		return -EIO;
	memcpy(out, md, HASH_LEN);
	/* A hash that happens to be all zeros must not read as "zeros". */
	if (all_zero(out, HASH_LEN))
		out[0] = 1;
	return 0;
}

/*
 * Open the image for reading, with direct I/O where the file system can:
 * the loop device writes the image with direct I/O, so what it wrote is
 * read from the disk, not from a page cache, and the node's page cache is
 * not filled with a second copy of the CT's disk.
 */
static int image_open_read(const char *path, bool *direct)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECT);

	*direct = fd >= 0;
	if (fd < 0 && errno == EINVAL)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static ssize_t pread_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Write the CT's file system's dirty data to its image: the CT is frozen, nothing adds more. */
static int image_sync(struct vz_mig_image *img, struct vz_error *err)
{
	__vz_close int fd = -1;

	if (!img->sync_root)
		return 0;
	fd = open(img->sync_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot write the file system on '%s' to its image",
				    img->sync_root);
	return 0;
}

int vz_mig_send_image(struct vz_mig_conn *c, struct vz_mig_image *img, bool delta,
		      vz_mig_progress_fn fn, void *arg, struct vz_error *err)
{
	uint32_t stream = delta ? VZ_MIG_STREAM_IMAGE_DELTA : VZ_MIG_STREAM_IMAGE;
	uint64_t before = c->bytes_out, data_start = 0, data_end = 0;
	uint8_t *buf = NULL;
	__vz_close int fd = -1;
	struct stat st;
	bool direct;
	int ret;

	if (delta && !img->sent)
		return vz_error_set(err, VZ_E_SYSTEM, EINVAL, "The image '%s' was never sent", img->path);
	ret = delta ? image_sync(img, err) : 0;
	if (ret < 0)
		return ret;
	fd = image_open_read(img->path, &direct);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -fd, "Cannot open '%s'", img->path);
	if (fstat(fd, &st) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot read '%s'", img->path);
	if ((uint64_t)st.st_size != img->size)
		return vz_error_set(err, VZ_E_SYSTEM, EBUSY,
				    "The disk image '%s' changed its size during the migration",
				    img->path);
	/* Direct I/O wants an aligned buffer. */
	if (posix_memalign((void **)&buf, 4096, VZ_MIG_IMAGE_BLOCK))
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot send '%s'", img->path);
	{
		MigFrameEntry f = MIG_FRAME_ENTRY__INIT;
		MigChunkEntry ch = MIG_CHUNK_ENTRY__INIT;

		f.kind = VZ_MIG_KIND_CHUNK;
		f.chunk = &ch;
		ch.stream = stream;
		ch.has_size = true;
		ch.size = img->size;
		ret = vz_mig_send(c, &f, err);
	}
	for (size_t i = 0; ret == 0 && i < img->nr_blocks; i++) {
		uint64_t off = (uint64_t)i * VZ_MIG_IMAGE_BLOCK;
		size_t len = img->size - off < VZ_MIG_IMAGE_BLOCK ? img->size - off : VZ_MIG_IMAGE_BLOCK;
		uint8_t hash[HASH_LEN];
		ssize_t n;

		/* The data extent at or after off: blocks in holes are zeros, unread. */
		if (off >= data_end) {
			off_t d = lseek(fd, (off_t)off, SEEK_DATA), h;

			if (d < 0 && errno != ENXIO) {
				ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot read '%s'", img->path);
				break;
			}
			data_start = d < 0 ? img->size : (uint64_t)d;
			h = data_start < img->size ? lseek(fd, (off_t)data_start, SEEK_HOLE) : -1;
			data_end = h < 0 ? img->size : (uint64_t)h;
			if (data_end <= off)
				data_end = off + 1;
		}
		if (data_start >= off + len) {
			memset(hash, 0, HASH_LEN);
		} else {
			/* Direct I/O reads whole sectors: the image's tail is read as far as it goes. */
			n = pread_full(fd, buf, direct ? (len + 4095) & ~(size_t)4095 : len, off);
			if (n == -EINVAL && direct) {
				close(fd);
				fd = open(img->path, O_RDONLY | O_CLOEXEC);
				if (fd < 0) {
					ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open '%s'",
							   img->path);
					break;
				}
				direct = false;
				n = pread_full(fd, buf, len, off);
			}
			if (n != (ssize_t)len) {
				ret = vz_error_sys(err, VZ_E_SYSTEM, n < 0 ? (int)-n : EIO,
						   "Cannot read '%s'", img->path);
				break;
			}
			if (block_hash(buf, len, hash) < 0) {
				ret = vz_error_set(err, VZ_E_SYSTEM, EIO, "Cannot hash '%s'",
						   img->path);
				break;
			}
		}
		if (!memcmp(hash, img->hash[i], HASH_LEN) && (delta || all_zero(hash, HASH_LEN)))
			continue; /* the destination has it */
		if (all_zero(hash, HASH_LEN))
			ret = vz_mig_send_chunk(c, stream, NULL, 0, &off, true, false, err);
		else
			ret = vz_mig_send_chunk(c, stream, buf, len, &off, false, false, err);
		memcpy(img->hash[i], hash, HASH_LEN);
		if (ret == 0 && fn)
			fn(c->bytes_out - before, arg);
	}
	free(buf);
	if (ret < 0)
		return ret;
	img->sent = true;
	return vz_mig_send_eof(c, stream, err);
}

/* Zeros at off..off+len of the file: a hole where the file system can punch one. */
static int write_zeros(int fd, uint64_t off, size_t len)
{
	static const uint8_t zero[4096];

	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
		return 0;
	while (len) {
		size_t n = len < sizeof(zero) ? len : sizeof(zero);
		ssize_t w = pwrite(fd, zero, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += (uint64_t)w;
		len -= (size_t)w;
	}
	return 0;
}

static int pwrite_full(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		off += (uint64_t)w;
		len -= (size_t)w;
	}
	return 0;
}

/* One chunk of an image stream, checked against the size the stream began with. */
static int image_apply(int fd, const MigChunkEntry *ch, uint64_t size, const char *path,
		       struct vz_error *err)
{
	uint64_t off = ch->offset;
	size_t len;
	int ret;

	if (!ch->has_offset || off % VZ_MIG_IMAGE_BLOCK || off >= size || ch->has_size)
		return vz_error_set(err, VZ_E_SYSTEM, EPROTO, "A bad block of the disk image");
	len = size - off < VZ_MIG_IMAGE_BLOCK ? (size_t)(size - off) : VZ_MIG_IMAGE_BLOCK;
	if (ch->has_zero && ch->zero) {
		if (ch->has_data && ch->data.len)
			return vz_error_set(err, VZ_E_SYSTEM, EPROTO, "A bad block of the disk image");
		ret = write_zeros(fd, off, len);
	} else {
		if (!ch->has_data || ch->data.len != len)
			return vz_error_set(err, VZ_E_SYSTEM, EPROTO, "A bad block of the disk image");
		ret = pwrite_full(fd, ch->data.data, len, off);
	}
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot write '%s'", path);
	return 0;
}

int vz_mig_recv_image(struct vz_mig_conn *c, const char *path, bool delta, uint64_t max_size,
		      struct vz_error *err)
{
	uint32_t stream = delta ? VZ_MIG_STREAM_IMAGE_DELTA : VZ_MIG_STREAM_IMAGE;
	__vz_close int fd = -1;
	uint64_t size = 0;
	bool have_size = false;
	int ret = 0;

	fd = delta ? open(path, O_WRONLY | O_CLOEXEC)
		   : open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot %s '%s'",
				    delta ? "open" : "create", path);
	for (;;) {
		MigFrameEntry *f = NULL;
		const MigChunkEntry *ch;
		bool eof;

		ret = vz_mig_recv(c, &f, err);
		if (ret < 0)
			break;
		if (f->kind != VZ_MIG_KIND_CHUNK || f->chunk->stream != stream) {
			ret = f->kind == VZ_MIG_KIND_ABORT
				      ? vz_error_set(err, VZ_E_SYSTEM, ECANCELED,
						     "The source node gave up the migration")
				      : vz_error_set(err, VZ_E_SYSTEM, EPROTO,
						     "Unexpected frame (kind %u) in the disk image",
						     f->kind);
			mig_frame_entry__free_unpacked(f, NULL);
			break;
		}
		ch = f->chunk;
		eof = ch->has_eof && ch->eof;
		if (!have_size) {
			struct stat st;

			/* The first chunk: the image's size, nothing else. */
			if (!ch->has_size || ch->has_data || ch->has_offset || eof)
				ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO,
						   "The disk image stream does not begin with its size");
			else if (ch->size > max_size)
				ret = vz_error_set(err, VZ_E_SYSTEM, EFBIG,
						   "The disk image is %llu bytes, more than the CT's "
						   "DISKSPACE (%llu bytes)",
						   (unsigned long long)ch->size,
						   (unsigned long long)max_size);
			else if (delta && (fstat(fd, &st) < 0 || (uint64_t)st.st_size != ch->size))
				ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO,
						   "The disk image changed its size");
			else if (!delta && ftruncate(fd, (off_t)ch->size) < 0)
				ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create '%s'", path);
			size = ch->size;
			have_size = true;
		} else if (eof) {
			if (ch->has_data || ch->has_offset || ch->has_size)
				ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO, "A bad end of the disk image");
		} else {
			ret = image_apply(fd, ch, size, path, err);
		}
		mig_frame_entry__free_unpacked(f, NULL);
		if (ret < 0 || eof)
			break;
	}
	if (ret == 0 && fdatasync(fd) < 0)
		ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot write '%s'", path);
	return ret;
}

/* ---- a flat directory (the dump) in vz's tree image, no tar ---- */

struct dir_job {
	const char *dir;
	int fd, other; /* our end of the pipe, the parent's */
};

static void dir_job_child_setup(struct dir_job *j)
{
	stream_child_setup();
	/* The reader sees the end only once every writing end is closed. */
	close(j->other);
}

static int dir_writer(void *arg, struct vz_error *err)
{
	struct dir_job *j = arg;
	struct vz_tree_opts o = { .files_only = true };
	__vz_close int root = -1;

	dir_job_child_setup(j);
	root = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open '%s'", j->dir);
	return vz_tree_write(root, j->fd, &o, err);
}

static int dir_reader(void *arg, struct vz_error *err)
{
	struct dir_job *j = arg;
	struct vz_tree_opts o = { .files_only = true, .replace = true };
	__vz_close int root = -1;

	dir_job_child_setup(j);
	root = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open '%s'", j->dir);
	return vz_tree_read(j->fd, root, &o, err);
}

/* Start fn in a child on one end of a pipe; *fd: the other end, ours. */
static int dir_child(vz_child_fn fn, const char *dir, bool child_writes, int *fd,
		     struct vz_child *child, struct vz_error *err)
{
	int p[2], ret;
	struct dir_job j = { .dir = dir };

	if (pipe2(p, O_CLOEXEC) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create a pipe");
	j.fd = child_writes ? p[1] : p[0];
	j.other = child_writes ? p[0] : p[1];
	ret = vz_child_start(child, fn, &j, err);
	close(j.fd);
	if (ret < 0) {
		close(j.other);
		return ret;
	}
	*fd = j.other;
	return 0;
}

int vz_mig_send_dir(struct vz_mig_conn *c, const char *dir, uint32_t stream,
		    vz_mig_progress_fn fn, void *arg, struct vz_error *err)
{
	struct vz_child child;
	__vz_close int fd = -1;
	int ret = dir_child(dir_writer, dir, true, &fd, &child, err);

	if (ret < 0)
		return ret;
	ret = send_chunks(c, fd, stream, fn, arg, err);
	if (ret < 0) {
		struct vz_error ignored;

		kill(child.pid, SIGKILL);
		vz_child_wait(&child, "Sending the dump", &ignored);
		return ret;
	}
	ret = vz_child_wait(&child, "Sending the dump", err);
	return ret < 0 ? ret : vz_mig_send_eof(c, stream, err);
}

int vz_mig_recv_dir(struct vz_mig_conn *c, const char *dir, uint32_t stream, struct vz_error *err)
{
	struct vz_child child;
	int fd, ret = dir_child(dir_reader, dir, false, &fd, &child, err);

	if (ret < 0)
		return ret;
	ret = recv_chunks(c, fd, stream, err);
	close(fd);
	if (ret < 0) {
		struct vz_error ignored;

		kill(child.pid, SIGKILL);
		vz_child_wait(&child, "Receiving the dump", &ignored);
		return ret;
	}
	return vz_child_wait(&child, "Receiving the dump", err);
}
