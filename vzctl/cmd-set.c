// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * set: change a CT's configuration.  On a running CT the change is applied
 * live first; with --save the config is written only if applying worked.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "create.h"
#include "dist.h"
#include "exec.h"
#include "log.h"
#include "net.h"
#include "set-resources.h"
#include "state.h"
#include "vzctl.h"

enum {
	OPT_SAVE = 1,
	OPT_HOSTNAME,
	OPT_NAME,
	OPT_DESCRIPTION,
	OPT_ONBOOT,
	OPT_BOOTORDER,
	OPT_DISABLED,
	OPT_NAMESERVER,
	OPT_SEARCHDOMAIN,
	OPT_USERPASSWD,
	OPT_STOP_TIMEOUT,
	OPT_IPADD,
	OPT_IPDEL,
	OPT_NETIF_ADD,
	OPT_NETIF_DEL,
	OPT_IFNAME,
	OPT_MAC,
	OPT_HOST_IFNAME,
	OPT_HOST_MAC,
	OPT_BRIDGE,
};

/* The disk options (cmd-quota.c), in the order of disk_keys. */
#define OPT_DISK_BASE 0x400
static const char *const disk_keys[] = { "DISKSPACE", "DISKINODES", "QUOTATIME",
					 "QUOTAUGIDLIMIT" };

static const struct option set_opts[] = {
	{ "save", no_argument, NULL, OPT_SAVE },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "description", required_argument, NULL, OPT_DESCRIPTION },
	{ "onboot", required_argument, NULL, OPT_ONBOOT },
	{ "bootorder", required_argument, NULL, OPT_BOOTORDER },
	{ "disabled", required_argument, NULL, OPT_DISABLED },
	{ "nameserver", required_argument, NULL, OPT_NAMESERVER },
	{ "searchdomain", required_argument, NULL, OPT_SEARCHDOMAIN },
	{ "userpasswd", required_argument, NULL, OPT_USERPASSWD },
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
	{ "ipadd", required_argument, NULL, OPT_IPADD },
	{ "ip", required_argument, NULL, OPT_IPADD },
	{ "ipdel", required_argument, NULL, OPT_IPDEL },
	{ "netif_add", required_argument, NULL, OPT_NETIF_ADD },
	{ "netif_del", required_argument, NULL, OPT_NETIF_DEL },
	{ "ifname", required_argument, NULL, OPT_IFNAME },
	{ "mac", required_argument, NULL, OPT_MAC },
	{ "host_ifname", required_argument, NULL, OPT_HOST_IFNAME },
	{ "host_mac", required_argument, NULL, OPT_HOST_MAC },
	{ "bridge", required_argument, NULL, OPT_BRIDGE },
	{ "diskspace", required_argument, NULL, OPT_DISK_BASE + 0 },
	{ "diskinodes", required_argument, NULL, OPT_DISK_BASE + 1 },
	{ "quotatime", required_argument, NULL, OPT_DISK_BASE + 2 },
	{ "quotaugidlimit", required_argument, NULL, OPT_DISK_BASE + 3 },
	VZCTL_RES_OPTIONS
	{ NULL, 0, NULL, 0 },
};

/*
 * Apply a setting inside the running CT through its distribution's action
 * script (SET_HOSTNAME, SET_DNS, SET_USERPASS; dists/<name>.conf).
 */
static int apply_live(struct vzctl *v, const char *action, const char *const vars[])
{
	__vz_free char *conf = NULL;

	if (vz_dist_conf_find(v->ct, &conf, &v->err) < 0)
		return vz_error_set(&v->err, VZ_E_NO_DISTCONF, ENOENT,
				    "No distribution config for OS template '%s' in %s/dists "
				    "(not even default.conf): cannot apply %s",
				    vz_ct_get(v->ct, "OSTEMPLATE") ?: "", v->ct->env->confdir, action);
	return vz_dist_action(v->ct, action, vars, &v->err);
}

/* Append to a space-separated list; "inherit" takes the host's resolv.conf. */
static int add_to_list(char **list, const char *value)
{
	char *n;

	if (asprintf(&n, "%s%s%s", *list ? *list : "", *list ? " " : "", value) < 0)
		return -ENOMEM;
	free(*list);
	*list = n;
	return 0;
}

/* --ipadd/--ipdel: check the address now (71), collect it for vz_ip_list_edit(). */
static int collect_ip(struct vzctl *v, char **list, const char *value, bool del)
{
	struct vz_ip ip;

	if (!(del && !strcmp(value, "all")) && vz_ip_parse(value, &ip, &v->err) < 0)
		return vz_cli_fail(&v->err);
	if (add_to_list(list, value) < 0)
		return VZ_EXIT_SYSTEM;
	return 0;
}

/* IP_ADDRESS and NETIF in memory from the network options; 0 or an exit code. */
static int edit_network(struct vzctl *v, const char *ipadd, const char *ipdel,
			const struct vz_netif_edit *ne, bool netif)
{
	__vz_free char *ips = NULL, *netifs = NULL;
	int ret = 0;

	if (ipadd || ipdel) {
		ret = vz_ip_list_edit(vz_ct_get(v->ct, "IP_ADDRESS"), ipadd, ipdel, &ips, &v->err);
		if (ret == 0)
			ret = vz_ct_set(v->ct, "IP_ADDRESS", ips, &v->err);
	}
	if (ret == 0 && netif) {
		ret = vz_netif_list_edit(vz_ct_get(v->ct, "NETIF"), v->ct->id, ne, &netifs,
					 &v->err);
		if (ret == 0)
			ret = vz_ct_set(v->ct, "NETIF", netifs, &v->err);
	}
	return ret < 0 ? vz_cli_fail(&v->err) : 0;
}

int cmd_set(struct vzctl *v, int argc, char **argv)
{
	__vz_free char *nameservers = NULL, *searchdomains = NULL, *ipadd = NULL, *ipdel = NULL;
	struct vz_netif_edit ne = { 0 };
	bool net_changed = false, netif_changed = false;
	const char *hostname = NULL, *name = NULL, *userpasswd = NULL;
	__vz_free char *old_inodes = NULL;
	unsigned disk_changed = 0;
	struct vzctl_res_edit res = { 0 };
	bool save = false, changed = false;
	struct vz_ct_state st;
	int c, ret = 0;

	if (!v->ct->exists) {
		vz_error_set(&v->err, VZ_E_NO_CTCONF, ENOENT, "Container %s does not exist",
			     v->ct->idstr);
		return vz_cli_fail(&v->err);
	}
	while ((c = getopt_long(argc, argv, "", set_opts, NULL)) != -1) {
		const char *key = NULL;

		if (c >= OPT_DISK_BASE && c < OPT_DISK_BASE + (int)ARRAY_SIZE(disk_keys)) {
			const char *old = vz_ct_get(v->ct, "DISKINODES");

			if (!disk_changed && old && !(old_inodes = strdup(old)))
				return VZ_EXIT_SYSTEM;
			ret = vzctl_disk_option(v, disk_keys[c - OPT_DISK_BASE], optarg,
						&disk_changed);
			if (ret)
				return ret;
			changed = true;
			continue;
		}
		if (vzctl_is_res_option(c)) {
			ret = vzctl_res_option(v, c, optarg, &res);
			if (ret)
				return ret;
			changed |= res.changed;
			continue;
		}
		switch (c) {
		case OPT_SAVE:
			save = true;
			continue;
		case OPT_HOSTNAME:
			hostname = optarg;
			key = "HOSTNAME";
			break;
		case OPT_NAME:
			name = optarg;
			if (*name && !vz_ct_name_valid(name)) {
				vz_error_set(&v->err, VZ_E_BAD_VALUE, EINVAL, "Invalid container name '%s'", name);
				return vz_cli_fail(&v->err);
			}
			key = "NAME";
			break;
		case OPT_DESCRIPTION:
			key = "DESCRIPTION";
			break;
		case OPT_ONBOOT:
			key = "ONBOOT";
			break;
		case OPT_BOOTORDER:
			key = "BOOTORDER";
			break;
		case OPT_DISABLED:
			key = "DISABLED";
			break;
		case OPT_STOP_TIMEOUT:
			key = "STOP_TIMEOUT";
			break;
		case OPT_NAMESERVER:
			if (!strcmp(optarg, "inherit")) {
				__vz_free char *host = NULL;

				ret = vz_dist_host_nameservers("/etc/resolv.conf", &host);
				if (ret == 0 && *host)
					ret = add_to_list(&nameservers, host);
			} else {
				ret = add_to_list(&nameservers, optarg);
			}
			if (ret < 0)
				return VZ_EXIT_SYSTEM;
			changed = true;
			continue;
		case OPT_SEARCHDOMAIN:
			if (add_to_list(&searchdomains, optarg) < 0)
				return VZ_EXIT_SYSTEM;
			changed = true;
			continue;
		case OPT_IPADD:
		case OPT_IPDEL:
			ret = collect_ip(v, c == OPT_IPADD ? &ipadd : &ipdel, optarg,
					 c == OPT_IPDEL);
			if (ret)
				return ret;
			net_changed = changed = true;
			continue;
		case OPT_NETIF_ADD:
		case OPT_NETIF_DEL:
			if ((c == OPT_NETIF_ADD ? ne.nr_add : ne.nr_del) >= ARRAY_SIZE(ne.add))
				return vzctl_bad_usage("set", "too many --netif_add/--netif_del");
			if (c == OPT_NETIF_ADD)
				ne.add[ne.nr_add++] = optarg;
			else
				ne.del[ne.nr_del++] = optarg;
			net_changed = netif_changed = changed = true;
			continue;
		case OPT_IFNAME:
			ne.ifname = optarg;
			continue;
		case OPT_MAC:
			ne.mac = optarg;
			net_changed = netif_changed = changed = true;
			continue;
		case OPT_HOST_IFNAME:
			ne.host_ifname = optarg;
			net_changed = netif_changed = changed = true;
			continue;
		case OPT_HOST_MAC:
			ne.host_mac = optarg;
			net_changed = netif_changed = changed = true;
			continue;
		case OPT_BRIDGE:
			ne.bridge = optarg;
			net_changed = netif_changed = changed = true;
			continue;
		case OPT_USERPASSWD:
			if (!strchr(optarg, ':') || optarg[0] == ':') {
				vz_error_set(&v->err, VZ_E_BAD_VALUE, EINVAL,
					     "Invalid --userpasswd: expected USER:PASSWORD");
				return vz_cli_fail(&v->err);
			}
			userpasswd = optarg;
			continue;
		default:
			return vzctl_bad_usage("set", "invalid option '%s'", argv[optind - 1]);
		}
		if (vz_ct_set(v->ct, key, optarg, &v->err) < 0)
			return vz_cli_fail(&v->err);
		changed = true;
	}
	if (optind < argc)
		return vzctl_bad_usage("set", "unexpected argument '%s'", argv[optind]);
	if (nameservers && vz_ct_set(v->ct, "NAMESERVER", nameservers, &v->err) < 0)
		return vz_cli_fail(&v->err);
	if (searchdomains && vz_ct_set(v->ct, "SEARCHDOMAIN", searchdomains, &v->err) < 0)
		return vz_cli_fail(&v->err);
	if (ne.ifname && !netif_changed)
		return vzctl_bad_usage("set", "--ifname needs --mac, --host_ifname, --host_mac "
					      "or --bridge");
	if (!changed && !userpasswd && !res.reset_ub)
		return vzctl_bad_usage("set", "nothing to set");
	if (vz_ct_get_state(v->ct, &st, &v->err) < 0)
		return vz_cli_fail(&v->err);
	if (net_changed) {
		/* A running CT may have interfaces added live and not saved. */
		ne.missing_ok = st.running;
		ret = edit_network(v, ipadd, ipdel, &ne, netif_changed);
		if (ret)
			return ret;
	}
	if (userpasswd && !st.running) {
		vz_error_set(&v->err, VZ_E_NOT_RUNNING, EINVAL,
			     "Container must be running to set a password");
		return vz_cli_fail(&v->err);
	}
	/* Resources first: a limit that cannot be applied leaves everything as it was. */
	ret = vzctl_res_apply(v, &res, &st);
	if (ret)
		return ret;
	ret = vzctl_disk_apply(v, disk_changed, old_inodes, st.mounted, save);
	if (ret)
		return ret;
	if (st.running) {
		if (net_changed) {
			struct vz_net_change nc = { .ipadd = ipadd, .ipdel = ipdel,
						    .netif = netif_changed ? &ne : NULL };

			ret = vz_net_apply(v->ct, st.init_pid, &nc, &v->err);
		}
		const char *ips = vz_ct_get(v->ct, "IP_ADDRESS") ?: "";

		if (!ret && hostname) {
			const char *vars[] = { "HOSTNM", hostname, "IP_ADDR", ips, NULL };

			ret = apply_live(v, "SET_HOSTNAME", vars);
		}
		if (!ret && (nameservers || searchdomains)) {
			const char *vars[] = { "NAMESERVER", vz_ct_get(v->ct, "NAMESERVER") ?: "",
					       "SEARCHDOMAIN", vz_ct_get(v->ct, "SEARCHDOMAIN") ?: "",
					       NULL };

			ret = apply_live(v, "SET_DNS", vars);
		}
		if (!ret && userpasswd) {
			const char *vars[] = { "USERPW", userpasswd, NULL };

			ret = apply_live(v, "SET_USERPASS", vars);
			if (ret < 0 && v->err.kind == VZ_E_ACTION_SCRIPT)
				v->err.kind = VZ_E_USERPASSWD;
		}
		if (ret < 0)
			return vz_cli_fail(&v->err);
	}
	if (!changed)
		return 0;
	if (!save) {
		vz_warn("WARNING: Settings were not saved and will be reset to original values on "
			"next start (use --save flag)");
		return vzctl_res_finish(v, &res, &st, false);
	}
	if (name && vz_ct_set_name(v->ct, name, &v->err) < 0)
		return vz_cli_fail(&v->err);
	if (vz_ct_save(v->ct, &v->err) < 0)
		return vz_cli_fail(&v->err);
	vz_info("CT configuration saved to %s", v->ct->conf_path);
	return vzctl_res_finish(v, &res, &st, true);
}
