/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CT's network sysctls across a checkpoint (internal to the cpt*.c
 * files).  CRIU does not dump the CT's network namespace (see cpt-nft.h),
 * so what the CT set under /proc/sys/net (ip_forward, TCP tunables, an
 * interface's forwarding or rp_filter) would fall back to the defaults of
 * the new namespace on restore.  While the CT is frozen a child in its
 * namespace reads every writable file there, then the same files in a new
 * empty namespace of its own, and writes the values that differ to
 * SYSCTL_FILE; restore writes them into the new namespace once the
 * network is plugged in, before CRIU restores the sockets.
 */
#ifndef VZ_CPT_SYSCTL_H
#define VZ_CPT_SYSCTL_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "procutil.h"

/* "path=value" lines, path relative to /proc/sys/net, value without its newline. */
#define VZ_CPT_SYSCTL_FILE "sysctl.net"

struct vz_cpt_sysctl_save {
	struct vz_child child;
	int go; /* write end: the CT is frozen */
};

/*
 * Save the changed sysctls of init_pid's network namespace into
 * dirfd/SYSCTL_FILE: start before the CT is frozen (a new namespace's
 * values are read meanwhile), go once it is, wait for the file.  Waiting
 * without go ends the child without a file.
 */
int vz_cpt_sysctl_save_start(pid_t init_pid, int dirfd, struct vz_cpt_sysctl_save *s,
			     struct vz_error *err);
void vz_cpt_sysctl_save_go(struct vz_cpt_sysctl_save *s);
int vz_cpt_sysctl_save_wait(struct vz_cpt_sysctl_save *s, struct vz_error *err);
/*
 * Write dirfd/SYSCTL_FILE, if the dump has one, into pid's network
 * namespace.  A malformed file fails; a value this kernel refuses is a
 * warning naming it (the CT runs, with that default).
 */
int vz_cpt_sysctl_restore(pid_t pid, int dirfd, struct vz_error *err);

/*
 * Check a SYSCTL_FILE's text: every line "path=value" with a path of
 * [A-Za-z0-9_.:@-] components below /proc/sys/net (no "..", no empty
 * component) and a value without control characters but tabs.  0 or
 * -EBADMSG with err naming the line.
 */
int vz_cpt_sysctl_check(const char *text, struct vz_error *err);
/*
 * The file of a new network namespace that holds the default of an
 * interface's own sysctl: "ipv4/conf/eth0/forwarding" ->
 * "ipv4/conf/default/forwarding" (ipv6 the same), "ipv4/neigh/eth0/x" ->
 * "ipv4/neigh/lo/x".  0, or -ENOENT for a path that is not an interface's
 * (or is lo's, all or default), -ENAMETOOLONG.
 */
int vz_cpt_sysctl_default_path(const char *path, char *buf, size_t size);

#endif
