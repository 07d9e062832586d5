// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/cpt-tmpfs.c: a tree written to the image and read back is the same
 * tree (types, modes, owners, times, content, holes, hard links, ACLs), and
 * a damaged or hostile image is refused without writing outside the
 * target or crashing.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "cpt-tmpfs.h"
#include "cpt-tmpfs.pb-c.h"
#include "error.h"
#include "fileutil.h"
#include "tap.h"

static char tmpdir[] = "/tmp/vz-unit-tmpfs.XXXXXX";
/* tmpdir/rel; two calls may share one expression. */
static const char *at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static unsigned next;
	char *p = buf[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", tmpdir, rel);
	return p;
}

static int sh(const char *cmd)
{
	return system(cmd);
}

static void put(const char *rel, const char *text, mode_t mode)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	fchmod(fd, mode);
	close(fd);
}

static void set_mtime(const char *rel, time_t sec, bool nofollow)
{
	struct timespec t[2] = { { .tv_sec = sec }, { .tv_sec = sec, .tv_nsec = 123456789 } };

	utimensat(AT_FDCWD, at(rel), t, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
}

/* The source tree: one of everything the format knows. */
static void make_tree(bool root)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s, fd;

	mkdir(at("src"), 0755);
	mkdir(at("src/dir"), 0750);
	mkdir(at("src/dir/deep"), 0700);
	put("src/dir/deep/file", "deep\n", 0640);
	put("src/file", "hello, world\n", 0644);
	put("src/empty", "", 0600);
	put("src/setid", "#!/bin/sh\n", 06755);
	if (link(at("src/file"), at("src/dir/hardlink")) < 0)
		abort();
	if (symlink("dir/deep/file", at("src/symlink")) < 0 || symlink("/proc/self/fd", at("src/fd")) < 0)
		abort();
	if (mkfifo(at("src/fifo"), 0620) < 0)
		abort();
	/* A sparse file: a hole, 4 KiB of data, a hole to 8 MiB. */
	fd = open(at("src/sparse"), O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || pwrite(fd, "x", 1, (1 << 20) + 4095) != 1 || ftruncate(fd, 8 << 20) < 0)
		abort();
	close(fd);
	/* Socket files are not saved: CRIU binds the sockets anew. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("src/socket"));
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort();
	close(s);
	if (root) {
		if (mknod(at("src/whiteout"), S_IFCHR | 0600, makedev(0, 0)) < 0 ||
		    chown(at("src/dir"), 1000, 1001) < 0 || chown(at("src/dir/deep/file"), 65534, 100) < 0 ||
		    lchown(at("src/symlink"), 33, 33) < 0)
			abort();
		sh("setfacl -m u:4242:rw- $T/src/file 2>/dev/null; setfacl -d -m g:4343:r-x $T/src/dir 2>/dev/null");
	}
	set_mtime("src/file", 1000000000, false);
	set_mtime("src/symlink", 1100000000, true);
	set_mtime("src/dir/deep", 1200000000, false);
	set_mtime("src/dir", 1300000000, false);
}

static int write_image(const char *tree, const char *image, const struct vz_tree_opts *ids,
		       struct vz_error *err)
{
	int root = open(at(tree), O_RDONLY | O_DIRECTORY);
	int out = open(at(image), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int ret = vz_tree_write(root, out, ids, err);

	close(root);
	close(out);
	return ret;
}

static int read_image(const char *image, const char *tree, const struct vz_tree_opts *ids,
		      struct vz_error *err)
{
	int in = open(at(image), O_RDONLY), root, ret;

	vz_rm_rf(at(tree));
	mkdir(at(tree), 0700);
	root = open(at(tree), O_RDONLY | O_DIRECTORY);
	ret = vz_tree_read(in, root, ids, err);
	close(root);
	close(in);
	return ret;
}

static bool same_stat(const char *rel, bool times)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat sa, sb;

	snprintf(a, sizeof(a), "%s/src/%s", tmpdir, rel);
	snprintf(b, sizeof(b), "%s/dst/%s", tmpdir, rel);
	if (lstat(a, &sa) < 0 || lstat(b, &sb) < 0)
		return false;
	if (sa.st_mode != sb.st_mode || sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid)
		return false;
	if (S_ISREG(sa.st_mode) && sa.st_size != sb.st_size)
		return false;
	return !times || (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
			  sa.st_mtim.tv_nsec == sb.st_mtim.tv_nsec);
}

static char *slurp(const char *rel)
{
	char *text = NULL;

	vz_read_file(at(rel), &text, NULL);
	return text;
}

/* An image holding the root and then the given entries (a hostile writer). */
static void craft(const char *image, CptTmpfsEntry **entries, size_t n, const char *data)
{
	CptTmpfsEntry root = CPT_TMPFS_ENTRY__INIT;
	int fd = open(at(image), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	uint32_t magic = htole32(0x565a5431u);

	root.path = "";
	root.mode = S_IFDIR | 0755;
	root.uid = getuid();
	root.gid = getgid();
	if (fd < 0 || write(fd, &magic, 4) != 4)
		abort();
	for (size_t i = 0; i <= n; i++) {
		const CptTmpfsEntry *e = i ? entries[i - 1] : &root;
		uint8_t buf[4096];
		size_t len = cpt_tmpfs_entry__get_packed_size(e);
		uint32_t hdr = htole32((uint32_t)len);

		cpt_tmpfs_entry__pack(e, buf);
		if (write(fd, &hdr, 4) != 4 || write(fd, buf, len) != (ssize_t)len)
			abort();
	}
	if (data && write(fd, data, strlen(data)) != (ssize_t)strlen(data))
		abort();
	if (write(fd, &(uint32_t){ 0 }, 4) != 4)
		abort();
	close(fd);
}

static void refused(const char *what, const char *why, const struct vz_tree_opts *ids)
{
	struct vz_error err = { 0 };

	ok(read_image("bad.img", "dst", ids, &err) < 0 && err.kind == VZ_E_RESTORE, "%s is refused",
	   what);
	like(err.msg, why, "... saying \"%s\"", why);
}

int main(void)
{
	bool root = geteuid() == 0;
	struct vz_tree_opts plain = { 0 };
	struct vz_error err = { 0 };
	char opts[256];

	if (!mkdtemp(tmpdir))
		return 1;
	setenv("T", tmpdir, 1);

	/* ---- which mounts and options ---- */
	ok(vz_cpt_tmpfs_is_ours("/dev", "/", "tmpfs", false), "/dev tmpfs is saved by vzctl");
	ok(vz_cpt_tmpfs_is_ours("/dev/shm", "/", "tmpfs", false), "/dev/shm tmpfs too");
	ok(!vz_cpt_tmpfs_is_ours("/run", "/", "tmpfs", false), "a tmpfs the CT mounted is CRIU's");
	ok(!vz_cpt_tmpfs_is_ours("/dev", "/sub", "tmpfs", false), "a bind of a subtree is not");
	ok(!vz_cpt_tmpfs_is_ours("/dev/shm", "/", "tmpfs", true), "a read-only one is not");
	ok(!vz_cpt_tmpfs_is_ours("/dev", "/", "devtmpfs", false), "devtmpfs is not");
	ok(vz_cpt_tmpfs_options("rw,size=65536k,mode=755,uid=100000,gid=100000,nr_inodes=4096,huge=never",
				opts, sizeof(opts)) == 0,
	   "super block options parsed");
	is_str(opts, "size=65536k,nr_inodes=4096,huge=never", "... only size, nr_inodes and huge kept");
	ok(vz_cpt_tmpfs_options("rw,size=1k", opts, 5) == -ENAMETOOLONG, "... too long is an error");
	is_int(vz_cpt_tmpfs_flags("rw,nosuid,nodev,noexec,relatime"),
	       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "mount flags parsed");
	{
		CptMountEntry e = CPT_MOUNT_ENTRY__INIT;
		static const struct {
			const char *image, *options;
			unsigned flags;
			bool valid;
		} cases[] = {
			{ "tmpfs-3.img", "size=65536k,nr_inodes=100", MOUNT_ATTR_NOSUID, true },
			{ "tmpfs-3.img", "", 0, true },
			{ "../tmpfs-3.img", "", 0, false },
			{ "tmpfs-3.img/x", "", 0, false },
			{ "tmpfs--3.img", "", 0, false },
			{ "tmpfs-3.img", "uid=0", 0, false },
			{ "tmpfs-3.img", "size=1k,", 0, false },
			{ "tmpfs-3.img", "size=1k;mode=4777", 0, false },
			{ "tmpfs-3.img", "", MOUNT_ATTR_RDONLY, false },
			{ "tmpfs-3.img", "", MOUNT_ATTR_IDMAP, false },
		};

		e.mountpoint = "/dev";
		e.name = "/dev";
		e.source = "";
		e.has_tmpfs = e.tmpfs = true;
		e.has_flags = true;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			e.image = (char *)cases[i].image;
			e.options = (char *)cases[i].options;
			e.flags = cases[i].flags;
			ok(vz_cpt_tmpfs_entry_valid(&e) == cases[i].valid, "entry image '%s' options '%s' flags %#x: %s",
			   cases[i].image, cases[i].options, cases[i].flags,
			   cases[i].valid ? "valid" : "refused");
		}
		e.image = "tmpfs-0.img";
		e.options = "";
		e.source = "/etc";
		ok(!vz_cpt_tmpfs_entry_valid(&e), "an entry with a source is refused");
	}

	/* ---- round trip ---- */
	make_tree(root);
	if (!ok(write_image("src", "good.img", &plain, &err) == 0, "the tree is written"))
		diag("%s", err.msg);
	if (!ok(read_image("good.img", "dst", &plain, &err) == 0, "and read back"))
		diag("%s", err.msg);
	{
		static const char *const same[] = { "dir", "dir/deep", "dir/deep/file", "file", "empty",
						    "setid", "symlink", "fd", "fifo", "sparse" };
		struct stat st, st2;
		char *text, target[64] = "";

		for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
			ok(same_stat(same[i], true), "%s: type, mode, owner, size and mtime kept", same[i]);
		ok(same_stat("", false), "the root's type, mode and owner kept");
		text = slurp("dst/file");
		is_str(text, "hello, world\n", "content kept");
		free(text);
		text = slurp("dst/dir/deep/file");
		is_str(text, "deep\n", "content deep down kept");
		free(text);
		ok(stat(at("dst/file"), &st) == 0 && stat(at("dst/dir/hardlink"), &st2) == 0 &&
			   st.st_ino == st2.st_ino && st.st_nlink == 2,
		   "a hard link is still one inode");
		ok(readlink(at("dst/fd"), target, sizeof(target) - 1) > 0 &&
			   !strcmp(target, "/proc/self/fd"),
		   "a symlink's target kept as it was");
		ok(stat(at("dst/sparse"), &st) == 0 && st.st_size == 8 << 20 && st.st_blocks <= 64,
		   "a sparse file keeps its size and its holes (%lld blocks)", (long long)st.st_blocks);
		{
			int fd = open(at("dst/sparse"), O_RDONLY);
			char c = 0;

			ok(fd >= 0 && pread(fd, &c, 1, (1 << 20) + 4095) == 1 && c == 'x',
			   "... and its data");
			close(fd);
		}
		ok(lstat(at("dst/socket"), &st) < 0 && errno == ENOENT, "a socket file is left out");
		if (root) {
			ok(same_stat("whiteout", true), "a whiteout (0:0) kept");
			ok(sh("[ \"$(getfacl -cp $T/src/file)\" = \"$(getfacl -cp $T/dst/file)\" ] && "
			      "[ \"$(getfacl -cp $T/src/dir)\" = \"$(getfacl -cp $T/dst/dir)\" ]") == 0,
			   "ACLs kept");
		} else {
			skip(2, "device nodes and ACLs of others: needs root");
		}
	}

	/* ---- ids relative to the CT ---- */
	if (root) {
		struct vz_tree_opts ct = { .userns = true, .uid_base = 100000, .gid_base = 200000 };
		struct vz_tree_opts other = { .userns = true, .uid_base = 300000, .gid_base = 400000 };
		struct stat st;

		sh("chown -R 100000:200000 $T/src && chown -h 100033:200033 $T/src/symlink && "
		   "rm -f $T/src/whiteout");
		if (!ok(write_image("src", "ct.img", &ct, &err) == 0, "a CT's tree is written"))
			diag("%s", err.msg);
		if (!ok(read_image("ct.img", "dst", &other, &err) == 0, "and read back for other ids"))
			diag("%s", err.msg);
		ok(lstat(at("dst/symlink"), &st) == 0 && st.st_uid == 300033 && st.st_gid == 400033,
		   "ids are moved to the new base (%u:%u)", st.st_uid, st.st_gid);
		sh("chown 0:0 $T/src/empty");
		ok(write_image("src", "ct.img", &ct, &err) < 0 && err.kind == VZ_E_CHKPNT,
		   "a file owned outside the CT's ids is refused");
		like(err.msg, "outside the CT's ids", "... saying so");
	} else {
		skip(5, "ids: needs root");
	}

	/* ---- damaged and hostile images ---- */
	{
		struct stat st;
		off_t size;
		int fails = 0, fd;
		char *copy = slurp("good.img");

		ok(stat(at("good.img"), &st) == 0, "the good image exists");
		size = st.st_size;
		/* Every cut short of the whole file is refused (a few hundred of them). */
		fd = open(at("good.img"), O_RDONLY);
		for (off_t cut = 0; cut < size; cut += cut < 256 ? 1 : 97) {
			int out = open(at("bad.img"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
			char buf[1 << 16];
			off_t left = cut;

			lseek(fd, 0, SEEK_SET);
			while (left > 0) {
				ssize_t n = read(fd, buf, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf));

				if (n <= 0 || write(out, buf, (size_t)n) != n)
					abort();
				left -= n;
			}
			close(out);
			fails += read_image("bad.img", "dst", &plain, &err) == 0;
		}
		close(fd);
		is_int(fails, 0, "every truncated image is refused");
		free(copy);
	}
	{
		CptTmpfsEntry e = CPT_TMPFS_ENTRY__INIT, e2 = CPT_TMPFS_ENTRY__INIT, *v[2] = { &e, &e2 };
		CptTmpfsExtent x = CPT_TMPFS_EXTENT__INIT, *xs[1] = { &x };
		struct vz_tree_opts ct = { .userns = true, .uid_base = getuid(), .gid_base = getgid() };
		static const char *const bad_paths[] = { "..", "../x", "a/../../x", "/etc/x", ".",
							 "a//b", "a/", "" };
		struct stat st;

		e.mode = S_IFREG | 0644;
		e.uid = getuid();
		e.gid = getgid();
		e.has_size = true;
		for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
			e.path = (char *)bad_paths[i];
			craft("bad.img", v, 1, NULL);
			refused(bad_paths[i], "bad path", &plain);
		}
		e.path = "evil";
		e.mode = S_IFLNK | 0777;
		e.target = tmpdir;
		e2.path = "evil/planted";
		e2.mode = S_IFREG | 0644;
		e2.uid = getuid();
		e2.gid = getgid();
		e2.has_size = true;
		craft("bad.img", v, 2, NULL);
		refused("a file under a symlink", "evil/planted", &plain);
		ok(lstat(at("planted"), &st) < 0, "... and nothing was written through it");
		e2.path = "copy";
		e2.link = "evil/good.img";
		craft("bad.img", v, 2, NULL);
		refused("a hard link through a symlink", "copy", &plain);
		e2.link = NULL;

		e.target = NULL;
		e.path = "node";
		e.mode = S_IFBLK | 0600;
		e.has_rdev = true;
		e.rdev = makedev(8, 0);
		e.uid = e.gid = 0;
		craft("bad.img", v, 1, NULL);
		refused("a disk's node in a CT of its own user namespace", "cannot have made", &ct);
		e.mode = S_IFCHR | 0600;
		e.rdev = makedev(1, 1);
		craft("bad.img", v, 1, NULL);
		refused("/dev/mem's node likewise", "cannot have made", &ct);

		e.has_rdev = false;
		e.mode = S_IFREG | 0644;
		e.uid = 70000;
		craft("bad.img", v, 1, NULL);
		refused("an id beyond the CT's range", "outside the CT's ids", &ct);
		e.uid = 0;

		e.path = "data";
		e.size = 4;
		e.n_extents = 1;
		e.extents = xs;
		x.offset = 2;
		x.length = 4;
		craft("bad.img", v, 1, "abcd");
		refused("an extent beyond the size", "Cannot restore '/data'", &plain);
		x.offset = 0;
		x.length = 4;
		craft("bad.img", v, 1, "ab");
		refused("missing data", "truncated", &plain);
		craft("bad.img", v, 1, "abcd");
		if (!ok(read_image("bad.img", "dst", &plain, &err) == 0,
			"the same entry with its data is fine"))
			diag("%s", err.msg);
		e.n_extents = 0;

		e.mode = S_IFSOCK | 0644;
		craft("bad.img", v, 1, NULL);
		refused("a socket entry", "Cannot restore '/data'", &plain);
		e.mode = S_IFREG | 0644;
		e.has_size = false;
		craft("bad.img", v, 1, NULL);
		refused("a file without a size", "lacks the size", &plain);

		/* The migration's dump: files, directories and symlinks only. */
		{
			struct vz_tree_opts files = { .files_only = true };

			e.path = "fifo";
			e.mode = S_IFIFO | 0600;
			craft("bad.img", v, 1, NULL);
			refused("a fifo where only files may come", "neither a file", &files);
			e.mode = S_IFREG | 0644;
			e.has_size = true;
		}
		/* What is in the way: refused, or replaced as tar does. */
		{
			struct vz_tree_opts replace = { .replace = true };
			char *text;

			e.path = "data";
			e.size = 4;
			e.n_extents = 1;
			x.offset = 0;
			x.length = 4;
			craft("bad.img", v, 1, "wxyz");
			vz_rm_rf(at("dst"));
			mkdir(at("dst"), 0700);
			put("dst/data", "old", 0600);
			{
				int in = open(at("bad.img"), O_RDONLY), root = open(at("dst"), O_RDONLY);

				ok(vz_tree_read(in, root, &plain, &err) < 0, "an existing file is in the way");
				close(in);
				close(root);
				in = open(at("bad.img"), O_RDONLY);
				root = open(at("dst"), O_RDONLY);
				ok(vz_tree_read(in, root, &replace, &err) == 0,
				   "... and replaced when asked to");
				close(in);
				close(root);
			}
			text = slurp("dst/data");
			is_str(text, "wxyz", "... with the new content");
			free(text);
			e.n_extents = 0;
		}
		put("bad.img", "VZT2", 0600);
		refused("a bad magic", "bad magic", &plain);
		put("bad.img", "", 0600);
		refused("an empty file", "bad magic", &plain);
		{
			int fd = open(at("bad.img"), O_WRONLY | O_TRUNC);
			uint32_t words[2] = { htole32(0x565a5431u), htole32(1u << 30) };

			if (fd < 0 || write(fd, words, sizeof(words)) != sizeof(words))
				abort();
			close(fd);
			refused("a huge entry size", "truncated", &plain);
		}
	}
	vz_rm_rf(tmpdir);
	return done_testing();
}
