// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta.img: framing, hostile-input decoding, and what is collected into it
 * from a running CT (external mounts, cgroup limits).
 */
#define VZ_LOG_PREFIX "cpt"
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-meta.h"
#include "cpt-tmpfs.h"
#include "cpt-net.h"
#include "fileutil.h"
#include "log.h"
#include "procutil.h"

struct cg_file {
	const char *controller, *file;
};

/* In write order: a limit before the one that must not exceed it. */
static const struct cg_file v2_files[] = {
	{ "", "memory.max" },	      { "", "memory.high" },	     { "", "memory.low" },
	{ "", "memory.min" },	      { "", "memory.swap.max" },     { "", "pids.max" },
	{ "", "cpu.max" },	      { "", "cpu.weight" },	     { "", "cpuset.cpus" },
	{ "", "cpuset.mems" },	      { "", "io.max" },		     { "", "io.weight" },
	{ "", "beancounter.barrier" }, { "", "beancounter.limit" }, { "", "beancounter.proc_virt" },
	/* What systemd in the CT enabled for its units: their files exist then. */
	{ "", "cgroup.subtree_control" },
};
static const struct cg_file v1_files[] = {
	{ "memory", "memory.limit_in_bytes" }, { "memory", "memory.memsw.limit_in_bytes" },
	{ "memory", "memory.soft_limit_in_bytes" }, { "pids", "pids.max" },
	{ "cpu", "cpu.shares" }, { "cpu", "cpu.cfs_period_us" }, { "cpu", "cpu.cfs_quota_us" },
	{ "cpuset", "cpuset.cpus" }, { "cpuset", "cpuset.mems" }, { "blkio", "blkio.weight" },
};

#define SUBTREE_CONTROL "cgroup.subtree_control"

/*
 * "DIR/cgroup.subtree_control" on cgroup v2: a group below the CT's, DIR
 * relative to it, without "." or ".." components.
 */
static bool subgroup_file(const char *file)
{
	size_t len = strlen(file), tail = strlen("/" SUBTREE_CONTROL);

	if (len <= tail || strcmp(file + len - tail, "/" SUBTREE_CONTROL) || file[0] == '/' ||
	    file[len - tail - 1] == '/')
		return false;
	for (const char *c = file; c < file + len - tail; c = strchr(c, '/') + 1) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
	}
	return true;
}

/* Only the limit files above are ever written back into a CT's group. */
static bool known_cg_file(const char *controller, const char *file)
{
	if (!*controller && subgroup_file(file))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(v2_files); i++)
		if (!strcmp(controller, v2_files[i].controller) && !strcmp(file, v2_files[i].file))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(v1_files); i++)
		if (!strcmp(controller, v1_files[i].controller) && !strcmp(file, v1_files[i].file))
			return true;
	return false;
}

int vz_cpt_meta_write(int dirfd, const char *name, const CptMetaEntry *m, struct vz_error *err)
{
	size_t len = cpt_meta_entry__get_packed_size(m);
	__vz_free uint8_t *buf = malloc(len + 8);
	char tmp[PATH_MAX];
	uint32_t hdr[2];
	__vz_close int fd = -1;

	if (!buf)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write '%s'", name);
	hdr[0] = htole32(VZ_CPT_META_MAGIC);
	hdr[1] = htole32((uint32_t)len);
	memcpy(buf, hdr, 8);
	cpt_meta_entry__pack(m, buf + 8);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot create '%s'", tmp);
	if (write(fd, buf, len + 8) != (ssize_t)(len + 8) || fsync(fd) < 0) {
		int e = errno ?: EIO;

		unlinkat(dirfd, tmp, 0);
		return vz_error_sys(err, VZ_E_SYSTEM, e, "Cannot write '%s'", tmp);
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;

		unlinkat(dirfd, tmp, 0);
		return vz_error_sys(err, VZ_E_SYSTEM, e, "Cannot rename '%s'", tmp);
	}
	return 0;
}

int vz_cpt_meta_decode(const uint8_t *buf, size_t len, CptMetaEntry **out, struct vz_error *err)
{
	uint32_t hdr[2];
	CptMetaEntry *m;

	*out = NULL;
	if (len < 8)
		return vz_error_set(err, VZ_E_RESTORE, EBADMSG, "Dump metadata is truncated");
	memcpy(hdr, buf, 8);
	if (le32toh(hdr[0]) != VZ_CPT_META_MAGIC)
		return vz_error_set(err, VZ_E_RESTORE, EBADMSG, "Dump metadata has a bad magic");
	if (le32toh(hdr[1]) != len - 8)
		return vz_error_set(err, VZ_E_RESTORE, EBADMSG,
				    "Dump metadata size %u does not match the file (%zu bytes)",
				    le32toh(hdr[1]), len - 8);
	m = cpt_meta_entry__unpack(NULL, len - 8, buf + 8);
	if (!m)
		return vz_error_set(err, VZ_E_RESTORE, EBADMSG, "Dump metadata cannot be decoded");
	if (m->version != VZ_CPT_META_VERSION) {
		uint32_t v = m->version;

		cpt_meta_entry__free_unpacked(m, NULL);
		return vz_error_set(err, VZ_E_RESTORE, EPROTO,
				    "Dump metadata version %u is not supported (this vzctl reads %u)",
				    v, VZ_CPT_META_VERSION);
	}
	for (size_t i = 0; i < m->n_ext_mounts; i++) {
		const CptMountEntry *e = m->ext_mounts[i];

		/* Restore binds these: absolute paths without "..", nothing else. */
		if (e->mountpoint[0] != '/' || strstr(e->mountpoint, "/..") ||
		    (e->tmpfs  ? !vz_cpt_tmpfs_entry_valid(e)
		     : e->mask ? e->source[0] != '\0' || e->console
			       : e->source[0] != '/' || strstr(e->source, "/..")) ||
		    !e->name[0] || strchr(e->name, ']')) {
			cpt_meta_entry__free_unpacked(m, NULL);
			return vz_error_set(err, VZ_E_RESTORE, EBADMSG,
					    "Dump metadata has a bad external mount");
		}
	}
	if (!vz_cpt_net_valid(m->net, m->n_net)) {
		cpt_meta_entry__free_unpacked(m, NULL);
		return vz_error_set(err, VZ_E_RESTORE, EBADMSG,
				    "Dump metadata has a bad address or route");
	}
	for (size_t i = 0; i < m->n_cgroup; i++) {
		if (!known_cg_file(m->cgroup[i]->controller, m->cgroup[i]->file)) {
			cpt_meta_entry__free_unpacked(m, NULL);
			return vz_error_set(err, VZ_E_RESTORE, EBADMSG,
					    "Dump metadata has a bad cgroup file name");
		}
	}
	*out = m;
	return 0;
}

int vz_cpt_meta_read(int dirfd, const char *name, CptMetaEntry **out, struct vz_error *err)
{
	__vz_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	__vz_free uint8_t *buf = NULL;
	struct stat st;
	ssize_t n;

	*out = NULL;
	if (fd < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot open dump metadata '%s'", name);
	if (fstat(fd, &st) < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot read '%s'", name);
	if (!S_ISREG(st.st_mode) || st.st_size > VZ_CPT_META_MAX)
		return vz_error_set(err, VZ_E_RESTORE, EBADMSG, "Dump metadata '%s' is not a metadata file",
				    name);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read '%s'", name);
	n = read(fd, buf, st.st_size);
	if (n != st.st_size)
		return vz_error_sys(err, VZ_E_RESTORE, n < 0 ? errno : EIO, "Cannot read '%s'", name);
	return vz_cpt_meta_decode(buf, n, out, err);
}

/* ---- external mounts ---- */

struct mnt {
	unsigned maj, min;
	char root[PATH_MAX], point[PATH_MAX], fstype[64], opts[256], super_opts[512];
	bool ro;
};

static int parse_mountinfo(const char *path, struct mnt **out, size_t *nr)
{
	__vz_free char *text = NULL;
	struct mnt *v = NULL;
	size_t n = 0, cap = 0;
	int ret = vz_read_file(path, &text, NULL);

	if (ret < 0)
		return ret;
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		struct mnt m = { 0 };
		char *dash;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		dash = strstr(line, " - ");
		if (sscanf(line, "%*d %*d %u:%u %4095s %4095s %255s", &m.maj, &m.min, m.root, m.point,
			   m.opts) != 5 ||
		    !dash || sscanf(dash + 3, "%63s %*s %511s", m.fstype, m.super_opts) < 1)
			continue;
		m.ro = !strcmp(m.opts, "ro") || !strncmp(m.opts, "ro,", 3);
		vz_unescape_mountinfo(m.root);
		vz_unescape_mountinfo(m.point);
		if (n == cap) {
			struct mnt *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = m;
	}
	*out = v;
	*nr = n;
	return 0;
}

static bool path_under(const char *path, const char *prefix)
{
	size_t len = strlen(prefix);

	if (!strcmp(prefix, "/"))
		return true;
	return !strncmp(path, prefix, len) && (path[len] == '\0' || path[len] == '/');
}

/* Is m a bind of something the CT's own mounts do not reach? */
static bool is_external(const struct mnt *m, const struct mnt *all, size_t nr)
{
	/* Fresh mounts and the cgroup file systems (CRIU knows them) are the CT's. */
	if (!strcmp(m->root, "/") || !strcmp(m->fstype, "cgroup") || !strcmp(m->fstype, "cgroup2"))
		return false;
	for (size_t i = 0; i < nr; i++)
		if (&all[i] != m && all[i].maj == m->maj && all[i].min == m->min &&
		    path_under(m->root, all[i].root) && strcmp(all[i].root, m->root))
			return false;
	return true;
}

/*
 * A mask (rootfs.c hides node paths behind them): a read-only tmpfs mounted
 * fresh, its root an empty directory of mode 0555, nothing mounted on or
 * under it.  Restoring it as a bind of another such tmpfs changes nothing
 * the CT can see.
 */
static bool is_mask(pid_t pid, const struct mnt *m, const struct mnt *all, size_t nr)
{
	__vz_closedir DIR *d = NULL;
	char path[PATH_MAX + 32];
	struct dirent *de;
	struct stat st;

	if (strcmp(m->fstype, "tmpfs") || strcmp(m->root, "/") || !m->ro || !strcmp(m->point, "/"))
		return false;
	for (size_t i = 0; i < nr; i++)
		if (&all[i] != m && path_under(all[i].point, m->point))
			return false;
	snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, m->point);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || (st.st_mode & 07777) != 0555)
		return false;
	d = opendir(path);
	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return false;
	return true;
}

/* The node path of (dev, root): a node mount of that device whose root holds it. */
static int node_path(const struct mnt *m, const struct mnt *node, size_t nr, char *out, size_t size)
{
	for (size_t i = 0; i < nr; i++) {
		const char *rest;

		if (node[i].maj != m->maj || node[i].min != m->min || !path_under(m->root, node[i].root))
			continue;
		rest = m->root + (strcmp(node[i].root, "/") ? strlen(node[i].root) : 0);
		if (snprintf(out, size, "%s%s", strcmp(node[i].point, "/") ? node[i].point : "",
			     rest) >= (int)size)
			return -ENAMETOOLONG;
		return 0;
	}
	return -ENOENT;
}

void vz_cpt_mounts_free(CptMountEntry **v, size_t nr)
{
	for (size_t i = 0; v && i < nr; i++) {
		free(v[i]->mountpoint);
		free(v[i]->name);
		free(v[i]->source);
		free(v[i]->image);
		free(v[i]->options);
		free(v[i]);
	}
	free(v);
}

/* A tmpfs vzctl mounted: its content goes to an image of ours (cpt-tmpfs.h). */
static int describe_tmpfs(CptMountEntry *e, const struct mnt *m, size_t idx)
{
	char opts[256];

	if (vz_cpt_tmpfs_options(m->super_opts, opts, sizeof(opts)) < 0)
		return -ENAMETOOLONG;
	e->has_tmpfs = e->tmpfs = true;
	e->has_flags = true;
	e->flags = vz_cpt_tmpfs_flags(m->opts);
	e->options = strdup(opts);
	if (asprintf(&e->image, "tmpfs-%zu.img", idx) < 0)
		e->image = NULL;
	return e->options && e->image ? 0 : -ENOMEM;
}

int vz_cpt_mounts_collect(pid_t init_pid, bool save_tmpfs, CptMountEntry ***out, size_t *nr_out,
			  struct vz_error *err)
{
	__vz_free struct mnt *ct = NULL, *node = NULL;
	CptMountEntry **v = NULL;
	size_t nr_ct, nr_node, n = 0;
	char path[64];
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)init_pid);
	ret = parse_mountinfo(path, &ct, &nr_ct);
	if (ret == 0)
		ret = parse_mountinfo("/proc/self/mountinfo", &node, &nr_node);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_CHKPNT, -ret, "Cannot read the CT's mounts");
	v = calloc(nr_ct + 1, sizeof(*v));
	if (!v)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the CT's mounts");
	/* The first mount is the CT's root: CRIU's --root, not an external mount. */
	for (size_t i = 1; i < nr_ct; i++) {
		char src[PATH_MAX] = "";
		CptMountEntry *e;
		bool mask = is_mask(init_pid, &ct[i], ct, nr_ct);
		bool tmpfs = save_tmpfs && vz_cpt_tmpfs_is_ours(ct[i].point, ct[i].root,
								ct[i].fstype, ct[i].ro);

		if (!mask && !tmpfs && !is_external(&ct[i], ct, nr_ct))
			continue;
		ret = mask || tmpfs ? 0 : node_path(&ct[i], node, nr_node, src, sizeof(src));
		if (ret < 0) {
			vz_cpt_mounts_free(v, n);
			return vz_error_set(err, VZ_E_CHKPNT, -ret,
					    "Mount '%s' of the CT comes from outside it and is not "
					    "visible on the node",
					    ct[i].point);
		}
		e = calloc(1, sizeof(*e));
		if (e) {
			cpt_mount_entry__init(e);
			e->mountpoint = strdup(ct[i].point);
			e->name = strdup(ct[i].point);
			e->source = strdup(src);
			e->has_console = true;
			e->console = !mask && !strcmp(ct[i].point, "/dev/console");
			e->has_mask = mask;
			e->mask = mask;
		}
		if (!e || !e->mountpoint || !e->name || !e->source ||
		    (tmpfs && describe_tmpfs(e, &ct[i], n) < 0)) {
			if (e)
				v[n++] = e;
			vz_cpt_mounts_free(v, n);
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the CT's mounts");
		}
		v[n++] = e;
	}
	*out = v;
	*nr_out = n;
	return 0;
}

/* ---- cgroup limits ---- */

void vz_cpt_cgroup_free(CptCgroupEntry **v, size_t nr)
{
	for (size_t i = 0; v && i < nr; i++) {
		free(v[i]->controller);
		free(v[i]->file);
		free(v[i]->value);
		free(v[i]);
	}
	free(v);
}

struct cg_list {
	CptCgroupEntry **v;
	size_t n, cap;
};

/* Add the value of CONTROLLER's FILE in the CT's group (if it has it) to l. */
static int cg_add(struct vz_cgroup *cg, struct cg_list *l, const char *controller,
		  const char *file)
{
	char buf[4096];
	CptCgroupEntry *e;
	int len = cg->ops->get(cg, controller, file, buf, sizeof(buf));

	if (len < 0)
		return 0; /* controller not enabled here */
	buf[len < (int)sizeof(buf) ? len : (int)sizeof(buf) - 1] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (l->n + 1 >= l->cap) {
		CptCgroupEntry **nv = realloc(l->v, (l->cap = l->cap ? l->cap * 2 : 32) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	cpt_cgroup_entry__init(e);
	l->v[l->n++] = e;
	e->controller = strdup(controller);
	e->file = strdup(file);
	e->value = strdup(buf);
	return e->controller && e->file && e->value ? 0 : -ENOMEM;
}

/*
 * The groups below the CT's (systemd's slices and units), parents first,
 * each as its cgroup.subtree_control: CRIU recreates only the groups its
 * tasks are in and those below them, but systemd also watches the empty
 * ones (a slice whose units all exited), so restore makes every one.
 */
static int cg_add_subgroups(struct vz_cgroup *cg, struct cg_list *l, const char *rel)
{
	__vz_free char *dir = rel ? vz_path_join(cg->hier[0].path, rel) : strdup(cg->hier[0].path);
	__vz_closedir DIR *d = NULL;
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return -errno;
	while (ret == 0 && (de = readdir(d))) {
		__vz_free char *sub = NULL, *file = NULL;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = rel ? vz_path_join(rel, de->d_name) : strdup(de->d_name);
		file = sub ? vz_path_join(sub, SUBTREE_CONTROL) : NULL;
		if (!file)
			return -ENOMEM;
		ret = cg_add(cg, l, "", file);
		if (ret == 0)
			ret = cg_add_subgroups(cg, l, sub);
	}
	return ret;
}

int vz_cpt_cgroup_collect(struct vz_cgroup *cg, CptCgroupEntry ***out, size_t *nr_out,
			  struct vz_error *err)
{
	bool v2 = cg->ops == &vz_cgroup_v2_ops;
	const struct cg_file *files = v2 ? v2_files : v1_files;
	size_t nr = v2 ? ARRAY_SIZE(v2_files) : ARRAY_SIZE(v1_files);
	struct cg_list l = { 0 };
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < nr; i++)
		ret = cg_add(cg, &l, files[i].controller, files[i].file);
	if (ret == 0 && v2)
		ret = cg_add_subgroups(cg, &l, NULL);
	if (ret == 0 && !l.v)
		l.v = calloc(1, sizeof(*l.v));
	if (ret < 0 || !l.v) {
		vz_cpt_cgroup_free(l.v, l.n);
		return vz_error_sys(err, VZ_E_SYSTEM, ret < 0 ? -ret : ENOMEM,
				    "Cannot read the CT's limits");
	}
	*out = l.v;
	*nr_out = l.n;
	return 0;
}

/*
 * "cpu memory pids" as read is "+cpu +memory +pids" to write, the CT's
 * group first.  Not before CRIU has put the CT's init into its group: CRIU
 * passes it through the CT's group (the root of its cgroup namespace),
 * which cannot take a process once domain controllers are enabled for its
 * children; and before CRIU opens the CT's files, as the controllers'
 * files (memory.events ...) that systemd watches appear only then.
 */
int vz_cpt_cgroup_enable(struct vz_cgroup *cg, CptCgroupEntry *const *v, size_t nr,
			 struct vz_error *err)
{
	for (size_t i = 0; i < nr; i++) {
		__vz_free char *copy = NULL;
		char *save = NULL;

		if (strcmp(v[i]->file, SUBTREE_CONTROL) && !subgroup_file(v[i]->file))
			continue;
		copy = strdup(v[i]->value);
		if (!copy)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot set the CT's limits");
		for (char *c = strtok_r(copy, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
			char word[64];

			snprintf(word, sizeof(word), "+%s", c);
			if (cg->ops->set(cg, v[i]->controller, v[i]->file, word, err) < 0) {
				vz_error_prefix(err, "Cannot restore the CT's controllers: ");
				err->kind = VZ_E_RESTORE;
				return -EIO;
			}
		}
	}
	return 0;
}

int vz_cpt_cgroup_apply(struct vz_cgroup *cg, CptCgroupEntry *const *v, size_t nr,
			struct vz_error *err)
{
	for (size_t i = 0; i < nr; i++) {
		__vz_free char *copy = strdup(v[i]->value);
		char *save = NULL;

		if (!copy)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot set the CT's limits");
		/* The groups below are made now, their controllers enabled later. */
		if (subgroup_file(v[i]->file)) {
			__vz_free char *dir = vz_path_join(cg->hier[0].path, v[i]->file);

			if (!dir)
				return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot set the CT's limits");
			*strrchr(dir, '/') = '\0';
			if (mkdir(dir, 0755) < 0 && errno != EEXIST)
				return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot create '%s'", dir);
		}
		if (!strcmp(v[i]->file, SUBTREE_CONTROL) || subgroup_file(v[i]->file))
			continue;
		/* Flat-keyed files (io.max, beancounter.*) take one line per write. */
		for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char cur[4096];
			int len;

			/* Unchanged values are not written: some files refuse a no-op. */
			len = cg->ops->get(cg, v[i]->controller, v[i]->file, cur, sizeof(cur));
			if (len >= 0) {
				cur[len < (int)sizeof(cur) ? len : (int)sizeof(cur) - 1] = '\0';
				if (strstr(cur, line))
					continue;
			}
			if (cg->ops->set(cg, v[i]->controller, v[i]->file, line, err) < 0) {
				vz_error_prefix(err, "Cannot restore the CT's limits: ");
				err->kind = VZ_E_RESTORE;
				return -EIO;
			}
		}
	}
	return 0;
}
