// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtnetlink sockets.  A netlink socket talks to the network namespace it
 * was created in, so a socket for a CT is made by stepping into the CT's
 * netns (setns on /proc/<pid>/ns/net), creating it and stepping back: the
 * caller is single-threaded and never runs anything else meanwhile.
 */
#define VZ_LOG_PREFIX "net"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <netlink/errno.h>

#include "cleanup.h"
#include "log.h"
#include "net-priv.h"

int vz_nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return 0;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

bool vz_nl_gone(int nlerr)
{
	int e = vz_nl_errno(nlerr);

	return e == -ENOENT || e == -ENODEV || e == -EADDRNOTAVAIL || e == -ESRCH;
}

static int nl_connect_here(struct nl_sock **out, struct vz_error *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	if (!sk)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot open a netlink socket");
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (ret < 0) {
		nl_socket_free(sk);
		return vz_error_set(err, VZ_E_SYSTEM, -vz_nl_errno(ret),
				    "Cannot open a netlink socket: %s", nl_geterror(ret));
	}
	*out = sk;
	return 0;
}

int vz_nl_open(pid_t pid, struct nl_sock **out, struct vz_error *err)
{
	__vz_close int self = -1, target = -1;
	char path[64];
	int ret;

	*out = NULL;
	if (pid == 0)
		return nl_connect_here(out, err);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno,
				    "Cannot open the network namespace of %d", (int)pid);
	if (setns(target, CLONE_NEWNET) < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, errno,
				    "Cannot enter the CT's network namespace");
	ret = nl_connect_here(out, err);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Anything done from here on would land in the CT: stop now. */
		vz_syserr("Cannot return to the node's network namespace");
		abort();
	}
	return ret;
}

void vz_nl_close(struct nl_sock **sk)
{
	if (*sk) {
		int saved = errno;

		nl_socket_free(*sk);
		*sk = NULL;
		errno = saved;
	}
}
