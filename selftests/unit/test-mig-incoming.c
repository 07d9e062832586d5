// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/migrate-incoming.c: the record a migration receiver keeps of what it
 * made; a record whose receiver died marks a half-made CT that recovery
 * removes, one whose receiver lives is left alone, a CT that was already
 * restored is kept, and paths that are not the CT's own are never removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct.h"
#include "error.h"
#include "fileutil.h"
#include "log.h"
#include "migrate-incoming.h"
#include "tap.h"

static char tmpdir[] = "/tmp/vz-unit-mig-incoming.XXXXXX";
static char conf[256], priv[256], record[256], other[256];

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		ret = -EIO;
	close(fd);
	return ret;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* A half-made CT: its config, its private area with a file, the record of a receiver. */
static void half_made(struct vz_env *env, struct vz_ct **ct, bool dead, enum vz_mig_stage stage)
{
	struct vz_mig_incoming in;
	struct vz_error err = {0};
	pid_t child = -1;

	vz_ct_free(*ct);
	*ct = NULL;
	if (vz_ct_open(env, 101, ct, &err) < 0)
		abort();
	if (dead) {
		/* The record is written by a receiver that then dies. */
		child = fork();
		if (child == 0) {
			struct vz_mig_incoming mine;

			if (vz_mig_incoming_begin(*ct, &mine, NULL) < 0 ||
			    vz_mig_incoming_made(&mine, &mine.conf, conf, NULL) < 0 ||
			    vz_mig_incoming_made(&mine, &mine.priv, priv, NULL) < 0 ||
			    vz_mig_incoming_stage(&mine, stage, NULL) < 0)
				_exit(1);
			_exit(0);
		}
		waitpid(child, NULL, 0);
	} else {
		if (vz_mig_incoming_begin(*ct, &in, &err) < 0 ||
		    vz_mig_incoming_made(&in, &in.conf, conf, &err) < 0 ||
		    vz_mig_incoming_made(&in, &in.priv, priv, &err) < 0)
			abort();
		vz_mig_incoming_free(&in); /* the record stays: this process "receives" */
	}
	if (write_text(conf, "VE_LAYOUT=\"simfs\"\n") < 0 || vz_mkdir_p(priv, 0700) < 0 ||
	    write_text(other, "x") < 0)
		abort();
	{
		char file[300];

		snprintf(file, sizeof(file), "%s/file", priv);
		write_text(file, "data");
	}
	if (vz_ct_reload(*ct, &err) < 0)
		abort();
}

int main(void)
{
	struct vz_error err = {0};
	struct vz_env *env = NULL;
	struct vz_ct *ct = NULL;
	struct vz_mig_incoming in;
	char text[1024];
	int ret;

	vz_log_set_verbosity(-1);
	if (!mkdtemp(tmpdir)) {
		ok(0, "create a temporary directory");
		return done_testing();
	}
	snprintf(text, sizeof(text),
		 "LOCKDIR=\"%s/lock\"\nVE_PRIVATE=\"%s/private/$VEID\"\nVE_ROOT=\"%s/root/$VEID\"\n"
		 "RUNDIR=\"%s/run\"\nDUMPDIR=\"%s/dump\"\n",
		 tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
	snprintf(conf, sizeof(conf), "%s/conf/101.conf", tmpdir);
	snprintf(priv, sizeof(priv), "%s/private/101", tmpdir);
	snprintf(record, sizeof(record), "%s/lock/101%s", tmpdir, VZ_MIG_INCOMING_SUFFIX);
	snprintf(other, sizeof(other), "%s/other", tmpdir);
	{
		char path[300];

		snprintf(path, sizeof(path), "%s/vz.conf", tmpdir);
		if (write_text(path, text) < 0)
			abort();
		snprintf(path, sizeof(path), "%s/conf", tmpdir);
		vz_mkdir_p(path, 0755);
		snprintf(path, sizeof(path), "%s/lock", tmpdir);
		vz_mkdir_p(path, 0755);
	}
	setenv("VZ_CONFDIR", tmpdir, 1);
	if (vz_env_open(&env, &err) < 0) {
		ok(0, "open the environment: %s", err.msg);
		goto out;
	}

	/* A live receiver (this process): nothing to recover. */
	half_made(env, &ct, false, VZ_MIG_STAGE_RECEIVING);
	ok(exists(record), "live: the receiver's record is written");
	is_int(vz_mig_incoming_stale(ct, &in), 0, "live: a record of a live receiver is not stale");
	vz_error_clear(&err);
	is_int(vz_mig_incoming_recover(ct, &err), 0, "live: recovery leaves it (%s)", err.msg);
	ok(exists(conf) && exists(priv) && exists(record),
	   "live: ... config, private area, record");
	unlink(record);

	/* A receiver that died while receiving: its half-made CT goes. */
	half_made(env, &ct, true, VZ_MIG_STAGE_RECEIVING);
	ret = vz_mig_incoming_stale(ct, &in);
	is_int(ret, 1, "dead: the record of a dead receiver is stale");
	ok(ret == 1 && in.conf && !strcmp(in.conf, conf) && in.priv && !strcmp(in.priv, priv) &&
		   in.stage == VZ_MIG_STAGE_RECEIVING,
	   "dead: ... naming what it made");
	vz_mig_incoming_free(&in);
	vz_error_clear(&err);
	ret = vz_mig_incoming_recover(ct, &err);
	is_int(ret, 1, "dead: recovery removes the half-made CT (%s)", err.msg);
	ok(!exists(conf) && !exists(priv) && !exists(record),
	   "dead: config, private area and record are gone");
	ok(!ct->exists, "dead: the CT no longer exists");
	ok(exists(other), "dead: nothing else is touched");

	/* Died after the restore, waiting for the commit: the CT is kept. */
	half_made(env, &ct, true, VZ_MIG_STAGE_RUNNING);
	vz_error_clear(&err);
	is_int(vz_mig_incoming_recover(ct, &err), 0, "restored: recovery keeps the CT (%s)",
	       err.msg);
	ok(exists(conf) && exists(priv) && !exists(record),
	   "restored: config and private area kept, the record dropped");
	unlink(conf);
	vz_rm_rf(priv);

	/* A record naming another private area than the CT's: never removed. */
	half_made(env, &ct, true, VZ_MIG_STAGE_RECEIVING);
	{
		char *rec = NULL, *p;

		if (vz_read_file(record, &rec, NULL) < 0 || !(p = strstr(rec, "PRIVATE=")))
			abort();
		snprintf(text, sizeof(text), "%.*sPRIVATE=%s\nDUMP=\n", (int)(p - rec), rec, other);
		free(rec);
		write_text(record, text);
	}
	vz_error_clear(&err);
	is_int(vz_mig_incoming_recover(ct, &err), 1, "foreign: recovery runs (%s)", err.msg);
	ok(exists(other), "foreign: a path that is not the CT's private area is left alone");
	ok(!exists(conf), "foreign: the CT's own config goes");
	vz_rm_rf(priv);

	/* A garbage record is ignored, not trusted. */
	half_made(env, &ct, true, VZ_MIG_STAGE_RECEIVING);
	write_text(record, "PID=1\nSTAGE=receiving\nPRIVATE=relative/path\n");
	vz_error_clear(&err);
	is_int(vz_mig_incoming_recover(ct, &err), 0,
	       "garbage: a record with a relative path is ignored");
	ok(exists(conf) && exists(priv), "garbage: ... and nothing removed");

	/* The sweep a receiver starts with: every dead receiver's CT. */
	half_made(env, &ct, true, VZ_MIG_STAGE_RECEIVING);
	is_int(vz_mig_incoming_sweep(env), 1, "sweep: one half-made CT removed");
	ok(!exists(conf) && !exists(priv) && !exists(record), "sweep: ... all of it");
out:
	ret = done_testing();
	vz_ct_free(ct);
	vz_env_free(env);
	if (vz_rm_rf(tmpdir) < 0)
		diag("Cannot remove '%s'", tmpdir);
	return ret;
}
