// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>

#include "cli.h"
#include "lifecycle.h"
#include "vzctl.h"

enum { OPT_WAIT = 1, OPT_FORCE, OPT_FAST, OPT_SKIP_UMOUNT };

static const struct option start_stop_opts[] = {
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "fast", no_argument, NULL, OPT_FAST },
	{ "skip-umount", no_argument, NULL, OPT_SKIP_UMOUNT },
	{ NULL, 0, NULL, 0 },
};

/* start takes --wait --force, stop --fast --skip-umount, restart all four. */
static int parse(const char *cmd, int argc, char **argv, bool start, bool stop,
		 struct vz_start_opts *so, struct vz_stop_opts *to)
{
	int c;

	while ((c = getopt_long(argc, argv, "", start_stop_opts, NULL)) != -1) {
		if (start && c == OPT_WAIT)
			so->wait = true;
		else if (start && c == OPT_FORCE)
			so->force = true;
		else if (stop && c == OPT_FAST)
			to->fast = true;
		else if (stop && c == OPT_SKIP_UMOUNT)
			to->skip_umount = true;
		else
			return vzctl_bad_usage(cmd, "invalid option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return vzctl_bad_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

int cmd_start(struct vzctl *v, int argc, char **argv)
{
	struct vz_start_opts so = { 0 };
	struct vz_stop_opts to = { 0 };
	int ret = parse("start", argc, argv, true, false, &so, &to);

	if (ret)
		return ret;
	if (vz_ct_start(v->ct, &so, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}

int cmd_stop(struct vzctl *v, int argc, char **argv)
{
	struct vz_start_opts so = { 0 };
	struct vz_stop_opts to = { 0 };
	int ret = parse("stop", argc, argv, false, true, &so, &to);

	if (ret)
		return ret;
	if (vz_ct_stop(v->ct, &to, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}

int cmd_restart(struct vzctl *v, int argc, char **argv)
{
	struct vz_start_opts so = { 0 };
	struct vz_stop_opts to = { 0 };
	int ret = parse("restart", argc, argv, true, true, &so, &to);

	if (ret)
		return ret;
	vz_error_clear(&v->err);
	if (vz_ct_stop(v->ct, &to, &v->err) < 0 && v->err.kind != VZ_E_NOT_RUNNING)
		return vz_cli_fail(&v->err);
	if (vz_ct_start(v->ct, &so, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}
