/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to the net-*.c files: rtnetlink sockets (in the node's network
 * namespace or in a CT's), links, host routes and proxy neighbours, and the
 * CT side of a routed link.  Every call returns 0 or -errno and fills err.
 */
#ifndef VZ_NET_PRIV_H
#define VZ_NET_PRIV_H

#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "net.h"

/* The gateways a CT's venet0 routes through (permanent neighbours of the host end). */
#define VZ_VENET_GW4 "169.254.0.1"
#define VZ_VENET_GW6 "fe80::1"

/* net-nl.c */
/* A connected NETLINK_ROUTE socket in the netns of pid (0: the caller's). */
int vz_nl_open(pid_t pid, struct nl_sock **out, struct vz_error *err);
void vz_nl_close(struct nl_sock **sk);
#define __vz_nl __attribute__((cleanup(vz_nl_close)))
/* A libnl error (negative NLE_*) as a negative errno. */
int vz_nl_errno(int nlerr);
/* true for "already gone" answers of a delete. */
bool vz_nl_gone(int nlerr);

/* net-link.c */
struct vz_veth {
	const char *host_name, *ct_name;
	const unsigned char *host_mac, *ct_mac;
	pid_t ct_pid; /* the CT end is created in this process's netns */
};
int vz_link_veth_create(struct nl_sock *sk, const struct vz_veth *v, struct vz_error *err);
/* Delete a link by name; a missing link is fine. */
int vz_link_delete(struct nl_sock *sk, const char *name, struct vz_error *err);
/*
 * Links whose CT network namespace is being destroyed: the kernel deletes
 * them with it.  A detached helper checks for a second and deletes what is
 * left (a namespace something still pins), so the caller does not wait.
 */
void vz_link_reap(struct nl_sock *sk, char (*names)[VZ_NET_IFNAMSIZ], size_t nr);
/*
 * Wait up to timeout_ms for a link to be gone (the host end of a CT that
 * just stopped goes with its namespace a moment later); true if it is.
 */
bool vz_link_gone(struct nl_sock *sk, const char *name, int timeout_ms);
/* ifindex of a link, or -ENODEV. */
int vz_link_index(struct nl_sock *sk, const char *name);
/* Is name a bridge? -ENODEV if missing, -ENOTTY if not a bridge. */
int vz_link_check_bridge(struct nl_sock *sk, const char *name);
int vz_link_enslave(struct nl_sock *sk, const char *name, const char *bridge,
		    struct vz_error *err);
int vz_link_up(struct nl_sock *sk, const char *name, struct vz_error *err);

/* net-route.c: the node side */
int vz_route_host(struct nl_sock *sk, const struct vz_ip *ip, int ifindex, bool add,
		  struct vz_error *err);
int vz_neigh_proxy(struct nl_sock *sk, const struct vz_ip *ip, const char *dev, bool add,
		   struct vz_error *err);
/* NEIGHBOUR_DEVS resolved: "detect" -> the devices of the default routes; malloc'ed. */
char *vz_neigh_devs_resolve(struct nl_sock *sk, const char *setting);
/* Is the address configured on any link of the node? */
int vz_addr_on_node(struct nl_sock *sk, const struct vz_ip *ip);
/* Warn once if the node does not forward the families in use. */
void vz_forwarding_check(bool v4, bool v6, const char *proxy_devs);

/* net-ct.c: inside the CT's netns */
int vz_ct_addr(struct nl_sock *sk, int ifindex, const struct vz_ip *ip, bool add,
	       struct vz_error *err);
/* Permanent neighbours for the gateways and default routes through them. */
int vz_ct_default_routes(struct nl_sock *sk, int ifindex, const unsigned char *gw_mac, bool v4,
			 bool v6, struct vz_error *err);

#endif
