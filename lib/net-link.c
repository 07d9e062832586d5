// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Links: veth pairs whose CT end is born in the CT's network namespace (so
 * the node never sees it), deletion, bridges and the up flag.
 */
#define VZ_LOG_PREFIX "net"
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "cleanup.h"
#include "fileutil.h"
#include "log.h"
#include "net-priv.h"
#include "procutil.h"

static void put_link(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}
#define __vz_link __attribute__((cleanup(put_link)))

static void put_addr(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
}
#define __vz_nladdr __attribute__((cleanup(put_addr)))

int vz_link_veth_create(struct nl_sock *sk, const struct vz_veth *v, struct vz_error *err)
{
	__vz_link struct rtnl_link *link = rtnl_link_veth_alloc();
	__vz_link struct rtnl_link *peer = NULL;
	__vz_nladdr struct nl_addr *host_mac = NULL, *ct_mac = NULL;
	char path[96];
	int ret;

	if (!link)
		return vz_error_sys(err, VZ_E_VETH, ENOMEM, "Cannot create veth %s", v->host_name);
	peer = rtnl_link_veth_get_peer(link);
	host_mac = nl_addr_build(AF_LLC, v->host_mac, 6);
	ct_mac = nl_addr_build(AF_LLC, v->ct_mac, 6);
	if (!peer || !host_mac || !ct_mac)
		return vz_error_sys(err, VZ_E_VETH, ENOMEM, "Cannot create veth %s", v->host_name);
	rtnl_link_set_name(link, v->host_name);
	rtnl_link_set_addr(link, host_mac);
	rtnl_link_set_name(peer, v->ct_name);
	rtnl_link_set_addr(peer, ct_mac);
	/* libnl 3.7 cannot send the peer's flags: the CT end is brought up from inside. */
	rtnl_link_set_ns_pid(peer, v->ct_pid);
	ret = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	if (ret < 0)
		return vz_error_set(err, VZ_E_VETH, -vz_nl_errno(ret),
				    "Cannot create veth pair %s/%s: %s", v->host_name, v->ct_name,
				    nl_geterror(ret));
	vz_debug("Created veth %s <-> %s in the CT", v->host_name, v->ct_name);
	/*
	 * The node solicits the CT's IPv6 addresses from the host end's
	 * link-local address: usable at once, not after a second of DAD on a
	 * link no one else can be on.
	 */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_dad", v->host_name);
	vz_write_file_at(AT_FDCWD, path, "0");
	ret = vz_link_up(sk, v->host_name, err);
	if (ret < 0)
		vz_link_delete(sk, v->host_name, NULL);
	return ret;
}

int vz_link_delete(struct nl_sock *sk, const char *name, struct vz_error *err)
{
	__vz_link struct rtnl_link *link = rtnl_link_alloc();
	int ret;

	if (!link)
		return vz_error_sys(err, VZ_E_VETH, ENOMEM, "Cannot delete %s", name);
	rtnl_link_set_name(link, name);
	ret = rtnl_link_delete(sk, link);
	if (ret < 0 && !vz_nl_gone(ret))
		return vz_error_set(err, VZ_E_VETH, -vz_nl_errno(ret), "Cannot delete link %s: %s",
				    name, nl_geterror(ret));
	return 0;
}

static int get_link(struct nl_sock *sk, const char *name, struct rtnl_link **out)
{
	int ret = rtnl_link_get_kernel(sk, 0, name, out);

	if (ret < 0)
		return vz_nl_gone(ret) ? -ENODEV : vz_nl_errno(ret);
	return 0;
}

int vz_link_index(struct nl_sock *sk, const char *name)
{
	__vz_link struct rtnl_link *link = NULL;
	int ret = get_link(sk, name, &link);

	return ret < 0 ? ret : rtnl_link_get_ifindex(link);
}

int vz_link_check_bridge(struct nl_sock *sk, const char *name)
{
	__vz_link struct rtnl_link *link = NULL;
	const char *type;
	int ret = get_link(sk, name, &link);

	if (ret < 0)
		return ret;
	type = rtnl_link_get_type(link);
	return type && !strcmp(type, "bridge") ? 0 : -ENOTTY;
}

int vz_link_enslave(struct nl_sock *sk, const char *name, const char *bridge,
		    struct vz_error *err)
{
	int master = vz_link_index(sk, bridge), slave = vz_link_index(sk, name), ret;

	if (master < 0)
		return vz_error_sys(err, VZ_E_VETH, -master, "Bridge %s", bridge);
	if (slave < 0)
		return vz_error_sys(err, VZ_E_VETH, -slave, "Link %s", name);
	ret = rtnl_link_enslave_ifindex(sk, master, slave);
	if (ret < 0)
		return vz_error_set(err, VZ_E_VETH, -vz_nl_errno(ret),
				    "Cannot attach %s to bridge %s: %s", name, bridge,
				    nl_geterror(ret));
	return 0;
}

int vz_link_up(struct nl_sock *sk, const char *name, struct vz_error *err)
{
	__vz_link struct rtnl_link *link = NULL, *change = rtnl_link_alloc();
	int ret = get_link(sk, name, &link);

	if (ret < 0)
		return vz_error_sys(err, VZ_E_VETH, -ret, "Link %s", name);
	if (!change)
		return vz_error_sys(err, VZ_E_VETH, ENOMEM, "Cannot bring up %s", name);
	rtnl_link_set_flags(change, IFF_UP);
	ret = rtnl_link_change(sk, link, change, 0);
	if (ret < 0)
		return vz_error_set(err, VZ_E_VETH, -vz_nl_errno(ret), "Cannot bring up %s: %s",
				    name, nl_geterror(ret));
	return 0;
}

bool vz_link_gone(struct nl_sock *sk, const char *name, int timeout_ms)
{
	struct timespec tick = { .tv_nsec = 5 * 1000 * 1000 };

	for (int waited = 0; vz_link_index(sk, name) > 0; waited += 5) {
		if (waited >= timeout_ms)
			return false;
		nanosleep(&tick, NULL);
	}
	return true;
}

/* The link with this ifindex, if it is still there (an index is not soon reused). */
static bool index_alive(struct nl_sock *sk, int ifindex)
{
	__vz_link struct rtnl_link *link = NULL;

	return rtnl_link_get_kernel(sk, ifindex, NULL, &link) == 0;
}

static void delete_index(struct nl_sock *sk, int ifindex)
{
	__vz_link struct rtnl_link *link = rtnl_link_alloc();

	if (link) {
		rtnl_link_set_ifindex(link, ifindex);
		rtnl_link_delete(sk, link);
	}
}

static void __attribute__((noreturn)) reaper(const int *idx, size_t nr)
{
	struct timespec tick = { .tv_nsec = 5 * 1000 * 1000 };
	struct nl_sock *sk = NULL;

	vz_close_fds_from(3, (int[]){ -1 });
	if (vz_nl_open(0, &sk, NULL) < 0)
		_exit(1);
	for (size_t j = 0; j < nr; j++) {
		for (int waited = 0; waited < 1000 && index_alive(sk, idx[j]); waited += 5)
			nanosleep(&tick, NULL);
		if (index_alive(sk, idx[j]))
			delete_index(sk, idx[j]);
	}
	_exit(0);
}

void vz_link_reap(struct nl_sock *sk, char (*names)[VZ_NET_IFNAMSIZ], size_t nr)
{
	int idx[64];
	size_t n = 0;
	pid_t pid;

	/*
	 * By index, not by name: a restart may make a new link of the same
	 * name before the old one is gone, and that one must stay.
	 */
	for (size_t j = 0; j < nr && n < ARRAY_SIZE(idx); j++) {
		int i = vz_link_index(sk, names[j]);

		if (i > 0)
			idx[n++] = i;
	}
	if (!n)
		return;
	pid = fork();
	if (pid == 0) {
		/* Detach: the grandchild is nobody's child to wait for. */
		if (fork() == 0)
			reaper(idx, n);
		_exit(0);
	}
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return;
	}
	/* No process to spare: delete them here and now. */
	for (size_t j = 0; j < n; j++)
		delete_index(sk, idx[j]);
}
