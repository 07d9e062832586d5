// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CT's first process: cloned into new pid, mount, uts, ipc, net, cgroup
 * (and user) namespaces, it waits until the monitor has written its id maps
 * and put it into the CT's cgroups, builds the CT's file system view, drops
 * the capabilities a CT must not have and execs the CT's own /sbin/init.
 */
#define VZ_LOG_PREFIX "init"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "cleanup.h"
#include "fileutil.h"
#include "lifecycle.h"
#include "log.h"
#include "net.h"
#include "procutil.h"
#include "resources.h"
#include "rootfs.h"
#include "userns.h"
#include "seccomp.h"


static int bring_up_loopback(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	__vz_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/*
 * The distribution's boot scripts set the host name from /etc/hostname; keep
 * it in step with HOSTNAME.  Runs as the CT's root inside the CT's root.
 */
static void write_hostname_file(const char *hostname)
{
	char text[300];
	int fd = open("/etc/hostname.vz", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return;
	snprintf(text, sizeof(text), "%s\n", hostname);
	if (write(fd, text, strlen(text)) == (ssize_t)strlen(text) && close(fd) == 0)
		rename("/etc/hostname.vz", "/etc/hostname");
	else
		unlink("/etc/hostname.vz");
}

static int become_ct_root(struct vz_launch *l, struct vz_error *err)
{
	if (!l->userns)
		return 0;
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot become root of the CT's user namespace");
	return 0;
}

static int attach_console(struct vz_error *err)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot open the CT's console");
	/* No controlling tty for init: its console children (getty, shell) take it. */
	if (setsid() < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot start a session");
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot attach to the console");
	if (fd > 2)
		close(fd);
	return 0;
}

/* Runs in the new namespaces; reports a failure through errfd and never returns. */
static void __attribute__((noreturn)) init_child(struct vz_launch *l, const struct vz_seccomp *sc,
						  const struct vz_devnodes *dn, int syncfd, int errfd)
{
	char *const argv[] = { "/sbin/init", NULL };
	char *const envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			       "TERM=linux", "HOME=/", "container=vz", NULL };
	const char *hostname = vz_ct_get(l->ct, "HOSTNAME");
	struct vz_rootfs fs = { .root = l->root, .console = l->console_slave, .cg = l->cg,
				.no_sysfs = !vz_res_feature(l->ct, VZ_FEATURE_sysfs, true) };
	struct vz_error err = { 0 };
	int keep[] = { syncfd, errfd, dn->mntfd, -1 };
	char go;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	vz_close_fds_from(3, keep);
	if (read(syncfd, &go, 1) != 1) {
		vz_error_set(&err, VZ_E_SYSTEM, EPIPE, "The CT's monitor went away during start");
		goto fail;
	}
	close(syncfd);
	if (unshare(CLONE_NEWCGROUP) < 0) {
		vz_error_sys(&err, VZ_E_NO_KERNEL_SUPPORT, errno, "Cannot create the CT's cgroup namespace");
		goto fail;
	}
	if (vz_rootfs_enter(&fs, &err) < 0)
		goto fail;
	if (become_ct_root(l, &err) < 0)
		goto fail;
	if (hostname && *hostname && sethostname(hostname, strlen(hostname)) < 0) {
		vz_error_sys(&err, VZ_E_SYSTEM, errno, "Cannot set host name '%s'", hostname);
		goto fail;
	}
	if (bring_up_loopback() < 0) {
		vz_error_sys(&err, VZ_E_SYSTEM, errno, "Cannot bring up lo in the CT");
		goto fail;
	}
	if (vz_rootfs_setup(&fs, &err) < 0)
		goto fail;
	/* DEVNODES and /dev/ppp: nodes the host made, bound into /dev. */
	if (vz_devnodes_attach(dn, &err) < 0)
		goto fail;
	if (hostname && *hostname)
		write_hostname_file(hostname);
	if (attach_console(&err) < 0)
		goto fail;
	if (vz_caps_apply(l->caps_dropped) < 0) {
		vz_error_sys(&err, VZ_E_CAPABILITY, errno, "Cannot drop capabilities");
		goto fail;
	}
	prctl(PR_SET_PDEATHSIG, 0);
	if (vz_seccomp_load(sc) < 0) {
		vz_error_sys(&err, VZ_E_SYSTEM, errno, "Cannot install the seccomp filter");
		goto fail;
	}
	execve(argv[0], argv, envp);
	vz_error_sys(&err, VZ_E_BROKEN_CT, errno, "Cannot execute /sbin/init in the CT");
fail:
	if (write(errfd, &err, sizeof(err)) < 0) {
		/* The monitor is gone; nobody is left to tell. */
	}
	_exit(1);
}

int vz_init_launch(struct vz_launch *l, pid_t *pid_out, struct vz_error *err)
{
	struct clone_args args = {
		/* CLONE_NEWCGROUP comes later: its root must be the CT's group. */
		.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET,
		.exit_signal = SIGCHLD,
	};
	__vz_seccomp struct vz_seccomp *sc = NULL;
	struct vz_devnodes dn = { .mntfd = -1 };
	struct vz_error child_err;
	int sync[2], errpipe[2];
	ssize_t n;
	pid_t pid;
	int ret;

	if (l->userns)
		args.flags |= CLONE_NEWUSER;
	/* Compiled here, on the host side: a profile path is a host path. */
	ret = vz_seccomp_prepare(l->ct, l->caps_dropped, &sc, err);
	if (ret == 0)
		ret = vz_seccomp_save(l->ct, sc, err);
	if (ret == 0)
		ret = vz_devnodes_load(l->ct, &dn, err);
	if (ret == 0)
		ret = vz_devnodes_prepare(&dn, (uid_t)l->uid_base, (gid_t)l->gid_base, err);
	if (ret < 0)
		return ret;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0) {
		vz_devnodes_close(&dn);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot start the CT");
	}
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		close(sync[0]);
		close(sync[1]);
		vz_devnodes_close(&dn);
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot start the CT");
	}
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		close(sync[0]);
		close(errpipe[0]);
		init_child(l, sc, &dn, sync[1], errpipe[1]);
	}
	close(sync[1]);
	close(errpipe[1]);
	vz_devnodes_close(&dn);
	if (pid < 0) {
		ret = vz_error_sys(err, errno == EINVAL || errno == EPERM ? VZ_E_NO_KERNEL_SUPPORT
									 : VZ_E_SYSTEM,
				   errno, "Cannot create the CT's namespaces");
		goto out;
	}

	ret = l->userns ? vz_userns_write_maps(pid, l->uid_base, l->gid_base, err) : 0;
	if (ret == 0)
		ret = l->cg->ops->attach(l->cg, pid, err);
	/* LOCKEDPAGES as RLIMIT_MEMLOCK: every process of the CT inherits it. */
	if (ret == 0)
		ret = vz_res_apply_rlimits(l->ct, pid, true, err);
	if (ret == 0 && l->userns)
		ret = l->cg->ops->delegate(l->cg, l->uid_base, l->gid_base, err);
	if (ret == 0)
		ret = vz_net_plug(l->ct, pid, err);
	if (ret == 0 && write(sync[0], "g", 1) != 1)
		ret = vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot start the CT");
	if (ret < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	/* EOF: execve() succeeded and closed the pipe; data: the child's error. */
	do
		n = read(errpipe[0], &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(child_err)) {
		waitpid(pid, NULL, 0);
		if (err)
			*err = child_err;
		ret = child_err.errnum ? -child_err.errnum : -EINVAL;
		goto out;
	}
	*pid_out = pid;
	ret = 0;
out:
	if (ret < 0)
		vz_net_unplug(l->ct, true);
	close(sync[0]);
	close(errpipe[0]);
	return ret;
}
