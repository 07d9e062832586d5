// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzmigrate's source half (see migrate.h for the conversation; the
 * destination's is migrate-dest.c).
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

#include "cgroup.h"
#include "cleanup.h"
#include "cpt.h"
#include "create.h"
#include "criu.h"
#include "fileutil.h"
#include "lifecycle.h"
#include "lock.h"
#include "log.h"
#include "migrate-files.h"
#include "migrate-hello.h"
#include "migrate-pages.h"
#include "migrate-rounds.h"
#include "migrate.h"
#include "net.h"
#include "state.h"
#include "storage.h"

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

/* Wait for the peer's REPLY; a refusal is reported with the peer's class and words. */
static int expect_reply(struct vz_mig_conn *c, MigFrameEntry **keep, enum vz_mig_fail *fail,
			enum vz_mig_fail io_fail, struct vz_error *err)
{
	MigFrameEntry *f = NULL;
	int ret = vz_mig_recv(c, &f, err);

	if (keep)
		*keep = NULL;
	if (ret < 0) {
		*fail = vz_mig_lost(err) ? VZ_MIG_F_CONNECT : io_fail;
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
	char *priv, *snap, *work;
	const char *phase;
	uint64_t phase_start;
	uint64_t expect; /* bytes the phase should move (ETA), 0 if unknown */
	bool committed;
	bool start; /* an offline move of a running CT: start it there */
	bool peer_precopy; /* the destination runs page servers */
	bool peer_image;   /* the destination takes an image CT's root.img by blocks */
	bool peer_tmpfs;   /* the destination restores vzctl's image of /dev, /dev/shm */
	bool peer_rules;   /* the destination restores policy routing rules */
	bool peer_dump_tree; /* the dump goes as vz's tree image, not through tar */
	struct vz_mig_image *image; /* an image CT's root.img, sent by blocks */
	struct vz_mig_tar *next_tar; /* started ahead for the frozen or stopped pass */
	/* what the frozen or stopped pass sends: changed since (sync_running) */
	struct timespec last_pass_since;
	struct vz_mig_relay relay;
	bool in_round;	     /* the relay runs */
	uint64_t post_dump_at;
	unsigned last_round; /* the last pre-dump, 0 if none */
	char parent[16];     /* the final dump's CRIU parent ("../3") */
	char phase_buf[64];
};

static void progress(uint64_t bytes, void *arg)
{
	struct src *s = arg;
	double secs = (now_ms() - s->phase_start) / 1000.0;
	double rate = secs > 0 ? bytes / 1048576.0 / secs : 0.0;

	if (!s->o->progress || !isatty(2))
		return;
	fprintf(stderr, "\r%s: %.1f MB, %.1f MB/s", s->phase, bytes / 1048576.0, rate);
	if (s->expect > bytes && rate > 0)
		fprintf(stderr, ", ETA %.1f s", (s->expect - bytes) / 1048576.0 / rate);
	fprintf(stderr, "   ");
}

static void phase_begin(struct src *s, const char *phase)
{
	s->phase = phase;
	s->phase_start = now_ms();
	s->expect = 0;
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

/* A tar for the next pass of the private area: an image CT's root.img goes by blocks. */
static int start_tar(struct src *s, struct vz_mig_tar **t, struct vz_error *err)
{
	return vz_mig_tar_sender(s->priv, s->snap, s->image ? VZ_IMAGE_FILE : NULL, t, err);
}

/* The frozen or stopped pass walks the tree itself and gives tar only what changed. */
static int send_files(struct src *s, uint32_t stream, bool last, uint64_t *bytes,
		      struct vz_error *err)
{
	uint64_t before = s->c->bytes_out;
	struct vz_mig_tar *t = s->next_tar;
	int ret = 0;

	s->next_tar = NULL;
	if (!t)
		ret = start_tar(s, &t, err);
	if (ret == 0)
		ret = vz_mig_send_tree_with(s->c, t, stream,
					    last ? &s->last_pass_since : NULL,
					    progress, s, err);
	if (ret == 0 && s->image)
		ret = vz_mig_send_image(s->c, s->image, stream == VZ_MIG_STREAM_FILES_DELTA, progress,
					s, err);
	*bytes = s->c->bytes_out - before;
	if (ret < 0) {
		s->r->fail = vz_mig_lost(err) ? VZ_MIG_F_CONNECT : VZ_MIG_F_COPY;
		return ret;
	}
	phase_end(s, *bytes);
	return expect_reply(s->c, NULL, &s->r->fail, VZ_MIG_F_COPY, err);
}

/*
 * One more pass while the CT runs, right before it is frozen or stopped:
 * the pass taken then has only what changed during this one to send (its
 * walk of the tree stays), not everything since the first copy began.
 * tar stamps the snapshot with the time it started, which is what the last
 * pass compares with: this pass's tar starts now, the last pass's as soon
 * as this one ends, so that the frozen or stopped CT waits for no tar to
 * load.
 */
static int sync_running(struct src *s, struct vz_error *err)
{
	uint64_t bytes;
	int ret;

	phase_begin(s, "Syncing the private area (running)");
	/*
	 * The changes that matter to the last pass: those since this pass's
	 * tar began (it starts below).  Two seconds earlier, for the coarse
	 * clock file times are taken from and a small step of the node's clock.
	 */
	if (clock_gettime(CLOCK_REALTIME, &s->last_pass_since) == 0)
		s->last_pass_since.tv_sec -= 2;
	else /* since the epoch: everything, as tar's own walk */
		s->last_pass_since = (struct timespec){ 0 };
	ret = send_files(s, VZ_MIG_STREAM_FILES_DELTA, false, &bytes, err);
	s->r->sync_ms = now_ms() - s->phase_start;
	s->r->sync_bytes = bytes;
	if (ret == 0)
		ret = start_tar(s, &s->next_tar, err);
	if (ret < 0 && s->r->fail == VZ_MIG_F_NONE)
		s->r->fail = VZ_MIG_F_COPY;
	return ret;
}

static int send_dump(struct src *s, const char *dir, struct vz_error *err)
{
	uint64_t before = s->c->bytes_out;
	int ret;

	phase_begin(s, "Copying the dump");
	ret = s->peer_dump_tree
		      ? vz_mig_send_dir(s->c, dir, VZ_MIG_STREAM_DUMP, progress, s, err)
		      : vz_mig_send_tree(s->c, dir, VZ_MIG_STREAM_DUMP, NULL, NULL, progress, s, err);
	s->r->dump_bytes = s->c->bytes_out - before;
	if (ret < 0) {
		s->r->fail = vz_mig_lost(err) ? VZ_MIG_F_CONNECT : VZ_MIG_F_COPY;
		return ret;
	}
	phase_end(s, s->r->dump_bytes);
	phase_begin(s, "Restoring on the destination");
	ret = expect_reply(s->c, NULL, &s->r->fail, VZ_MIG_F_RESTORE, err);
	s->r->restore_ms = now_ms() - s->phase_start;
	return ret;
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

/* ---- memory pre-copy (migrate-pages.h) ---- */

/* ROUND n: once the destination's page server is up, CRIU may send pages. */
static int round_begin(struct src *s, unsigned n, bool final, struct vz_error *err)
{
	MigFrameEntry f = MIG_FRAME_ENTRY__INIT;
	MigRoundEntry rd = MIG_ROUND_ENTRY__INIT;
	int ret;

	f.kind = VZ_MIG_KIND_ROUND;
	f.round = &rd;
	rd.round = n;
	rd.has_final = rd.final = final;
	ret = vz_mig_send(s->c, &f, err);
	if (ret < 0) {
		s->r->fail = VZ_MIG_F_CONNECT;
		return ret;
	}
	ret = expect_reply(s->c, NULL, &s->r->fail, VZ_MIG_F_CONNECT, err);
	if (ret < 0)
		return ret;
	ret = vz_mig_relay_start(&s->relay, s->c, progress, s, err);
	if (ret < 0) {
		s->r->fail = VZ_MIG_F_SYSTEM;
		return ret;
	}
	s->in_round = true;
	return 0;
}

/*
 * CRIU is done with the round (criu_ret, its error in err): stop the relay
 * and, CRIU content, have the destination confirm that its page server
 * wrote everything.  What went wrong on the destination or on the way is
 * the cause of a CRIU failure in the same round: it is what err says.
 */
static int round_end(struct src *s, int criu_ret, uint64_t *bytes, struct vz_error *err)
{
	struct vz_error relay_err = { 0 };
	int ret;

	s->in_round = false;
	ret = vz_mig_relay_stop(&s->relay, &relay_err);
	*bytes = s->relay.bytes;
	if (s->relay.peer_spoke) {
		ret = expect_reply(s->c, NULL, &s->r->fail, VZ_MIG_F_COPY, err);
		if (ret == 0) {
			s->r->fail = VZ_MIG_F_CONNECT;
			ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO,
					   "The destination answered out of turn");
		}
		return ret;
	}
	if (ret < 0) {
		*err = relay_err;
		s->r->fail = vz_mig_lost(&relay_err) ? VZ_MIG_F_CONNECT : VZ_MIG_F_COPY;
		return ret;
	}
	if (criu_ret < 0) {
		if (s->r->fail == VZ_MIG_F_NONE)
			s->r->fail = VZ_MIG_F_CHKPNT;
		return criu_ret;
	}
	ret = vz_mig_send_eof(s->c, VZ_MIG_STREAM_PAGES, err);
	if (ret < 0) {
		s->r->fail = VZ_MIG_F_CONNECT;
		return ret;
	}
	return expect_reply(s->c, NULL, &s->r->fail, VZ_MIG_F_COPY, err);
}

/* The CT's memory: what the first round should move (for the ETA). */
static uint64_t ct_memory(struct src *s)
{
	__vz_cgroup struct vz_cgroup *cg = NULL;
	struct vz_cg_stats st;

	if (vz_cgroup_open(s->ct, &cg, NULL) < 0 || !cg->ops->read_stats ||
	    cg->ops->read_stats(cg, &st) < 0)
		return 0;
	return (st.anon > 0 ? st.anon : 0) + (st.shmem > 0 ? st.shmem : 0);
}

/* Pre-dump n, the CT running: its pages (dirtied since n-1) go to the destination. */
static int precopy_round(struct src *s, unsigned n, uint64_t *bytes, struct vz_error *err)
{
	__vz_free char *dir = NULL, *failed_log = NULL;
	char parent[16];
	struct vz_predump_opts po = { .page_server = true };
	int ret;

	*bytes = 0;
	if (asprintf(&dir, "%s/%u", s->work, n) < 0 || asprintf(&failed_log, "%s.log", s->work) < 0) {
		s->r->fail = VZ_MIG_F_SYSTEM;
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot pre-dump");
	}
	ret = vz_mkdir_p(dir, 0700);
	if (ret < 0) {
		s->r->fail = VZ_MIG_F_SYSTEM;
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create '%s'", dir);
	}
	snprintf(parent, sizeof(parent), "../%u", n - 1);
	po.dir = dir;
	po.failed_log = failed_log;
	po.parent = n > 1 ? parent : NULL;
	ret = round_begin(s, n, false, err);
	if (ret < 0)
		return ret;
	po.ps_fd = s->relay.criu_ps;
	ret = vz_ct_predump(s->ct, &po, err);
	return round_end(s, ret, bytes, err);
}

/* Pre-dump rounds while the CT runs, until the stop rule (migrate-rounds.h) says so. */
static int precopy(struct src *s, struct vz_error *err)
{
	const struct vz_mig_opts *o = s->o;
	struct vz_mig_rounds rounds = { 0 };
	uint64_t t0 = now_ms();
	char why[80] = "the last round allowed";
	int ret = 0;

	for (unsigned n = 1; n <= o->precopy_rounds && n < VZ_MIG_ROUNDS_MAX; n++) {
		uint64_t bytes, ms;

		snprintf(s->phase_buf, sizeof(s->phase_buf), "Pre-copy round %u (running)", n);
		phase_begin(s, s->phase_buf);
		s->expect = n == 1 ? ct_memory(s) : rounds.prev;
		ret = precopy_round(s, n, &bytes, err);
		if (ret < 0)
			break;
		ms = now_ms() - s->phase_start;
		s->last_round = s->r->rounds = n;
		s->r->precopy_bytes += bytes;
		if (o->progress)
			fprintf(stderr, "\rPre-copy round %u: %.1f MB (%llu pages) in %.2f s, %.1f MB/s%12s\n",
				n, bytes / 1048576.0, (unsigned long long)(bytes / 4096), ms / 1000.0,
				ms ? bytes / 1048576.0 / (ms / 1000.0) : 0.0, "");
		if (vz_mig_rounds_done(&rounds, o, n, bytes, ms, why, sizeof(why)))
			break;
	}
	s->r->precopy_ms = now_ms() - t0;
	if (ret == 0 && o->progress)
		fprintf(stderr, "Pre-copy: %u round%s, %.1f MB in %.2f s; freezing now (%s)\n",
			s->r->rounds, s->r->rounds == 1 ? "" : "s", s->r->precopy_bytes / 1048576.0,
			s->r->precopy_ms / 1000.0, why);
	return ret;
}

/* CRIU's post-dump, the CT frozen: last pages, last files, the dump, restore there, commit. */
static int src_post_dump(const char *dir, void *arg, struct vz_error *err)
{
	struct src *s = arg;
	int ret;

	s->post_dump_at = now_ms();
	if (s->in_round) {
		ret = round_end(s, 0, &s->r->final_bytes, err);
		phase_end(s, s->r->final_bytes);
		if (ret < 0) {
			vz_info("Rolling back: the container resumes on this node");
			return ret;
		}
	}
	phase_begin(s, "Syncing the private area (frozen)");
	ret = send_files(s, VZ_MIG_STREAM_FILES_DELTA, true, &s->r->delta_bytes, err);
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

	if (vz_mig_cpu_flags(&flags, &nr_flags) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the CPU flags");
	vz_mig_fill_hello(&h, s->ct->id, criu_version, flags, nr_flags);
	h.has_online = h.has_dry_run = h.has_keep_dst = h.has_ignore_cpu = h.has_start = true;
	h.online = s->o->online;
	h.dry_run = s->o->dry_run;
	h.keep_dst = s->o->keep_dst;
	h.ignore_cpu = s->o->ignore_cpu;
	h.start = s->start;
	h.ip_address = (char *)(ips ? ips : "");
	h.has_timeout = true;
	h.timeout = s->o->timeout;
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
	s->peer_precopy = vz_mig_has_cap(answer->reply->hello, "precopy");
	s->peer_image = vz_mig_has_cap(answer->reply->hello, "image-delta");
	s->peer_tmpfs = vz_mig_has_cap(answer->reply->hello, "tmpfs-image");
	s->peer_rules = vz_mig_has_cap(answer->reply->hello, "net-rules");
	s->peer_dump_tree = vz_mig_has_cap(answer->reply->hello, "dump-tree");
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
	/* An image CT's root.img goes by blocks (src_image()). */
	if (layout && *layout && strcmp(layout, "simfs") && strcmp(layout, "image")) {
		s->r->fail = VZ_MIG_F_LAYOUT;
		return vz_error_set(err, VZ_E_BAD_VALUE, ENOTSUP,
				    "Containers with layout %s cannot be migrated (simfs and image only)",
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
		ret = vz_cpt_criu_check(s->ct, criu_version, size, err);
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

/*
 * An image CT: root.img goes by blocks, the first pass while the CT runs,
 * then the blocks written since, taken frozen (online: after syncing the
 * CT's file system into the image) or stopped.  A destination that cannot
 * take it that way gets the image in the tar stream, offline only.
 */
static int src_image(struct src *s, const struct vz_ct_state *st, struct vz_error *err)
{
	__vz_free char *img = NULL, *root = NULL;
	int ret;

	if (vz_storage_of(s->ct) != &vz_storage_image)
		return 0;
	if (!s->peer_image) {
		if (!s->o->online)
			return 0;
		s->r->fail = VZ_MIG_F_LAYOUT;
		return vz_error_set(err, VZ_E_BAD_VALUE, ENOTSUP,
				    "The destination cannot take an image-layout CT online "
				    "(an older vz there): migrate it offline");
	}
	img = vz_path_join(s->priv, VZ_IMAGE_FILE);
	root = s->o->online && st->running ? vz_ct_get_subst(s->ct, "VE_ROOT") : NULL;
	if (!img || (s->o->online && st->running && !root)) {
		s->r->fail = VZ_MIG_F_SYSTEM;
		return vz_error_set(err, VZ_E_NO_VE_ROOT, EINVAL, "Cannot find the CT's disk image");
	}
	ret = vz_mig_image_open(img, root, &s->image, err);
	if (ret < 0)
		s->r->fail = VZ_MIG_F_SYSTEM;
	return ret;
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
	__vz_free char *conf = NULL, *dump = NULL, *dumpdir = vz_ct_get_subst(ct, "DUMPDIR");
	char *work = NULL;
	uint64_t t0 = now_ms();
	char criu_version[64];
	struct vz_ct_state st;
	bool stopped_here = false;
	int ret;

	memset(r, 0, sizeof(*r));
	vz_mig_conn_set_timeout(c, o->timeout);
	ret = src_prepare(&s, &st, criu_version, sizeof(criu_version), err);
	if (ret == 0)
		ret = src_hello(&s, criu_version, err);
	if (ret == 0)
		ret = src_image(&s, &st, err);
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
	s.work = work;
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
	ret = send_files(&s, VZ_MIG_STREAM_FILES, false, &r->files_bytes, err);
	r->copy_ms = now_ms() - s.phase_start;
	if (ret < 0)
		goto out_work;

	if (st.running && o->online) {
		/* CRIU's check passed in src_prepare(). */
		struct vz_cpt_opts co = { .dumpdir = dump, .post_dump = src_post_dump,
					  .post_dump_arg = &s, .criu_checked = true,
					  .criu_version = criu_version,
					  .criu_tmpfs = !s.peer_tmpfs,
					  .no_net_rules = !s.peer_rules };

		if (!o->precopy_rounds)
			r->precopy_off = "not asked for";
		else if (!s.peer_precopy)
			r->precopy_off = "the destination cannot receive it";
		else if (!vz_criu_has_mem_track())
			r->precopy_off = "CRIU cannot track memory changes on this kernel";
		if (r->precopy_off && o->precopy_rounds)
			vz_warn("No memory pre-copy: %s", r->precopy_off);
		if (!r->precopy_off) {
			ret = precopy(&s, err);
			if (ret < 0)
				goto out_work;
		}
		ret = sync_running(&s, err);
		if (ret < 0)
			goto out_work;
		if (!r->precopy_off) {
			/* The final dump: pages dirtied since the last round, through a page server. */
			snprintf(s.parent, sizeof(s.parent), "../%u", s.last_round);
			co.parent = s.parent;
			co.page_server = true;
			phase_begin(&s, "Dumping the container (frozen)");
			s.expect = r->precopy_bytes / (r->rounds ? r->rounds : 1);
			ret = round_begin(&s, s.last_round + 1, true, err);
			if (ret < 0)
				goto out_work;
			co.ps_fd = s.relay.criu_ps;
		}
		ret = vz_ct_chkpnt(ct, &co, err);
		if (s.in_round) {
			/* CRIU failed before its post-dump: the round says why if it broke. */
			uint64_t ignored;

			ret = round_end(&s, ret, &ignored, err);
			if (ret == 0)
				ret = -EIO;
		}
		r->frozen_ms = co.frozen_ms;
		if (s.post_dump_at && co.frozen_at && s.post_dump_at > co.frozen_at)
			r->dump_ms = s.post_dump_at - co.frozen_at;
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

			ret = sync_running(&s, err);
			if (ret < 0)
				goto out_work;
			phase_begin(&s, "Stopping the container");
			ret = vz_ct_stop(ct, &so, err);
			if (ret < 0) {
				r->fail = VZ_MIG_F_CHKPNT;
				goto out_work;
			}
			stopped_here = true;
			phase_begin(&s, "Syncing the private area (stopped)");
			ret = send_files(&s, VZ_MIG_STREAM_FILES_DELTA, true, &r->delta_bytes, err);
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
	vz_mig_tar_free(s.next_tar);
	if (ret < 0 && !s.committed) {
		struct vz_error ignored;

		vz_mig_send_kind(c, VZ_MIG_KIND_ABORT, &ignored);
	}
	if (work)
		vz_rm_rf(work);
out:
	free(work);
	r->total_ms = now_ms() - t0;
	free(s.priv);
	free(s.snap);
	vz_mig_image_free(s.image);
	return ret;
}

