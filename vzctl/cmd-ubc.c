// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzctl ubc [CTID|NAME...] and vzubc: print the beancounters of running
 * CTs in the exact /proc/user_beancounters 2.5 format (lib/ubc.h), every
 * running CT when none is named.
 */
#define VZ_LOG_PREFIX "ubc"
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "cmd-ubc.h"
#include "ct.h"
#include "fileutil.h"
#include "log.h"
#include "state.h"
#include "ubc.h"

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* Every CTID with a config file, sorted. */
static int all_ids(struct vz_env *env, unsigned **out, size_t *nr)
{
	__vz_free char *dir = vz_path_join(env->confdir, "conf");
	__vz_closedir DIR *d = NULL;
	unsigned *ids = NULL;
	struct dirent *de;
	size_t n = 0;

	*out = NULL;
	*nr = 0;
	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t len = strspn(de->d_name, "0123456789");
		unsigned id, *grown;
		char num[16];

		if (!len || len >= sizeof(num) || strcmp(de->d_name + len, ".conf") ||
		    de->d_name[0] == '0')
			continue;
		memcpy(num, de->d_name, len);
		num[len] = '\0';
		if (vz_ctid_parse(num, &id, NULL) < 0 || id == 0)
			continue;
		grown = realloc(ids, (n + 1) * sizeof(*ids));
		if (!grown) {
			free(ids);
			return -ENOMEM;
		}
		ids = grown;
		ids[n++] = id;
	}
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_uint);
	*out = ids;
	*nr = n;
	return 0;
}

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [CTID|NAME...]\n"
		"Print the beancounters of running containers (all of them when none is named)\n"
		"in the format of /proc/user_beancounters (version 2.5).\n",
		prog);
}

int vzctl_ubc_run(const char *prog, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	__vz_env struct vz_env *env = NULL;
	__vz_free unsigned *ids = NULL;
	__vz_free char *proc_text = NULL;
	struct vz_error err = {0};
	bool named;
	size_t nr = 0;
	int c, ret, status = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout, prog);
			return 0;
		}
		fprintf(stderr, "%s: invalid option '%s'\n", prog, argv[optind - 2]);
		usage(stderr, prog);
		return VZ_EXIT_BAD_OPTION;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (vz_env_open(&env, &err) < 0)
		return vz_cli_fail(&err);
	named = argc > 0;
	if (named) {
		ids = calloc((size_t)argc, sizeof(*ids));
		if (!ids)
			return VZ_EXIT_SYSTEM;
		for (int i = 0; i < argc; i++) {
			if (vz_ct_resolve(env, argv[i], &ids[nr], &err) < 0)
				return vz_cli_fail(&err);
			if (ids[nr] == 0) {
				vz_error_set(&err, VZ_E_BAD_VALUE, EINVAL,
					     "Container ID 0 (the host) has no beancounters here");
				return vz_cli_fail(&err);
			}
			nr++;
		}
		qsort(ids, nr, sizeof(*ids), cmp_uint);
	} else {
		ret = all_ids(env, &ids, &nr);
		if (ret < 0) {
			vz_error_sys(&err, VZ_E_SYSTEM, -ret, "Cannot list the containers");
			return vz_cli_fail(&err);
		}
	}
	/* One snapshot of the kernel's table for every CT (it is built on each read). */
	proc_text = vz_ubc_proc_text();
	if (!proc_text)
		return VZ_EXIT_SYSTEM;
	vz_ubc_print_header(stdout);
	for (size_t i = 0; i < nr; i++) {
		__vz_ct struct vz_ct *ct = NULL;
		struct vz_ubc u;

		if (vz_ct_open(env, ids[i], &ct, &err) < 0 || vz_ubc_read(ct, proc_text, &u, &err) < 0) {
			/* Not running: only an error when it was asked for by name. */
			if (named || err.kind != VZ_E_NOT_RUNNING) {
				if (named && ct && !ct->exists)
					vz_error_set(&err, VZ_E_NO_CTCONF, ENOENT,
						     "Container %u does not exist", ids[i]);
				status = vz_cli_fail(&err);
			}
			vz_error_clear(&err);
			continue;
		}
		vz_ubc_print(stdout, &u);
	}
	if (fflush(stdout) == EOF && status == 0)
		status = VZ_EXIT_SYSTEM;
	return status;
}
