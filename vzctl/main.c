// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "cmd-ubc.h"
#include "log.h"
#include "migrate-incoming.h"
#include "vzctl.h"

static const struct vzctl_cmd commands[] = {
	{ "create", cmd_create, true,
	  "[--ostemplate NAME] [--config NAME] [--hostname NAME] [--name NAME]\n"
	  "                    [--private PATH] [--root PATH] [--ipadd ADDR[/LEN]]...\n"
	  "                    [--layout simfs|overlay|image] [--diskspace SOFT[:HARD]]\n"
	  "                    [--diskinodes SOFT[:HARD]]" },
	{ "destroy", cmd_destroy, true, "" },
	{ "delete", cmd_destroy, true, "" },
	{ "start", cmd_start, true, "[--wait] [--force]" },
	{ "stop", cmd_stop, true, "[--fast] [--skip-umount]" },
	{ "restart", cmd_restart, true, "[--wait] [--force] [--fast] [--skip-umount]" },
	{ "status", cmd_status, false, "" },
	{ "mount", cmd_mount, true, "" },
	{ "umount", cmd_umount, true, "" },
	{ "exec", cmd_exec, false, "COMMAND [ARG...] | -" },
	{ "exec2", cmd_exec2, false, "COMMAND [ARG...] | -" },
	{ "exec3", cmd_exec3, false, "COMMAND [ARG...]" },
	{ "enter", cmd_enter, false, "[--exec COMMAND [ARG...]]" },
	{ "console", cmd_console, false, "" },
	{ "runscript", cmd_runscript, false, "SCRIPT" },
	{ "chkpnt", cmd_chkpnt, true,
	  "[--dumpfile DIR] [--suspend] [--dump] [--resume|--kill]" },
	{ "suspend", cmd_chkpnt, true, "(the same as chkpnt)" },
	{ "restore", cmd_restore, true, "[--dumpfile DIR] [--undump] [--resume|--kill]" },
	{ "resume", cmd_restore, true, "(the same as restore)" },
	{ "set", cmd_set, true,
	  "[--save] [--hostname NAME] [--name NAME] [--description TEXT]\n"
	  "                    [--onboot yes|no] [--bootorder N] [--disabled yes|no]\n"
	  "                    [--nameserver ADDR|inherit]... [--searchdomain NAME]...\n"
	  "                    [--userpasswd USER:PASSWORD] [--stop-timeout SECONDS]\n"
	  "                    [--ipadd ADDR[/LEN]]... [--ipdel ADDR|all]...\n"
	  "                    [--netif_add IFNAME[,MAC,HOST_IFNAME,HOST_MAC,BRIDGE]]...\n"
	  "                    [--netif_del IFNAME|all]... [--ifname IFNAME [--mac MAC]\n"
	  "                    [--host_ifname NAME] [--host_mac MAC] [--bridge NAME]]\n"
	  "                    [--diskspace SOFT[:HARD]] [--diskinodes SOFT[:HARD]]\n"
	  "                    [--quotatime SECONDS] [--quotaugidlimit N]\n"
	  "                    [--ram SIZE] [--swap SIZE] [--vm_overcommit FACTOR]\n"
	  "                    [--BEANCOUNTER BARRIER[:LIMIT]]... (--numproc, --numfile, --kmemsize...)\n"
	  "                    [--cpuunits N] [--cpulimit N[%]] [--cpus N] [--cpumask LIST|all]\n"
	  "                    [--nodemask LIST|all] [--iolimit N[BKMG]] [--iopslimit N] [--ioprio 0-7]\n"
	  "                    [--devices b|c:MAJOR:MINOR|all:[r][w][q]|none]... [--devnodes DEV:r|w|rw|none]...\n"
	  "                    [--capability NAME:on|off]... [--features NAME:on|off]...\n"
	  "                    [--applyconfig SAMPLE] [--setmode restart|ignore] [--reset_ub] [--strict]" },
	{ "quotaon", cmd_quotaon, true, "" },
	{ "quotaoff", cmd_quotaoff, true, "" },
	{ "quotainit", cmd_quotainit, true, "" },
};

int vzctl_bad_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vzctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vzctl --help' for more information.\n");
	return VZ_EXIT_BAD_OPTION;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: vzctl [--quiet|--verbose] [--skiplock] COMMAND <CTID|NAME> [OPTIONS]\n"
		     "       vzctl --help | --version\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s <CTID> %s\n", commands[i].name, commands[i].usage);
	fprintf(out, "  %-10s [CTID...] beancounters of running CTs (/proc/user_beancounters format)\n",
		"ubc");
	fprintf(out, "\nThe configuration directory is $VZ_CONFDIR (default %s).\n"
		     "See vzctl(8) for every option and the exit codes.\n",
		VZ_DEFAULT_CONFDIR);
}

static bool options_are_flags(const struct vzctl_cmd *cmd)
{
	static const char *const names[] = { "start",  "stop",	 "restart", "destroy", "delete",
					     "mount",  "umount", "status",  "console" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(cmd->name, names[i]))
			return true;
	return false;
}

static const struct vzctl_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct vzctl v = { 0 };
	const struct vzctl_cmd *cmd;
	unsigned ctid;
	int verbosity = 0, i, ret;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--quiet"))
			verbosity = -1;
		else if (!strcmp(argv[i], "--verbose"))
			verbosity++;
		else if (!strcmp(argv[i], "--skiplock"))
			v.skiplock = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("vzctl version %s\n", VZ_VERSION);
			return 0;
		} else {
			return vzctl_bad_usage("", "unknown option '%s'", argv[i]);
		}
	}
	vz_log_set_verbosity(verbosity);
	if (i >= argc) {
		usage(stderr);
		return VZ_EXIT_BAD_OPTION;
	}
	/* ubc takes any number of CTs, or none: every running one (cmd-ubc.c). */
	if (!strcmp(argv[i], "ubc"))
		return vzctl_ubc_run("vzctl ubc", argc - i - 1, argv + i + 1);
	cmd = find_command(argv[i]);
	if (!cmd)
		return vzctl_bad_usage(argv[i], "unknown command");
	/*
	 * Accept "vzctl stop --fast 101" as well as "vzctl stop 101 --fast", for
	 * commands whose options take no value (elsewhere "--bootorder 5" would
	 * make 5 the CTID).
	 */
	for (int j = i + 1; j < argc && argv[i + 1][0] == '-' && options_are_flags(cmd); j++) {
		if (argv[j][0] != '-' && strspn(argv[j], "0123456789") == strlen(argv[j])) {
			char *id = argv[j];

			memmove(&argv[i + 2], &argv[i + 1], (j - i - 1) * sizeof(char *));
			argv[i + 1] = id;
		}
	}
	if (i + 1 >= argc || argv[i + 1][0] == '-')
		return vzctl_bad_usage(cmd->name, "a CTID or name is required");

	ret = vz_env_open(&v.env, &v.err);
	if (ret < 0)
		return vz_cli_fail(&v.err);
	vz_cli_setup_logging(v.env, argc, argv);
	ret = vz_ct_resolve(v.env, argv[i + 1], &ctid, &v.err);
	if (ret == 0 && ctid == 0)
		ret = vz_error_set(&v.err, VZ_E_BAD_VALUE, EINVAL,
				   "Container ID 0 (the host) cannot be used with '%s'", cmd->name);
	if (ret == 0)
		ret = vz_ct_open(v.env, ctid, &v.ct, &v.err);
	if (ret < 0) {
		ret = vz_cli_fail(&v.err);
		goto out;
	}
	if (cmd->locks && !v.skiplock) {
		ret = vz_lock_ct(v.ct, cmd->name, &v.lock, &v.err);
		if (ret < 0) {
			ret = vz_cli_fail(&v.err);
			goto out;
		}
		/* Another command may have changed the config before we got the lock. */
		ret = vz_ct_reload(v.ct, &v.err);
		/* A migration to this node whose receiver died left the CT half made. */
		if (ret == 0)
			ret = vz_mig_incoming_recover(v.ct, &v.err);
		/* destroy: that was all there was to destroy. */
		if (ret == 1 && cmd->run == cmd_destroy) {
			ret = 0;
			goto out_unlock;
		}
		if (ret < 0) {
			ret = vz_cli_fail(&v.err);
			goto out_unlock;
		}
	}
	/* Subcommands see argv from the CTID on: argv[0] is the CTID. */
	optind = 1;
	opterr = 0;
	ret = cmd->run(&v, argc - i - 1, argv + i + 1);
out_unlock:
	vz_unlock(&v.lock);
out:
	vz_ct_free(v.ct);
	vz_env_free(v.env);
	vz_log_close_file();
	return ret;
}
