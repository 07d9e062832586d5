// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The start and stop sequences.  Start: mount the CT (premount/mount
 * scripts), create its cgroups and device rules, check /sbin/init, open
 * the console, then hand over to the monitor, which clones init.  Any
 * failure undoes what this start did, so a failed start leaves the CT as
 * it found it.  Stop: halt inside the CT, wait STOP_TIMEOUT, kill, wait for
 * the monitor to clean up, unmount.
 */
#define VZ_LOG_PREFIX "lifecycle"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "caps.h"
#include "cgroup.h"
#include "cleanup.h"
#include "dist.h"
#include "exec.h"
#include "fileutil.h"
#include "kernel-features.h"
#include "lifecycle.h"
#include "log.h"
#include "net.h"
#include "procutil.h"
#include "quota.h"
#include "resources.h"
#include "state.h"
#include "storage.h"

static int ct_paths(struct vz_ct *ct, char **root, char **priv, struct vz_error *err)
{
	*root = vz_ct_get_subst(ct, "VE_ROOT");
	*priv = vz_ct_get_subst(ct, "VE_PRIVATE");
	if (!*root)
		return vz_error_set(err, VZ_E_NO_VE_ROOT, EINVAL, "VE_ROOT is not set");
	if (!*priv)
		return vz_error_set(err, VZ_E_NO_VE_PRIVATE, EINVAL, "VE_PRIVATE is not set");
	return 0;
}

int vz_ct_mount(struct vz_ct *ct, struct vz_error *err)
{
	__vz_free char *root = NULL, *priv = NULL;
	struct stat st;
	int ret;

	ret = ct_paths(ct, &root, &priv, err);
	if (ret < 0)
		return ret;
	if (vz_is_mountpoint(root))
		return vz_error_set(err, VZ_E_MOUNTED, EBUSY, "Container is already mounted");
	if (stat(priv, &st) < 0 || !S_ISDIR(st.st_mode))
		return vz_error_set(err, VZ_E_NO_PRIVATE, ENOENT, "Container private area '%s' does not exist",
				    priv);
	ret = vz_action_run(ct, "premount", err);
	if (ret < 0)
		return ret;
	ret = vz_mkdir_p(root, 0755);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_CREATE_ROOT, -ret, "Cannot create '%s'", root);
	ret = vz_storage_of(ct)->mount(ct, priv, root, err);
	if (ret < 0)
		return ret;
	/* Keep the CT's view private: nothing mounted inside leaks back to the host. */
	mount(NULL, root, NULL, MS_PRIVATE, NULL);
	/* Disk limits of layouts without their own (project quota, DISK_QUOTA=yes). */
	ret = vz_ct_quota_mount(ct, err);
	if (ret == 0)
		ret = vz_action_run(ct, "mount", err);
	if (ret < 0) {
		struct vz_error ignored;

		vz_storage_of(ct)->umount(ct, priv, root, &ignored);
		return ret;
	}
	return 0;
}

int vz_ct_umount(struct vz_ct *ct, struct vz_error *err)
{
	__vz_free char *root = NULL, *priv = NULL;
	int ret;

	ret = ct_paths(ct, &root, &priv, err);
	if (ret < 0)
		return ret;
	if (!vz_is_mountpoint(root))
		return vz_error_set(err, VZ_E_NOT_MOUNTED, EINVAL, "Container is not mounted");
	ret = vz_action_run(ct, "umount", err);
	if (ret < 0)
		return ret;
	ret = vz_storage_of(ct)->umount(ct, priv, root, err);
	if (ret < 0)
		return ret;
	return vz_action_run(ct, "postumount", err);
}

int vz_console_open(struct vz_launch *l, struct vz_error *err)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	char *name;

	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot allocate the CT console");
	if (grantpt(fd) < 0 || unlockpt(fd) < 0 || !(name = ptsname(fd))) {
		int e = errno;

		close(fd);
		return vz_error_sys(err, VZ_E_SYSTEM, e, "Cannot allocate the CT console");
	}
	snprintf(l->console_slave, sizeof(l->console_slave), "%s", name);
	/* The CT's root owns its console; tty group 5 inside the CT. */
	if (chown(name, l->uid_base, l->gid_base + 5) < 0 || chmod(name, 0620) < 0) {
		int e = errno;

		close(fd);
		return vz_error_sys(err, VZ_E_SYSTEM, e, "Cannot hand the console to the CT");
	}
	l->console_master = fd;
	return 0;
}

int vz_rundir_make(struct vz_ct *ct, struct vz_error *err)
{
	__vz_free char *dir = vz_ct_get_subst(ct, "RUNDIR");
	int ret;

	if (!dir)
		return vz_error_set(err, VZ_E_SYSTEM, EINVAL, "RUNDIR is not set");
	ret = vz_mkdir_p(dir, 0700);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create '%s'", dir);
	return 0;
}

static int check_init(const char *root, struct vz_error *err)
{
	__vz_free char *init = vz_path_join(root, "sbin/init");
	__vz_free char *sh = vz_path_join(root, "bin/sh");
	struct stat st;

	if (!init || !sh)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot check the CT");
	/* stat() follows the CT's symlinks only through absolute paths: check the link itself too. */
	if (lstat(init, &st) < 0 || lstat(sh, &st) < 0)
		return vz_error_set(err, VZ_E_BROKEN_CT, ENOENT,
				    "Container is broken: /sbin/init or /bin/sh is missing");
	return 0;
}

static int wait_booted(struct vz_ct *ct, struct vz_error *err)
{
	/*
	 * systemd says when boot is complete (running, or degraded with failed
	 * units); it answers only once its bus is up, so ask until it does.
	 * Other inits are up as soon as a command runs in the CT.
	 */
	char *const argv[] = { "/bin/sh", "-c",
			       "case $(readlink -f /sbin/init) in */systemd) ;; *) exit 0;; esac; "
			       "case $(systemctl is-system-running --wait 2>/dev/null) in "
			       "running|degraded) exit 0;; *) exit 1;; esac",
			       NULL };
	unsigned long timeout = vz_ct_get_ulong(ct, "START_TIMEOUT", 120);
	struct timespec start, now;
	int status = 0, ret;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ret = vz_ct_exec_simple(ct, argv, &status, err);
		if (ret == 0 && status == 0)
			return 0;
		if (ret < 0 && err->kind == VZ_E_NOT_RUNNING)
			return vz_error_set(err, VZ_E_START_WAIT, ESRCH, "Container stopped while booting");
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((unsigned long)(now.tv_sec - start.tv_sec) >= timeout)
			break;
		usleep(50000);
	}
	return vz_error_set(err, VZ_E_START_WAIT, ETIMEDOUT,
			    "Container did not finish booting in %lu s", timeout);
}

/*
 * The distribution's view of what the config says, as OpenVZ sets it at
 * every start: host name (/etc/hostname, /etc/hosts) and DNS servers.
 * A failure is reported; the CT runs all the same.
 */
static void apply_dist_settings(struct vz_ct *ct)
{
	const char *hostname = vz_conf_get(ct->conf, "HOSTNAME");
	const char *ns = vz_conf_get(ct->conf, "NAMESERVER");
	const char *sd = vz_conf_get(ct->conf, "SEARCHDOMAIN");
	const char *ips = vz_ct_get(ct, "IP_ADDRESS");
	__vz_free char *host_ns = NULL;
	struct vz_error err = { 0 };

	if (ns && !strcmp(ns, "inherit")) {
		if (vz_dist_host_nameservers("/etc/resolv.conf", &host_ns) < 0)
			vz_warn("NAMESERVER=\"inherit\": cannot read the host's /etc/resolv.conf");
		ns = host_ns;
	}

	if (hostname && *hostname) {
		const char *vars[] = { "HOSTNM", hostname, "IP_ADDR", ips ? ips : "", NULL };

		if (vz_dist_action(ct, "SET_HOSTNAME", vars, &err) < 0)
			vz_warn("%s", err.msg);
	}
	if ((ns && *ns) || (sd && *sd)) {
		const char *vars[] = { "NAMESERVER", ns ? ns : "", "SEARCHDOMAIN", sd ? sd : "", NULL };

		if (vz_dist_action(ct, "SET_DNS", vars, &err) < 0)
			vz_warn("%s", err.msg);
	}
}

int vz_ct_start(struct vz_ct *ct, const struct vz_start_opts *opts, struct vz_error *err)
{
	struct vz_launch l = { .ct = ct, .console_master = -1 };
	__vz_cgroup struct vz_cgroup *cg = NULL;
	__vz_free char *priv = NULL;
	struct vz_ct_state st;
	bool mounted_here = false;
	int ret;

	ret = vz_ct_get_state(ct, &st, err);
	if (ret < 0)
		return ret;
	if (!st.exists)
		return vz_error_set(err, VZ_E_NO_CTCONF, ENOENT, "Container %s does not exist", ct->idstr);
	if (st.running)
		return vz_error_set(err, VZ_E_RUNNING, EBUSY, "Container is already running");
	{
		/* A monitor that was killed leaves its run state: it describes nothing now. */
		__vz_free char *stale = vz_ct_run_path(ct, ".state");

		if (stale)
			unlink(stale);
	}
	if (vz_ct_get_bool(ct, "DISABLED", false) && !opts->force)
		return vz_error_set(err, VZ_E_DISABLED, EPERM,
				    "Container start disabled (DISABLED=yes); use --force");
	ret = ct_paths(ct, &l.root, &priv, err);
	if (ret < 0)
		goto out;
	l.uid_base = vz_ct_get_ulong(ct, "LOCAL_UID", 0);
	l.gid_base = vz_ct_get_ulong(ct, "LOCAL_GID", l.uid_base);
	l.userns = l.uid_base != 0;
	ret = vz_caps_dropped(ct, &l.caps_dropped, err);
	if (ret < 0)
		goto out;
	ret = vz_net_prepare(ct, err);
	if (ret < 0)
		goto out;

	vz_info("Starting container...");
	if (!st.mounted) {
		ret = vz_ct_mount(ct, err);
		if (ret < 0)
			goto out;
		mounted_here = true;
		vz_info("Container is mounted");
	}
	ret = check_init(l.root, err);
	if (ret < 0)
		goto err_umount;
	ret = vz_cgroup_open(ct, &cg, err);
	if (ret < 0)
		goto err_umount;
	l.cg = cg;
	ret = cg->ops->create(cg, err);
	if (ret == 0)
		ret = cg->ops->setup_devices(cg, err);
	if (ret == 0)
		ret = vz_kernel_features_apply(ct, cg, err);
	/* Beancounters, CPU, I/O and devices of the config (lib/resources.h). */
	if (ret == 0)
		ret = vz_res_apply(ct, cg, VZ_RES_ALL, vz_ct_get_bool(ct, "STRICT_LIMITS", false), err);
	if (ret < 0)
		goto err_cgroup;
	ret = vz_rundir_make(ct, err);
	if (ret == 0)
		ret = vz_console_open(&l, err);
	if (ret < 0)
		goto err_cgroup;
	ret = vz_monitor_spawn(&l, err);
	close(l.console_master);
	if (ret < 0)
		goto err_cgroup;
	vz_info("Container start in progress...");
	/* The addresses reach the distribution's own network config. */
	if (vz_net_dist_start(ct, err) < 0)
		vz_warn("%s", err->msg);
	apply_dist_settings(ct);
	if (opts->wait) {
		ret = wait_booted(ct, err);
		if (ret < 0)
			goto out;
	}
	/* The CT runs; a failing .start script is reported but does not undo the start. */
	ret = vz_action_run_in_ct(ct, "start", err);
	if (ret < 0)
		goto out;
	ret = 0;
	goto out;

err_cgroup:
	if (cg) {
		struct vz_error ignored;

		cg->ops->destroy(cg, &ignored);
	}
err_umount:
	if (mounted_here) {
		struct vz_error ignored;

		vz_ct_umount(ct, &ignored);
	}
out:
	free(l.root);
	return ret;
}

static bool init_is_systemd(pid_t pid)
{
	char path[64], exe[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	return n >= 8 && !strcmp(exe + n - 8, "/systemd");
}

int vz_ct_stop(struct vz_ct *ct, const struct vz_stop_opts *opts, struct vz_error *err)
{
	unsigned long timeout = vz_ct_get_ulong(ct, "STOP_TIMEOUT", 120);
	char *const halt_argv[] = { "/bin/sh", "-c", "exec halt", NULL };
	__vz_close int init_fd = -1, monitor_fd = -1;
	struct vz_ct_state st;
	char reply[64];
	int ret, status;

	ret = vz_ct_get_state(ct, &st, err);
	if (ret < 0)
		return ret;
	if (!st.running)
		return vz_error_set(err, VZ_E_NOT_RUNNING, EINVAL,
				    "Unable to stop: container is not running");
	init_fd = vz_pidfd_open(st.init_pid);
	monitor_fd = vz_pidfd_open(st.monitor_pid);
	if (init_fd < 0 || monitor_fd < 0)
		return vz_error_sys(err, VZ_E_STOP_FAILED, init_fd < 0 ? -init_fd : -monitor_fd,
				    "Cannot watch the CT's processes");
	ret = vz_monitor_request(ct, "stop", reply, sizeof(reply), NULL, err);
	if (ret < 0)
		return ret;

	vz_info("Stopping container ...");
	if (vz_action_run_in_ct(ct, "stop", err) < 0)
		vz_warn("%s", err->msg);
	if (!opts->fast) {
		struct vz_error ignored;

		/*
		 * systemd halts on SIGRTMIN+3 (what its halt command asks for, without
		 * a client on the bus); other inits get the CT's own halt. A CT whose
		 * halt does not work is killed after the timeout all the same.
		 */
		if (init_is_systemd(st.init_pid))
			vz_pidfd_send_signal(init_fd, SIGRTMIN + 3);
		else
			vz_ct_exec_simple(ct, halt_argv, &status, &ignored);
		ret = vz_pidfd_wait(init_fd, (int)(timeout > 2000000 ? 2000000000 : timeout * 1000));
		if (ret == 0)
			vz_warn("Container did not stop in %lu s, killing it", timeout);
	}
	if (vz_pidfd_wait(init_fd, 0) == 0) {
		ret = vz_pidfd_send_signal(init_fd, SIGKILL);
		if (ret < 0 && ret != -ESRCH)
			return vz_error_sys(err, VZ_E_STOP_FAILED, -ret, "Cannot kill the CT's init");
	}
	/* The monitor removes the cgroups and the run state, then exits. */
	if (vz_pidfd_wait(monitor_fd, 30000) != 1)
		return vz_error_set(err, VZ_E_STOP_FAILED, ETIMEDOUT,
				    "Container's monitor did not finish the clean-up");
	vz_info("Container was stopped");
	if (!opts->skip_umount) {
		ret = vz_ct_umount(ct, err);
		if (ret < 0 && err->kind != VZ_E_NOT_MOUNTED)
			return ret;
		vz_info("Container is unmounted");
	}
	return 0;
}
