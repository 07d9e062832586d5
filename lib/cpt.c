// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzctl chkpnt and restore: the node's side around CRIU's dump and restore
 * of a whole CT (see cpt.h).
 */
#define VZ_LOG_PREFIX "cpt"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "cleanup.h"
#include "cpt-freeze.h"
#include "cpt-mask.h"
#include "cpt-meta.h"
#include "cpt-tmpfs.h"
#include "cpt-net.h"
#include "cpt-nft.h"
#include "cpt-sysctl.h"
#include "cpt.h"
#include "criu.h"
#include "fileutil.h"
#include "kernel-features.h"
#include "lifecycle.h"
#include "log.h"
#include "net.h"
#include "procutil.h"
#include "resources.h"
#include "seccomp.h"
#include "state.h"
#include "storage.h"

#define DUMP_LOG "dump.log"
#define PREDUMP_LOG "pre-dump.log"
#define RESTORE_LOG "restore.log"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *vz_cpt_default_dir(struct vz_ct *ct)
{
	__vz_free char *dir = vz_ct_get_subst(ct, "DUMPDIR");
	char *out;

	if (!dir || asprintf(&out, "%s/Dump.%s", dir, ct->idstr) < 0)
		return NULL;
	return out;
}

bool vz_cpt_dump_exists(const char *dir)
{
	__vz_free char *meta = vz_path_join(dir, VZ_CPT_META_FILE);

	return meta && access(meta, F_OK) == 0;
}

bool vz_cpt_is_suspended(struct vz_ct *ct, bool running)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	__vz_free char *dir = NULL;

	if (running)
		return vz_cgroup_open(ct, &cg, NULL) == 0 && vz_cpt_frozen(cg) == 1;
	dir = vz_cpt_default_dir(ct);
	return dir && vz_cpt_dump_exists(dir);
}

int vz_cpt_criu_check(struct vz_ct *ct, char *version, size_t size, struct vz_error *err)
{
	__vz_free char *rundir = vz_ct_get_subst(ct, "RUNDIR");
	__vz_free char *cache = rundir ? vz_path_join(rundir, "criu-check") : NULL;

	return vz_criu_check_cached(cache, version, size, err);
}

static int dump_dir(struct vz_ct *ct, const struct vz_cpt_opts *opts, char **out,
		    struct vz_error *err)
{
	*out = opts->dumpdir ? strdup(opts->dumpdir) : vz_cpt_default_dir(ct);
	if (!*out)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
				    "No dump directory: give --dumpfile or set DUMPDIR");
	return 0;
}

static int copy_file(const char *from, const char *to, struct vz_error *err)
{
	__vz_free char *text = NULL;
	int ret = vz_read_file(from, &text, err);

	if (ret < 0)
		return ret;
	return vz_write_file_atomic(to, text, strlen(text), 0600, err);
}

/* ---- checkpoint ---- */

struct dump {
	struct vz_ct *ct;
	struct vz_ct_state st;
	struct vz_cgroup *cg;
	char *dir;
	int dirfd;
	bool created_dir;
	CptMetaEntry meta;
	CptMountEntry **mounts;
	CptCgroupEntry **limits;
	CptNetEntry **net;
	size_t nr_mounts, nr_limits, nr_net;
	char criu_version[64];
	struct vz_cpt_opts *opts;
	uint64_t t0, t_frozen;
	int state_fd; /* the kernel's checkpoint state, -1 without */
	char *failed_log; /* where CRIU's log goes if the dump fails */
	struct vz_cpt_tmpfs_save tmpfs; /* saving the CT's tmpfs beside CRIU */
	bool tmpfs_started;
	struct vz_child nft; /* listing the CT's nftables rules beside CRIU */
	bool nft_started;
	struct vz_cpt_sysctl_save sysctl; /* the CT's network sysctls, beside CRIU */
	bool sysctl_started;
};

static void dump_free(struct dump *d)
{
	vz_cpt_mounts_free(d->mounts, d->nr_mounts);
	vz_cpt_cgroup_free(d->limits, d->nr_limits);
	vz_cpt_net_free(d->net, d->nr_net);
	if (d->dirfd >= 0)
		close(d->dirfd);
	free(d->dir);
	free(d->meta.layout);
	free(d->meta.ip_address);
	free(d->meta.netif);
	free(d->failed_log);
}

static int dump_prepare_dir(struct dump *d, struct vz_error *err)
{
	struct stat st;
	int ret;

	if (lstat(d->dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode) || !vz_dir_is_empty(d->dir))
			return vz_error_set(err, VZ_E_CHKPNT, EEXIST,
					    "Dump directory '%s' already exists and is not empty",
					    d->dir);
	} else {
		ret = vz_mkdir_p(d->dir, 0700);
		if (ret < 0)
			return vz_error_sys(err, VZ_E_CHKPNT, -ret, "Cannot create '%s'", d->dir);
		d->created_dir = true;
	}
	d->dirfd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->dirfd < 0)
		return vz_error_sys(err, VZ_E_CHKPNT, errno, "Cannot open '%s'", d->dir);
	return 0;
}

/* Only links that restore plugs in again may be in the CT (cpt-net.h). */
static int dump_check_links(struct dump *d, struct vz_error *err)
{
	__vz_free struct vz_netif *nifs = NULL;
	__vz_free const char **names = NULL;
	size_t nr = 0;
	int ret = vz_netif_list_parse(d->meta.netif, d->ct->id, &nifs, &nr, err);

	if (ret < 0)
		return ret;
	names = calloc(nr + 1, sizeof(*names));
	if (!names)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot checkpoint");
	names[0] = VZ_VENET_CT_IFNAME;
	for (size_t i = 0; i < nr; i++)
		names[i + 1] = nifs[i].ifname;
	return vz_cpt_net_check_links(d->st.init_pid, names, nr + 1, err);
}

static int dump_collect(struct dump *d, struct vz_error *err)
{
	CptMetaEntry *m = &d->meta;
	const char *v;
	struct stat st;
	int ret;

	cpt_meta_entry__init(m);
	m->version = VZ_CPT_META_VERSION;
	m->ctid = d->ct->id;
	v = vz_ct_get(d->ct, "VE_LAYOUT");
	m->layout = strdup(v ? v : "simfs");
	m->kernel = (char *)vz_kernel_release();
	m->criu_version = d->criu_version;
	m->has_started_at = true;
	m->started_at = d->st.started;
	m->has_userns = true;
	m->userns = d->st.userns;
	m->has_uid_base = m->has_gid_base = true;
	m->uid_base = vz_ct_get_ulong(d->ct, "LOCAL_UID", 0);
	m->gid_base = vz_ct_get_ulong(d->ct, "LOCAL_GID", m->uid_base);
	v = vz_ct_get(d->ct, "IP_ADDRESS");
	m->ip_address = strdup(v ? v : "");
	v = vz_ct_get(d->ct, "NETIF");
	m->netif = strdup(v ? v : "");
	m->cgroup_path = d->cg->relpath;
	m->has_cgroup_mode = true;
	m->cgroup_mode = d->cg->ops == &vz_cgroup_v2_ops ? 2 : 1;
	if (!m->layout || !m->ip_address || !m->netif)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot describe the CT");
	ret = vz_cpt_mounts_collect(d->st.init_pid, !d->opts->criu_tmpfs, &d->mounts, &d->nr_mounts,
				    err);
	if (ret < 0)
		return ret;
	m->ext_mounts = d->mounts;
	m->n_ext_mounts = d->nr_mounts;
	for (size_t i = 0; i < d->nr_mounts; i++) {
		if (!d->mounts[i]->console)
			continue;
		if (stat(d->mounts[i]->source, &st) < 0 || !S_ISCHR(st.st_mode))
			return vz_error_sys(err, VZ_E_CHKPNT, errno ?: ENOTTY,
					    "Cannot find the CT's console '%s'", d->mounts[i]->source);
		m->has_console_rdev = m->has_console_dev = true;
		m->console_rdev = st.st_rdev;
		m->console_dev = st.st_dev;
	}
	ret = vz_cpt_cgroup_collect(d->cg, &d->limits, &d->nr_limits, err);
	if (ret < 0)
		return ret;
	m->cgroup = d->limits;
	m->n_cgroup = d->nr_limits;
	return dump_check_links(d, err);
}

static char *tty_key(uint64_t rdev, uint64_t dev)
{
	char *out;

	if (asprintf(&out, "tty[%llx:%llx]", (unsigned long long)rdev, (unsigned long long)dev) < 0)
		return NULL;
	return out;
}

/*
 * The "external" strings CRIU takes: on dump mnt[MOUNTPOINT]:NAME, on
 * restore mnt[NAME]:PATH (PATH: console for the console, mask for masks,
 * tmpfs[i] for the i-th mount if it is a tmpfs vzctl restored).
 */
static int externals(const CptMetaEntry *m, bool restore, const char *console, const char *mask,
		     char *const *tmpfs, char ***out, size_t *nr, struct vz_error *err)
{
	char **v = calloc(m->n_ext_mounts + 2, sizeof(*v));
	size_t n = 0;

	if (!v)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot prepare CRIU");
	for (size_t i = 0; i < m->n_ext_mounts; i++) {
		const CptMountEntry *e = m->ext_mounts[i];
		const char *src = restore && e->console && console ? console : e->source;

		if (restore && e->mask)
			src = mask;
		if (restore && e->tmpfs)
			src = tmpfs ? tmpfs[i] : NULL;
		if (!src) {
			vz_free_strv(&v);
			return vz_error_set(err, VZ_E_RESTORE, EINVAL, "No source for mount '%s'",
					    e->mountpoint);
		}
		if (asprintf(&v[n], "mnt[%s]:%s", restore ? e->name : e->mountpoint,
			     restore ? src : e->name) < 0)
			goto nomem;
		n++;
	}
	if (!restore && m->has_console_rdev) {
		v[n] = tty_key(m->console_rdev, m->console_dev);
		if (!v[n])
			goto nomem;
		n++;
	}
	*out = v;
	*nr = n;
	return 0;
nomem:
	v[n] = NULL;
	vz_free_strv(&v);
	return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot prepare CRIU");
}

/* Save the CT's tmpfs mounts while CRIU dumps its tasks (once they are stopped). */
static int dump_tmpfs_start(struct dump *d, struct vz_error *err)
{
	if (d->tmpfs_started)
		return 0;
	d->tmpfs_started = true;
	d->tmpfs = (struct vz_cpt_tmpfs_save){
		.init_pid = d->st.init_pid,
		.dirfd = d->dirfd,
		.mounts = d->mounts,
		.nr = d->nr_mounts,
		.tree = { .userns = d->meta.userns,
			 .uid_base = d->meta.uid_base,
			 .gid_base = d->meta.gid_base },
	};
	return vz_cpt_tmpfs_save_start(&d->tmpfs, err);
}

/* CRIU's post-dump: the images are complete, the CT is still frozen. */
static int dump_notify(const char *script, pid_t pid, void *arg, struct vz_error *err)
{
	struct dump *d = arg;
	int ret;

	if (!strcmp(script, "network-lock")) {
		struct vz_error ignored;

		/* CRIU has stopped the CT's tasks. */
		d->t_frozen = d->opts->frozen_at = now_ms();
		/*
		 * The patched kernel's checkpoint state from here on: nothing in
		 * the CT forks, moves or mounts until the dump is over.  Entered
		 * only now, with the tasks held, so that no task of the CT sees a
		 * fork fail.  CRIU holds them with ptrace and thaws the cgroup it
		 * froze to seize them, so "checkpointed" (frozen only) may be
		 * refused; "checkpointing" is what protects the dump.
		 */
		if (d->state_fd == -1) {
			d->state_fd = vz_cpt_state_enter(d->cg, "checkpointing", err);
			if (d->state_fd < 0 && d->state_fd != -ENOENT)
				return d->state_fd;
		}
		if (d->state_fd >= 0 && vz_cpt_state_set(d->state_fd, "checkpointed", &ignored) < 0)
			vz_debug("%s", ignored.msg);
		ret = dump_tmpfs_start(d, err);
		if (ret < 0)
			return ret;
		/* The CT can no longer change its addresses, routes and rules. */
		ret = vz_cpt_net_save(d->st.init_pid, !d->opts->no_net_rules, &d->net, &d->nr_net,
				      err);
		d->meta.net = d->net;
		d->meta.n_net = d->nr_net;
		if (ret == 0 && !d->nft_started) {
			ret = vz_cpt_nft_save_start(d->st.init_pid, d->dirfd, &d->nft, err);
			d->nft_started = ret == 0;
		}
		if (ret == 0 && d->sysctl_started)
			vz_cpt_sysctl_save_go(&d->sysctl);
		return ret;
	}
	if (!strcmp(script, "network-unlock")) {
		/*
		 * The dump failed (or its post-dump did: a migration rolling
		 * back) and CRIU is about to resume the CT's tasks: they must
		 * find fork and friends working again, or a shell loop of the
		 * CT dies of a refused fork.
		 */
		if (d->state_fd >= 0)
			vz_cpt_state_leave(d->state_fd);
		d->state_fd = -1;
		return 0;
	}
	if (strcmp(script, "post-dump"))
		return 0;
	if (!d->t_frozen)
		d->t_frozen = d->t0;
	ret = dump_tmpfs_start(d, err);
	if (ret == 0)
		ret = vz_cpt_tmpfs_save_wait(&d->tmpfs, err);
	if (ret == 0 && d->nft_started)
		ret = vz_cpt_nft_save_wait(&d->nft, err);
	if (ret == 0 && d->sysctl_started)
		ret = vz_cpt_sysctl_save_wait(&d->sysctl, err);
	if (ret < 0)
		return ret;
	d->meta.has_dumped_at = d->meta.has_frozen_ms = d->meta.has_dump_ms = true;
	d->meta.dumped_at = (uint64_t)time(NULL);
	d->meta.frozen_ms = now_ms() - d->t_frozen;
	d->meta.dump_ms = now_ms() - d->t0;
	/* meta.img last: its presence says the dump is complete. */
	ret = vz_cpt_meta_write(d->dirfd, VZ_CPT_META_FILE, &d->meta, err);
	if (ret == 0 && d->opts->post_dump)
		ret = d->opts->post_dump(d->dir, d->opts->post_dump_arg, err);
	return ret;
}

/* What dump and restore both ask of CRIU for a whole CT. */
static void cpt_whole_ct_opts(CriuOpts *opts)
{
	opts->has_tcp_established = true;
	opts->tcp_established = true;
	opts->has_file_locks = true;
	opts->file_locks = true;
	opts->has_manage_cgroups = true;
	opts->manage_cgroups = true;
	opts->has_manage_cgroups_mode = true;
	opts->manage_cgroups_mode = CRIU_CG_MODE__SOFT;
}

static int dump_run(struct dump *d, bool leave_running, struct vz_error *err)
{
	__vz_strv char **ext = NULL;
	__vz_free char *log = vz_path_join(d->dir, DUMP_LOG);
	CriuOpts opts = CRIU_OPTS__INIT;
	CriuReq req = CRIU_REQ__INIT;
	CriuPageServerInfo ps = CRIU_PAGE_SERVER_INFO__INIT;
	CriuResp *resp = NULL;
	int keep[2] = { -1, -1 };
	struct vz_criu c;
	size_t nr_ext;
	int ret;

	ret = externals(&d->meta, false, NULL, NULL, NULL, &ext, &nr_ext, err);
	if (ret < 0)
		return ret;
	opts.images_dir_fd = d->dirfd;
	opts.has_pid = true;
	opts.pid = d->st.init_pid;
	opts.has_leave_running = true;
	opts.leave_running = leave_running;
	cpt_whole_ct_opts(&opts);
	opts.freeze_cgroup = (char *)vz_cpt_freezer_dir(d->cg);
	opts.has_ext_masters = opts.has_ext_sharing = true;
	opts.ext_masters = opts.ext_sharing = true;
	opts.n_external = nr_ext;
	opts.external = ext;
	opts.has_network_lock = true;
	opts.network_lock = CRIU_NETWORK_LOCK_METHOD__NFTABLES;
	/*
	 * Restore plugs the network in afresh (empty_ns there too): CRIU need
	 * not dump the links, addresses, routes and tables, which it does by
	 * running ip and iptables-save, several times, under the freeze.
	 */
	opts.has_empty_ns = true;
	opts.empty_ns = CLONE_NEWNET;
	opts.has_notify_scripts = true;
	opts.notify_scripts = true;
	opts.log_file = DUMP_LOG;
	opts.has_log_level = true;
	opts.log_level = vz_criu_log_level();
	if (d->opts->parent) {
		opts.parent_img = (char *)d->opts->parent;
		opts.has_track_mem = opts.track_mem = true;
	}
	if (d->opts->page_server) {
		ps.has_fd = true;
		ps.fd = keep[0] = d->opts->ps_fd;
		opts.ps = &ps;
	}
	req.type = CRIU_REQ_TYPE__DUMP;
	req.opts = &opts;
	/* It reads a new namespace's sysctls while CRIU starts, before the freeze. */
	ret = vz_cpt_sysctl_save_start(d->st.init_pid, d->dirfd, &d->sysctl, err);
	if (ret < 0)
		return ret;
	d->sysctl_started = true;
	ret = vz_criu_spawn(&c, keep, err);
	if (ret == 0) {
		c.log_path = log;
		c.log_shown = d->failed_log;
		ret = vz_criu_call(&c, &req, &resp, dump_notify, d, VZ_E_CHKPNT, err);
		vz_criu_close(&c);
	}
	if (d->tmpfs_started) {
		struct vz_error ignored;

		/* Reaped after a failure; after a success post-dump waited for it. */
		vz_cpt_tmpfs_save_wait(&d->tmpfs, &ignored);
	}
	if (d->nft_started) {
		struct vz_error ignored;

		vz_cpt_nft_save_wait(&d->nft, &ignored);
	}
	if (d->sysctl_started) {
		struct vz_error ignored;

		vz_cpt_sysctl_save_wait(&d->sysctl, &ignored);
	}
	if (ret < 0) {
		vz_error_prefix(err, "Checkpoint of container %s failed: ", d->ct->idstr);
		return ret;
	}
	criu_resp__free_unpacked(resp, NULL);
	return 0;
}

static int wait_monitor_gone(struct vz_ct *ct, pid_t monitor, struct vz_error *err)
{
	__vz_close int fd = vz_pidfd_open(monitor);

	if (fd < 0)
		return 0; /* already gone */
	if (vz_pidfd_wait(fd, 30000) != 1)
		return vz_error_set(err, VZ_E_CHKPNT, ETIMEDOUT,
				    "The monitor of container %s did not clean up", ct->idstr);
	return 0;
}

static int chkpnt_dump(struct vz_ct *ct, struct vz_cpt_opts *opts, unsigned steps,
		       struct vz_error *err)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	struct dump d = { .ct = ct, .dirfd = -1, .opts = opts, .state_fd = -1 };
	bool kill_after = steps & VZ_CPT_KILL, was_frozen;
	__vz_free char *conf_copy = NULL;
	int state_fd = -1, ret;

	ret = vz_ct_get_run_state(ct, &d.st, err);
	if (ret < 0)
		return ret;
	if (!d.st.running)
		return vz_error_set(err, VZ_E_NOT_RUNNING, EINVAL,
				    "Unable to checkpoint: container %s is not running", ct->idstr);
	ret = vz_cgroup_open(ct, &cg, err);
	if (ret < 0)
		return ret;
	d.cg = cg;
	if (!(steps & VZ_CPT_SUSPEND) && vz_cpt_frozen(cg) != 1) {
		return vz_error_set(err, VZ_E_BAD_OPTION, EINVAL,
				    "Container %s is not suspended: use --suspend first", ct->idstr);
	}
	ret = dump_dir(ct, opts, &d.dir, err);
	if (ret == 0 && asprintf(&d.failed_log, "%s.log", d.dir) < 0) {
		d.failed_log = NULL;
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot checkpoint");
	}
	if (ret == 0)
		ret = dump_prepare_dir(&d, err);
	/* Unless the check passed before (a migration's hello, or this boot: the cache). */
	if (ret == 0 && !opts->criu_checked)
		ret = vz_cpt_criu_check(ct, d.criu_version, sizeof(d.criu_version), err);
	else if (ret == 0 && opts->criu_version)
		snprintf(d.criu_version, sizeof(d.criu_version), "%s", opts->criu_version);
	else if (ret == 0)
		ret = vz_criu_version(d.criu_version, sizeof(d.criu_version), err);
	if (ret == 0)
		ret = dump_collect(&d, err);
	conf_copy = d.dir ? vz_path_join(d.dir, VZ_CPT_CONF_FILE) : NULL;
	if (ret == 0 && ct->conf_path && conf_copy)
		ret = copy_file(ct->conf_path, conf_copy, err);
	if (ret < 0)
		goto err_dir;

	vz_info("Setting up checkpoint...");
	d.t0 = now_ms();
	was_frozen = vz_cpt_frozen(cg) == 1;
	vz_info("Dumping container...");
	ret = dump_run(&d, !kill_after, err);
	if (ret < 0) {
		/* CRIU resumed the tasks; a CT that ran before must not stay frozen. */
		if (!was_frozen && vz_cpt_frozen(cg) == 1) {
			struct vz_error ignored;

			vz_warn("The CT stayed frozen after the failed dump: thawing it");
			vz_cpt_freeze(cg, false, &ignored);
		}
		goto err_state;
	}
	state_fd = d.state_fd;
	opts->frozen_ms = now_ms() - (d.t_frozen ? d.t_frozen : d.t0);
	vz_cpt_state_leave(state_fd);
	state_fd = -1;
	if (kill_after) {
		/* CRIU killed the CT's tasks; its monitor removes the rest. */
		ret = wait_monitor_gone(ct, d.st.monitor_pid, err);
		if (ret < 0)
			goto out;
		vz_info("Container is stopped; checkpoint written to '%s'", d.dir);
	} else {
		vz_info("Checkpoint written to '%s'", d.dir);
	}
	ret = 0;
	goto out;

err_state:
	vz_cpt_state_leave(d.state_fd);
err_dir:
	/* CRIU's log of a failed dump stays beside the dump directory. */
	if (d.dirfd >= 0 && d.failed_log)
		renameat(d.dirfd, DUMP_LOG, AT_FDCWD, d.failed_log);
	if (d.created_dir && d.dir)
		vz_rm_rf(d.dir);
	else if (d.dirfd >= 0) {
		/* A directory the user gave: take back only what we wrote. */
		__vz_free char *meta = vz_path_join(d.dir, VZ_CPT_META_FILE);

		if (meta)
			unlink(meta);
	}
out:
	dump_free(&d);
	return ret;
}

int vz_ct_predump(struct vz_ct *ct, const struct vz_predump_opts *o, struct vz_error *err)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	__vz_free char *log = vz_path_join(o->dir, PREDUMP_LOG);
	__vz_close int dirfd = -1;
	CriuOpts opts = CRIU_OPTS__INIT;
	CriuReq req = CRIU_REQ__INIT;
	CriuPageServerInfo ps = CRIU_PAGE_SERVER_INFO__INIT;
	CriuResp *resp = NULL;
	int keep[2] = { -1, -1 };
	struct vz_ct_state st;
	struct vz_criu c;
	int ret;

	ret = vz_ct_get_run_state(ct, &st, err);
	if (ret < 0)
		return ret;
	if (!st.running)
		return vz_error_set(err, VZ_E_NOT_RUNNING, EINVAL,
				    "Unable to pre-dump: container %s is not running", ct->idstr);
	ret = vz_cgroup_open(ct, &cg, err);
	if (ret < 0)
		return ret;
	dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return vz_error_sys(err, VZ_E_CHKPNT, errno, "Cannot open '%s'", o->dir);
	opts.images_dir_fd = dirfd;
	opts.has_pid = true;
	opts.pid = st.init_pid;
	opts.freeze_cgroup = (char *)vz_cpt_freezer_dir(cg);
	opts.has_track_mem = opts.track_mem = true;
	opts.parent_img = (char *)o->parent;
	opts.log_file = PREDUMP_LOG;
	opts.has_log_level = true;
	opts.log_level = vz_criu_log_level();
	if (o->page_server) {
		ps.has_fd = true;
		ps.fd = keep[0] = o->ps_fd;
		opts.ps = &ps;
	}
	req.type = CRIU_REQ_TYPE__PRE_DUMP;
	req.opts = &opts;
	ret = vz_criu_spawn(&c, keep, err);
	if (ret < 0)
		return ret;
	c.log_path = log;
	c.log_shown = o->failed_log;
	ret = vz_criu_call(&c, &req, &resp, NULL, NULL, VZ_E_CHKPNT, err);
	vz_criu_close(&c);
	if (ret < 0) {
		if (o->failed_log)
			renameat(dirfd, PREDUMP_LOG, AT_FDCWD, o->failed_log);
		vz_error_prefix(err, "Pre-dump of container %s failed: ", ct->idstr);
		return ret;
	}
	criu_resp__free_unpacked(resp, NULL);
	return 0;
}

static int check_steps(unsigned steps, unsigned allowed, struct vz_error *err)
{
	if (steps & ~allowed)
		return vz_error_set(err, VZ_E_BAD_OPTION, EINVAL, "Invalid combination of steps");
	if ((steps & VZ_CPT_RESUME) && (steps & VZ_CPT_KILL))
		return vz_error_set(err, VZ_E_BAD_OPTION, EINVAL,
				    "--resume and --kill exclude each other");
	return 0;
}

static int running_cgroup(struct vz_ct *ct, struct vz_ct_state *st, struct vz_cgroup **cg,
			  const char *what, struct vz_error *err)
{
	int ret = vz_ct_get_run_state(ct, st, err);

	if (ret < 0)
		return ret;
	if (!st->running)
		return vz_error_set(err, VZ_E_NOT_RUNNING, EINVAL, "Unable to %s: container %s is not running",
				    what, ct->idstr);
	return vz_cgroup_open(ct, cg, err);
}

/* --resume on its own: thaw a suspended CT. */
static int resume_only(struct vz_ct *ct, enum vz_error_kind kind, struct vz_error *err)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	struct vz_ct_state st;
	int ret = running_cgroup(ct, &st, &cg, "resume", err);

	if (ret < 0)
		return ret;
	if (vz_cpt_frozen(cg) != 1)
		return vz_error_set(err, VZ_E_BAD_OPTION, EINVAL, "Container %s is not suspended",
				    ct->idstr);
	ret = vz_cpt_freeze(cg, false, err);
	if (ret < 0) {
		err->kind = kind;
		return ret;
	}
	vz_info("Container %s resumed", ct->idstr);
	return 0;
}

/*
 * --kill on its own: a suspended (dumped or undumped) CT goes away.  The
 * kill is sent while the CT is frozen and takes effect as it thaws, so no
 * code of the CT runs in between; the CT's monitor cleans up as after a
 * halt.
 */
static int kill_only(struct vz_ct *ct, struct vz_error *err)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	__vz_close int init_fd = -1;
	struct vz_ct_state st;
	int ret = running_cgroup(ct, &st, &cg, "kill", err);

	if (ret < 0)
		return ret;
	if (vz_cpt_frozen(cg) != 1)
		return vz_error_set(err, VZ_E_BAD_OPTION, EINVAL,
				    "Container %s is not suspended: refusing to kill it", ct->idstr);
	init_fd = vz_pidfd_open(st.init_pid);
	if (init_fd < 0)
		return vz_error_sys(err, VZ_E_STOP_FAILED, -init_fd, "Cannot kill the CT's init");
	ret = vz_pidfd_send_signal(init_fd, SIGKILL);
	if (ret < 0 && ret != -ESRCH)
		return vz_error_sys(err, VZ_E_STOP_FAILED, -ret, "Cannot kill the CT's init");
	/* Thawed, the CT dies and its monitor may remove the group before the thaw is seen. */
	ret = vz_cpt_freeze(cg, false, err);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	ret = wait_monitor_gone(ct, st.monitor_pid, err);
	if (ret < 0)
		return ret;
	vz_info("Container %s was killed", ct->idstr);
	return 0;
}

int vz_ct_chkpnt(struct vz_ct *ct, struct vz_cpt_opts *opts, struct vz_error *err)
{
	unsigned steps = opts->steps ? opts->steps : VZ_CPT_SUSPEND | VZ_CPT_DUMP | VZ_CPT_KILL;
	int ret = check_steps(steps, VZ_CPT_SUSPEND | VZ_CPT_DUMP | VZ_CPT_RESUME | VZ_CPT_KILL, err);

	if (ret < 0)
		return ret;
	if (!ct->exists)
		return vz_error_set(err, VZ_E_NO_CTCONF, ENOENT, "Container %s does not exist", ct->idstr);
	if (steps & VZ_CPT_DUMP) {
		ret = chkpnt_dump(ct, opts, steps, err);
		if (ret < 0)
			return ret;
		if (steps & VZ_CPT_RESUME)
			return resume_only(ct, VZ_E_CHKPNT, err);
		return 0;
	}
	if (steps & VZ_CPT_SUSPEND) {
		__vz_cgroup struct vz_cgroup *cg = NULL;
		struct vz_ct_state st;

		ret = running_cgroup(ct, &st, &cg, "suspend", err);
		if (ret < 0)
			return ret;
		ret = vz_cpt_freeze(cg, true, err);
		if (ret < 0) {
			err->kind = VZ_E_CHKPNT;
			return ret;
		}
		vz_info("Container %s suspended", ct->idstr);
		if (steps & VZ_CPT_RESUME)
			return resume_only(ct, VZ_E_CHKPNT, err);
		if (steps & VZ_CPT_KILL)
			return kill_only(ct, err);
		return 0;
	}
	if (steps & VZ_CPT_RESUME)
		return resume_only(ct, VZ_E_CHKPNT, err);
	return kill_only(ct, err);
}

/* ---- restore ---- */

struct restore {
	struct vz_ct *ct;
	struct vz_cgroup *cg;
	CptMetaEntry *meta;
	char *dir;
	bool frozen; /* --undump without --resume: leave the CT frozen */
	pid_t pid;   /* the restored init (from setup-namespaces on) */
	const struct vz_cpt_opts *opts;
};

static int restore_notify(const char *script, pid_t pid, void *arg, struct vz_error *err)
{
	struct restore *r = arg;
	int ret;

	if (!strcmp(script, "setup-namespaces")) {
		__vz_close int dirfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		r->pid = pid;
		ret = vz_cpt_net_lo_up(pid, err);
		if (ret == 0)
			ret = vz_net_plug(r->ct, pid, err);
		if (ret == 0)
			ret = vz_cpt_net_restore(pid, r->meta->net, r->meta->n_net, err);
		if (ret == 0 && dirfd < 0)
			ret = vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot open '%s'", r->dir);
		if (ret == 0)
			ret = vz_cpt_sysctl_restore(pid, dirfd, err);
		if (ret == 0)
			ret = vz_cpt_nft_restore(pid, dirfd, err);
		return ret;
	}
	/*
	 * CRIU's init passes through the CT's group (the root of its cgroup
	 * namespace) after setup-namespaces; the CT's files are opened after
	 * post-setup-namespaces.
	 */
	if (!strcmp(script, "post-setup-namespaces"))
		return vz_cpt_cgroup_enable(r->cg, r->meta->cgroup, r->meta->n_cgroup, err);
	if (!strcmp(script, "network-unlock") && r->pid > 0) {
		vz_cpt_net_announce(r->pid, r->meta->net, r->meta->n_net);
		return 0;
	}
	if (!strcmp(script, "pre-resume") && r->frozen) {
		ret = vz_cpt_freeze(r->cg, true, err);
		if (ret < 0)
			err->kind = VZ_E_RESTORE;
		return ret;
	}
	return 0;
}

/*
 * The CT's group as CRIU names it: relative to the root of its hierarchy
 * (the mount point of that hierarchy stripped from the group's path).  The
 * node restoring the CT may keep its CTs under another CGROUP_PARENT than
 * the node that dumped it: CRIU moves the dumped cgroup tree there.
 */
static int cgroup_roots(struct vz_cgroup *cg, CgroupRoot **roots, CgroupRoot ***ptrs, size_t *nr,
			struct vz_error *err)
{
	__vz_free char *mountinfo = NULL;
	size_t n = 0;

	if (vz_read_file("/proc/self/mountinfo", &mountinfo, err) < 0)
		return -EIO;
	*roots = calloc(cg->nr_hier, sizeof(**roots));
	*ptrs = calloc(cg->nr_hier, sizeof(**ptrs));
	if (!*roots || !*ptrs)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot prepare CRIU");
	for (int i = 0; i < cg->nr_hier; i++) {
		const char *path = cg->hier[i].path, *best = NULL;
		size_t best_len = 0;

		for (char *line = mountinfo, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			char mnt[PATH_MAX], *dash;
			size_t len;

			nl = strchr(line, '\n');
			dash = strstr(line, " - cgroup");
			if (!dash || (nl && dash > nl) ||
			    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
				continue;
			vz_unescape_mountinfo(mnt);
			len = strlen(mnt);
			if (len > best_len && !strncmp(path, mnt, len) && path[len] == '/') {
				best = path + len;
				best_len = len;
			}
		}
		if (!best)
			continue;
		cgroup_root__init(&(*roots)[n]);
		if (cg->hier[i].controllers[0])
			(*roots)[n].ctrl = cg->hier[i].controllers;
		(*roots)[n].path = (char *)best;
		(*ptrs)[n] = &(*roots)[n];
		n++;
	}
	*nr = n;
	return 0;
}

/* The tmpfs mounts vzctl restored for CRIU to bind, by index of the dump's mounts. */
struct restored_tmpfs {
	char **path;
	size_t n;
};

static void restored_tmpfs_free(struct restored_tmpfs *t)
{
	for (size_t i = 0; i < t->n; i++)
		vz_cpt_mask_umount(t->path[i]);
	free(t->path);
}

static int restore_tmpfs(const struct vz_launch *l, const CptMetaEntry *m, int dirfd,
			 struct restored_tmpfs *t, struct vz_error *err)
{
	struct vz_tree_opts ids = { .userns = l->userns,
				  .uid_base = l->uid_base,
				  .gid_base = l->gid_base };

	t->path = calloc(m->n_ext_mounts + 1, sizeof(*t->path));
	if (!t->path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot restore the CT's tmpfs");
	t->n = m->n_ext_mounts;
	for (size_t i = 0; i < m->n_ext_mounts; i++) {
		int ret;

		if (!m->ext_mounts[i]->tmpfs)
			continue;
		ret = vz_cpt_tmpfs_restore(m->ext_mounts[i], dirfd, &ids, &t->path[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Runs in the CT's new monitor: CRIU's restored init becomes its child. */
static int restore_launch(struct vz_launch *l, pid_t *pid, struct vz_error *err)
{
	struct restore *r = l->launch_arg;
	__vz_free char *log = vz_path_join(r->dir, RESTORE_LOG), *tty = NULL;
	__vz_cpt_mask char *mask = NULL;
	struct restored_tmpfs tmpfs __attribute__((cleanup(restored_tmpfs_free))) = { 0 };
	__vz_seccomp struct vz_seccomp *sc = NULL;
	__vz_close int dirfd = -1, console = -1;
	__vz_strv char **ext = NULL;
	CriuOpts opts = CRIU_OPTS__INIT;
	CriuReq req = CRIU_REQ__INIT;
	InheritFd inh = INHERIT_FD__INIT, *inhs[1] = { &inh };
	CriuResp *resp = NULL;
	int keep[2] = { -1, -1 }, state_fd, ret;
	__vz_free CgroupRoot *roots = NULL;
	__vz_free CgroupRoot **root_ptrs = NULL;
	struct vz_criu c;
	size_t nr_ext, nr_roots = 0;

	/* vzctl exec loads the filter the CT runs under (CRIU restores the CT's own). */
	if (!r->opts->seccomp_ready) {
		ret = vz_seccomp_prepare(l->ct, l->caps_dropped, &sc, err);
		if (ret < 0)
			return ret;
	}
	ret = vz_seccomp_save(l->ct, r->opts->seccomp_ready ? r->opts->seccomp : sc, err);
	if (ret < 0)
		return ret;
	dirfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot open '%s'", r->dir);
	console = open(l->console_slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (console < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot open the CT's console");
	for (size_t i = 0; i < r->meta->n_ext_mounts && !mask; i++) {
		if (!r->meta->ext_mounts[i]->mask)
			continue;
		ret = vz_cpt_mask_mount(l->userns ? l->uid_base : 0, l->userns ? l->gid_base : 0,
					&mask, err);
		if (ret < 0)
			return ret;
	}
	ret = restore_tmpfs(l, r->meta, dirfd, &tmpfs, err);
	if (ret == 0)
		ret = externals(r->meta, true, l->console_slave, mask, tmpfs.path, &ext, &nr_ext,
				err);
	if (ret == 0)
		ret = cgroup_roots(r->cg, &roots, &root_ptrs, &nr_roots, err);
	if (ret < 0)
		return ret;
	opts.n_cg_root = nr_roots;
	opts.cg_root = root_ptrs;
	opts.images_dir_fd = dirfd;
	opts.root = l->root;
	opts.has_rst_sibling = true;
	opts.rst_sibling = true;
	cpt_whole_ct_opts(&opts);
	opts.has_ext_masters = opts.has_ext_sharing = true;
	opts.ext_masters = opts.ext_sharing = true;
	opts.n_external = nr_ext;
	opts.external = ext;
	opts.has_empty_ns = true;
	opts.empty_ns = CLONE_NEWNET;
	opts.has_notify_scripts = true;
	opts.notify_scripts = true;
	opts.has_network_lock = true;
	opts.network_lock = CRIU_NETWORK_LOCK_METHOD__NFTABLES;
	opts.log_file = RESTORE_LOG;
	opts.has_log_level = true;
	opts.log_level = vz_criu_log_level();
	if (r->meta->has_console_rdev) {
		tty = tty_key(r->meta->console_rdev, r->meta->console_dev);
		if (!tty)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot prepare CRIU");
		inh.key = tty;
		inh.fd = console;
		opts.n_inherit_fd = 1;
		opts.inherit_fd = inhs;
		keep[0] = console;
	}
	req.type = CRIU_REQ_TYPE__RESTORE;
	req.opts = &opts;

	state_fd = vz_cpt_state_enter(r->cg, "restoring", err);
	if (state_fd < 0 && state_fd != -ENOENT)
		return state_fd;
	ret = vz_criu_spawn(&c, keep, err);
	if (ret == 0) {
		c.log_path = log;
		c.log_shown = NULL;
		ret = vz_criu_call(&c, &req, &resp, restore_notify, r, VZ_E_RESTORE, err);
		vz_criu_close(&c);
	}
	vz_cpt_state_leave(state_fd);
	if (ret < 0) {
		vz_error_prefix(err, "Restore of container %s failed: ", l->ct->idstr);
		return ret;
	}
	if (!resp->restore || resp->restore->pid <= 0) {
		criu_resp__free_unpacked(resp, NULL);
		return vz_error_set(err, VZ_E_RESTORE, EPROTO, "CRIU did not say which init it restored");
	}
	*pid = resp->restore->pid;
	criu_resp__free_unpacked(resp, NULL);
	return 0;
}

/*
 * CRIU reads some images from inside the CT's user namespace, where the
 * node's root (unmapped there) owns nothing, and some before that
 * namespace has its id maps: the dump goes to the CT's root, whose own
 * memory it holds, and becomes readable (directory 0711, files 0644).  The
 * directory is reached only through the fd CRIU is given, never by a path
 * from inside the CT; DUMPDIR itself stays the node root's (0700).
 */
static int dump_give_to_ct(int dirfd, const char *dir, uid_t uid, gid_t gid, struct vz_error *err)
{
	__vz_closedir DIR *d = NULL;
	struct dirent *de;
	int fd = dup(dirfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot read '%s'", dir);
	}
	if (fchown(dirfd, uid, gid) < 0 || fchmod(dirfd, 0711) < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot hand '%s' to the CT", dir);
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (fchownat(dirfd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(dirfd, de->d_name, 0644, 0) < 0)
			return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot hand '%s/%s' to the CT",
					    dir, de->d_name);
	}
	return 0;
}

/*
 * A dump taken after pre-dumps (migration) keeps the pages that did not
 * change since in its parents ("parent" links, ../N): CRIU reads those as
 * well, so each gets the same treatment, and the directory holding them
 * must be searchable.
 */
static int dump_chain_give_to_ct(int dirfd, const char *dir, uid_t uid, gid_t gid,
				 struct vz_error *err)
{
	__vz_close int owned = -1;
	int ret = dump_give_to_ct(dirfd, dir, uid, gid, err);

	for (int depth = 0; ret == 0; depth++) {
		int parent = openat(dirfd, "parent", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;

		if (parent < 0 && errno == ENOENT)
			return 0;
		if (parent < 0)
			return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot open the parent of '%s'",
					    dir);
		if (owned >= 0)
			close(owned);
		dirfd = owned = parent;
		if (depth == 64)
			return vz_error_set(err, VZ_E_RESTORE, ELOOP, "Dump '%s' has too many parents",
					    dir);
		if (depth == 0) {
			__vz_close int up = openat(dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (up < 0 || fstat(up, &st) < 0 || fchmod(up, (st.st_mode & 07777) | 0111) < 0)
				return vz_error_sys(err, VZ_E_RESTORE, errno,
						    "Cannot open the way to the parents of '%s'", dir);
		}
		ret = dump_give_to_ct(dirfd, dir, uid, gid, err);
	}
	return ret;
}

static int undump(struct vz_ct *ct, const struct vz_cpt_opts *opts, bool frozen,
		  struct vz_error *err)
{
	struct vz_launch l = { .ct = ct, .console_master = -1, .launch = restore_launch };
	struct restore r = { .ct = ct, .frozen = frozen, .opts = opts };
	__vz_cgroup struct vz_cgroup *cg = NULL;
	__vz_free char *default_dir = vz_cpt_default_dir(ct);
	__vz_close int dirfd = -1;
	struct vz_ct_state st;
	bool mounted_here = false;
	int ret;

	ret = vz_ct_get_state(ct, &st, err);
	if (ret < 0)
		return ret;
	if (st.running)
		return vz_error_set(err, VZ_E_RUNNING, EBUSY, "Container %s is already running",
				    ct->idstr);
	ret = dump_dir(ct, opts, &r.dir, err);
	if (ret < 0)
		return ret;
	dirfd = open(r.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		ret = vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot open dump directory '%s'", r.dir);
		goto out;
	}
	ret = vz_cpt_meta_read(dirfd, VZ_CPT_META_FILE, &r.meta, err);
	if (ret < 0) {
		vz_error_prefix(err, "'%s' is not a usable dump: ", r.dir);
		goto out;
	}
	if (r.meta->ctid != ct->id) {
		ret = vz_error_set(err, VZ_E_RESTORE, EINVAL,
				   "Dump '%s' is of container %u, not %s", r.dir, r.meta->ctid,
				   ct->idstr);
		goto out;
	}
	ret = opts->criu_checked ? 0 : vz_cpt_criu_check(ct, NULL, 0, err);
	if (ret < 0)
		goto out;
	l.root = vz_ct_get_subst(ct, "VE_ROOT");
	if (!l.root) {
		ret = vz_error_set(err, VZ_E_NO_VE_ROOT, EINVAL, "VE_ROOT is not set");
		goto out;
	}
	l.uid_base = vz_ct_get_ulong(ct, "LOCAL_UID", 0);
	l.gid_base = vz_ct_get_ulong(ct, "LOCAL_GID", l.uid_base);
	l.userns = l.uid_base != 0;
	if (l.userns != r.meta->userns || (l.userns && l.uid_base != r.meta->uid_base)) {
		ret = vz_error_set(err, VZ_E_RESTORE, EINVAL,
				   "The CT's user id range changed since the dump (LOCAL_UID)");
		goto out;
	}
	ret = vz_caps_dropped(ct, &l.caps_dropped, err);
	if (ret == 0)
		ret = vz_net_prepare(ct, err);
	if (ret == 0 && l.userns)
		ret = dump_chain_give_to_ct(dirfd, r.dir, l.uid_base, l.gid_base, err);
	if (ret < 0)
		goto out;
	vz_info("Restoring container ...");
	if (!st.mounted) {
		ret = vz_ct_mount(ct, err);
		if (ret < 0)
			goto out;
		mounted_here = true;
	}
	ret = vz_cgroup_open(ct, &cg, err);
	if (ret < 0)
		goto err_umount;
	r.cg = l.cg = cg;
	/* As vzctl start sets the group up, then the limits it ran with on top. */
	ret = cg->ops->create(cg, err);
	if (ret == 0)
		ret = cg->ops->setup_devices(cg, err);
	if (ret == 0)
		ret = vz_kernel_features_apply(ct, cg, err);
	if (ret == 0)
		ret = vz_res_apply(ct, cg, VZ_RES_ALL, vz_ct_get_bool(ct, "STRICT_LIMITS", false), err);
	if (ret == 0)
		ret = vz_cpt_cgroup_apply(cg, r.meta->cgroup, r.meta->n_cgroup, err);
	if (ret == 0 && l.userns)
		ret = cg->ops->delegate(cg, l.uid_base, l.gid_base, err);
	if (ret == 0)
		ret = vz_rundir_make(ct, err);
	if (ret == 0)
		ret = vz_console_open(&l, err);
	if (ret < 0)
		goto err_cgroup;
	l.launch_arg = &r;
	ret = vz_monitor_spawn(&l, err);
	close(l.console_master);
	if (ret < 0)
		goto err_cgroup;
	vz_info("Container %s restored%s", ct->idstr, frozen ? " (suspended)" : "");
	/* The default dump is the CT's "suspended" state: it is running again. */
	if (!frozen && default_dir && !strcmp(default_dir, r.dir))
		vz_rm_rf(r.dir);
	ret = 0;
	goto out;

err_cgroup:
	{
		struct vz_error ignored;

		cg->ops->destroy(cg, &ignored);
	}
err_umount:
	if (mounted_here) {
		struct vz_error ignored;

		vz_ct_umount(ct, &ignored);
	}
out:
	if (r.meta)
		cpt_meta_entry__free_unpacked(r.meta, NULL);
	free(r.dir);
	free(l.root);
	return ret;
}

int vz_ct_restore(struct vz_ct *ct, const struct vz_cpt_opts *opts, struct vz_error *err)
{
	unsigned steps = opts->steps ? opts->steps : VZ_CPT_UNDUMP | VZ_CPT_RESUME;
	int ret = check_steps(steps, VZ_CPT_UNDUMP | VZ_CPT_RESUME | VZ_CPT_KILL, err);

	if (ret < 0)
		return ret;
	if (!ct->exists)
		return vz_error_set(err, VZ_E_NO_CTCONF, ENOENT, "Container %s does not exist", ct->idstr);
	if (steps & VZ_CPT_UNDUMP) {
		ret = undump(ct, opts, !(steps & VZ_CPT_RESUME), err);
		if (ret < 0 || !(steps & VZ_CPT_KILL))
			return ret;
		return kill_only(ct, err);
	}
	if (steps & VZ_CPT_RESUME)
		return resume_only(ct, VZ_E_RESTORE, err);
	return kill_only(ct, err);
}
