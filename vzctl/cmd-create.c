// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <stdlib.h>

#include "cleanup.h"
#include "cli.h"
#include "create.h"
#include "net.h"
#include "vzctl.h"

/* --ipadd ADDR[/len], repeatable: checked now (71), saved as IP_ADDRESS. */
static int add_ip(struct vzctl *v, const char *value)
{
	__vz_free char *ips = NULL;
	struct vz_ip ip;

	if (vz_ip_parse(value, &ip, &v->err) < 0 ||
	    vz_ip_list_edit(vz_ct_get(v->ct, "IP_ADDRESS"), value, NULL, &ips, &v->err) < 0 ||
	    vz_ct_set(v->ct, "IP_ADDRESS", ips, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}

int cmd_create(struct vzctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ostemplate", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "name", required_argument, NULL, 'n' },
		{ "private", required_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'r' },
		{ "layout", required_argument, NULL, 'l' },
		{ "ipadd", required_argument, NULL, 'i' },
		{ "ip", required_argument, NULL, 'i' },
		{ "diskspace", required_argument, NULL, 'd' },
		{ "diskinodes", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	struct vz_create_opts o = { 0 };
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.ostemplate = optarg;
			break;
		case 'c':
			o.config = optarg;
			break;
		case 'H':
			o.hostname = optarg;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'p':
			o.private_path = optarg;
			break;
		case 'r':
			o.root_path = optarg;
			break;
		case 'l':
			if (vz_ct_set(v->ct, "VE_LAYOUT", optarg, &v->err) < 0)
				return vz_cli_fail(&v->err);
			break;
		case 'd':
		case 'I':
			if (vz_ct_set(v->ct, c == 'd' ? "DISKSPACE" : "DISKINODES", optarg,
				      &v->err) < 0)
				return vz_cli_fail(&v->err);
			break;
		case 'i':
			ret = add_ip(v, optarg);
			if (ret)
				return ret;
			break;
		default:
			return vzctl_bad_usage("create", "invalid option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return vzctl_bad_usage("create", "unexpected argument '%s'", argv[optind]);
	if (vz_ct_create(v->ct, &o, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}

int cmd_destroy(struct vzctl *v, int argc, char **argv)
{
	if (argc > 1)
		return vzctl_bad_usage("destroy", "unexpected argument '%s'", argv[1]);
	if (vz_ct_destroy(v->ct, &v->err) < 0)
		return vz_cli_fail(&v->err);
	return 0;
}
