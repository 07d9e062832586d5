// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The image layout: the CT's private area holds root.img, a sparse ext4
 * file system image as big as the DISKSPACE hard limit, with the inode
 * count of the DISKINODES hard limit, loop-mounted on VE_ROOT.  The
 * kernel's own ENOSPC is the disk limit, on any kernel with loop devices;
 * df inside the CT shows the image.  The loop device is bound with
 * autoclear, so it goes away with the last unmount, also when vzctl or the
 * CT's monitor was killed.  Growing works online (resize2fs on the mounted
 * file system: EXT4_IOC_RESIZE_FS, which needs CAP_SYS_RESOURCE; without
 * it vzctl refuses, naming the capability, and the image is grown offline
 * once the CT is stopped), shrinking offline (ext4 cannot shrink while
 * mounted), and never below what the file system needs.  With
 * QUOTAUGIDLIMIT the image carries ext4's quota feature and is mounted
 * with usrquota,grpquota.
 */
#define VZ_LOG_PREFIX "image"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "create.h"
#include "fileutil.h"
#include "log.h"
#include "loopdev.h"
#include "quota.h"
#include "storage.h"
#include "units.h"

#define IMAGE_NAME	     VZ_IMAGE_FILE
#define CAP_SYS_RESOURCE_BIT 24
#define MIN_KBLOCKS	     8192ULL /* ext4 with a journal needs a few MB */
#define TOOL_PATH	     "PATH=/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin"

/* The fields of the ext4 superblock (at byte 1024) this file reads. */
#define SB_OFFSET	  1024
#define SB_BLOCKS_LO	  0x04
#define SB_FREE_LO	  0x0c
#define SB_LOG_BLOCK_SIZE 0x18
#define SB_MAGIC	  0x38
#define SB_INCOMPAT	  0x60
#define SB_RO_COMPAT	  0x64
#define SB_BLOCKS_HI	  0x150
#define SB_FREE_HI	  0x158
#define EXT4_MAGIC	  0xef53
#define INCOMPAT_64BIT	  0x80
#define RO_COMPAT_QUOTA	  0x100

struct ext4_info {
	uint64_t blocks, free_blocks;
	uint32_t block_size;
	bool quota;
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_sb(const char *img, struct ext4_info *info, struct vz_error *err)
{
	unsigned char sb[1024];
	__vz_close int fd = open(img, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || pread(fd, sb, sizeof(sb), SB_OFFSET) != (ssize_t)sizeof(sb))
		return vz_error_sys(err, VZ_E_MOUNT, fd < 0 ? errno : EIO, "Cannot read '%s'", img);
	if ((sb[SB_MAGIC] | sb[SB_MAGIC + 1] << 8) != EXT4_MAGIC)
		return vz_error_set(err, VZ_E_MOUNT, EINVAL, "'%s' is not an ext4 image", img);
	info->block_size = 1024u << le32(sb + SB_LOG_BLOCK_SIZE);
	info->blocks = le32(sb + SB_BLOCKS_LO);
	info->free_blocks = le32(sb + SB_FREE_LO);
	if (le32(sb + SB_INCOMPAT) & INCOMPAT_64BIT) {
		info->blocks |= (uint64_t)le32(sb + SB_BLOCKS_HI) << 32;
		info->free_blocks |= (uint64_t)le32(sb + SB_FREE_HI) << 32;
	}
	info->quota = le32(sb + SB_RO_COMPAT) & RO_COMPAT_QUOTA;
	return 0;
}

/*
 * Run an e2fsprogs tool; its output is kept for the error message (and for
 * callers that parse it).  Returns the exit status, or -errno.
 */
static int run_tool(char *const argv[], char *out, size_t size)
{
	char *const envp[] = {TOOL_PATH, "LC_ALL=C", NULL};
	size_t len = 0;
	int pipefd[2], status;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execvpe(argv[0], argv, envp);
		dprintf(2, "cannot execute %s: %s (package e2fsprogs)", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		char buf[512];
		ssize_t n = read(pipefd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* Keep the tail: the last lines say what went wrong. */
		if (len + (size_t)n >= size) {
			size_t drop = len + (size_t)n - (size - 1);

			drop = drop > len ? len : drop;
			memmove(out, out + drop, len - drop);
			len -= drop;
		}
		n = (ssize_t)((size_t)n > size - 1 - len ? size - 1 - len : (size_t)n);
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
	}
	close(pipefd[0]);
	out[len] = '\0';
	while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int tool(struct vz_error *err, enum vz_error_kind kind, char *const argv[])
{
	char out[1024];
	int ret = run_tool(argv, out, sizeof(out));

	if (ret < 0)
		return vz_error_sys(err, kind, -ret, "Cannot run %s", argv[0]);
	if (ret)
		return vz_error_set(err, kind, EIO, "%s failed (exit %d): %s", argv[0], ret, out);
	return 0;
}

static char *image_path(const char *priv)
{
	return vz_path_join(priv, IMAGE_NAME);
}

/* The DISKSPACE hard limit in 1K blocks: the size of the image. */
int vz_storage_image_kblocks(struct vz_ct *ct, unsigned long long *kb, struct vz_error *err)
{
	const char *v = vz_ct_get(ct, "DISKSPACE");
	int64_t soft, hard;

	if (!v || !*v || vz_parse_ub(v, 1024, true, &soft, &hard) < 0 || hard == VZ_UNLIMITED)
		return vz_error_set(err, VZ_E_NO_DISKSPACE_SET, EINVAL,
				    "The image layout needs DISKSPACE (its hard limit is the size "
				    "of the CT's disk image): use --diskspace");
	if ((unsigned long long)hard < MIN_KBLOCKS)
		return vz_error_set(
			err, VZ_E_BAD_VALUE, EINVAL,
			"DISKSPACE of an image CT must be at least %llu KB (got %" PRId64 " KB)",
			MIN_KBLOCKS, hard);
	*kb = (unsigned long long)hard;
	return 0;
}

/* ext4 user/group quota (QUOTAUGIDLIMIT) needs a kernel with quota support. */
static int ugid_wanted(struct vz_ct *ct, bool *wanted, struct vz_error *err)
{
	*wanted = vz_ct_get_ulong(ct, "QUOTAUGIDLIMIT", 0) > 0;
	if (*wanted && !vz_quota_kernel_supported())
		return vz_error_set(
			err, VZ_E_NO_KERNEL_SUPPORT, ENOSYS,
			"QUOTAUGIDLIMIT needs user/group quotas inside the CT's ext4 "
			"image, and the running kernel has no quota support (build it "
			"with CONFIG_QUOTA and CONFIG_QFMT_V2), or set QUOTAUGIDLIMIT=0");
	return 0;
}

static void child_report(int fd, const struct vz_error *err)
{
	if (write(fd, err, sizeof(*err)) < 0) {
		/* the parent is gone */
	}
}

/*
 * Unpack the template into the new image, in a child with its own mount
 * namespace: if anything kills it, the namespace takes the mount (and the
 * autoclear loop device) with it.
 */
static int fill_image(const char *img, const char *mnt, const char *cache, unsigned long uid,
		      unsigned long gid, struct vz_error *err)
{
	struct vz_error child_err = {0};
	int report[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(report, O_CLOEXEC) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot fill '%s'", img);
	pid = fork();
	if (pid < 0) {
		close(report[0]);
		close(report[1]);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot fill '%s'", img);
	}
	if (pid == 0) {
		struct vz_error e = {0};
		char dev[64];
		int loop;

		close(report[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
			vz_error_sys(&e, VZ_E_SYSTEM, errno, "Cannot create a mount namespace");
			goto out;
		}
		loop = vz_loop_attach(img, false, dev, sizeof(dev), &e);
		if (loop < 0)
			goto out;
		if (mount(dev, mnt, "ext4", 0, NULL) < 0) {
			vz_error_sys(&e, VZ_E_CREATE_PRIVATE, errno, "Cannot mount '%s' (%s)", img,
				     dev);
			close(loop);
			goto out;
		}
		close(loop);
		if (vz_template_unpack(cache, mnt, uid, gid, &e) == 0 && umount2(mnt, 0) < 0)
			vz_error_sys(&e, VZ_E_CREATE_PRIVATE, errno, "Cannot unmount '%s'", mnt);
	out:
		child_report(report[1], &e);
		_exit(e.kind == VZ_E_NONE ? 0 : 1);
	}
	close(report[1]);
	do
		n = read(report[0], &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	close(report[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(child_err))
		return vz_error_set(err, VZ_E_CREATE_PRIVATE, EPIPE,
				    "The process filling '%s' died", img);
	if (child_err.kind != VZ_E_NONE) {
		if (err)
			*err = child_err;
		return child_err.errnum ? -child_err.errnum : -EIO;
	}
	return 0;
}

static int image_populate(struct vz_ct *ct, const char *cache, const char *dir, unsigned long uid,
			  unsigned long gid, struct vz_error *err)
{
	__vz_free char *img = image_path(dir), *mnt = vz_path_join(dir, ".fill");
	unsigned long long kb;
	int64_t isoft, ihard = 0;
	const char *inodes = vz_ct_get(ct, "DISKINODES");
	char size_opt[64], inode_opt[32], ext_opt[128];
	char *argv[16];
	int argc = 0, ret;
	bool ugid = false;
	__vz_close int fd = -1;

	if (!img || !mnt)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot create the image");
	ret = vz_storage_image_kblocks(ct, &kb, err);
	if (ret == 0)
		ret = ugid_wanted(ct, &ugid, err);
	if (ret < 0)
		return ret;
	if (inodes && *inodes && vz_parse_ub(inodes, 1, false, &isoft, &ihard) < 0)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid DISKINODES \"%s\"",
				    inodes);
	fd = open(img, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)(kb * 1024)) < 0)
		return vz_error_sys(err, VZ_E_CREATE_PRIVATE, errno, "Cannot create '%s'", img);
	close(take_fd(fd));
	snprintf(size_opt, sizeof(size_opt), "%lluk", kb);
	snprintf(ext_opt, sizeof(ext_opt), "root_owner=%lu:%lu%s", uid, gid,
		 ugid ? ",quotatype=usrquota:grpquota" : "");
	argv[argc++] = "mkfs.ext4";
	argv[argc++] = "-q";
	argv[argc++] = "-F";
	argv[argc++] = "-b";
	argv[argc++] = "4096";
	argv[argc++] = "-m";
	argv[argc++] = "0"; /* no blocks reserved for the host's root: the CT gets all */
	argv[argc++] = "-E";
	argv[argc++] = ext_opt;
	if (ihard > 0 && ihard != VZ_UNLIMITED) {
		snprintf(inode_opt, sizeof(inode_opt), "%" PRId64, ihard);
		argv[argc++] = "-N";
		argv[argc++] = inode_opt;
	}
	if (ugid) {
		argv[argc++] = "-O";
		argv[argc++] = "quota";
	}
	argv[argc++] = img;
	argv[argc++] = size_opt;
	argv[argc] = NULL;
	ret = tool(err, VZ_E_CREATE_PRIVATE, argv);
	if (ret < 0)
		return ret;
	if (mkdir(mnt, 0700) < 0)
		return vz_error_sys(err, VZ_E_CREATE_PRIVATE, errno, "Cannot create '%s'", mnt);
	ret = fill_image(img, mnt, cache, uid, gid, err);
	rmdir(mnt);
	return ret;
}

/* ext4's online resize (EXT4_IOC_RESIZE_FS) asks for CAP_SYS_RESOURCE. */
static bool have_sys_resource(void)
{
	__vz_fclose FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			return eff & (1ULL << CAP_SYS_RESOURCE_BIT);
	return true; /* unknown: let the kernel decide */
}

static int no_online_grow(struct vz_ct *ct, unsigned long long kb, struct vz_error *err)
{
	return vz_error_set(
		err, VZ_E_PERMISSION, EPERM,
		"Growing the disk of container %s while it is mounted needs CAP_SYS_RESOURCE "
		"(ext4's online resize), which vzctl does not have here: stop the container "
		"and run the same vzctl set again, which grows the image offline (or run "
		"vzctl from a process that has CAP_SYS_RESOURCE); the disk stays at %llu KB",
		ct->idstr, kb);
}

static int grow_mounted(struct vz_ct *ct, const char *img, unsigned long long kb,
			unsigned long long cur_kb, struct vz_error *err)
{
	char dev[64];
	int ret;

	if (!have_sys_resource())
		return no_online_grow(ct, cur_kb, err);
	ret = vz_loop_find(img, dev, sizeof(dev));
	if (ret <= 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ret < 0 ? -ret : ENODEV,
				    "Cannot find the loop device of '%s'", img);
	if (truncate(img, (off_t)(kb * 1024)) < 0)
		return vz_error_sys(err, VZ_E_NO_DISKSPACE, errno, "Cannot grow '%s'", img);
	ret = vz_loop_set_capacity(dev, err);
	if (ret == 0) {
		char *argv[] = {"resize2fs", dev, NULL};
		char out[1024];

		ret = run_tool(argv, out, sizeof(out));
		if (ret < 0)
			ret = vz_error_sys(err, VZ_E_NO_DISKSPACE, -ret, "Cannot run resize2fs");
		else if (ret && strstr(out, "Operation not permitted"))
			/* CAP_SYS_RESOURCE in a user namespace only: the ioctl wants the host's. */
			ret = no_online_grow(ct, cur_kb, err);
		else if (ret)
			ret = vz_error_set(err, VZ_E_NO_DISKSPACE, EIO,
					   "resize2fs failed (exit %d): %s", ret, out);
	}
	if (ret < 0) {
		/* The file system kept its size: give the file back its own. */
		if (truncate(img, (off_t)(cur_kb * 1024)) == 0)
			vz_loop_set_capacity(dev, NULL);
	}
	return ret;
}

static int check_offline(const char *img, struct vz_error *err)
{
	char *argv[] = {"e2fsck", "-f", "-p", (char *)img, NULL};
	char out[1024];
	int ret = run_tool(argv, out, sizeof(out));

	/* 0: clean, 1: errors corrected; anything else needs a human. */
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot run e2fsck");
	if (ret > 1)
		return vz_error_set(err, VZ_E_MOUNT, EIO,
				    "The file system in '%s' has errors e2fsck -p cannot fix "
				    "(exit %d): %s",
				    img, ret, out);
	return 0;
}

static int resize_offline(struct vz_ct *ct, const char *img, unsigned long long kb,
			  unsigned long long cur_kb, struct vz_error *err)
{
	struct ext4_info info;
	char size_opt[32];
	int ret;

	ret = check_offline(img, err);
	if (ret < 0)
		return ret;
	if (kb < cur_kb) {
		char *argv[] = {"resize2fs", "-P", (char *)img, NULL};
		unsigned long long min_blocks, used_kb;
		char out[1024], *p;

		ret = read_sb(img, &info, err);
		if (ret < 0)
			return ret;
		ret = run_tool(argv, out, sizeof(out));
		p = strstr(out, "minimum size of the filesystem:");
		if (ret != 0 || !p || sscanf(strchr(p, ':') + 1, "%llu", &min_blocks) != 1)
			return vz_error_set(err, VZ_E_SYSTEM, EIO,
					    "Cannot find the minimum size of '%s': %s", img, out);
		used_kb = (info.blocks - info.free_blocks) * (info.block_size / 1024);
		if (kb < min_blocks * (info.block_size / 1024))
			return vz_error_set(err, VZ_E_NO_DISKSPACE, ENOSPC,
					    "Cannot shrink the disk of container %s to %llu KB: "
					    "%llu KB are in use and its file system needs at least "
					    "%llu KB; nothing was changed",
					    ct->idstr, kb, used_kb,
					    min_blocks * (info.block_size / 1024));
	} else if (truncate(img, (off_t)(kb * 1024)) < 0) {
		return vz_error_sys(err, VZ_E_NO_DISKSPACE, errno, "Cannot grow '%s'", img);
	}
	snprintf(size_opt, sizeof(size_opt), "%lluK", kb);
	{
		char *argv[] = {"resize2fs", (char *)img, size_opt, NULL};

		ret = tool(err, VZ_E_NO_DISKSPACE, argv);
	}
	if (ret < 0) {
		if (kb > cur_kb && truncate(img, (off_t)(cur_kb * 1024)) < 0)
			vz_warn("Cannot give '%s' back its size", img);
		return ret;
	}
	/* The file ends where the file system does. */
	ret = read_sb(img, &info, err);
	if (ret == 0 && truncate(img, (off_t)(info.blocks * info.block_size)) < 0)
		ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot truncate '%s'", img);
	return ret;
}

static int image_set_disk(struct vz_ct *ct, const char *priv, const char *root,
			  unsigned long long kb, struct vz_error *err)
{
	__vz_free char *img = image_path(priv);
	unsigned long long cur_kb;
	struct stat st;

	if (!img)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot resize the image");
	if (stat(img, &st) < 0)
		return vz_error_sys(err, VZ_E_NO_PRIVATE, errno, "Cannot find the disk image '%s'",
				    img);
	if (kb < MIN_KBLOCKS)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "DISKSPACE of an image CT must be at least %llu KB",
				    MIN_KBLOCKS);
	cur_kb = (unsigned long long)st.st_size / 1024;
	/* The file system is a whole number of 4K blocks. */
	if (kb / 4 == cur_kb / 4)
		return 0;
	if (root) {
		if (kb < cur_kb)
			return vz_error_set(err, VZ_E_MOUNTED, EBUSY,
					    "ext4 cannot shrink a mounted file system: stop "
					    "container %s, then set its DISKSPACE (%llu KB now)",
					    ct->idstr, cur_kb);
		vz_info("Growing the disk of container %s to %llu KB", ct->idstr, kb);
		return grow_mounted(ct, img, kb, cur_kb, err);
	}
	vz_info("Resizing the disk of container %s to %llu KB", ct->idstr, kb);
	return resize_offline(ct, img, kb, cur_kb, err);
}

static int image_mount(struct vz_ct *ct, const char *priv, const char *root, struct vz_error *err)
{
	__vz_free char *img = image_path(priv);
	__vz_close int loop = -1;
	struct ext4_info info;
	unsigned long long kb, cur_kb;
	char dev[64];
	bool ugid = false;
	struct stat st;
	int ret;

	if (!img)
		return vz_error_sys(err, VZ_E_MOUNT, ENOMEM, "Cannot mount the CT");
	if (stat(img, &st) < 0)
		return vz_error_set(err, VZ_E_NO_PRIVATE, ENOENT,
				    "The disk image '%s' of container %s is missing", img,
				    ct->idstr);
	ret = vz_storage_image_kblocks(ct, &kb, err);
	if (ret == 0)
		ret = ugid_wanted(ct, &ugid, err);
	if (ret == 0)
		ret = read_sb(img, &info, err);
	if (ret < 0)
		return ret;
	cur_kb = (unsigned long long)st.st_size / 1024;
	/* A DISKSPACE saved while the CT was down (or by hand): resized before mounting. */
	if (kb / 4 != cur_kb / 4) {
		struct vz_error e = {0};

		if (resize_offline(ct, img, kb, cur_kb, &e) < 0)
			vz_warn("Keeping the disk at %llu KB: %s", cur_kb, e.msg);
	}
	if (ugid && !info.quota) {
		char *argv[] = {"tune2fs", "-O", "quota", "-Q", "usrquota,grpquota", img, NULL};

		ret = tool(err, VZ_E_QUOTA_UGID, argv);
		if (ret < 0)
			return ret;
	}
	loop = vz_loop_attach(img, false, dev, sizeof(dev), err);
	if (loop < 0)
		return loop;
	if (mount(dev, root, "ext4", 0, ugid ? "usrquota,grpquota" : "") < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot mount '%s' (%s) on '%s'", img,
				    dev, root);
	return 0;
}

static int image_umount(struct vz_ct *ct, const char *priv, const char *root, struct vz_error *err)
{
	/* The loop device goes with the last reference to the file system (autoclear). */
	if (umount2(root, 0) < 0 && (errno != EBUSY || umount2(root, MNT_DETACH) < 0))
		return vz_error_sys(err, VZ_E_UMOUNT, errno, "Cannot unmount '%s'", root);
	return 0;
}

const struct vz_storage_ops vz_storage_image = {
	.name = "image",
	.populate = image_populate,
	.mount = image_mount,
	.umount = image_umount,
	.set_disk = image_set_disk,
};
