// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The record of a CT arriving by migration, and the recovery of a CT a
 * dead receiver left half made (see migrate-incoming.h).
 */
#define VZ_LOG_PREFIX "migrate"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "lifecycle.h"
#include "lock.h"
#include "log.h"
#include "migrate-incoming.h"
#include "net.h"
#include "procutil.h"
#include "state.h"

static const char *const stage_names[] = {
	[VZ_MIG_STAGE_RECEIVING] = "receiving",
	[VZ_MIG_STAGE_RUNNING] = "running",
};

static char *record_path(struct vz_ct *ct)
{
	__vz_free char *dir = vz_ct_get_subst(ct, "LOCKDIR");
	char *path;

	if (!dir || asprintf(&path, "%s/%s%s", dir, ct->idstr, VZ_MIG_INCOMING_SUFFIX) < 0)
		return NULL;
	return path;
}

static int record_write(struct vz_mig_incoming *in, struct vz_error *err)
{
	__vz_free char *text = NULL;
	int len;

	if (!in->path)
		return vz_error_set(err, VZ_E_SYSTEM, EINVAL, "No migration record");
	len = asprintf(
		&text,
		"PID=%d\nSTARTTIME=%llu\nBOOT_ID=%s\nSTAGE=%s\nCONF=%s\nPRIVATE=%s\nDUMP=%s\n",
		(int)in->pid, in->starttime, in->boot_id, stage_names[in->stage], in->conf ?: "",
		in->priv ?: "", in->dump ?: "");
	if (len < 0) {
		text = NULL;
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write '%s'", in->path);
	}
	return vz_write_file_atomic(in->path, text, (size_t)len, 0600, err);
}

void vz_mig_incoming_free(struct vz_mig_incoming *in)
{
	free(in->path);
	free(in->conf);
	free(in->priv);
	free(in->dump);
	memset(in, 0, sizeof(*in));
}

int vz_mig_incoming_begin(struct vz_ct *ct, struct vz_mig_incoming *in, struct vz_error *err)
{
	int ret;

	memset(in, 0, sizeof(*in));
	in->path = record_path(ct);
	if (!in->path)
		return vz_error_set(err, VZ_E_SYSTEM, EINVAL, "LOCKDIR is not set");
	in->pid = getpid();
	in->starttime = vz_proc_starttime(in->pid);
	/* A pid of another boot names nobody. */
	vz_boot_id(in->boot_id, sizeof(in->boot_id));
	in->stage = VZ_MIG_STAGE_RECEIVING;
	ret = record_write(in, err);
	if (ret < 0)
		vz_mig_incoming_free(in);
	return ret;
}

int vz_mig_incoming_made(struct vz_mig_incoming *in, char **what, const char *path,
			 struct vz_error *err)
{
	char *copy = strdup(path);

	if (!copy)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot write '%s'", in->path);
	free(*what);
	*what = copy;
	return record_write(in, err);
}

int vz_mig_incoming_stage(struct vz_mig_incoming *in, enum vz_mig_stage stage, struct vz_error *err)
{
	in->stage = stage;
	return record_write(in, err);
}

void vz_mig_incoming_end(struct vz_mig_incoming *in)
{
	if (in->path)
		unlink(in->path);
	vz_mig_incoming_free(in);
}

static int record_parse(char *text, struct vz_mig_incoming *in)
{
	bool have_pid = false, have_stage = false;

	for (char *line = text, *nl; line && *line; line = nl) {
		char *eq = strchr(line, '='), **field = NULL;

		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (!eq)
			return -EINVAL;
		*eq++ = '\0';
		if (!strcmp(line, "PID")) {
			char *end;
			long pid = strtol(eq, &end, 10);

			if (*end || pid <= 0 || pid > (1 << 22))
				return -EINVAL;
			in->pid = (pid_t)pid;
			have_pid = true;
		} else if (!strcmp(line, "STARTTIME")) {
			in->starttime = strtoull(eq, NULL, 10);
		} else if (!strcmp(line, "BOOT_ID")) {
			snprintf(in->boot_id, sizeof(in->boot_id), "%s", eq);
		} else if (!strcmp(line, "STAGE")) {
			if (!strcmp(eq, stage_names[VZ_MIG_STAGE_RUNNING]))
				in->stage = VZ_MIG_STAGE_RUNNING;
			else if (!strcmp(eq, stage_names[VZ_MIG_STAGE_RECEIVING]))
				in->stage = VZ_MIG_STAGE_RECEIVING;
			else
				return -EINVAL;
			have_stage = true;
		} else if (!strcmp(line, "CONF")) {
			field = &in->conf;
		} else if (!strcmp(line, "PRIVATE")) {
			field = &in->priv;
		} else if (!strcmp(line, "DUMP")) {
			field = &in->dump;
		}
		if (field && *eq) {
			/* Only absolute paths are ever written. */
			if (*eq != '/')
				return -EINVAL;
			free(*field);
			*field = strdup(eq);
			if (!*field)
				return -ENOMEM;
		}
	}
	return have_pid && have_stage ? 0 : -EINVAL;
}

/* The receiver that wrote the record still runs (same pid, started at the same time, this boot). */
static bool receiver_alive(const struct vz_mig_incoming *in)
{
	char boot[40];

	vz_boot_id(boot, sizeof(boot));
	if (strcmp(boot, in->boot_id))
		return false;
	if (kill(in->pid, 0) < 0 && errno != EPERM)
		return false;
	return !in->starttime || vz_proc_starttime(in->pid) == in->starttime;
}

int vz_mig_incoming_stale(struct vz_ct *ct, struct vz_mig_incoming *in)
{
	__vz_free char *text = NULL;
	int ret;

	memset(in, 0, sizeof(*in));
	in->path = record_path(ct);
	if (!in->path)
		return -ENOMEM;
	ret = vz_read_file(in->path, &text, NULL);
	if (ret == -ENOENT) {
		vz_mig_incoming_free(in);
		return 0;
	}
	if (ret >= 0)
		ret = record_parse(text, in);
	if (ret < 0) {
		vz_warn("Ignoring the unreadable migration record '%s'", in->path);
		vz_mig_incoming_free(in);
		return ret;
	}
	if (receiver_alive(in)) {
		vz_mig_incoming_free(in);
		return 0;
	}
	return 1;
}

/* What the record names must be the CT's own: never remove anything else. */
static bool is_ours(const char *path, const char *expected)
{
	return path && expected && !strcmp(path, expected);
}

int vz_mig_incoming_recover(struct vz_ct *ct, struct vz_error *err)
{
	struct vz_mig_incoming in;
	__vz_free char *priv = NULL, *root = NULL, *dumpdir = NULL, *dump = NULL;
	struct vz_ct_state st;
	int ret = vz_mig_incoming_stale(ct, &in);

	if (ret <= 0)
		return ret == -EINVAL ? 0 : ret;
	ret = vz_ct_get_state(ct, &st, err);
	if (ret < 0)
		goto out;
	priv = vz_ct_get_subst(ct, "VE_PRIVATE");
	root = vz_ct_get_subst(ct, "VE_ROOT");
	dumpdir = vz_ct_get_subst(ct, "DUMPDIR");
	if (dumpdir && asprintf(&dump, "%s/Dump.%s.incoming", dumpdir, ct->idstr) < 0)
		dump = NULL;
	/* The images the receiver got are of no use to anybody now. */
	if (in.dump && is_ours(in.dump, dump))
		vz_rm_rf(in.dump);
	if (in.stage == VZ_MIG_STAGE_RUNNING || st.running) {
		vz_warn("Container %s was restored on this node by a migration whose receiver "
			"(pid %d) died before the source's commit: it is kept, as it may be the "
			"only copy; if it runs on the source node as well, destroy one of them",
			ct->idstr, (int)in.pid);
		unlink(in.path);
		ret = 0;
		goto out;
	}
	vz_warn("Removing container %s: half made here by a migration whose receiver (pid %d) died",
		ct->idstr, (int)in.pid);
	if (st.mounted && vz_ct_umount(ct, err) < 0)
		goto fail;
	/* The private area as the received config names it (the record has it once made). */
	if (in.priv && is_ours(in.priv, priv)) {
		ret = vz_rm_rf(in.priv);
		if (ret < 0 && ret != -ENOENT) {
			vz_error_sys(err, VZ_E_DELETE, -ret, "Cannot remove '%s'", in.priv);
			goto fail;
		}
	}
	if (in.conf && is_ours(in.conf, ct->conf_path)) {
		if (ct->exists)
			vz_net_destroy(ct);
		if (unlink(in.conf) < 0 && errno != ENOENT) {
			ret = vz_error_sys(err, VZ_E_DELETE, errno, "Cannot remove '%s'", in.conf);
			goto fail;
		}
	}
	if (root)
		rmdir(root);
	unlink(in.path);
	{
		struct vz_error e = {0};

		/* The CT is gone now: a missing config is what reload should find. */
		ret = vz_ct_reload(ct, &e);
		if (ret < 0 && err)
			*err = e;
	}
	if (ret == 0)
		ret = 1;
	goto out;
fail:
	vz_error_prefix(err, "Cannot remove the half-migrated container %s: ", ct->idstr);
	ret = ret < 0 ? ret : -EIO;
out:
	vz_mig_incoming_free(&in);
	return ret;
}

int vz_mig_incoming_sweep(struct vz_env *env)
{
	__vz_free char *dir = vz_env_dir(env, "LOCKDIR");
	__vz_closedir DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;
	int removed = 0;

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name), suffix = strlen(VZ_MIG_INCOMING_SUFFIX);
		__vz_ct struct vz_ct *ct = NULL;
		struct vz_lock lock;
		struct vz_error err = {0};
		char *end;
		unsigned long id;

		if (len <= suffix || strcmp(de->d_name + len - suffix, VZ_MIG_INCOMING_SUFFIX))
			continue;
		errno = 0;
		id = strtoul(de->d_name, &end, 10);
		if (errno || end != de->d_name + len - suffix || !id || id > UINT32_MAX)
			continue;
		if (vz_ct_open(env, (unsigned)id, &ct, &err) < 0)
			continue;
		/* A CT another command holds is that command's business. */
		if (vz_lock_ct(ct, "recovering", &lock, &err) < 0)
			continue;
		if (vz_ct_reload(ct, &err) == 0 && vz_mig_incoming_recover(ct, &err) == 1)
			removed++;
		else if (err.kind != VZ_E_NONE)
			vz_warn("%s", err.msg);
		vz_unlock(&lock);
	}
	return removed;
}
