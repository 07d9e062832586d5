// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The node side of routed addresses: a host route per CT address to the
 * CT's host veth end, proxy ARP/NDP entries on the NEIGHBOUR_DEVS so the
 * LAN finds the address through the node, and the checks around them (an
 * address already on the node, forwarding switched off).
 */
#define VZ_LOG_PREFIX "net"
#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include "cleanup.h"
#include "fileutil.h"
#include "log.h"
#include "net-priv.h"

static struct nl_addr *ip_nladdr(const struct vz_ip *ip, unsigned prefixlen)
{
	struct nl_addr *a = nl_addr_build(ip->family, ip->addr, ip->family == AF_INET ? 4 : 16);

	if (a)
		nl_addr_set_prefixlen(a, prefixlen);
	return a;
}

int vz_route_host(struct nl_sock *sk, const struct vz_ip *ip, int ifindex, bool add,
		  struct vz_error *err)
{
	unsigned full = ip->family == AF_INET ? 32 : 128;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = ip_nladdr(ip, full);
	char text[64];
	int ret;

	vz_ip_format_addr(ip, text, sizeof(text));
	if (!r || !nh || !dst) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot route %s", text);
		goto out;
	}
	rtnl_route_set_family(r, ip->family);
	rtnl_route_set_dst(r, dst);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_scope(r, ip->family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(r, nh);
	nh = NULL;
	ret = add ? rtnl_route_add(sk, r, NLM_F_EXCL) : rtnl_route_delete(sk, r, 0);
	if (ret < 0 && !(add == false && vz_nl_gone(ret))) {
		ret = vz_nl_errno(ret);
		vz_error_set(err, ret == -EEXIST ? VZ_E_IP_IN_USE : VZ_E_SYSTEM, -ret,
			     "Cannot %s the host route to %s: %s", add ? "add" : "remove", text,
			     ret == -EEXIST ? "the node already routes it" : strerror(-ret));
		goto out;
	}
	ret = 0;
out:
	if (nh)
		rtnl_route_nh_free(nh);
	if (dst)
		nl_addr_put(dst);
	if (r)
		rtnl_route_put(r);
	return ret;
}

int vz_neigh_proxy(struct nl_sock *sk, const struct vz_ip *ip, const char *dev, bool add,
		   struct vz_error *err)
{
	struct rtnl_neigh *n = NULL;
	struct nl_addr *dst = NULL;
	int ifindex = vz_link_index(sk, dev), ret;
	char text[64];

	vz_ip_format_addr(ip, text, sizeof(text));
	if (ifindex < 0) {
		if (!add)
			return 0;
		return vz_error_sys(err, VZ_E_SYSTEM, -ifindex, "NEIGHBOUR_DEVS: device %s", dev);
	}
	n = rtnl_neigh_alloc();
	dst = ip_nladdr(ip, ip->family == AF_INET ? 32 : 128);
	if (!n || !dst) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot publish %s", text);
		goto out;
	}
	rtnl_neigh_set_family(n, ip->family);
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_dst(n, dst);
	rtnl_neigh_set_flags(n, NTF_PROXY);
	ret = add ? rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE)
		  : rtnl_neigh_delete(sk, n, 0);
	if (ret < 0 && !(add == false && vz_nl_gone(ret))) {
		ret = vz_error_set(err, VZ_E_SYSTEM, -vz_nl_errno(ret),
				   "Cannot %s the proxy %s entry for %s on %s: %s",
				   add ? "add" : "remove", ip->family == AF_INET ? "ARP" : "NDP",
				   text, dev, nl_geterror(ret));
		goto out;
	}
	ret = 0;
out:
	if (dst)
		nl_addr_put(dst);
	if (n)
		rtnl_neigh_put(n);
	return ret;
}

static int add_word(char **list, const char *word)
{
	size_t len = *list ? strlen(*list) : 0;
	char *grown;

	if (*list) {
		/* already listed? */
		for (char *p = strstr(*list, word); p; p = strstr(p + 1, word))
			if ((p == *list || p[-1] == ' ') &&
			    (p[strlen(word)] == ' ' || !p[strlen(word)]))
				return 0;
	}
	grown = realloc(*list, len + strlen(word) + 2);
	if (!grown)
		return -ENOMEM;
	sprintf(grown + len, "%s%s", len ? " " : "", word);
	*list = grown;
	return 0;
}

struct detect_ctx {
	struct nl_cache *links;
	char **devs;
};

static void detect_one(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct detect_ctx *ctx = arg;
	struct nl_addr *dst = rtnl_route_get_dst(r);
	char name[32];

	if (rtnl_route_get_table(r) != RT_TABLE_MAIN || (dst && nl_addr_get_prefixlen(dst) != 0))
		return;
	for (int i = 0; i < rtnl_route_get_nnexthops(r); i++) {
		int idx = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, i));

		if (idx > 0 && rtnl_link_i2name(ctx->links, idx, name, sizeof(name)))
			add_word(ctx->devs, name);
	}
}

char *vz_neigh_devs_resolve(struct nl_sock *sk, const char *setting)
{
	struct nl_cache *routes = NULL, *links = NULL;
	char *devs = NULL;

	if (!setting || !*setting)
		return strdup("");
	if (strcmp(setting, "detect"))
		return strdup(setting);
	if (rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) == 0 &&
	    rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &routes) == 0) {
		struct detect_ctx ctx = { .links = links, .devs = &devs };

		nl_cache_foreach(routes, detect_one, &ctx);
	}
	if (routes)
		nl_cache_free(routes);
	if (links)
		nl_cache_free(links);
	if (!devs)
		vz_debug("NEIGHBOUR_DEVS=detect: the node has no default route");
	return devs ? devs : strdup("");
}

struct match_ctx {
	const struct vz_ip *ip;
	bool found;
};

static void match_addr(struct nl_object *obj, void *arg)
{
	struct match_ctx *ctx = arg;
	struct nl_addr *local = rtnl_addr_get_local((struct rtnl_addr *)obj);

	if (local && nl_addr_get_family(local) == ctx->ip->family &&
	    !memcmp(nl_addr_get_binary_addr(local), ctx->ip->addr,
		    ctx->ip->family == AF_INET ? 4 : 16))
		ctx->found = true;
}

int vz_addr_on_node(struct nl_sock *sk, const struct vz_ip *ip)
{
	struct nl_cache *addrs = NULL;
	struct match_ctx ctx = { .ip = ip };
	int ret = rtnl_addr_alloc_cache(sk, &addrs);

	if (ret < 0)
		return vz_nl_errno(ret);
	nl_cache_foreach(addrs, match_addr, &ctx);
	nl_cache_free(addrs);
	return ctx.found;
}

static bool sysctl_on(const char *path)
{
	char buf[16];

	return vz_read_file_at(AT_FDCWD, path, buf, sizeof(buf)) > 0 && atoi(buf) > 0;
}

void vz_forwarding_check(bool v4, bool v6, const char *proxy_devs)
{
	if (v4 && !sysctl_on("/proc/sys/net/ipv4/ip_forward"))
		vz_warn("WARNING: IP forwarding is disabled on the node (net.ipv4.ip_forward = 0): "
			"the CT's IPv4 addresses are not reachable from outside");
	if (v6 && !sysctl_on("/proc/sys/net/ipv6/conf/all/forwarding"))
		vz_warn("WARNING: IPv6 forwarding is disabled on the node "
			"(net.ipv6.conf.all.forwarding = 0): the CT's IPv6 addresses are not "
			"reachable from outside");
	if (v6 && proxy_devs && *proxy_devs &&
	    !sysctl_on("/proc/sys/net/ipv6/conf/all/proxy_ndp")) {
		__vz_free char *copy = strdup(proxy_devs);
		char *save = NULL;

		for (char *d = copy ? strtok_r(copy, " ", &save) : NULL; d;
		     d = strtok_r(NULL, " ", &save)) {
			char path[128];

			snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/proxy_ndp", d);
			if (!sysctl_on(path))
				vz_warn("WARNING: proxy NDP is disabled on %s "
					"(net.ipv6.conf.%s.proxy_ndp = 0): neighbours on %s do not "
					"find the CT's IPv6 addresses",
					d, d, d);
		}
	}
}
