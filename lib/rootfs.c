// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "rootfs"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "rootfs.h"

/* Host device nodes bound into the CT's /dev (mknod is not possible in a user namespace). */
static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

/*
 * What the CT must not see of the host, as runc/crun (Docker, podman) mask
 * it, plus the kernel's symbol table and log.  Files a CT sees empty:
 */
static const char *const proc_masked_files[] = {
	"proc/kcore",	      /* host physical memory as an ELF core */
	"proc/keys",	      /* every key of the kernel keyrings the caller may view */
	"proc/timer_list",    /* host timers with their owners' tasks */
	"proc/timer_stats",   /* the same (kernels before 4.11) */
	"proc/sched_debug",   /* every host task, its pid and scheduler state */
	"proc/latency_stats", /* host tasks' latency backtraces */
	"proc/kallsyms",      /* kernel addresses when not restricted */
	"proc/kmsg",	      /* the host's kernel log */
	"proc/interrupts",    /* host IRQ counters: keystroke/network timing */
};
/* Directories hidden behind an empty read-only tmpfs. */
static const char *const masked_dirs[] = {
	"proc/acpi",			/* ACPI knobs of the host's hardware */
	"proc/scsi",			/* host SCSI devices, writable add/remove */
	"proc/asound",			/* host sound cards */
	"proc/driver",			/* host driver state (rtc, nvram) */
	"sys/firmware",			/* ACPI tables, EFI variables, DMI */
	"sys/devices/virtual/powercap", /* RAPL energy counters (Platypus side channel) */
	"sys/fs/selinux",		/* the host's MAC policy */
	"sys/dev/block",		/* the host's disks */
};
/* Host-wide knobs that stay readable but not writable (net: see mask_paths()). */
static const char *const proc_readonly[] = { "proc/sys", "proc/sysrq-trigger", "proc/irq",
					     "proc/bus", "proc/fs" };

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		    const char *data, struct vz_error *err)
{
	if (mount(src, dst, type, flags, data) < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot mount %s on '%s'",
				    type ? type : (src ? src : "(remount)"), dst);
	return 0;
}

static int ensure_dir(const char *path, mode_t mode, struct vz_error *err)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot create '%s'", path);
	return 0;
}

static int ensure_file(const char *path, struct vz_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot create '%s'", path);
	close(fd);
	return 0;
}

static int bind_readonly(const char *path, struct vz_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0 || S_ISLNK(st.st_mode))
		return 0; /* not present in this kernel: nothing to protect */
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot bind '%s'", path);
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot make '%s' read-only", path);
	return 0;
}

static int mask_paths(struct vz_error *err)
{
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(proc_masked_files); i++) {
		struct stat st;

		if (lstat(proc_masked_files[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		ret = do_mount("/dev/null", proc_masked_files[i], NULL, MS_BIND, NULL, err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < ARRAY_SIZE(masked_dirs); i++) {
		struct stat st;

		if (lstat(masked_dirs[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		ret = do_mount("tmpfs", masked_dirs[i], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			       "size=0,mode=555", err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < ARRAY_SIZE(proc_readonly); i++) {
		ret = bind_readonly(proc_readonly[i], err);
		if (ret < 0)
			return ret;
	}
	/* Network sysctls belong to the CT's own network namespace: writable. */
	if (!vz_path_exists("proc/sys/net"))
		return 0;
	ret = do_mount("proc/sys/net", "proc/sys/net", NULL, MS_BIND, NULL, err);
	if (!ret)
		ret = do_mount(NULL, "proc/sys/net", NULL,
			       MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
	return ret;
}

/*
 * The CT's own view of its cgroups (the cgroup namespace makes its group the
 * root), so systemd inside can manage them: on a v2 host one cgroup2 mount;
 * on v1/hybrid a tmpfs with every hierarchy, the controllers read-only and
 * the ones systemd writes (name=systemd, unified) read-write.
 */
static int mount_cgroups(const struct vz_cgroup *cg, struct vz_error *err)
{
	const char *dir = "sys/fs/cgroup";
	int ret;

	if (!cg || !vz_path_exists(dir))
		return 0;
	if (cg->ops == &vz_cgroup_v2_ops)
		return do_mount("cgroup2", dir, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
	ret = do_mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755", err);
	for (int i = 0; !ret && i < cg->nr_hier; i++) {
		const char *ctrl = cg->hier[i].controllers;
		const char *name = !*ctrl ? "unified" : strncmp(ctrl, "name=", 5) ? ctrl : ctrl + 5;
		bool writable = !*ctrl || !strcmp(ctrl, "name=systemd");
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		ret = ensure_dir(path, 0755, err);
		if (!ret)
			ret = do_mount("cgroup", path, *ctrl ? "cgroup" : "cgroup2",
				       MS_NOSUID | MS_NODEV | MS_NOEXEC | (writable ? 0 : MS_RDONLY),
				       *ctrl ? ctrl : NULL, err);
	}
	if (!ret)
		ret = do_mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			       "mode=755", err);
	return ret;
}

static int setup_dev(const char *console, struct vz_error *err)
{
	static const struct {
		const char *target, *link;
	} links[] = { { "/proc/self/fd", "dev/fd" }, { "/proc/self/fd/0", "dev/stdin" },
		      { "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
		      { "pts/ptmx", "dev/ptmx" } };
	int ret;

	ret = ensure_dir("dev", 0755, err);
	if (!ret)
		ret = do_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k", err);
	for (size_t i = 0; !ret && i < ARRAY_SIZE(dev_nodes); i++) {
		char host[64], ct[64];

		snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i]);
		snprintf(ct, sizeof(ct), "dev/%s", dev_nodes[i]);
		ret = ensure_file(ct, err);
		if (!ret)
			ret = do_mount(host, ct, NULL, MS_BIND, NULL, err);
	}
	if (!ret)
		ret = ensure_dir("dev/pts", 0755, err);
	if (!ret)
		ret = do_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			       "newinstance,ptmxmode=0666,mode=0620,gid=5", err);
	for (size_t i = 0; !ret && i < ARRAY_SIZE(links); i++)
		if (symlink(links[i].target, links[i].link) < 0)
			ret = vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot create '%s'", links[i].link);
	if (!ret)
		ret = ensure_dir("dev/shm", 01777, err);
	if (!ret)
		ret = do_mount("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err);
	if (!ret)
		ret = ensure_dir("dev/mqueue", 0755, err);
	if (!ret)
		ret = do_mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
	if (!ret && console) {
		ret = ensure_file("dev/console", err);
		if (!ret)
			ret = do_mount(console, "dev/console", NULL, MS_BIND, NULL, err);
	}
	return ret;
}

int vz_rootfs_enter(const struct vz_rootfs *fs, struct vz_error *err)
{
	int ret;

	/* Host mounts keep propagating in, nothing propagates out. */
	ret = do_mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL, err);
	if (!ret)
		ret = do_mount(fs->root, fs->root, NULL, MS_BIND | MS_REC, NULL, err);
	if (ret)
		return ret;
	if (chdir(fs->root) < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot enter '%s'", fs->root);
	return 0;
}

int vz_rootfs_setup(const struct vz_rootfs *fs, struct vz_error *err)
{
	int ret;

	ret = ensure_dir("proc", 0555, err);
	if (!ret)
		ret = do_mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
	if (!ret)
		ret = ensure_dir("sys", 0555, err);
	if (!ret && !fs->no_sysfs)
		ret = do_mount("sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			       NULL, err);
	/*
	 * FEATURES sysfs:off: no sysfs, only the cgroup mount point on an empty
	 * tmpfs.  With no sysfs in its mount namespace the kernel refuses the
	 * CT's root a sysfs mount of its own (it would reveal more).
	 */
	if (!ret && fs->no_sysfs)
		ret = do_mount("tmpfs", "sys", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			       "size=64k,mode=555", err);
	if (!ret && fs->no_sysfs)
		ret = ensure_dir("sys/fs", 0555, err);
	if (!ret && fs->no_sysfs)
		ret = ensure_dir("sys/fs/cgroup", 0555, err);
	if (!ret)
		ret = mount_cgroups(fs->cg, err);
	if (!ret && fs->no_sysfs)
		ret = do_mount(NULL, "sys", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			       "size=64k,mode=555", err);
	if (!ret)
		ret = setup_dev(fs->console, err);
	if (!ret)
		ret = mask_paths(err);
	if (ret)
		return ret;

	/* pivot_root(".", ".") stacks the old root on top of the new one; detach it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot pivot_root into '%s'", fs->root);
	if (umount2(".", MNT_DETACH) < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot detach the host root");
	if (chdir("/") < 0)
		return vz_error_sys(err, VZ_E_MOUNT, errno, "Cannot chdir to /");
	return 0;
}
