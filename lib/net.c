// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sequence of a CT's network.  Everything is one move, sync(from, to):
 * remove what is in "from" and not in "to" (proxy entries, host routes,
 * CT addresses, links), then add what is new.  Start is sync(nothing,
 * config), a live "vzctl set" is sync(record, config), the teardown at stop
 * is sync(record, nothing).  The record ($RUNDIR/<CTID>.net) always says
 * what is plugged in, so a stop removes exactly that, whatever the config
 * says by then.
 */
#define VZ_LOG_PREFIX "net"
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "dist.h"
#include "fileutil.h"
#include "log.h"
#include "net-priv.h"
#include "state.h"

void vz_net_cfg_free(struct vz_net_cfg *cfg)
{
	free(cfg->ips);
	free(cfg->netifs);
	free(cfg->proxy_devs);
	memset(cfg, 0, sizeof(*cfg));
}

static void cfg_freep(struct vz_net_cfg *cfg)
{
	vz_net_cfg_free(cfg);
}
#define __vz_netcfg __attribute__((cleanup(cfg_freep)))

static int cfg_parse(struct vz_ct *ct, const char *ips, const char *netifs, const char *proxy,
		     struct vz_net_cfg *cfg, struct vz_error *err)
{
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = vz_ip_list_parse(ips, &cfg->ips, &cfg->nr_ips, err);
	if (ret == 0)
		ret = vz_netif_list_parse(netifs, ct->id, &cfg->netifs, &cfg->nr_netifs, err);
	if (ret == 0 && proxy && !(cfg->proxy_devs = strdup(proxy)))
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the network settings");
	if (ret < 0)
		vz_net_cfg_free(cfg);
	return ret;
}

static int cfg_from_conf(struct vz_ct *ct, struct vz_net_cfg *cfg, struct vz_error *err)
{
	return cfg_parse(ct, vz_ct_get(ct, "IP_ADDRESS"), vz_ct_get(ct, "NETIF"), NULL, cfg, err);
}

/* The record of what is plugged in; *found false (and cfg empty) if there is none. */
static int cfg_from_record(struct vz_ct *ct, struct vz_net_cfg *cfg, bool *found,
			   struct vz_error *err)
{
	__vz_free char *path = vz_ct_run_path(ct, ".net");
	__vz_conf struct vz_conf *rec = NULL;

	memset(cfg, 0, sizeof(*cfg));
	*found = false;
	if (!path)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot read the network record");
	if (vz_conf_load(&rec, path, NULL) < 0)
		return 0;
	*found = true;
	return cfg_parse(ct, vz_conf_get(rec, "IP_ADDRESS"), vz_conf_get(rec, "NETIF"),
			 vz_conf_get(rec, "PROXY_DEVS") ?: "", cfg, err);
}

static char *ips_text(const struct vz_ip *ips, size_t nr, bool with_len)
{
	char *text = calloc(nr + 1, INET6_ADDRSTRLEN + 8);
	size_t len = 0;

	for (size_t i = 0; text && i < nr; i++) {
		char one[INET6_ADDRSTRLEN + 8];

		if (with_len)
			vz_ip_format(&ips[i], one, sizeof(one));
		else
			vz_ip_format_addr(&ips[i], one, sizeof(one));
		len += sprintf(text + len, "%s%s", i ? " " : "", one);
	}
	return text;
}

static int record_save(struct vz_ct *ct, const struct vz_net_cfg *cfg, struct vz_error *err)
{
	__vz_free char *path = vz_ct_run_path(ct, ".net");
	__vz_free char *ips = ips_text(cfg->ips, cfg->nr_ips, true);
	__vz_free char *netifs = vz_netif_list_format(cfg->netifs, cfg->nr_netifs);
	__vz_conf struct vz_conf *rec = path ? vz_conf_new(path) : NULL;

	if (!rec || !ips || !netifs)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot record the CT's network");
	vz_conf_set(rec, "IP_ADDRESS", ips);
	vz_conf_set(rec, "NETIF", netifs);
	vz_conf_set(rec, "PROXY_DEVS", cfg->proxy_devs ?: "");
	return vz_conf_save(rec, path, err);
}

static void record_forget(struct vz_ct *ct)
{
	__vz_free char *path = vz_ct_run_path(ct, ".net");

	if (path)
		unlink(path);
}

static bool has_ip(const struct vz_net_cfg *cfg, const struct vz_ip *ip)
{
	for (size_t i = 0; i < cfg->nr_ips; i++)
		if (vz_ip_equal(&cfg->ips[i], ip))
			return true;
	return false;
}

static bool has_family(const struct vz_net_cfg *cfg, int family)
{
	for (size_t i = 0; i < cfg->nr_ips; i++)
		if (cfg->ips[i].family == family)
			return true;
	return false;
}

static bool has_netif(const struct vz_net_cfg *cfg, const struct vz_netif *nif)
{
	for (size_t i = 0; i < cfg->nr_netifs; i++)
		if (!memcmp(&cfg->netifs[i], nif, sizeof(*nif)))
			return true;
	return false;
}

static void venet_name(struct vz_ct *ct, char *buf)
{
	snprintf(buf, VZ_NET_IFNAMSIZ, "venet%u", ct->id);
}

/* Apply fn to every proxy device; stops at the first failure when adding. */
static int for_proxy_devs(struct nl_sock *sk, const char *devs, const struct vz_ip *ip, bool add,
			  struct vz_error *err)
{
	__vz_free char *copy = strdup(devs ? devs : "");
	char *save = NULL;
	int ret = 0;

	if (!copy)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot publish the CT's addresses");
	for (char *d = strtok_r(copy, " \t", &save); d; d = strtok_r(NULL, " \t", &save)) {
		struct vz_error ignored;
		int r = vz_neigh_proxy(sk, ip, d, add, add ? err : &ignored);

		if (r < 0 && add)
			return r;
		if (r < 0 && !ret)
			ret = r;
	}
	return add ? 0 : ret;
}

/* Tear down what is in from and not in to; best effort, never stops half way. */
/*
 * lazy: the CT's network namespace is going away and takes the links with
 * it; vz_link_reap() only makes sure of it, without making the caller wait
 * for the kernel to tear the namespace down.
 */
static void sync_remove(struct vz_ct *ct, struct nl_sock *host, struct nl_sock *inside,
			const struct vz_net_cfg *from, const struct vz_net_cfg *to, bool lazy)
{
	char venet[VZ_NET_IFNAMSIZ], (*doomed)[VZ_NET_IFNAMSIZ];
	int venet_idx, ct_idx = -1;
	size_t nr_doomed = 0;
	struct vz_error e;

	venet_name(ct, venet);
	venet_idx = vz_link_index(host, venet);
	if (inside)
		ct_idx = vz_link_index(inside, VZ_VENET_CT_IFNAME);
	for (size_t i = 0; i < from->nr_ips; i++) {
		const struct vz_ip *ip = &from->ips[i];

		if (has_ip(to, ip))
			continue;
		if (for_proxy_devs(host, from->proxy_devs, ip, false, &e) < 0)
			vz_warn("%s", e.msg);
		if (venet_idx > 0 && vz_route_host(host, ip, venet_idx, false, &e) < 0)
			vz_warn("%s", e.msg);
		if (ct_idx > 0 && vz_ct_addr(inside, ct_idx, ip, false, &e) < 0)
			vz_warn("%s", e.msg);
	}
	doomed = calloc(from->nr_netifs + 1, sizeof(*doomed));
	if (from->nr_ips && !to->nr_ips && doomed)
		strcpy(doomed[nr_doomed++], venet);
	for (size_t i = 0; i < from->nr_netifs && doomed; i++)
		if (!has_netif(to, &from->netifs[i]))
			strcpy(doomed[nr_doomed++], from->netifs[i].host_ifname);
	if (lazy && nr_doomed) {
		vz_link_reap(host, doomed, nr_doomed);
	} else {
		for (size_t i = 0; i < nr_doomed; i++)
			if (vz_link_delete(host, doomed[i], &e) < 0)
				vz_warn("%s", e.msg);
	}
	free(doomed);
}

static int add_venet(struct vz_ct *ct, struct nl_sock *host, struct nl_sock *inside, pid_t pid,
		     const struct vz_net_cfg *from, const struct vz_net_cfg *to,
		     struct vz_error *err)
{
	unsigned char host_mac[6], ct_mac[6];
	char venet[VZ_NET_IFNAMSIZ];
	int venet_idx, ct_idx, ret;

	if (!to->nr_ips)
		return 0;
	venet_name(ct, venet);
	vz_net_mac_generate(ct->id, VZ_VENET_CT_IFNAME, true, host_mac);
	vz_net_mac_generate(ct->id, VZ_VENET_CT_IFNAME, false, ct_mac);
	if (!from->nr_ips) {
		struct vz_veth v = { .host_name = venet, .ct_name = VZ_VENET_CT_IFNAME,
				     .host_mac = host_mac, .ct_mac = ct_mac, .ct_pid = pid };

		/* A host end left by a CT whose netns is still being destroyed. */
		vz_link_delete(host, venet, err);
		ret = vz_link_veth_create(host, &v, err);
		if (ret == 0)
			ret = vz_link_up(inside, VZ_VENET_CT_IFNAME, err);
		if (ret < 0)
			return ret;
	}
	venet_idx = vz_link_index(host, venet);
	ct_idx = vz_link_index(inside, VZ_VENET_CT_IFNAME);
	if (venet_idx < 0 || ct_idx < 0)
		return vz_error_sys(err, VZ_E_VETH, venet_idx < 0 ? -venet_idx : -ct_idx,
				    "The routed link of the CT is missing");
	for (size_t i = 0; i < to->nr_ips; i++) {
		const struct vz_ip *ip = &to->ips[i];

		if (has_ip(from, ip))
			continue;
		ret = vz_ct_addr(inside, ct_idx, ip, true, err);
		if (ret == 0)
			ret = vz_route_host(host, ip, venet_idx, true, err);
		if (ret == 0)
			ret = for_proxy_devs(host, to->proxy_devs, ip, true, err);
		if (ret < 0)
			return ret;
	}
	return vz_ct_default_routes(inside, ct_idx, host_mac,
				    has_family(to, AF_INET) && !has_family(from, AF_INET),
				    has_family(to, AF_INET6) && !has_family(from, AF_INET6), err);
}

static int add_netifs(struct nl_sock *host, struct nl_sock *inside, pid_t pid,
		      const struct vz_net_cfg *from, const struct vz_net_cfg *to,
		      struct vz_error *err)
{
	for (size_t i = 0; i < to->nr_netifs; i++) {
		const struct vz_netif *nif = &to->netifs[i];
		struct vz_veth v = { .host_name = nif->host_ifname, .ct_name = nif->ifname,
				     .host_mac = nif->host_mac, .ct_mac = nif->mac, .ct_pid = pid };
		int ret;

		if (has_netif(from, nif))
			continue;
		if (nif->bridge[0] && vz_link_check_bridge(host, nif->bridge) < 0)
			return vz_error_set(err, VZ_E_VETH, ENODEV, "Bridge %s does not exist",
					    nif->bridge);
		ret = vz_link_veth_create(host, &v, err);
		if (ret == 0)
			ret = vz_link_up(inside, nif->ifname, err);
		if (ret == 0 && nif->bridge[0])
			ret = vz_link_enslave(host, nif->host_ifname, nif->bridge, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int sync_net(struct vz_ct *ct, pid_t pid, const struct vz_net_cfg *from,
		    const struct vz_net_cfg *to, bool lazy, struct vz_error *err)
{
	__vz_nl struct nl_sock *host = NULL, *inside = NULL;
	int ret;

	ret = vz_nl_open(0, &host, err);
	if (ret < 0)
		return ret;
	if (pid > 0) {
		ret = vz_nl_open(pid, &inside, err);
		if (ret < 0)
			return ret;
	}
	sync_remove(ct, host, inside, from, to, lazy && pid <= 0);
	if (pid <= 0)
		return 0;
	ret = add_venet(ct, host, inside, pid, from, to, err);
	if (ret == 0)
		ret = add_netifs(host, inside, pid, from, to, err);
	if (ret < 0)
		sync_remove(ct, host, inside, to, from, false); /* back to where we were */
	return ret;
}

/* The addresses of the running CTs other than ct, from their records. */
static int other_ct_uses(struct vz_ct *ct, const struct vz_ip *ip, unsigned *owner)
{
	__vz_free char *probe = vz_ct_run_path(ct, ".net");
	__vz_closedir DIR *d = NULL;
	struct dirent *de;
	char *slash;

	if (!probe || !(slash = strrchr(probe, '/')))
		return -ENOMEM;
	*slash = '\0';
	d = opendir(probe);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		__vz_netcfg struct vz_net_cfg cfg = { 0 };
		__vz_ct struct vz_ct *other = NULL;
		struct vz_ct_state st;
		unsigned id;
		char tail;
		bool found;

		if (sscanf(de->d_name, "%u.ne%c", &id, &tail) != 2 || tail != 't' || id == ct->id)
			continue;
		if (vz_ct_open(ct->env, id, &other, NULL) < 0 ||
		    vz_ct_get_state(other, &st, NULL) < 0 || !st.running)
			continue;
		if (cfg_from_record(other, &cfg, &found, NULL) < 0)
			continue;
		if (has_ip(&cfg, ip)) {
			*owner = id;
			return 1;
		}
	}
	return 0;
}

static int check_free(struct vz_ct *ct, struct nl_sock *host, const struct vz_net_cfg *from,
		      const struct vz_net_cfg *to, struct vz_error *err)
{
	for (size_t i = 0; i < to->nr_ips; i++) {
		const struct vz_ip *ip = &to->ips[i];
		char text[64];
		unsigned owner;
		int ret;

		if (has_ip(from, ip))
			continue;
		vz_ip_format_addr(ip, text, sizeof(text));
		ret = vz_addr_on_node(host, ip);
		if (ret > 0)
			return vz_error_set(err, VZ_E_IP_IN_USE, EADDRINUSE,
					    "IP address %s is already in use on the node", text);
		ret = other_ct_uses(ct, ip, &owner);
		if (ret > 0)
			return vz_error_set(err, VZ_E_IP_IN_USE, EADDRINUSE,
					    "IP address %s is already used by container %u", text,
					    owner);
	}
	return 0;
}

static int check_netifs(struct nl_sock *host, const struct vz_net_cfg *from,
			const struct vz_net_cfg *to, struct vz_error *err)
{
	for (size_t i = 0; i < to->nr_netifs; i++) {
		const struct vz_netif *nif = &to->netifs[i];

		if (has_netif(from, nif))
			continue;
		if (nif->bridge[0] && vz_link_check_bridge(host, nif->bridge) < 0)
			return vz_error_set(err, VZ_E_VETH, ENODEV,
					    "Bridge %s does not exist (NETIF ifname=%s)",
					    nif->bridge, nif->ifname);
		if (!vz_link_gone(host, nif->host_ifname, 1000))
			return vz_error_set(err, VZ_E_VETH, EEXIST,
					    "Host interface %s already exists (NETIF ifname=%s)",
					    nif->host_ifname, nif->ifname);
	}
	return 0;
}

static int check(struct vz_ct *ct, const struct vz_net_cfg *from, struct vz_net_cfg *to,
		 struct vz_error *err)
{
	__vz_nl struct nl_sock *host = NULL;
	int ret;

	if (!to->nr_ips && !to->nr_netifs)
		return 0;
	ret = vz_nl_open(0, &host, err);
	if (ret < 0)
		return ret;
	ret = check_free(ct, host, from, to, err);
	if (ret == 0)
		ret = check_netifs(host, from, to, err);
	if (ret == 0 && !to->proxy_devs) {
		to->proxy_devs =
			from->nr_ips && from->proxy_devs
				? strdup(from->proxy_devs)
				: vz_neigh_devs_resolve(host, vz_ct_get(ct, "NEIGHBOUR_DEVS"));
		if (!to->proxy_devs)
			ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM,
					   "Cannot resolve NEIGHBOUR_DEVS");
	}
	if (ret == 0 && to->nr_ips)
		vz_forwarding_check(has_family(to, AF_INET), has_family(to, AF_INET6),
				    to->proxy_devs);
	return ret;
}

static void unplug(struct vz_ct *ct, bool forget, bool lazy)
{
	__vz_netcfg struct vz_net_cfg from = { 0 }, empty = { 0 };
	struct vz_error err;
	bool found;

	if (cfg_from_record(ct, &from, &found, &err) < 0) {
		vz_warn("%s", err.msg);
		return;
	}
	if (found && sync_net(ct, 0, &from, &empty, lazy, &err) < 0)
		vz_warn("%s", err.msg);
	if (forget)
		record_forget(ct);
}

int vz_net_prepare(struct vz_ct *ct, struct vz_error *err)
{
	__vz_netcfg struct vz_net_cfg empty = { 0 }, to = { 0 };
	int ret;

	/* Not running: a record left means a monitor died without cleaning up. */
	unplug(ct, true, false);
	ret = cfg_from_conf(ct, &to, err);
	if (ret == 0)
		ret = check(ct, &empty, &to, err);
	return ret;
}

int vz_net_plug(struct vz_ct *ct, pid_t pid, struct vz_error *err)
{
	__vz_netcfg struct vz_net_cfg empty = { 0 }, to = { 0 };
	bool found;
	int ret;

	ret = cfg_from_record(ct, &to, &found, err);
	if (ret == 0 && !found)
		ret = cfg_from_conf(ct, &to, err);
	if (ret < 0)
		return ret;
	if (!to.nr_ips && !to.nr_netifs)
		return 0;
	if (!to.proxy_devs) {
		__vz_nl struct nl_sock *host = NULL;

		ret = vz_nl_open(0, &host, err);
		if (ret < 0)
			return ret;
		to.proxy_devs = vz_neigh_devs_resolve(host, vz_ct_get(ct, "NEIGHBOUR_DEVS"));
	}
	ret = sync_net(ct, pid, &empty, &to, false, err);
	if (ret == 0)
		ret = record_save(ct, &to, err);
	if (ret < 0)
		vz_error_prefix(err, "Cannot set up the CT's network: ");
	return ret;
}

void vz_net_unplug(struct vz_ct *ct, bool forget)
{
	unplug(ct, forget, true);
}

/*
 * $RUNDIR/<CTID>.dist: the addresses the distribution's config was last
 * given, kept over stops (RUNDIR is emptied when the node boots).  A start
 * with the same addresses has nothing to tell the distribution: its config
 * files are on the CT's disk already.
 */
static bool dist_uptodate(struct vz_ct *ct, const char *ips)
{
	__vz_free char *path = vz_ct_run_path(ct, ".dist"), *old = NULL;

	return path && vz_read_file(path, &old, NULL) >= 0 && !strcmp(old, ips);
}

static void dist_remember(struct vz_ct *ct, const struct vz_net_cfg *cfg)
{
	__vz_free char *path = vz_ct_run_path(ct, ".dist");
	__vz_free char *ips = ips_text(cfg->ips, cfg->nr_ips, true);

	if (path && ips)
		vz_write_file_atomic(path, ips, strlen(ips), 0600, NULL);
}

static int dist_ip(struct vz_ct *ct, const char *action, const char *state,
		   const struct vz_ip *ips, size_t nr, bool delall, bool v6)
{
	__vz_free char *list = ips_text(ips, nr, true);
	const char *vars[] = { "VE_STATE", state, "IP_ADDR", list ?: "", "IPV6", v6 ? "yes" : "no",
			       "IPDELALL", delall ? "yes" : "no", NULL };
	struct vz_error err;

	if (!nr && !delall)
		return 0;
	if (vz_dist_action(ct, action, vars, &err) < 0) {
		vz_warn("%s", err.msg);
		return -EIO;
	}
	return 0;
}

/* What runs, edited the way the command line asks: the wanted state of a live change. */
static int cfg_edit(struct vz_ct *ct, const struct vz_net_cfg *from,
		    const struct vz_net_change *c, struct vz_net_cfg *to, struct vz_error *err)
{
	__vz_free char *cur_ips = ips_text(from->ips, from->nr_ips, true);
	__vz_free char *cur_netifs = vz_netif_list_format(from->netifs, from->nr_netifs);
	__vz_free char *ips = NULL, *netifs = NULL;
	int ret = 0;

	if (!cur_ips || !cur_netifs)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot change the CT's network");
	if (c->ipadd || c->ipdel)
		ret = vz_ip_list_edit(cur_ips, c->ipadd, c->ipdel, &ips, err);
	if (ret == 0 && c->netif) {
		struct vz_netif_edit strict = *c->netif;

		strict.missing_ok = false;
		ret = vz_netif_list_edit(cur_netifs, ct->id, &strict, &netifs, err);
	}
	if (ret < 0)
		return ret;
	return cfg_parse(ct, ips ?: cur_ips, netifs ?: cur_netifs,
			 from->nr_ips ? from->proxy_devs : NULL, to, err);
}

int vz_net_apply(struct vz_ct *ct, pid_t pid, const struct vz_net_change *c,
		 struct vz_error *err)
{
	__vz_netcfg struct vz_net_cfg from = { 0 }, to = { 0 };
	__vz_free struct vz_ip *gone = NULL, *added = NULL;
	size_t nr_gone = 0, nr_added = 0;
	bool found, v6;
	int ret;

	ret = cfg_from_record(ct, &from, &found, err);
	if (ret == 0)
		ret = cfg_edit(ct, &from, c, &to, err);
	if (ret == 0)
		ret = check(ct, &from, &to, err);
	if (ret == 0)
		ret = sync_net(ct, pid, &from, &to, false, err);
	if (ret == 0)
		ret = record_save(ct, &to, err);
	if (ret < 0)
		return ret;
	/* Tell the distribution: what went away, then what came. */
	gone = calloc(from.nr_ips + 1, sizeof(*gone));
	added = calloc(to.nr_ips + 1, sizeof(*added));
	if (!gone || !added)
		return 0;
	for (size_t i = 0; i < from.nr_ips; i++)
		if (!has_ip(&to, &from.ips[i]))
			gone[nr_gone++] = from.ips[i];
	for (size_t i = 0; i < to.nr_ips; i++)
		if (!has_ip(&from, &to.ips[i]))
			added[nr_added++] = to.ips[i];
	v6 = has_family(&to, AF_INET6) || has_family(&from, AF_INET6);
	if (dist_ip(ct, "DEL_IP", "running", gone, nr_gone, from.nr_ips && !to.nr_ips, v6) == 0 &&
	    dist_ip(ct, "ADD_IP", "running", added, nr_added, false, v6) == 0)
		dist_remember(ct, &to);
	else
		dist_remember(ct, &(struct vz_net_cfg){ 0 }); /* unsure: tell it all next start */
	return 0;
}

int vz_net_dist_start(struct vz_ct *ct, struct vz_error *err)
{
	__vz_netcfg struct vz_net_cfg cfg = { 0 };
	__vz_free char *ips = NULL;
	bool found;
	int ret = cfg_from_record(ct, &cfg, &found, err);

	if (ret < 0 || !found || !cfg.nr_ips)
		return ret;
	ips = ips_text(cfg.ips, cfg.nr_ips, true);
	if (ips && dist_uptodate(ct, ips))
		return 0;
	if (dist_ip(ct, "ADD_IP", "starting", cfg.ips, cfg.nr_ips, false,
		    has_family(&cfg, AF_INET6)) == 0)
		dist_remember(ct, &cfg);
	return 0;
}

void vz_net_destroy(struct vz_ct *ct)
{
	__vz_free char *dist = vz_ct_run_path(ct, ".dist");

	if (dist)
		unlink(dist);
	unplug(ct, true, false);
}
