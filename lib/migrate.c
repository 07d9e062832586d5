// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzmigrate's two halves (see migrate.h for the conversation).
 */
#define VZ_LOG_PREFIX "migrate"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt.h"
#include "create.h"
#include "criu.h"
#include "fileutil.h"
#include "lifecycle.h"
#include "lock.h"
#include "log.h"
#include "migrate-files.h"
#include "migrate.h"
#include "net.h"
#include "state.h"

#define CPU_FLAGS_MAX 512

static const char *const fail_names[] = {
#define VZ_MIG_FAIL_NAME(name) #name,
	VZ_MIG_FAILS(VZ_MIG_FAIL_NAME)
#undef VZ_MIG_FAIL_NAME
};

const char *vz_mig_fail_name(enum vz_mig_fail fail)
{
	return (unsigned)fail < ARRAY_SIZE(fail_names) ? fail_names[fail] : "UNKNOWN";
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The "flags" of the first CPU in /proc/cpuinfo; *out is a NULL-terminated strv. */
static int cpu_flags(char ***out, size_t *nr)
{
	__vz_free char *text = NULL;
	char **v = calloc(CPU_FLAGS_MAX + 1, sizeof(*v));
	size_t n = 0;
	char *line, *save = NULL;

	*out = v;
	*nr = 0;
	if (!v)
		return -ENOMEM;
	if (vz_read_file("/proc/cpuinfo", &text, NULL) < 0)
		return 0;
	line = strstr(text, "\nflags");
	if (!line || !(line = strchr(line, ':')))
		return 0;
	*strchrnul(line, '\n') = '\0';
	for (char *w = strtok_r(line + 1, " \t", &save); w && n < CPU_FLAGS_MAX;
	     w = strtok_r(NULL, " \t", &save)) {
		v[n] = strdup(w);
		if (!v[n])
			return -ENOMEM;
		n++;
	}
	*nr = n;
	return 0;
}

static void fill_hello(MigHelloEntry *h, unsigned ctid, char *criu_version, char **flags,
		       size_t nr_flags)
{
	static char *caps[] = { "online", "files-incremental" };

	h->version = VZ_MIG_PROTO_VERSION;
	h->ctid = ctid;
	h->vz_version = VZ_VERSION;
	h->kernel = (char *)vz_kernel_release();
	h->criu_version = criu_version;
	h->cpu_flags = flags;
	h->n_cpu_flags = nr_flags;
	h->capabilities = caps;
	h->n_capabilities = ARRAY_SIZE(caps);
}

/* Wait for the peer's REPLY; a refusal is reported with the peer's class and words. */
static int expect_reply(struct vz_mig_conn *c, MigFrameEntry **keep, enum vz_mig_fail *fail,
			enum vz_mig_fail io_fail, struct vz_error *err)
{
	MigFrameEntry *f = NULL;
	int ret = vz_mig_recv(c, &f, err);

	if (keep)
		*keep = NULL;
	if (ret < 0) {
		*fail = io_fail;
		vz_error_prefix(err, "Destination: ");
		return ret;
	}
	if (f->kind != VZ_MIG_KIND_REPLY) {
		mig_frame_entry__free_unpacked(f, NULL);
		*fail = VZ_MIG_F_CONNECT;
		return vz_error_set(err, VZ_E_SYSTEM, EPROTO, "The destination answered out of turn");
	}
	if (!f->reply->ok) {
		unsigned cls = f->reply->has_fail ? f->reply->fail : VZ_MIG_F_SYSTEM;

		*fail = cls < VZ_MIG_F__COUNT && cls != VZ_MIG_F_NONE ? cls : VZ_MIG_F_SYSTEM;
		ret = vz_error_set(err, VZ_E_SYSTEM, EIO, "Destination: %s",
				   f->reply->message ? f->reply->message : "failed");
		mig_frame_entry__free_unpacked(f, NULL);
		return ret;
	}
	if (keep)
		*keep = f;
	else
		mig_frame_entry__free_unpacked(f, NULL);
	return 0;
}

/* ---- the source ---- */

struct src {
	struct vz_ct *ct;
	struct vz_mig_conn *c;
	const struct vz_mig_opts *o;
	struct vz_mig_report *r;
	char *priv, *snap;
	const char *phase;
	uint64_t phase_start;
	bool committed;
	bool start; /* an offline move of a running CT: start it there */
};

static void progress(uint64_t bytes, void *arg)
{
	struct src *s = arg;
	double secs = (now_ms() - s->phase_start) / 1000.0;

	if (!s->o->progress || !isatty(2))
		return;
	fprintf(stderr, "\r%s: %.1f MB, %.1f MB/s   ", s->phase, bytes / 1048576.0,
		secs > 0 ? bytes / 1048576.0 / secs : 0.0);
}

static void phase_begin(struct src *s, const char *phase)
{
	s->phase = phase;
	s->phase_start = now_ms();
	if (s->o->progress)
		fprintf(stderr, "%s ...\n", phase);
}

static void phase_end(struct src *s, uint64_t bytes)
{
	uint64_t ms = now_ms() - s->phase_start;

	if (s->o->progress)
		fprintf(stderr, "\r%s: %.1f MB in %.2f s%20s\n", s->phase, bytes / 1048576.0,
			ms / 1000.0, "");
}

static int send_files(struct src *s, uint32_t stream, uint64_t *bytes, struct vz_error *err)
{
	uint64_t before = s->c->bytes_out;
	int ret;

	ret = vz_mig_send_tree(s->c, s->priv, stream, s->snap, progress, s, err);
	*bytes = s->c->bytes_out - before;
	if (ret < 0) {
		s->r->fail = VZ_MIG_F_COPY;
		return ret;
	}
	phase_end(s, *bytes);
	return expect_reply(s->c, NULL, &s->r->fail, VZ_MIG_F_COPY, err);
}

static int send_dump(struct src *s, const char *dir, struct vz_error *err)
{
	uint64_t before = s->c->bytes_out;
	int ret;

	phase_begin(s, "Copying the dump");
	ret = vz_mig_send_tree(s->c, dir, VZ_MIG_STREAM_DUMP, NULL, progress, s, err);
	s->r->dump_bytes = s->c->bytes_out - before;
	if (ret < 0) {
		s->r->fail = VZ_MIG_F_COPY;
		return ret;
	}
	phase_end(s, s->r->dump_bytes);
	phase_begin(s, "Restoring on the destination");
	return expect_reply(s->c, NULL, &s->r->fail, VZ_MIG_F_RESTORE, err);
}

static int commit(struct src *s, struct vz_error *err)
{
	struct vz_error late;
	int ret = vz_mig_send_kind(s->c, VZ_MIG_KIND_COMMIT, err);

	if (ret < 0) {
		s->r->fail = VZ_MIG_F_CONNECT;
		return ret;
	}
	/* Sent: the destination owns the CT now, whatever happens to its answer. */
	s->committed = true;
	if (expect_reply(s->c, NULL, &s->r->fail, VZ_MIG_F_CONNECT, &late) < 0)
		vz_warn("The destination did not confirm the commit: %s", late.msg);
	s->r->fail = VZ_MIG_F_NONE;
	return 0;
}

/* CRIU's post-dump, the CT frozen: last files, the dump, restore there, commit. */
static int src_post_dump(const char *dir, void *arg, struct vz_error *err)
{
	struct src *s = arg;
	int ret;

	phase_begin(s, "Syncing the private area (frozen)");
	ret = send_files(s, VZ_MIG_STREAM_FILES_DELTA, &s->r->delta_bytes, err);
	if (ret == 0)
		ret = send_dump(s, dir, err);
	if (ret == 0)
		ret = commit(s, err);
	if (ret < 0)
		vz_info("Rolling back: the container resumes on this node");
	return ret;
}

static int src_hello(struct src *s, char *criu_version, struct vz_error *err)
{
	MigFrameEntry f = MIG_FRAME_ENTRY__INIT, *answer = NULL;
	MigHelloEntry h = MIG_HELLO_ENTRY__INIT;
	__vz_strv char **flags = NULL;
	size_t nr_flags;
	const char *ips = vz_ct_get(s->ct, "IP_ADDRESS");
	int ret;

	if (cpu_flags(&flags, &nr_flags) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the CPU flags");
	fill_hello(&h, s->ct->id, criu_version, flags, nr_flags);
	h.has_online = h.has_dry_run = h.has_keep_dst = h.has_ignore_cpu = h.has_start = true;
	h.online = s->o->online;
	h.dry_run = s->o->dry_run;
	h.keep_dst = s->o->keep_dst;
	h.ignore_cpu = s->o->ignore_cpu;
	h.start = s->start;
	h.ip_address = (char *)(ips ? ips : "");
	f.kind = VZ_MIG_KIND_HELLO;
	f.hello = &h;
	ret = vz_mig_send(s->c, &f, err);
	if (ret < 0) {
		s->r->fail = VZ_MIG_F_CONNECT;
		return ret;
	}
	ret = expect_reply(s->c, &answer, &s->r->fail, VZ_MIG_F_CONNECT, err);
	if (ret < 0)
		return ret;
	if (!answer->reply->hello || answer->reply->hello->version != VZ_MIG_PROTO_VERSION) {
		mig_frame_entry__free_unpacked(answer, NULL);
		s->r->fail = VZ_MIG_F_CONNECT;
		return vz_error_set(err, VZ_E_SYSTEM, EPROTO,
				    "The destination speaks another migration protocol");
	}
	vz_info("Destination runs vz %s, kernel %s, CRIU %s", answer->reply->hello->vz_version ?: "?",
		answer->reply->hello->kernel ?: "?",
		answer->reply->hello->criu_version && *answer->reply->hello->criu_version
			? answer->reply->hello->criu_version
			: "(none)");
	/* The CT's processes may use any CPU feature of this node. */
	for (size_t i = 0; i < nr_flags && !s->o->ignore_cpu; i++) {
		bool found = false;

		for (size_t j = 0; j < answer->reply->hello->n_cpu_flags && !found; j++)
			found = !strcmp(flags[i], answer->reply->hello->cpu_flags[j]);
		if (!found) {
			ret = vz_error_set(err, VZ_E_SYSTEM, EINVAL,
					   "The destination's CPU lacks the feature '%s' "
					   "(-f cpu to migrate anyway)",
					   flags[i]);
			s->r->fail = VZ_MIG_F_CPU;
			break;
		}
	}
	mig_frame_entry__free_unpacked(answer, NULL);
	return ret;
}

static int src_prepare(struct src *s, struct vz_ct_state *st, char *criu_version, size_t size,
		       struct vz_error *err)
{
	const char *layout = vz_ct_get(s->ct, "VE_LAYOUT");
	int ret;

	ret = vz_ct_get_state(s->ct, st, err);
	if (ret < 0)
		return ret;
	if (!st->exists) {
		s->r->fail = VZ_MIG_F_NO_CT;
		return vz_error_set(err, VZ_E_NO_CTCONF, ENOENT, "Container %s does not exist",
				    s->ct->idstr);
	}
	if (layout && *layout && strcmp(layout, "simfs")) {
		s->r->fail = VZ_MIG_F_LAYOUT;
		return vz_error_set(err, VZ_E_BAD_VALUE, ENOTSUP,
				    "Containers with layout %s cannot be migrated (simfs only)",
				    layout);
	}
	if (s->o->online && !st->running) {
		s->r->fail = VZ_MIG_F_STOPPED;
		return vz_error_set(err, VZ_E_NOT_RUNNING, EINVAL,
				    "Container %s is not running: online migration needs a running CT",
				    s->ct->idstr);
	}
	criu_version[0] = '\0';
	if (s->o->online) {
		ret = vz_criu_check(err);
		if (ret == 0)
			ret = vz_criu_version(criu_version, size, err);
		if (ret < 0) {
			s->r->fail = VZ_MIG_F_NO_SUPPORT;
			return ret;
		}
	}
	s->start = st->running && !s->o->online;
	s->priv = vz_ct_get_subst(s->ct, "VE_PRIVATE");
	if (!s->priv) {
		s->r->fail = VZ_MIG_F_SYSTEM;
		return vz_error_set(err, VZ_E_NO_VE_PRIVATE, EINVAL, "VE_PRIVATE is not set");
	}
	return 0;
}

/* After the commit: the CT lives on the destination. */
static void src_finish(struct src *s)
{
	struct vz_error err = { 0 };

	if (s->o->remove_area) {
		if (vz_ct_destroy(s->ct, &err) < 0)
			vz_warn("Cannot destroy the source copy: %s", err.msg);
		return;
	}
	{
		__vz_free char *moved = NULL;

		if (asprintf(&moved, "%s.migrated", s->ct->conf_path) > 0 &&
		    rename(s->ct->conf_path, moved) < 0)
			vz_warn("Cannot rename '%s': %m", s->ct->conf_path);
	}
}

int vz_migrate_source(struct vz_ct *ct, struct vz_mig_conn *c, const struct vz_mig_opts *o,
		      struct vz_mig_report *r, struct vz_error *err)
{
	struct src s = { .ct = ct, .c = c, .o = o, .r = r };
	__vz_free char *work = NULL, *conf = NULL, *dump = NULL, *dumpdir = vz_ct_get_subst(ct, "DUMPDIR");
	uint64_t t0 = now_ms();
	char criu_version[64];
	struct vz_ct_state st;
	bool stopped_here = false;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = src_prepare(&s, &st, criu_version, sizeof(criu_version), err);
	if (ret == 0)
		ret = src_hello(&s, criu_version, err);
	if (ret < 0)
		goto out;
	if (o->dry_run) {
		vz_mig_send_kind(c, VZ_MIG_KIND_ABORT, err);
		vz_info("Checks passed: container %s can migrate", ct->idstr);
		goto out;
	}
	/* Private working files: the incremental snapshot, the dump. */
	if (!dumpdir || asprintf(&work, "%s/migrate.%s", dumpdir, ct->idstr) < 0 ||
	    asprintf(&dump, "%s/dump", work) < 0 || asprintf(&s.snap, "%s/files.snar", work) < 0) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "DUMPDIR is not set");
		r->fail = VZ_MIG_F_SYSTEM;
		goto out;
	}
	vz_rm_rf(work);
	ret = vz_mkdir_p(work, 0700);
	if (ret < 0) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create '%s'", work);
		r->fail = VZ_MIG_F_SYSTEM;
		goto out;
	}
	ret = vz_read_file(ct->conf_path, &conf, err);
	if (ret >= 0) {
		MigFrameEntry f = MIG_FRAME_ENTRY__INIT;

		f.kind = VZ_MIG_KIND_CONFIG;
		f.config = conf;
		ret = vz_mig_send(c, &f, err);
		if (ret < 0)
			r->fail = VZ_MIG_F_CONNECT;
		else
			ret = expect_reply(c, NULL, &r->fail, VZ_MIG_F_CONNECT, err);
	} else {
		r->fail = VZ_MIG_F_SYSTEM;
	}
	if (ret < 0)
		goto out_work;

	phase_begin(&s, st.running ? "Copying the private area (running)" : "Copying the private area");
	ret = send_files(&s, VZ_MIG_STREAM_FILES, &r->files_bytes, err);
	r->copy_ms = now_ms() - s.phase_start;
	if (ret < 0)
		goto out_work;

	if (st.running && o->online) {
		struct vz_cpt_opts co = { .dumpdir = dump, .post_dump = src_post_dump,
					  .post_dump_arg = &s };

		ret = vz_ct_chkpnt(ct, &co, err);
		r->frozen_ms = co.frozen_ms;
		if (ret < 0 && !s.committed) {
			if (r->fail == VZ_MIG_F_NONE)
				r->fail = VZ_MIG_F_CHKPNT;
			goto out_work;
		}
		if (ret < 0)
			vz_warn("The CT moved, but this node did not finish: %s", err->msg);
	} else {
		if (st.running) {
			struct vz_stop_opts so = { 0 };

			phase_begin(&s, "Stopping the container");
			ret = vz_ct_stop(ct, &so, err);
			if (ret < 0) {
				r->fail = VZ_MIG_F_CHKPNT;
				goto out_work;
			}
			stopped_here = true;
			phase_begin(&s, "Syncing the private area (stopped)");
			ret = send_files(&s, VZ_MIG_STREAM_FILES_DELTA, &r->delta_bytes, err);
			if (ret < 0)
				goto out_restart;
		}
		ret = commit(&s, err);
		if (ret < 0)
			goto out_restart;
	}
	src_finish(&s);
	ret = 0;
	goto out_work;

out_restart:
	if (stopped_here) {
		struct vz_start_opts so = { 0 };
		struct vz_error e2;

		vz_mig_send_kind(c, VZ_MIG_KIND_ABORT, &e2);
		if (vz_ct_start(ct, &so, &e2) < 0)
			vz_err("Cannot start the container again here: %s", e2.msg);
	}
out_work:
	if (ret < 0 && !s.committed) {
		struct vz_error ignored;

		vz_mig_send_kind(c, VZ_MIG_KIND_ABORT, &ignored);
	}
	if (work)
		vz_rm_rf(work);
out:
	r->total_ms = now_ms() - t0;
	free(s.priv);
	free(s.snap);
	return ret;
}

/* ---- the destination ---- */

struct dst {
	struct vz_env *env;
	struct vz_mig_conn *c;
	struct vz_mig_report *r;
	struct vz_ct *ct;
	struct vz_lock lock;
	bool locked, wrote_conf, made_priv, running;
	char *priv, *dump;
	MigHelloEntry *hello;
};

/* The source went away (as opposed to a transfer that went wrong). */
static bool lost(const struct vz_error *err)
{
	return err->errnum == ECONNRESET || err->errnum == EPIPE;
}

static int refuse(struct dst *d, enum vz_mig_fail fail, struct vz_error *err)
{
	struct vz_error ignored;

	d->r->fail = fail;
	vz_mig_send_reply(d->c, false, fail, err->msg, &ignored);
	return -EIO;
}

static int dst_hello(struct dst *d, MigFrameEntry *in, struct vz_error *err)
{
	MigFrameEntry f = MIG_FRAME_ENTRY__INIT;
	MigReplyEntry rep = MIG_REPLY_ENTRY__INIT;
	MigHelloEntry h = MIG_HELLO_ENTRY__INIT;
	__vz_strv char **flags = NULL;
	char criu_version[64] = "";
	size_t nr_flags;
	int ret;

	d->hello = in->hello;
	if (d->hello->version != VZ_MIG_PROTO_VERSION) {
		vz_error_set(err, VZ_E_SYSTEM, EPROTO, "Migration protocol %u is not spoken here (%u)",
			     d->hello->version, VZ_MIG_PROTO_VERSION);
		return refuse(d, VZ_MIG_F_CONNECT, err);
	}
	ret = vz_ct_open(d->env, d->hello->ctid, &d->ct, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	ret = vz_lock_ct(d->ct, "migrating", &d->lock, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_LOCKED, err);
	d->locked = true;
	ret = vz_ct_reload(d->ct, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	if (d->ct->exists) {
		vz_error_set(err, VZ_E_SYSTEM, EEXIST, "Container %s already exists", d->ct->idstr);
		return refuse(d, VZ_MIG_F_EXISTS, err);
	}
	if (d->hello->online) {
		ret = vz_criu_check(err);
		if (ret == 0)
			ret = vz_criu_version(criu_version, sizeof(criu_version), err);
		if (ret < 0)
			return refuse(d, VZ_MIG_F_NO_SUPPORT, err);
	}
	if (cpu_flags(&flags, &nr_flags) < 0) {
		vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the CPU flags");
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	}
	fill_hello(&h, d->hello->ctid, criu_version, flags, nr_flags);
	f.kind = VZ_MIG_KIND_REPLY;
	f.reply = &rep;
	rep.ok = true;
	rep.hello = &h;
	return vz_mig_send(d->c, &f, err);
}

static int dst_config(struct dst *d, MigFrameEntry *in, struct vz_error *err)
{
	struct stat sb;
	int ret;

	ret = vz_write_file_atomic(d->ct->conf_path, in->config, strlen(in->config), 0644, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	d->wrote_conf = true;
	ret = vz_ct_reload(d->ct, err);
	if (ret == 0 && !d->ct->exists)
		ret = vz_error_set(err, VZ_E_SYSTEM, EIO, "The received config did not load");
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	d->priv = vz_ct_get_subst(d->ct, "VE_PRIVATE");
	if (!d->priv) {
		vz_error_set(err, VZ_E_NO_VE_PRIVATE, EINVAL, "VE_PRIVATE is not set");
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	}
	if (lstat(d->priv, &sb) == 0) {
		vz_error_set(err, VZ_E_PRIVATE_EXISTS, EEXIST, "Private area '%s' already exists",
			     d->priv);
		free(d->priv);
		d->priv = NULL; /* not ours: never removed */
		return refuse(d, VZ_MIG_F_EXISTS, err);
	}
	ret = vz_net_prepare(d->ct, err);
	if (ret < 0)
		return refuse(d, err->kind == VZ_E_IP_IN_USE ? VZ_MIG_F_IP_IN_USE : VZ_MIG_F_SYSTEM, err);
	ret = vz_mkdir_p(d->priv, 0700);
	if (ret < 0) {
		vz_error_sys(err, VZ_E_CREATE_PRIVATE, -ret, "Cannot create '%s'", d->priv);
		return refuse(d, VZ_MIG_F_COPY, err);
	}
	d->made_priv = true;
	return vz_mig_send_reply(d->c, true, 0, NULL, err);
}

static int dst_tree(struct dst *d, const char *dir, uint32_t stream, bool incremental,
		    struct vz_error *err)
{
	int ret = vz_mig_recv_tree(d->c, dir, stream, incremental, err);

	if (ret < 0) {
		vz_error_prefix(err, "Cannot receive the %s: ",
				stream == VZ_MIG_STREAM_DUMP ? "dump" : "private area");
		return refuse(d, lost(err) ? VZ_MIG_F_CONNECT : VZ_MIG_F_COPY, err);
	}
	return vz_mig_send_reply(d->c, true, 0, NULL, err);
}

static int dst_restore(struct dst *d, struct vz_error *err)
{
	__vz_free char *dumpdir = vz_ct_get_subst(d->ct, "DUMPDIR");
	struct vz_cpt_opts co = { 0 };
	int ret;

	if (!dumpdir || asprintf(&d->dump, "%s/Dump.%s.incoming", dumpdir, d->ct->idstr) < 0) {
		vz_error_set(err, VZ_E_SYSTEM, EINVAL, "DUMPDIR is not set");
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	}
	vz_rm_rf(d->dump);
	ret = vz_mkdir_p(d->dump, 0700);
	if (ret < 0) {
		vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create '%s'", d->dump);
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	}
	ret = vz_mig_recv_tree(d->c, d->dump, VZ_MIG_STREAM_DUMP, false, err);
	if (ret < 0) {
		vz_error_prefix(err, "Cannot receive the dump: ");
		return refuse(d, lost(err) ? VZ_MIG_F_CONNECT : VZ_MIG_F_COPY, err);
	}
	co.dumpdir = d->dump;
	ret = vz_ct_restore(d->ct, &co, err);
	if (ret < 0)
		return refuse(d, ret == -ENOSYS || err->kind == VZ_E_NO_KERNEL_SUPPORT
					 ? VZ_MIG_F_NO_SUPPORT
					 : VZ_MIG_F_RESTORE,
			      err);
	d->running = true;
	return vz_mig_send_reply(d->c, true, 0, NULL, err);
}

static int dst_start(struct dst *d, struct vz_error *err)
{
	struct vz_start_opts so = { 0 };
	int ret = vz_ct_start(d->ct, &so, err);

	if (ret < 0)
		return refuse(d, VZ_MIG_F_RESTORE, err);
	d->running = true;
	return 0;
}

/* Anything but COMMIT undoes what this side made. */
static void dst_undo(struct dst *d)
{
	struct vz_error err = { 0 };

	if (d->hello && d->hello->keep_dst) {
		vz_info("Keeping what reached this node (--keep-dst)");
		if (d->running) {
			struct vz_stop_opts so = { .fast = true };

			vz_net_unplug(d->ct, false);
			vz_ct_stop(d->ct, &so, &err);
		}
		return;
	}
	if (d->running) {
		struct vz_stop_opts so = { .fast = true };

		/*
		 * Cut the copy off the network first: killing it must not reset
		 * the connections the source's CT goes on serving.
		 */
		vz_net_unplug(d->ct, false);
		if (vz_ct_stop(d->ct, &so, &err) < 0)
			vz_err("Cannot stop the half-migrated CT: %s", err.msg);
	}
	if (d->made_priv && d->priv)
		vz_rm_rf(d->priv);
	if (d->wrote_conf)
		unlink(d->ct->conf_path);
	if (d->ct)
		vz_net_destroy(d->ct);
}

int vz_migrate_dest(struct vz_env *env, struct vz_mig_conn *c, struct vz_mig_report *r,
		    struct vz_error *err)
{
	struct dst d = { .env = env, .c = c, .r = r };
	MigFrameEntry *hello = NULL, *f = NULL;
	bool committed = false, restored_online = false;
	uint64_t t0 = now_ms();
	int ret;

	memset(r, 0, sizeof(*r));
	ret = vz_mig_recv(c, &hello, err);
	if (ret == 0 && hello->kind != VZ_MIG_KIND_HELLO)
		ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO, "The source did not say hello");
	if (ret < 0) {
		r->fail = VZ_MIG_F_CONNECT;
		goto out;
	}
	ret = dst_hello(&d, hello, err);
	if (ret < 0)
		goto out;
	for (;;) {
		ret = vz_mig_recv(c, &f, err);
		if (ret < 0) {
			vz_error_prefix(err, "Migration interrupted: ");
			r->fail = VZ_MIG_F_CONNECT;
			break;
		}
		switch (f->kind) {
		case VZ_MIG_KIND_ABORT:
			ret = d.hello->dry_run && !d.wrote_conf
				      ? 0
				      : vz_error_set(err, VZ_E_SYSTEM, ECANCELED,
						     "The source gave up the migration");
			break;
		case VZ_MIG_KIND_CONFIG:
			ret = d.wrote_conf ? vz_error_set(err, VZ_E_SYSTEM, EPROTO, "A second config")
					   : dst_config(&d, f, err);
			break;
		case VZ_MIG_KIND_CHUNK:
			if (!d.made_priv) {
				ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO, "Files before the config");
				break;
			}
			{
				uint32_t stream = f->chunk->stream;

				vz_mig_unrecv(c, f);
				f = NULL;
				if (stream == VZ_MIG_STREAM_DUMP) {
					ret = dst_restore(&d, err);
					restored_online = ret == 0;
				} else {
					ret = dst_tree(&d, d.priv, stream,
						       stream == VZ_MIG_STREAM_FILES_DELTA, err);
				}
			}
			break;
		case VZ_MIG_KIND_COMMIT:
			if (!d.made_priv) {
				ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO, "Commit before the files");
				break;
			}
			/* An offline move of a running CT: it runs here from now on. */
			if (!restored_online && d.hello->start)
				ret = dst_start(&d, err);
			committed = ret == 0;
			if (ret == 0)
				ret = vz_mig_send_reply(c, true, 0, NULL, err);
			if (committed)
				ret = 0; /* ours now, whether or not the answer arrived */
			break;
		default:
			ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO, "Unexpected frame (kind %u)",
					   f->kind);
		}
		if (f)
			mig_frame_entry__free_unpacked(f, NULL);
		f = NULL;
		if (ret < 0 || committed || (d.hello->dry_run && !d.wrote_conf))
			break;
	}
	if (ret < 0 && r->fail == VZ_MIG_F_NONE)
		r->fail = VZ_MIG_F_SYSTEM;
	if (ret < 0)
		dst_undo(&d);
	else if (committed)
		vz_info("Container %s arrived", d.ct->idstr);
out:
	if (d.dump)
		vz_rm_rf(d.dump);
	if (d.locked)
		vz_unlock(&d.lock);
	vz_mig_conn_release(c);
	if (hello)
		mig_frame_entry__free_unpacked(hello, NULL);
	r->total_ms = now_ms() - t0;
	vz_ct_free(d.ct);
	free(d.priv);
	free(d.dump);
	return ret;
}
