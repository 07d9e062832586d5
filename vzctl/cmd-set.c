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
#include "exec.h"
#include "log.h"
#include "net.h"
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
	{ NULL, 0, NULL, 0 },
};

/* Scripts run by the CT's own shell to apply a setting live. */
static const char set_hostname_sh[] =
	"hostname \"$1\" && printf '%s\\n' \"$1\" > /etc/hostname";
static const char set_dns_sh[] =
	"{ [ -n \"$2\" ] && echo \"search $2\"; for ns in $1; do echo \"nameserver $ns\"; done; } "
	"> /etc/resolv.conf.vz && mv /etc/resolv.conf.vz /etc/resolv.conf";
/* Distribution-neutral: useradd/chpasswd where present, else busybox mkpasswd + awk. */
static const char set_userpasswd_sh[] =
	"u=${1%%:*}; p=${1#*:}\n"
	"if ! grep -q \"^$u:\" /etc/passwd; then\n"
	"  if command -v useradd >/dev/null 2>&1; then useradd -m \"$u\" || exit 1\n"
	"  else\n"
	"    id=$(awk -F: '$3>=1000 && $3<60000 && $3>m {m=$3} END {print m ? m+1 : 1000}' /etc/passwd)\n"
	"    echo \"$u:x:$id:$id::/home/$u:/bin/sh\" >> /etc/passwd &&\n"
	"    echo \"$u:x:$id:\" >> /etc/group && echo \"$u:!:0:0:99999:7:::\" >> /etc/shadow &&\n"
	"    mkdir -p \"/home/$u\" && chown \"$id:$id\" \"/home/$u\" || exit 1\n"
	"  fi\n"
	"fi\n"
	"if command -v chpasswd >/dev/null 2>&1; then printf '%s\\n' \"$1\" | chpasswd; exit; fi\n"
	"h=$(mkpasswd -m sha512 \"$p\") || exit 1\n"
	"awk -F: -v OFS=: -v u=\"$u\" -v h=\"$h\" '$1==u {$2=h} {print}' /etc/shadow > /etc/shadow.vz &&\n"
	"chmod 600 /etc/shadow.vz && mv /etc/shadow.vz /etc/shadow\n";

static int apply_live(struct vzctl *v, const char *script, const char *a1, const char *a2)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)script, "vz-set", (char *)a1,
			       (char *)(a2 ? a2 : ""), NULL };
	int status, ret;

	ret = vz_ct_exec_simple(v->ct, argv, &status, &v->err);
	if (ret < 0)
		return ret;
	if (status != 0)
		return vz_error_set(&v->err, VZ_E_APPLY_CONFIG, EIO,
				    "Applying the setting inside the CT failed (exit code %d)", status);
	return 0;
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

static int host_nameservers(char **list)
{
	__vz_fclose FILE *f = fopen("/etc/resolv.conf", "re");
	char line[512], addr[256];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nameserver %255s", addr) == 1 && add_to_list(list, addr) < 0)
			return -ENOMEM;
	return 0;
}

int cmd_set(struct vzctl *v, int argc, char **argv)
{
	__vz_free char *nameservers = NULL, *searchdomains = NULL, *ipadd = NULL, *ipdel = NULL;
	struct vz_netif_edit ne = { 0 };
	bool net_changed = false, netif_changed = false;
	const char *hostname = NULL, *name = NULL, *userpasswd = NULL;
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
			ret = !strcmp(optarg, "inherit") ? host_nameservers(&nameservers)
							 : add_to_list(&nameservers, optarg);
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
	if (!changed && !userpasswd)
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
	if (st.running) {
		if (net_changed) {
			struct vz_net_change nc = { .ipadd = ipadd, .ipdel = ipdel,
						    .netif = netif_changed ? &ne : NULL };

			ret = vz_net_apply(v->ct, st.init_pid, &nc, &v->err);
		}
		if (!ret && hostname)
			ret = apply_live(v, set_hostname_sh, hostname, NULL);
		if (!ret && (nameservers || searchdomains))
			ret = apply_live(v, set_dns_sh, vz_ct_get(v->ct, "NAMESERVER") ?: "",
					 vz_ct_get(v->ct, "SEARCHDOMAIN"));
		if (!ret && userpasswd) {
			ret = apply_live(v, set_userpasswd_sh, userpasswd, NULL);
			if (ret < 0)
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
		return 0;
	}
	if (name && vz_ct_set_name(v->ct, name, &v->err) < 0)
		return vz_cli_fail(&v->err);
	if (vz_ct_save(v->ct, &v->err) < 0)
		return vz_cli_fail(&v->err);
	vz_info("CT configuration saved to %s", v->ct->conf_path);
	return 0;
}
