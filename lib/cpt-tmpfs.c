// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CT's own tmpfs mounts, saved and restored by vzctl (see cpt-tmpfs.h).
 */
#define VZ_LOG_PREFIX "cpt"
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-tmpfs.h"
#include "log.h"

/* ---- which mounts, and how they were mounted ---- */

bool vz_cpt_tmpfs_is_ours(const char *point, const char *root, const char *fstype, bool ro)
{
	return !ro && !strcmp(fstype, "tmpfs") && !strcmp(root, "/") &&
	       (!strcmp(point, "/dev") || !strcmp(point, "/dev/shm"));
}

/* The super block options a restore sets; the root's mode and owner come with its entry. */
static const char *const kept_options[] = { "size=", "nr_inodes=", "huge=" };

static bool kept_option(const char *opt, size_t len)
{
	for (size_t i = 0; i < sizeof(kept_options) / sizeof(kept_options[0]); i++) {
		size_t klen = strlen(kept_options[i]);

		if (len > klen && !strncmp(opt, kept_options[i], klen)) {
			for (size_t j = klen; j < len; j++)
				if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzKMGTP%", opt[j]))
					return false;
			return true;
		}
	}
	return false;
}

int vz_cpt_tmpfs_options(const char *super_opts, char *out, size_t size)
{
	size_t used = 0;

	if (!size)
		return -ENAMETOOLONG;
	out[0] = '\0';
	for (const char *p = super_opts; *p;) {
		size_t len = strcspn(p, ",");

		if (kept_option(p, len)) {
			if (used + len + 2 > size)
				return -ENAMETOOLONG;
			used += (size_t)snprintf(out + used, size - used, "%s%.*s", used ? "," : "",
						 (int)len, p);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned attr;
} mount_attrs[] = {
	{ "nosuid", MOUNT_ATTR_NOSUID },	 { "nodev", MOUNT_ATTR_NODEV },
	{ "noexec", MOUNT_ATTR_NOEXEC },	 { "noatime", MOUNT_ATTR_NOATIME },
	{ "nodiratime", MOUNT_ATTR_NODIRATIME }, { "strictatime", MOUNT_ATTR_STRICTATIME },
};

static unsigned allowed_flags(void)
{
	unsigned all = 0;

	for (size_t i = 0; i < sizeof(mount_attrs) / sizeof(mount_attrs[0]); i++)
		all |= mount_attrs[i].attr;
	return all;
}

unsigned vz_cpt_tmpfs_flags(const char *mount_opts)
{
	unsigned flags = 0;

	for (const char *p = mount_opts; *p;) {
		size_t len = strcspn(p, ",");

		for (size_t i = 0; i < sizeof(mount_attrs) / sizeof(mount_attrs[0]); i++)
			if (strlen(mount_attrs[i].name) == len && !strncmp(p, mount_attrs[i].name, len))
				flags |= mount_attrs[i].attr;
		p += len;
		if (*p == ',')
			p++;
	}
	return flags;
}

bool vz_cpt_tmpfs_entry_valid(const CptMountEntry *e)
{
	unsigned n;
	int end = 0;

	if (!e->tmpfs || e->mask || e->console || e->source[0] || !e->image || !e->options ||
	    !e->has_flags || (e->flags & ~allowed_flags()))
		return false;
	if (sscanf(e->image, "tmpfs-%u.img%n", &n, &end) != 1 || e->image[end] ||
	    !strchr("0123456789", e->image[6]))
		return false;
	for (const char *p = e->options; *p;) {
		size_t len = strcspn(p, ",");

		if (!kept_option(p, len))
			return false;
		p += len;
		if (*p == ',' && !*++p)
			return false;
	}
	return true;
}

/* ---- the CT's mounts ---- */

static int save_child(void *arg, struct vz_error *err)
{
	struct vz_cpt_tmpfs_save *s = arg;
	int ret = vz_enter_ns(s->init_pid, CLONE_NEWNS, VZ_E_CHKPNT, err);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < s->nr; i++) {
		const CptMountEntry *e = s->mounts[i];
		__vz_close int tree = -1, root = -1, out = -1;
		struct statfs sfs;
		int ret;

		if (!e->tmpfs)
			continue;
		/* A copy of this one mount alone: what is mounted on it stays out. */
		tree = (int)syscall(SYS_open_tree, AT_FDCWD, e->mountpoint,
				    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
		if (tree >= 0)
			root = openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (root < 0 || fstatfs(root, &sfs) < 0)
			return vz_error_sys(err, VZ_E_CHKPNT, errno, "Cannot open the CT's '%s'",
					    e->mountpoint);
		if (sfs.f_type != TMPFS_MAGIC)
			return vz_error_set(err, VZ_E_CHKPNT, EXDEV, "The CT's '%s' is no longer a tmpfs",
					    e->mountpoint);
		out = openat(s->dirfd, e->image, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (out < 0)
			return vz_error_sys(err, VZ_E_CHKPNT, errno, "Cannot create '%s'", e->image);
		ret = vz_tree_write(root, out, &s->tree, err);
		if (ret < 0) {
			vz_error_prefix(err, "%s: ", e->mountpoint);
			return ret;
		}
	}
	return 0;
}

int vz_cpt_tmpfs_save_start(struct vz_cpt_tmpfs_save *s, struct vz_error *err)
{
	bool any = false;

	s->child.pid = -1;
	s->child.errfd = -1;
	for (size_t i = 0; i < s->nr; i++)
		any |= s->mounts[i]->tmpfs;
	return any ? vz_child_start(&s->child, save_child, s, err) : 0;
}

int vz_cpt_tmpfs_save_wait(struct vz_cpt_tmpfs_save *s, struct vz_error *err)
{
	return vz_child_wait(&s->child, "Saving the CT's tmpfs", err);
}

static int mount_fresh(const CptMountEntry *e, struct vz_error *err)
{
	__vz_close int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	char opts[256];
	int mnt;

	if (fs < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot create a tmpfs for '%s'",
				    e->mountpoint);
	snprintf(opts, sizeof(opts), "%s", e->options);
	for (char *save = NULL, *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');

		*eq = '\0';
		if (fsconfig(fs, FSCONFIG_SET_STRING, o, eq + 1, 0) < 0)
			return vz_error_sys(err, VZ_E_RESTORE, errno,
					    "Cannot set %s=%s on the tmpfs for '%s'", o, eq + 1,
					    e->mountpoint);
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot create a tmpfs for '%s'",
				    e->mountpoint);
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, e->flags);
	if (mnt < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot create a tmpfs for '%s'",
				    e->mountpoint);
	return mnt;
}

int vz_cpt_tmpfs_restore(const CptMountEntry *e, int dirfd, const struct vz_tree_opts *tree,
			 char **path, struct vz_error *err)
{
	__vz_close int mnt = -1, root = -1, in = -1;
	char tmpl[] = "/tmp/vz-tmpfs.XXXXXX";
	int ret;

	*path = NULL;
	if (!vz_cpt_tmpfs_entry_valid(e))
		return vz_error_set(err, VZ_E_RESTORE, EBADMSG, "The dump's entry for '%s' is bad",
				    e->mountpoint);
	in = openat(dirfd, e->image, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot open '%s' of the dump", e->image);
	mnt = mount_fresh(e, err);
	if (mnt < 0)
		return mnt;
	root = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot open the tmpfs for '%s'",
				    e->mountpoint);
	ret = vz_tree_read(in, root, tree, err);
	if (ret < 0) {
		vz_error_prefix(err, "%s: ", e->mountpoint);
		return ret;
	}
	/* CRIU binds it from inside the CT's user namespace: the way must be searchable. */
	if (!mkdtemp(tmpl))
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot create '%s'", tmpl);
	if (chmod(tmpl, 0711) < 0 || move_mount(mnt, "", AT_FDCWD, tmpl, MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
	    mount(NULL, tmpl, NULL, MS_PRIVATE, NULL) < 0) {
		ret = vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot attach the tmpfs for '%s'",
				   e->mountpoint);
		umount2(tmpl, MNT_DETACH);
		rmdir(tmpl);
		return ret;
	}
	*path = strdup(tmpl);
	if (!*path) {
		umount2(tmpl, MNT_DETACH);
		rmdir(tmpl);
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot attach the tmpfs");
	}
	return 0;
}
