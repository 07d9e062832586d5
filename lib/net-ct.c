// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CT side of a routed link, configured from the node through a netlink
 * socket opened in the CT's network namespace: the addresses on venet0
 * (no DAD, no prefix route: everything leaves through the gateway), and
 * default routes through link-local gateways that are permanent neighbour
 * entries for the host end's MAC.
 */
#define VZ_LOG_PREFIX "net"
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include <netlink/route/addr.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include "log.h"
#include "net-priv.h"

int vz_ct_addr(struct nl_sock *sk, int ifindex, const struct vz_ip *ip, bool add,
	       struct vz_error *err)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = nl_addr_build(ip->family, ip->addr, ip->family == AF_INET ? 4 : 16);
	char text[64];
	int ret;

	vz_ip_format(ip, text, sizeof(text));
	if (!a || !local) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot set %s in the CT", text);
		goto out;
	}
	nl_addr_set_prefixlen(local, ip->prefixlen);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, ip->family);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_prefixlen(a, ip->prefixlen);
	rtnl_addr_set_flags(a, IFA_F_NOPREFIXROUTE | (ip->family == AF_INET6 ? IFA_F_NODAD : 0));
	ret = add ? rtnl_addr_add(sk, a, NLM_F_REPLACE) : rtnl_addr_delete(sk, a, 0);
	if (ret < 0 && !(add == false && vz_nl_gone(ret))) {
		ret = vz_error_set(err, VZ_E_SYSTEM, -vz_nl_errno(ret),
				   "Cannot %s address %s in the CT: %s", add ? "add" : "remove",
				   text, nl_geterror(ret));
		goto out;
	}
	ret = 0;
out:
	if (local)
		nl_addr_put(local);
	if (a)
		rtnl_addr_put(a);
	return ret;
}

static int gateway(struct nl_sock *sk, int ifindex, int family, const char *gw_text,
		   const unsigned char *gw_mac, struct vz_error *err)
{
	unsigned char bin[16], zero[16] = { 0 };
	int len = family == AF_INET ? 4 : 16;
	struct nl_addr *gw = NULL, *ll = NULL, *any = NULL;
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	int ret;

	inet_pton(family, gw_text, bin);
	gw = nl_addr_build(family, bin, len);
	ll = nl_addr_build(AF_LLC, gw_mac, 6);
	any = nl_addr_build(family, zero, len);
	if (!n || !r || !nh || !gw || !ll || !any) {
		ret = vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot set the CT's default route");
		goto out;
	}
	rtnl_neigh_set_family(n, family);
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_dst(n, gw);
	rtnl_neigh_set_lladdr(n, ll);
	rtnl_neigh_set_state(n, NUD_PERMANENT);
	ret = rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE);
	if (ret < 0) {
		ret = vz_error_set(err, VZ_E_SYSTEM, -vz_nl_errno(ret),
				   "Cannot add the gateway %s in the CT: %s", gw_text,
				   nl_geterror(ret));
		goto out;
	}
	nl_addr_set_prefixlen(any, 0);
	rtnl_route_set_family(r, family);
	rtnl_route_set_dst(r, any);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_nh_set_gateway(nh, gw);
	if (family == AF_INET)
		rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
	rtnl_route_add_nexthop(r, nh);
	nh = NULL;
	ret = rtnl_route_add(sk, r, NLM_F_REPLACE);
	if (ret < 0) {
		ret = vz_error_set(err, VZ_E_SYSTEM, -vz_nl_errno(ret),
				   "Cannot add the default route via %s in the CT: %s", gw_text,
				   nl_geterror(ret));
		goto out;
	}
	ret = 0;
out:
	if (nh)
		rtnl_route_nh_free(nh);
	if (r)
		rtnl_route_put(r);
	if (n)
		rtnl_neigh_put(n);
	if (gw)
		nl_addr_put(gw);
	if (ll)
		nl_addr_put(ll);
	if (any)
		nl_addr_put(any);
	return ret;
}

int vz_ct_default_routes(struct nl_sock *sk, int ifindex, const unsigned char *gw_mac, bool v4,
			 bool v6, struct vz_error *err)
{
	int ret = 0;

	if (v4)
		ret = gateway(sk, ifindex, AF_INET, VZ_VENET_GW4, gw_mac, err);
	if (ret == 0 && v6)
		ret = gateway(sk, ifindex, AF_INET6, VZ_VENET_GW6, gw_mac, err);
	return ret;
}
