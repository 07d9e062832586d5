// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CT's own network configuration across a checkpoint (see cpt-net.h),
 * over plain rtnetlink sockets opened in the CT's network namespace.
 */
#define VZ_LOG_PREFIX "cpt"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "cpt-net.h"
#include "log.h"
#include "net.h"

#define NL_BUF 32768
#define ROUTE_PASSES 3

struct link {
	int index;
	char name[IFNAMSIZ];
	unsigned char mac[ETH_ALEN];
	bool has_mac;
};

struct links {
	struct link *v;
	size_t nr;
};

/* A socket in pid's network namespace, or -errno. */
static int ns_socket(pid_t pid, int domain, int type, int proto)
{
	__vz_close int self = -1, target = -1;
	char path[64];
	int sk, e;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0)
		return -errno;
	if (setns(target, CLONE_NEWNET) < 0)
		return -errno;
	sk = socket(domain, type | SOCK_CLOEXEC, proto);
	e = errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Anything done from here on would land in the CT: stop now. */
		vz_syserr("Cannot return to the node's network namespace");
		abort();
	}
	return sk < 0 ? -e : sk;
}

static int rtnl_socket(pid_t pid, struct vz_error *err)
{
	int sk = ns_socket(pid, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);

	if (sk < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -sk,
				    "Cannot talk to the CT's network namespace");
	return sk;
}

typedef int (*dump_fn)(struct nlmsghdr *h, void *arg);

/* A dump request of type for family; fn sees each answer (0 to go on). */
static int nl_dump(int sk, int type, int family, dump_fn fn, void *arg)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg m;
	} req = {
		.h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)), .nlmsg_type = type,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.m = { .rtm_family = family },
	};
	__vz_free char *buf = malloc(NL_BUF);

	if (!buf)
		return -ENOMEM;
	if (send(sk, &req, req.h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(sk, buf, NL_BUF, 0);
		int len = (int)n;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			int ret;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -EIO;
			}
			ret = fn(h, arg);
			if (ret < 0)
				return ret;
		}
	}
}

static int link_one(struct nlmsghdr *h, void *arg)
{
	struct links *ls = arg;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	struct link l = { .index = ifi->ifi_index };
	struct link *nv;

	if (h->nlmsg_type != RTM_NEWLINK || len < 0)
		return 0;
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME && RTA_PAYLOAD(a) <= IFNAMSIZ)
			snprintf(l.name, sizeof(l.name), "%.*s", (int)RTA_PAYLOAD(a),
				 (char *)RTA_DATA(a));
		if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == ETH_ALEN) {
			memcpy(l.mac, RTA_DATA(a), ETH_ALEN);
			l.has_mac = true;
		}
	}
	nv = realloc(ls->v, (ls->nr + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	ls->v = nv;
	ls->v[ls->nr++] = l;
	return 0;
}

static int links_read(int sk, struct links *ls)
{
	ls->v = NULL;
	ls->nr = 0;
	return nl_dump(sk, RTM_GETLINK, AF_UNSPEC, link_one, ls);
}

static const struct link *link_by_index(const struct links *ls, int index)
{
	for (size_t i = 0; i < ls->nr; i++)
		if (ls->v[i].index == index)
			return &ls->v[i];
	return NULL;
}

static const struct link *link_by_name(const struct links *ls, const char *name)
{
	for (size_t i = 0; i < ls->nr; i++)
		if (!strcmp(ls->v[i].name, name))
			return &ls->v[i];
	return NULL;
}

/* The devices every network namespace gets while their tunnel module is loaded. */
static bool fallback_tunnel(const char *name)
{
	static const char *const names[] = { "sit0",	"tunl0",    "gre0",	"gretap0", "erspan0",
					     "ip_vti0", "ip6_vti0", "ip6tnl0", "ip6gre0" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

int vz_cpt_net_check_links(pid_t pid, const char *const *plugged, size_t nr,
			   struct vz_error *err)
{
	struct links links = { 0 };
	__vz_close int sk = rtnl_socket(pid, err);
	int ret;

	if (sk < 0)
		return sk;
	ret = links_read(sk, &links);
	if (ret < 0) {
		free(links.v);
		return vz_error_sys(err, VZ_E_CHKPNT, -ret, "Cannot read the links of the CT");
	}
	for (size_t i = 0; i < links.nr && ret == 0; i++) {
		const char *name = links.v[i].name;
		bool known = !strcmp(name, "lo") || fallback_tunnel(name);

		for (size_t j = 0; j < nr && !known; j++)
			known = !strcmp(name, plugged[j]);
		if (!known)
			ret = vz_error_set(err, VZ_E_CHKPNT, EOPNOTSUPP,
					   "The CT has a network interface '%s' of its own making; "
					   "a checkpoint carries only lo, venet0 and the NETIF "
					   "interfaces",
					   name);
	}
	free(links.v);
	return ret;
}

int vz_cpt_net_lo_up(pid_t pid, struct vz_error *err)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	__vz_close int sk = ns_socket(pid, AF_INET, SOCK_DGRAM, 0);

	if (sk < 0)
		return vz_error_sys(err, VZ_E_RESTORE, -sk, "Cannot set up the CT's loopback");
	if (ioctl(sk, SIOCGIFFLAGS, &ifr) < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot bring up lo in the restored CT");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(sk, SIOCSIFFLAGS, &ifr) < 0)
		return vz_error_sys(err, VZ_E_RESTORE, errno, "Cannot bring up lo in the restored CT");
	return 0;
}

void vz_cpt_net_free(CptNetEntry **v, size_t nr)
{
	for (size_t i = 0; v && i < nr; i++) {
		free(v[i]->nlmsg.data);
		free(v[i]->ifname);
		free(v[i]);
	}
	free(v);
}

struct saved {
	const struct links *links;
	CptNetEntry **v;
	size_t nr;
};

static int keep(struct saved *s, struct nlmsghdr *h, const char *ifname)
{
	CptNetEntry **nv, *e;

	nv = realloc(s->v, (s->nr + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	s->v = nv;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	cpt_net_entry__init(e);
	s->v[s->nr++] = e;
	e->nlmsg.data = malloc(h->nlmsg_len);
	e->ifname = ifname ? strdup(ifname) : NULL;
	if (!e->nlmsg.data || (ifname && !e->ifname))
		return -ENOMEM;
	memcpy(e->nlmsg.data, h, h->nlmsg_len);
	e->nlmsg.len = h->nlmsg_len;
	return 0;
}

/* Entry of the link ifindex; a link gone while we looked is not the CT's any more. */
static int keep_on(struct saved *s, struct nlmsghdr *h, int ifindex)
{
	const struct link *l = link_by_index(s->links, ifindex);

	return l ? keep(s, h, l->name) : 0;
}

static int addr_one(struct nlmsghdr *h, void *arg)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);

	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return 0;
	return keep_on(arg, h, ifa->ifa_index);
}

/*
 * Routes the kernel makes by itself (for addresses, in the local table,
 * cached) come back with the addresses; the CT's own are kept.
 */
static int route_one(struct nlmsghdr *h, void *arg)
{
	struct rtmsg *rt = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*rt)), oif = 0;
	uint32_t table = rt->rtm_table;

	if (h->nlmsg_type != RTM_NEWROUTE || len < 0 || rt->rtm_protocol == RTPROT_KERNEL ||
	    (rt->rtm_flags & RTM_F_CLONED) || rt->rtm_type == RTN_LOCAL ||
	    rt->rtm_type == RTN_BROADCAST || rt->rtm_type == RTN_MULTICAST ||
	    rt->rtm_type == RTN_ANYCAST)
		return 0;
	for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) == sizeof(uint32_t))
			table = *(uint32_t *)RTA_DATA(a);
		if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) == sizeof(int))
			oif = *(int *)RTA_DATA(a);
		if (a->rta_type == RTA_MULTIPATH) {
			vz_warn("A multipath route of the CT is not carried over");
			return 0;
		}
	}
	if (table == RT_TABLE_LOCAL)
		return 0;
	/* blackhole, unreachable and friends have no link */
	return oif ? keep_on(arg, h, oif) : keep(arg, h, NULL);
}

/* The CT's policy routing rules; the ones a new namespace has already are the kernel's. */
static int rule_one(struct nlmsghdr *h, void *arg)
{
	struct fib_rule_hdr *frh = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*frh));

	if (h->nlmsg_type != RTM_NEWRULE || len < 0)
		return 0;
	for (struct rtattr *a = (struct rtattr *)((char *)frh + NLMSG_ALIGN(sizeof(*frh)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == FRA_PROTOCOL && RTA_PAYLOAD(a) == sizeof(uint8_t) &&
		    *(uint8_t *)RTA_DATA(a) == RTPROT_KERNEL)
			return 0;
	return keep(arg, h, NULL);
}

int vz_cpt_net_save(pid_t pid, bool rules, CptNetEntry ***out, size_t *nr, struct vz_error *err)
{
	struct links links = { 0 };
	struct saved s = { .links = &links };
	__vz_close int sk = rtnl_socket(pid, err);
	int ret;

	*out = NULL;
	*nr = 0;
	if (sk < 0)
		return sk;
	ret = links_read(sk, &links);
	if (ret == 0)
		ret = nl_dump(sk, RTM_GETADDR, AF_UNSPEC, addr_one, &s);
	if (ret == 0)
		ret = nl_dump(sk, RTM_GETROUTE, AF_INET, route_one, &s);
	if (ret == 0)
		ret = nl_dump(sk, RTM_GETROUTE, AF_INET6, route_one, &s);
	if (ret == 0 && rules)
		ret = nl_dump(sk, RTM_GETRULE, AF_INET, rule_one, &s);
	if (ret == 0 && rules)
		ret = nl_dump(sk, RTM_GETRULE, AF_INET6, rule_one, &s);
	free(links.v);
	if (ret < 0) {
		vz_cpt_net_free(s.v, s.nr);
		return vz_error_sys(err, VZ_E_CHKPNT, -ret,
				    "Cannot read the addresses, routes and rules of the CT");
	}
	*out = s.v;
	*nr = s.nr;
	return 0;
}

/* The size of the fixed header of a message we replay, 0 for another kind. */
static size_t msg_fixed(uint16_t type)
{
	switch (type) {
	case RTM_NEWADDR:
		return sizeof(struct ifaddrmsg);
	case RTM_NEWROUTE:
		return sizeof(struct rtmsg);
	case RTM_NEWRULE:
		return sizeof(struct fib_rule_hdr);
	default:
		return 0;
	}
}

/* The attributes of a message that passed vz_cpt_net_valid(). */
static struct rtattr *msg_attrs(struct nlmsghdr *h, int *len)
{
	size_t fixed = msg_fixed(h->nlmsg_type);

	*len = h->nlmsg_len - NLMSG_LENGTH(fixed);
	return (struct rtattr *)((char *)NLMSG_DATA(h) + NLMSG_ALIGN(fixed));
}

static const char *msg_what(uint16_t type)
{
	return type == RTM_NEWADDR ? "address" : type == RTM_NEWRULE ? "rule" : "route";
}

bool vz_cpt_net_valid(CptNetEntry *const *v, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		struct nlmsghdr h;
		size_t fixed;
		struct rtattr *a;
		int len;

		if (v[i]->nlmsg.len < sizeof(h) || v[i]->nlmsg.len > NL_BUF)
			return false;
		memcpy(&h, v[i]->nlmsg.data, sizeof(h));
		fixed = msg_fixed(h.nlmsg_type);
		if (!fixed)
			return false;
		if (h.nlmsg_len != v[i]->nlmsg.len || h.nlmsg_len < NLMSG_LENGTH(fixed) ||
		    (h.nlmsg_type == RTM_NEWADDR && !v[i]->ifname) ||
		    (h.nlmsg_type == RTM_NEWRULE && v[i]->ifname) ||
		    (v[i]->ifname && strlen(v[i]->ifname) >= IFNAMSIZ))
			return false;
		/* The attributes must fill the message exactly (NLMSG_ALIGNed data). */
		a = msg_attrs((struct nlmsghdr *)v[i]->nlmsg.data, &len);
		while (RTA_OK(a, len))
			a = RTA_NEXT(a, len);
		if (len != 0)
			return false;
	}
	return true;
}

/* Send one change and read its answer: 0 or -errno. */
static int nl_change(int sk, struct nlmsghdr *h, uint32_t seq)
{
	char buf[1024];

	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = 0;
	if (send(sk, h, h->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(sk, buf, sizeof(buf), 0);
		int len = (int)n;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, len);
		     r = NLMSG_NEXT(r, len)) {
			if (r->nlmsg_seq != seq || r->nlmsg_type != NLMSG_ERROR)
				continue;
			return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
		}
	}
}

/* A copy of entry e for this namespace (its link's index), NULL if it has no link here. */
static struct nlmsghdr *localize(const CptNetEntry *e, const struct links *ls)
{
	struct nlmsghdr *h;
	const struct link *l = e->ifname && *e->ifname ? link_by_name(ls, e->ifname) : NULL;
	struct rtattr *a;
	int len;

	if (e->ifname && *e->ifname && !l)
		return NULL;
	h = malloc(e->nlmsg.len);
	if (!h)
		return NULL;
	memcpy(h, e->nlmsg.data, e->nlmsg.len);
	if (h->nlmsg_type == RTM_NEWADDR) {
		((struct ifaddrmsg *)NLMSG_DATA(h))->ifa_index = l->index;
		return h;
	}
	if (h->nlmsg_type != RTM_NEWROUTE)
		return h; /* a rule names its links */
	for (a = msg_attrs(h, &len); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) == sizeof(int) && l)
			memcpy(RTA_DATA(a), &l->index, sizeof(int));
	return h;
}

int vz_cpt_net_restore(pid_t pid, CptNetEntry *const *v, size_t nr, struct vz_error *err)
{
	struct links links = { 0 };
	__vz_free bool *done = calloc(nr + 1, sizeof(*done));
	__vz_close int sk = -1;
	uint32_t seq = 1;
	int ret = 0;

	if (!nr)
		return 0;
	if (!done)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot restore the CT's network");
	sk = rtnl_socket(pid, err);
	if (sk < 0)
		return sk;
	ret = links_read(sk, &links);
	if (ret < 0) {
		free(links.v);
		return vz_error_sys(err, VZ_E_RESTORE, -ret, "Cannot read the CT's links");
	}
	/* Addresses first; a route may need another one before it: a few passes. */
	for (int pass = 0; pass < ROUTE_PASSES; pass++) {
		ret = 0;
		for (int kind = 0; kind < 2; kind++) {
			for (size_t i = 0; i < nr; i++) {
				const CptNetEntry *e = v[i];
				__vz_free struct nlmsghdr *h = NULL;
				uint16_t type = ((struct nlmsghdr *)e->nlmsg.data)->nlmsg_type;
				int r;

				if (done[i] || (type == RTM_NEWADDR) != (kind == 0))
					continue;
				h = localize(e, &links);
				if (!h) {
					vz_warn("The CT's link %s is gone: its %s is not restored",
						e->ifname, msg_what(type));
					done[i] = true;
					continue;
				}
				r = nl_change(sk, h, ++seq);
				if (r == 0 || r == -EEXIST)
					done[i] = true;
				else if (!ret)
					ret = vz_error_sys(err, VZ_E_RESTORE, -r,
							   "Cannot restore a%s %s of the CT on %s",
							   type == RTM_NEWADDR ? "n" : "",
							   msg_what(type),
							   e->ifname && *e->ifname ? e->ifname
										 : "no link");
			}
		}
		if (ret == 0)
			break;
	}
	free(links.v);
	return ret;
}

static void announce_one(int sk, const struct link *l, const void *ip4)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				  .sll_ifindex = l->index, .sll_halen = ETH_ALEN };
	unsigned char pkt[sizeof(struct arphdr) + 2 * (ETH_ALEN + 4)];
	struct arphdr *arp = (struct arphdr *)pkt;
	unsigned char *p = pkt + sizeof(*arp);

	memset(to.sll_addr, 0xff, ETH_ALEN);
	arp->ar_hrd = htons(ARPHRD_ETHER);
	arp->ar_pro = htons(ETH_P_IP);
	arp->ar_hln = ETH_ALEN;
	arp->ar_pln = 4;
	arp->ar_op = htons(ARPOP_REQUEST);
	memcpy(p, l->mac, ETH_ALEN);
	memcpy(p + ETH_ALEN, ip4, 4);
	memset(p + ETH_ALEN + 4, 0, ETH_ALEN);
	memcpy(p + 2 * ETH_ALEN + 4, ip4, 4);
	if (sendto(sk, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		vz_debug("Cannot announce an address on %s: %m", l->name);
}

void vz_cpt_net_announce(pid_t pid, CptNetEntry *const *v, size_t nr)
{
	struct links links = { 0 };
	__vz_close int rt = -1, sk = -1;

	if (!nr)
		return;
	rt = rtnl_socket(pid, NULL);
	sk = ns_socket(pid, AF_PACKET, SOCK_DGRAM, htons(ETH_P_ARP));
	if (rt < 0 || sk < 0 || links_read(rt, &links) < 0) {
		vz_debug("Cannot announce the CT's addresses");
		free(links.v);
		return;
	}
	for (size_t i = 0; i < nr; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)v[i]->nlmsg.data;
		struct ifaddrmsg *ifa = NLMSG_DATA(h);
		const struct link *l;
		struct rtattr *a;
		int len;

		if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET || !v[i]->ifname ||
		    !strcmp(v[i]->ifname, "lo") || !strcmp(v[i]->ifname, VZ_VENET_CT_IFNAME))
			continue;
		l = link_by_name(&links, v[i]->ifname);
		if (!l || !l->has_mac)
			continue;
		for (a = msg_attrs(h, &len); RTA_OK(a, len); a = RTA_NEXT(a, len))
			if (a->rta_type == IFA_LOCAL && RTA_PAYLOAD(a) == 4)
				announce_one(sk, l, RTA_DATA(a));
	}
	free(links.v);
}
