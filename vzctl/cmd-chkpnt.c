// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzctl chkpnt|suspend and restore|resume: checkpoint a running CT to a dump
 * directory and bring it back, whole or step by step as OpenVZ did.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "cpt.h"
#include "vzctl.h"

enum { OPT_DUMPFILE = 1, OPT_SUSPEND, OPT_DUMP, OPT_RESUME, OPT_KILL, OPT_UNDUMP };

static const struct option cpt_opts[] = {
	{ "dumpfile", required_argument, NULL, OPT_DUMPFILE },
	{ "suspend", no_argument, NULL, OPT_SUSPEND },
	{ "dump", no_argument, NULL, OPT_DUMP },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "kill", no_argument, NULL, OPT_KILL },
	{ "undump", no_argument, NULL, OPT_UNDUMP },
	{ NULL, 0, NULL, 0 },
};

static int parse(const char *cmd, bool restore, int argc, char **argv, struct vz_cpt_opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "", cpt_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DUMPFILE:
			if (!*optarg)
				return vzctl_bad_usage(cmd, "--dumpfile needs a directory");
			o->dumpdir = optarg;
			break;
		case OPT_SUSPEND:
		case OPT_DUMP:
			if (restore)
				return vzctl_bad_usage(cmd, "invalid option '%s'", argv[optind - 1]);
			o->steps |= c == OPT_SUSPEND ? VZ_CPT_SUSPEND : VZ_CPT_DUMP;
			break;
		case OPT_UNDUMP:
			if (!restore)
				return vzctl_bad_usage(cmd, "invalid option '%s'", argv[optind - 1]);
			o->steps |= VZ_CPT_UNDUMP;
			break;
		case OPT_RESUME:
			o->steps |= VZ_CPT_RESUME;
			break;
		case OPT_KILL:
			o->steps |= VZ_CPT_KILL;
			break;
		default:
			return vzctl_bad_usage(cmd, "invalid option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return vzctl_bad_usage(cmd, "unexpected argument '%s'", argv[optind]);
	if ((o->steps & VZ_CPT_RESUME) && (o->steps & VZ_CPT_KILL))
		return vzctl_bad_usage(cmd, "--resume and --kill exclude each other");
	return 0;
}

int cmd_chkpnt(struct vzctl *v, int argc, char **argv)
{
	struct vz_cpt_opts o = { 0 };
	int ret = parse("chkpnt", false, argc, argv, &o);

	if (ret)
		return ret;
	if (vz_ct_chkpnt(v->ct, &o, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}

int cmd_restore(struct vzctl *v, int argc, char **argv)
{
	struct vz_cpt_opts o = { 0 };
	int ret = parse("restore", true, argc, argv, &o);

	if (ret)
		return ret;
	if (vz_ct_restore(v->ct, &o, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}
