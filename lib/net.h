/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A CT's network, the OpenVZ way, over rtnetlink (libnl-route-3):
 *
 * Routed ("venet") addresses, IP_ADDRESS="a b/len c": one veth pair per CT,
 * host end "venet<CTID>" (at most 15 characters: "venet" + the 10 digits of
 * the largest CTID), CT end "venet0" holding every address (/32 or /128
 * unless a length is given, no DAD) and default routes via the link-local
 * gateways 169.254.0.1 and fe80::1, which are permanent neighbour entries
 * pointing at the host end's MAC, so the CT never needs the host to answer
 * ARP or NDP for them.  On the host: a /32 (/128) route per address to the
 * host end, and proxy ARP/NDP entries for each address on NEIGHBOUR_DEVS
 * (a list of devices, "detect" for the devices of the default routes, empty
 * for none) so the rest of the LAN finds the CT through the node.
 *
 * Bridged veth, NETIF="ifname=eth0,mac=..,host_ifname=..,host_mac=..,
 * bridge=br0;ifname=eth1,...": a veth pair per entry, host end
 * "veth<CTID>.<n>" by default, attached to an existing bridge; MACs are
 * 00:18:51 plus three bytes derived from the CTID and ifname, so they stay
 * the same across restarts.  Addresses on bridged links are the CT's own
 * business.
 *
 * What runs is recorded in $RUNDIR/<CTID>.net (the applied IP_ADDRESS,
 * NETIF and the proxy devices): starting, a live "vzctl set", a reboot
 * inside the CT and the teardown at stop are all one operation, moving the
 * network from the recorded state to the wanted one (vz_net_sync()).
 */
#ifndef VZ_NET_H
#define VZ_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ct.h"

#define VZ_NET_IFNAMSIZ 16
#define VZ_VENET_CT_IFNAME "venet0"

/* ---- addresses (net-addr.c) ---- */

struct vz_ip {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefixlen; /* as given, else 32 or 128 */
	bool has_len;	    /* "ADDR/len" was written */
};

/* Parse "ADDR[/len]"; a malformed value is VZ_E_BAD_IP. */
int vz_ip_parse(const char *text, struct vz_ip *ip, struct vz_error *err);
/* Parse a space separated list; *ips is malloc'ed (may be NULL when *nr is 0). */
int vz_ip_list_parse(const char *text, struct vz_ip **ips, size_t *nr, struct vz_error *err);
/* "ADDR" or "ADDR/len" as it is written in IP_ADDRESS. */
void vz_ip_format(const struct vz_ip *ip, char *buf, size_t size);
/* The address alone, without the length. */
void vz_ip_format_addr(const struct vz_ip *ip, char *buf, size_t size);
/* Same address (the length is not compared). */
bool vz_ip_equal(const struct vz_ip *a, const struct vz_ip *b);
/*
 * Edit an IP_ADDRESS list: remove the addresses of del ("all" clears it),
 * then append those of add not yet present; *out is malloc'ed.
 */
int vz_ip_list_edit(const char *list, const char *add, const char *del, char **out,
		    struct vz_error *err);

/* ---- bridged interfaces (net-netif.c) ---- */

struct vz_netif {
	char ifname[VZ_NET_IFNAMSIZ];	   /* inside the CT */
	char host_ifname[VZ_NET_IFNAMSIZ]; /* on the node */
	char bridge[VZ_NET_IFNAMSIZ];	   /* empty: not attached */
	unsigned char mac[6], host_mac[6];
	bool has_mac, has_host_mac;
};

/* Parse NETIF; missing names and MACs are filled with the defaults for ctid. */
int vz_netif_list_parse(const char *text, unsigned ctid, struct vz_netif **nifs, size_t *nr,
			struct vz_error *err);
/* Format a NETIF value; malloc'ed, NULL on ENOMEM. */
char *vz_netif_list_format(const struct vz_netif *nifs, size_t nr);
/* Parse one "--netif_add ifname[,mac,host_ifname,host_mac,bridge]" argument. */
int vz_netif_parse_add(const char *arg, unsigned ctid, struct vz_netif *nif, struct vz_error *err);
/* Fill the generated fields (host name veth<CTID>.<n>, MACs) left empty. */
int vz_netif_fill(struct vz_netif *nif, unsigned ctid, size_t index, struct vz_error *err);
/* 00:18:51 + three bytes from ctid, ifname and side; stable across runs. */
void vz_net_mac_generate(unsigned ctid, const char *ifname, bool host, unsigned char mac[6]);
int vz_mac_parse(const char *text, unsigned char mac[6]);
void vz_mac_format(const unsigned char mac[6], char *buf, size_t size);
bool vz_ifname_valid(const char *name);

/* What --netif_add/--netif_del/--ifname ... ask for. */
struct vz_netif_edit {
	const char *add[16], *del[16]; /* del: ifname or "all" */
	size_t nr_add, nr_del;
	const char *ifname; /* the entry --mac, --host_ifname, --host_mac, --bridge change */
	const char *mac, *host_ifname, *host_mac, *bridge;
	bool missing_ok; /* an unknown ifname is no error (the config of a running CT) */
};
/* Deletions, then additions, then the changes of e->ifname; *out is malloc'ed. */
int vz_netif_list_edit(const char *list, unsigned ctid, const struct vz_netif_edit *e,
		       char **out, struct vz_error *err);

/* ---- the network of a CT (net.c) ---- */

struct vz_net_cfg {
	struct vz_ip *ips;
	size_t nr_ips;
	struct vz_netif *netifs;
	size_t nr_netifs;
	char *proxy_devs; /* resolved NEIGHBOUR_DEVS, space separated */
};

void vz_net_cfg_free(struct vz_net_cfg *cfg);

/*
 * Before a start: check IP_ADDRESS and NETIF, that no address is on the
 * node or used by another running CT (VZ_E_IP_IN_USE), that every bridge
 * exists (VZ_E_VETH), and clear what a crashed monitor may have left.
 */
int vz_net_prepare(struct vz_ct *ct, struct vz_error *err);
/*
 * Plug the CT's network in for its (not yet running) init pid: the state
 * recorded by a live change if any (reboot), else the CT's config.  On
 * failure nothing is left behind.
 */
int vz_net_plug(struct vz_ct *ct, pid_t pid, struct vz_error *err);
/* Remove the host side (routes, proxy entries, links); forget: drop the record. */
void vz_net_unplug(struct vz_ct *ct, bool forget);
/* A live change, as --ipadd/--ipdel/--netif_* ask for it (NULL: no change). */
struct vz_net_change {
	const char *ipadd, *ipdel; /* space separated; ipdel may be "all" */
	const struct vz_netif_edit *netif;
};
/*
 * Change a running CT's network: the same edit the config gets, applied to
 * what runs (so earlier unsaved changes stay), with the ADD_IP and DEL_IP
 * distribution actions.  A failure undoes the additions.
 */
int vz_net_apply(struct vz_ct *ct, pid_t pid, const struct vz_net_change *c,
		 struct vz_error *err);
/* The CT is destroyed: forget what this node remembers of its network. */
void vz_net_destroy(struct vz_ct *ct);
/*
 * Run ADD_IP inside a CT that just started (VE_STATE=starting), unless the
 * distribution was given the same addresses before on this boot of the node.
 */
int vz_net_dist_start(struct vz_ct *ct, struct vz_error *err);

#endif
