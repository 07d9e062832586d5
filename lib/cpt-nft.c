// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CT's nftables ruleset across a checkpoint (see cpt-nft.h).
 */
#define VZ_LOG_PREFIX "cpt"
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-nft.h"
#include "fileutil.h"
#include "log.h"

#define NFT_LIB "libnftables.so.1"
#define RULES_MAX (16u << 20)

struct nft_api {
	__typeof__(&nft_ctx_new) ctx_new;
	__typeof__(&nft_ctx_free) ctx_free;
	__typeof__(&nft_ctx_buffer_output) buffer_output;
	__typeof__(&nft_ctx_buffer_error) buffer_error;
	__typeof__(&nft_ctx_get_output_buffer) output;
	__typeof__(&nft_ctx_get_error_buffer) error;
	__typeof__(&nft_run_cmd_from_buffer) run;
};

struct nft_job {
	pid_t pid;
	int dirfd;
	char *rules; /* restore: what to load */
};

/* In the child: enter pid's network namespace and get a libnftables context. */
static struct nft_ctx *nft_enter(pid_t pid, struct nft_api *api, struct vz_error *err)
{
	struct nft_ctx *ctx;
	void *lib;

	if (vz_enter_ns(pid, CLONE_NEWNET, VZ_E_SYSTEM, err) < 0)
		return NULL;
	lib = dlopen(NFT_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		vz_error_set(err, VZ_E_SYSTEM, ENOENT, "Cannot load %s (package libnftables1): %s",
			     NFT_LIB, dlerror());
		return NULL;
	}
	*(void **)&api->ctx_new = dlsym(lib, "nft_ctx_new");
	*(void **)&api->ctx_free = dlsym(lib, "nft_ctx_free");
	*(void **)&api->buffer_output = dlsym(lib, "nft_ctx_buffer_output");
	*(void **)&api->buffer_error = dlsym(lib, "nft_ctx_buffer_error");
	*(void **)&api->output = dlsym(lib, "nft_ctx_get_output_buffer");
	*(void **)&api->error = dlsym(lib, "nft_ctx_get_error_buffer");
	*(void **)&api->run = dlsym(lib, "nft_run_cmd_from_buffer");
	if (!api->ctx_new || !api->ctx_free || !api->buffer_output || !api->buffer_error ||
	    !api->output || !api->error || !api->run) {
		vz_error_set(err, VZ_E_SYSTEM, ENOSYS, "%s lacks a function vz needs", NFT_LIB);
		return NULL;
	}
	ctx = api->ctx_new(NFT_CTX_DEFAULT);
	if (!ctx || api->buffer_output(ctx) < 0 || api->buffer_error(ctx) < 0) {
		vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot start libnftables");
		return NULL;
	}
	return ctx;
}

/* The first line of libnftables' error text (it names the rule and the reason). */
static const char *first_line(const char *text, char *buf, size_t size)
{
	size_t len = text ? strcspn(text, "\n") : 0;

	snprintf(buf, size, "%.*s", (int)len, text ? text : "");
	return buf;
}

/* A table of CRIU's own network lock ("inet CRIU", "inet CRIU-<pid>"): not the CT's. */
static bool criu_table(const char *line, size_t len)
{
	static const char prefix[] = "table inet CRIU";
	size_t plen = sizeof(prefix) - 1;

	return len > plen && !strncmp(line, prefix, plen) && (line[plen] == ' ' || line[plen] == '-');
}

int vz_cpt_nft_write_rules(int fd, const char *rules)
{
	bool skipping = false;

	for (const char *line = rules; *line;) {
		size_t len = strcspn(line, "\n");
		size_t with_nl = len + (line[len] == '\n');

		if (!skipping && criu_table(line, len))
			skipping = true;
		else if (!skipping && vz_write_full(fd, line, with_nl) < 0)
			return -errno;
		else if (skipping && len == 1 && line[0] == '}')
			skipping = false;
		line += with_nl;
	}
	return 0;
}

static int save_child(void *arg, struct vz_error *err)
{
	struct nft_job *j = arg;
	struct nft_api api;
	struct nft_ctx *ctx = nft_enter(j->pid, &api, err);
	const char *rules;
	char line[256];
	int fd;

	if (!ctx)
		return -EIO;
	if (api.run(ctx, "list ruleset") != 0)
		return vz_error_set(err, VZ_E_CHKPNT, EIO, "Cannot list the CT's nftables rules: %s",
				    first_line(api.error(ctx), line, sizeof(line)));
	rules = api.output(ctx);
	if (!rules || !*rules)
		return 0;
	fd = openat(j->dirfd, VZ_CPT_NFT_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || vz_cpt_nft_write_rules(fd, rules) < 0)
		return vz_error_sys(err, VZ_E_CHKPNT, errno ?: EIO, "Cannot write '%s'",
				    VZ_CPT_NFT_FILE);
	/* Only CRIU's lock tables: no file, and the restore loads nothing. */
	if (lseek(fd, 0, SEEK_CUR) == 0)
		unlinkat(j->dirfd, VZ_CPT_NFT_FILE, 0);
	close(fd);
	return 0;
}

int vz_cpt_nft_save_start(pid_t init_pid, int dirfd, struct vz_child *c, struct vz_error *err)
{
	struct nft_job j = { .pid = init_pid, .dirfd = dirfd };

	/* The child has its own copy of j. */
	return vz_child_start(c, save_child, &j, err);
}

int vz_cpt_nft_save_wait(struct vz_child *c, struct vz_error *err)
{
	return vz_child_wait(c, "Listing the CT's nftables rules", err);
}

static int restore_child(void *arg, struct vz_error *err)
{
	struct nft_job *j = arg;
	struct nft_api api;
	struct nft_ctx *ctx = nft_enter(j->pid, &api, err);
	char line[256];

	if (!ctx)
		return -EIO;
	if (api.run(ctx, j->rules) != 0)
		return vz_error_set(err, VZ_E_RESTORE, EINVAL,
				    "Cannot load the CT's nftables rules here: %s",
				    first_line(api.error(ctx), line, sizeof(line)));
	return 0;
}

int vz_cpt_nft_load_rules(int dirfd, char **rules, struct vz_error *err)
{
	int len = vz_read_text_at(dirfd, VZ_CPT_NFT_FILE, RULES_MAX, rules, VZ_E_RESTORE, err);

	if (len == -ENOENT)
		return 0;
	if (len < 0)
		return len;
	if ((*rules)[strspn(*rules, " \t\n")])
		return 1;
	/* An empty file (an older vzctl's, for a CT without rules): nothing to load. */
	free(*rules);
	*rules = NULL;
	return 0;
}

int vz_cpt_nft_restore(pid_t pid, int dirfd, struct vz_error *err)
{
	__vz_free char *rules = NULL;
	struct nft_job j = { .pid = pid, .dirfd = dirfd };
	int ret = vz_cpt_nft_load_rules(dirfd, &rules, err);

	if (ret <= 0)
		return ret;
	j.rules = rules;
	return vz_child_run(restore_child, &j, "Loading the CT's nftables rules", err);
}
