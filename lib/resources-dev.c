// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device nodes in a CT's /dev: DEVNODES ("net/tun:rw") and /dev/ppp of
 * FEATURES ppp:on.  A CT in a user namespace cannot mknod, a node on a
 * file system it mounted itself does not open (the kernel marks such file
 * systems nodev), and a host node bound in keeps the host's owner, whom
 * the CT's root does not map: a 0600 root node stays closed to it.  So the
 * host makes the nodes, with the host's type, numbers and modes but owned
 * by the CT's root, on a small tmpfs of its own that is not attached
 * anywhere (fsmount); inside the CT's mount namespace that tmpfs is moved
 * onto a directory under /dev for a moment, each node bound onto its
 * place, and the tmpfs detached again (the bound nodes keep it alive).
 * At start the CT's first process does the inside part before it execs
 * init; on a running CT a helper joins the CT's user and mount namespaces
 * and does it with no more power than the CT's root.  Whether a node opens
 * is still the device controller's call (resources-apply.c).
 */
#define VZ_LOG_PREFIX "resources"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "procutil.h"
#include "resources.h"

static int add_node(struct vz_devnodes *dn, const char *name, size_t len, struct vz_error *err)
{
	struct vz_devnode *n;

	for (size_t i = 0; i < dn->nr; i++)
		if (strlen(dn->node[i].name) == len && !strncmp(dn->node[i].name, name, len)) {
			/* A later entry for the same node wins. */
			memset(&dn->node[i], 0, sizeof(dn->node[i]));
			memcpy(dn->node[i].name, name, len);
			return (int)i;
		}
	if (dn->nr >= VZ_RES_MAX_DEVS)
		return vz_error_set(err, VZ_E_BAD_VALUE, E2BIG,
				    "Too many device entries (at most %d)", VZ_RES_MAX_DEVS);
	if (len >= sizeof(n->name))
		return vz_error_set(err, VZ_E_BAD_VALUE, ENAMETOOLONG,
				    "Device name '%.*s' is too long", (int)len, name);
	n = &dn->node[dn->nr];
	memset(n, 0, sizeof(*n));
	memcpy(n->name, name, len);
	return (int)dn->nr++;
}

int vz_devnodes_load(const struct vz_ct *ct, struct vz_devnodes *dn, struct vz_error *err)
{
	const char *v = vz_ct_get(ct, "DEVNODES");
	__vz_free char *copy = NULL;
	struct vz_features f;
	char *save = NULL;
	int ret, i;

	dn->nr = 0;
	dn->mntfd = -1;
	ret = vz_res_load_features(ct, &f, err);
	if (ret < 0)
		return ret;
	if ((f.on | f.off) & 1u << VZ_FEATURE_ppp) {
		i = add_node(dn, "ppp", 3, err);
		if (i < 0)
			return i;
		dn->node[i].mode = S_IFCHR | 0600;
		dn->node[i].rdev = makedev(108, 0);
		dn->node[i].remove = !(f.on & 1u << VZ_FEATURE_ppp);
	}
	if (!v || !*v)
		return 0;
	if (vz_res_check_devnodes(v))
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "Invalid value for DEVNODES \"%s\": %s", v,
				    vz_res_check_devnodes(v));
	copy = strdup(v);
	if (!copy)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read DEVNODES");
	for (char *t = strtok_r(copy, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
		const char *colon = strrchr(t, ':');
		char path[128];
		struct stat st;

		i = add_node(dn, t, (size_t)(colon - t), err);
		if (i < 0)
			return i;
		if (!strcmp(colon + 1, "none")) {
			dn->node[i].remove = true;
			continue;
		}
		snprintf(path, sizeof(path), "/dev/%s", dn->node[i].name);
		if (stat(path, &st) < 0)
			return vz_error_sys(err, VZ_E_DEVICES, errno,
					    "Cannot use DEVNODES entry '%s': '%s'", t, path);
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			return vz_error_set(err, VZ_E_DEVICES, ENODEV,
					    "Cannot use DEVNODES entry '%s': '%s' is not a device",
					    t, path);
		dn->node[i].mode = st.st_mode & (S_IFMT | 07777);
		dn->node[i].rdev = st.st_rdev;
	}
	return 0;
}

void vz_devnodes_close(struct vz_devnodes *dn)
{
	if (dn->mntfd >= 0)
		close(dn->mntfd);
	dn->mntfd = -1;
}

int vz_devnodes_prepare(struct vz_devnodes *dn, uid_t uid, gid_t gid, struct vz_error *err)
{
	__vz_close int fs = -1;
	bool any = false;

	dn->mntfd = -1;
	for (size_t i = 0; i < dn->nr; i++)
		any |= !dn->node[i].remove;
	if (!any)
		return 0;
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return vz_error_sys(err, errno == ENOSYS ? VZ_E_NO_KERNEL_SUPPORT : VZ_E_DEVICES,
				    errno, "Cannot create a tmpfs for the CT's device nodes");
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return vz_error_sys(err, VZ_E_DEVICES, errno,
				    "Cannot create a tmpfs for the CT's device nodes");
	dn->mntfd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	if (dn->mntfd < 0)
		return vz_error_sys(err, VZ_E_DEVICES, errno,
				    "Cannot create a tmpfs for the CT's device nodes");
	if (fchownat(dn->mntfd, "", uid, gid, AT_EMPTY_PATH) < 0)
		goto fail;
	for (size_t i = 0; i < dn->nr; i++) {
		const struct vz_devnode *n = &dn->node[i];
		char name[24];

		if (n->remove)
			continue;
		snprintf(name, sizeof(name), "%zu", i);
		if (mknodat(dn->mntfd, name, n->mode, n->rdev) < 0 ||
		    fchownat(dn->mntfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(dn->mntfd, name, n->mode & 07777, 0) < 0) {
			vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot create the node of /dev/%s",
				     n->name);
			vz_devnodes_close(dn);
			return -EPERM;
		}
	}
	return 0;
fail:
	vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot create a tmpfs for the CT's device nodes");
	vz_devnodes_close(dn);
	return -EPERM;
}

/* mkdir -p of the directories above /dev/<name>. */
static int make_parents(const char *name, struct vz_error *err)
{
	char path[96];

	snprintf(path, sizeof(path), "/dev/%s", name);
	for (char *p = path + 5; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot create '%s'", path);
		*p = '/';
	}
	return 0;
}

int vz_devnodes_attach(const struct vz_devnodes *dn, struct vz_error *err)
{
	char stage[] = "/dev/.vz-devnodes.XXXXXX";
	int ret = 0;

	for (size_t i = 0; i < dn->nr; i++) {
		char path[96];

		snprintf(path, sizeof(path), "/dev/%s", dn->node[i].name);
		/* A node bound before (an earlier start or set) goes first. */
		while (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			;
		if (dn->node[i].remove && unlink(path) < 0 && errno != ENOENT)
			return vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot remove '%s'", path);
	}
	if (dn->mntfd < 0)
		return 0;
	if (!mkdtemp(stage))
		return vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot create '%s'", stage);
	if (move_mount(dn->mntfd, "", AT_FDCWD, stage, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		ret = vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot attach the CT's device nodes");
		rmdir(stage);
		return ret;
	}
	for (size_t i = 0; ret == 0 && i < dn->nr; i++) {
		const struct vz_devnode *n = &dn->node[i];
		char src[64], path[96];

		if (n->remove)
			continue;
		snprintf(src, sizeof(src), "%s/%zu", stage, i);
		snprintf(path, sizeof(path), "/dev/%s", n->name);
		ret = make_parents(n->name, err);
		if (ret < 0)
			break;
		/* The mount point: a plain file (S_IFREG needs no CAP_MKNOD). */
		if (mknod(path, S_IFREG | 0600, 0) < 0 && errno != EEXIST)
			ret = vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot create '%s'", path);
		else if (mount(src, path, NULL, MS_BIND, NULL) < 0)
			ret = vz_error_sys(err, VZ_E_DEVICES, errno, "Cannot bind the node of '%s'",
					   path);
	}
	umount2(stage, MNT_DETACH);
	rmdir(stage);
	return ret;
}

/* The helper of vz_devnodes_apply_live(), in the CT's namespaces; never returns. */
static void __attribute__((noreturn))
live_child(int pidfd, bool userns, const struct vz_devnodes *dn, int errfd)
{
	struct vz_error err = {0};

	if (setns(pidfd, CLONE_NEWNS | (userns ? CLONE_NEWUSER : 0)) < 0)
		vz_error_sys(&err, VZ_E_DEVICES, errno, "Cannot enter the container");
	else if (userns &&
		 (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		vz_error_sys(&err, VZ_E_DEVICES, errno, "Cannot become root in the container");
	else if (chdir("/") == 0)
		vz_devnodes_attach(dn, &err);
	if (err.kind && write(errfd, &err, sizeof(err)) < 0) {
		/* the parent sees the exit status */
	}
	_exit(err.kind ? 1 : 0);
}

int vz_devnodes_apply_live(const struct vz_ct *ct, pid_t init_pid, struct vz_error *err)
{
	unsigned long uid = vz_ct_get_ulong(ct, "LOCAL_UID", 0);
	unsigned long gid = vz_ct_get_ulong(ct, "LOCAL_GID", uid);
	struct vz_devnodes dn;
	struct vz_error child_err;
	__vz_close int pidfd = -1;
	int pipefd[2], status, ret;
	ssize_t n;
	pid_t pid;

	ret = vz_devnodes_load(ct, &dn, err);
	if (ret < 0 || dn.nr == 0)
		return ret;
	ret = vz_devnodes_prepare(&dn, (uid_t)uid, (gid_t)gid, err);
	if (ret < 0)
		return ret;
	pidfd = vz_pidfd_open(init_pid);
	if (pidfd < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		vz_devnodes_close(&dn);
		return vz_error_sys(err, VZ_E_DEVICES, pidfd < 0 ? -pidfd : errno,
				    "Cannot reach the container's init");
	}
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		live_child(pidfd, uid != 0, &dn, pipefd[1]);
	}
	close(pipefd[1]);
	vz_devnodes_close(&dn);
	if (pid < 0) {
		close(pipefd[0]);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot fork");
	}
	do
		n = read(pipefd[0], &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(child_err)) {
		if (err)
			*err = child_err;
		return child_err.errnum ? -child_err.errnum : -EIO;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return vz_error_set(err, VZ_E_DEVICES, EIO,
				    "Cannot set up the device nodes in the container");
	return 0;
}
