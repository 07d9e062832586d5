// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzmigrate's destination half (see migrate.h for the conversation): a CT
 * arriving on one stream, undone unless the source commits.
 */
#define VZ_LOG_PREFIX "migrate"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "cpt.h"
#include "criu.h"
#include "fileutil.h"
#include "lifecycle.h"
#include "lock.h"
#include "log.h"
#include "migrate-files.h"
#include "migrate-hello.h"
#include "migrate-incoming.h"
#include "migrate-pages.h"
#include "migrate.h"
#include "net.h"
#include "quota.h"
#include "seccomp.h"
#include "state.h"
#include "storage.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct dst {
	struct vz_env *env;
	struct vz_mig_conn *c;
	struct vz_mig_report *r;
	struct vz_ct *ct;
	struct vz_lock lock;
	bool locked, wrote_conf, made_priv, running;
	char *priv;
	char *image; /* an image CT's root.img, arriving by blocks after each tar stream */
	uint64_t image_max; /* its largest size: DISKSPACE */
	char *dump; /* $DUMPDIR/Dump.<CTID>.incoming: the rounds 1.. and "dump" */
	unsigned rounds; /* pre-copy rounds received */
	bool final_round; /* the dump's pages came through a page server */
	MigHelloEntry *hello;
	struct vz_mig_tar *next_tar; /* started ahead for the private area's delta pass */
	bool seccomp_ready; /* online: the CT's seccomp filter, compiled with the config */
	struct vz_seccomp *seccomp;
	struct vz_mig_incoming in; /* what this receiver made, for a later one if it dies */
};


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
	/* A receiver killed before may have left this CT half made: undo that first. */
	if (ret == 0)
		ret = vz_mig_incoming_recover(d->ct, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	if (d->ct->exists) {
		vz_error_set(err, VZ_E_SYSTEM, EEXIST, "Container %s already exists", d->ct->idstr);
		return refuse(d, VZ_MIG_F_EXISTS, err);
	}
	if (d->hello->online) {
		ret = vz_cpt_criu_check(d->ct, criu_version, sizeof(criu_version), err);
		if (ret < 0)
			return refuse(d, VZ_MIG_F_NO_SUPPORT, err);
	}
	if (vz_mig_cpu_flags(&flags, &nr_flags) < 0) {
		vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the CPU flags");
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	}
	vz_mig_fill_hello(&h, d->hello->ctid, criu_version, flags, nr_flags);
	if (d->hello->has_timeout)
		vz_mig_conn_set_timeout(d->c, d->hello->timeout);
	f.kind = VZ_MIG_KIND_REPLY;
	f.reply = &rep;
	rep.ok = true;
	rep.hello = &h;
	return vz_mig_send(d->c, &f, err);
}

/* An image CT from a source that sends root.img by blocks: where it goes, how big it may be. */
static int dst_image_prepare(struct dst *d, struct vz_error *err)
{
	unsigned long long kb;
	int ret;

	if (vz_storage_of(d->ct) != &vz_storage_image || !vz_mig_has_cap(d->hello, "image-delta"))
		return 0;
	ret = vz_storage_image_kblocks(d->ct, &kb, err);
	if (ret < 0)
		return ret;
	d->image = vz_path_join(d->priv, VZ_IMAGE_FILE);
	if (!d->image)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot receive the disk image");
	d->image_max = kb * 1024;
	return 0;
}

static int dst_config(struct dst *d, MigFrameEntry *in, struct vz_error *err)
{
	struct stat sb;
	int ret;

	/* The record first: whatever this receiver makes, a later one can undo. */
	ret = vz_mig_incoming_begin(d->ct, &d->in, err);
	if (ret == 0)
		ret = vz_mig_incoming_made(&d->in, &d->in.conf, d->ct->conf_path, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
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
	if (d->hello->online) {
		uint64_t caps_dropped;

		ret = vz_caps_dropped(d->ct, &caps_dropped, err);
		if (ret == 0)
			ret = vz_seccomp_prepare(d->ct, caps_dropped, &d->seccomp, err);
		if (ret < 0)
			return refuse(d, VZ_MIG_F_SYSTEM, err);
		d->seccomp_ready = true;
	}
	ret = vz_mig_incoming_made(&d->in, &d->in.priv, d->priv, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	ret = vz_mkdir_p(d->priv, 0700);
	if (ret < 0) {
		vz_error_sys(err, VZ_E_CREATE_PRIVATE, -ret, "Cannot create '%s'", d->priv);
		return refuse(d, VZ_MIG_F_COPY, err);
	}
	d->made_priv = true;
	/* As at create: what arrives is born in the CT's project, special files too. */
	vz_ct_quota_prepare(d->ct, d->priv);
	ret = dst_image_prepare(d, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	return vz_mig_send_reply(d->c, true, 0, NULL, err);
}

static int dst_tree(struct dst *d, const char *dir, uint32_t stream, bool incremental,
		    struct vz_error *err)
{
	struct vz_mig_tar *t = d->next_tar;
	int ret = 0;

	d->next_tar = NULL;
	if (!t)
		ret = vz_mig_tar_receiver(dir, incremental, &t, err);
	if (ret == 0)
		ret = vz_mig_recv_tree_with(d->c, t, stream, err);
	/* An image CT: its root.img follows the rest of the private area. */
	if (ret == 0 && d->image)
		ret = vz_mig_recv_image(d->c, d->image, incremental, d->image_max, err);
	if (ret < 0) {
		vz_error_prefix(err, "Cannot receive the private area: ");
		return refuse(d, vz_mig_lost(err) ? VZ_MIG_F_CONNECT : VZ_MIG_F_COPY, err);
	}
	ret = vz_mig_send_reply(d->c, true, 0, NULL, err);
	/*
	 * A next pass, if one comes (the source CT runs), finds its tar
	 * started: after the answer, so that the source does not wait for the
	 * fork; one that cannot start now is started by that pass.
	 */
	if (ret == 0) {
		struct vz_error ignored;

		vz_mig_tar_receiver(dir, true, &d->next_tar, &ignored);
	}
	return ret;
}

/* The directory of the incoming dump and its rounds, made once (searchable: see cpt.c). */
static int dst_dump_root(struct dst *d, struct vz_error *err)
{
	__vz_free char *dumpdir = NULL;
	int ret;

	if (d->dump)
		return 0;
	dumpdir = vz_ct_get_subst(d->ct, "DUMPDIR");
	if (!dumpdir || asprintf(&d->dump, "%s/Dump.%s.incoming", dumpdir, d->ct->idstr) < 0) {
		d->dump = NULL;
		vz_error_set(err, VZ_E_SYSTEM, EINVAL, "DUMPDIR is not set");
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	}
	ret = vz_mig_incoming_made(&d->in, &d->in.dump, d->dump, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	vz_rm_rf(d->dump);
	ret = vz_mkdir_p(d->dump, 0711);
	if (ret < 0) {
		vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create '%s'", d->dump);
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	}
	return 0;
}

/* round n's images directory, "dump" for the final one; "parent" -> the round before. */
static int dst_round_dir(struct dst *d, unsigned n, bool final, char **out, struct vz_error *err)
{
	__vz_free char *dir = NULL;
	char parent[16];
	int ret;

	if ((final ? asprintf(&dir, "%s/dump", d->dump) : asprintf(&dir, "%s/%u", d->dump, n)) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot receive the pages");
	ret = mkdir(dir, 0700) < 0 ? -errno : 0;
	if (ret == -EEXIST && final)
		ret = 0;
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot create '%s'", dir);
	if (n > 1) {
		__vz_free char *link = vz_path_join(dir, "parent");

		snprintf(parent, sizeof(parent), "../%u", n - 1);
		if (!link)
			return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot receive the pages");
		unlink(link);
		if (symlink(parent, link) < 0)
			return vz_error_sys(err, VZ_E_SYSTEM, errno, "Cannot link '%s' to its parent", dir);
	}
	*out = take_ptr(dir);
	return 0;
}

/* ROUND: a page server for the round's pages (migrate-pages.h). */
static int dst_round(struct dst *d, const MigRoundEntry *in, struct vz_error *err)
{
	__vz_free char *dir = NULL;
	bool final = in->has_final && in->final;
	uint64_t bytes;
	int ret;

	if (!d->made_priv || !d->hello->online || d->final_round || in->round != d->rounds + 1) {
		vz_error_set(err, VZ_E_SYSTEM, EPROTO, "Pre-copy round %u out of turn", in->round);
		return refuse(d, VZ_MIG_F_CONNECT, err);
	}
	ret = dst_dump_root(d, err);
	if (ret < 0)
		return ret;
	ret = dst_round_dir(d, in->round, final, &dir, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_COPY, err);
	ret = vz_mig_round_serve(d->c, dir, &bytes, err);
	if (ret < 0) {
		vz_error_prefix(err, "Pre-copy round %u: ", in->round);
		return refuse(d, vz_mig_lost(err) ? VZ_MIG_F_CONNECT : VZ_MIG_F_COPY, err);
	}
	vz_debug("Pre-copy round %u: %llu bytes", in->round, (unsigned long long)bytes);
	d->rounds = in->round;
	d->final_round = final;
	return vz_mig_send_reply(d->c, true, 0, NULL, err);
}

static int dst_restore(struct dst *d, struct vz_error *err)
{
	__vz_free char *dir = NULL;
	struct vz_cpt_opts co = { 0 };
	int ret;

	ret = dst_dump_root(d, err);
	if (ret < 0)
		return ret;
	/* The final round made the directory (the pages are in it); or a dump without rounds. */
	ret = dst_round_dir(d, d->final_round ? d->rounds : 0, true, &dir, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_SYSTEM, err);
	ret = vz_mig_has_cap(d->hello, "dump-tree")
		      ? vz_mig_recv_dir(d->c, dir, VZ_MIG_STREAM_DUMP, err)
		      : vz_mig_recv_tree(d->c, dir, VZ_MIG_STREAM_DUMP, false, err);
	/* The source's "parent" link came along: the one made here is the one used. */
	if (ret == 0 && d->final_round) {
		free(dir);
		dir = NULL;
		ret = dst_round_dir(d, d->rounds, true, &dir, err);
	}
	if (ret < 0) {
		vz_error_prefix(err, "Cannot receive the dump: ");
		return refuse(d, vz_mig_lost(err) ? VZ_MIG_F_CONNECT : VZ_MIG_F_COPY, err);
	}
	co.dumpdir = dir;
	co.criu_checked = true; /* at the hello: not again while the source is frozen */
	co.seccomp_ready = d->seccomp_ready;
	co.seccomp = d->seccomp;
	/* From here the CT may run here: a receiver dying now leaves a CT that is kept. */
	ret = vz_mig_incoming_stage(&d->in, VZ_MIG_STAGE_RUNNING, err);
	if (ret == 0)
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
	int ret = vz_mig_incoming_stage(&d->in, VZ_MIG_STAGE_RUNNING, err);

	if (ret == 0)
		ret = vz_ct_start(d->ct, &so, err);
	if (ret < 0)
		return refuse(d, VZ_MIG_F_RESTORE, err);
	d->running = true;
	return 0;
}

/*
 * After a refusal, read what the source still sends until its ABORT (or
 * for a few seconds): closing a TCP connection with unread data resets it,
 * and the reset can overtake the refusal, leaving the source without the
 * reason.
 */
static void drain(struct vz_mig_conn *c)
{
	uint64_t until = now_ms() + 5000;

	vz_mig_conn_release(c);
	while (now_ms() < until) {
		struct pollfd p = { .fd = c->in, .events = POLLIN };
		struct vz_error ignored;
		MigFrameEntry *f = NULL;
		bool abort;

		if (poll(&p, 1, (int)(until - now_ms())) <= 0 || vz_mig_recv(c, &f, &ignored) < 0)
			return;
		abort = f->kind == VZ_MIG_KIND_ABORT;
		mig_frame_entry__free_unpacked(f, NULL);
		if (abort)
			return;
	}
}

/* Anything but COMMIT undoes what this side made. */
static void dst_undo(struct dst *d)
{
	struct vz_error err = { 0 };

	vz_mig_tar_free(d->next_tar);
	d->next_tar = NULL;
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
				} else if (stream != VZ_MIG_STREAM_FILES &&
					   stream != VZ_MIG_STREAM_FILES_DELTA) {
					ret = vz_error_set(err, VZ_E_SYSTEM, EPROTO,
							   "Stream %u out of turn", stream);
				} else {
					ret = dst_tree(&d, d.priv, stream,
						       stream == VZ_MIG_STREAM_FILES_DELTA, err);
				}
			}
			break;
		case VZ_MIG_KIND_ROUND:
			ret = dst_round(&d, f->round, err);
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
	if (ret < 0 && r->fail != VZ_MIG_F_CONNECT)
		drain(c);
	if (ret < 0)
		dst_undo(&d);
	else if (committed)
		vz_info("Container %s arrived", d.ct->idstr);
out:
	vz_mig_tar_free(d.next_tar);
	vz_seccomp_free(d.seccomp);
	if (d.dump)
		vz_rm_rf(d.dump);
	/* Undone, kept (--keep-dst) or committed: nothing half made is left to recover. */
	vz_mig_incoming_end(&d.in);
	if (d.locked)
		vz_unlock(&d.lock);
	vz_mig_conn_release(c);
	if (hello)
		mig_frame_entry__free_unpacked(hello, NULL);
	r->total_ms = now_ms() - t0;
	vz_ct_free(d.ct);
	free(d.priv);
	free(d.image);
	free(d.dump);
	return ret;
}
