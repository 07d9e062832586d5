/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Distribution scripts: $VZ_CONFDIR/dists/<name>.conf maps an action
 * (ADD_IP, DEL_IP, SET_HOSTNAME, ...) to a script in dists/scripts/, run
 * inside the running CT by its /bin/sh with the action's variables in the
 * environment.  <name> is looked up the OpenVZ way from OSTEMPLATE: the
 * full name, then with the last "-suffix" stripped again and again
 * (debian-12-x86_64, debian-12, debian), then "default".
 */
#ifndef VZ_DIST_H
#define VZ_DIST_H

#include "ct.h"

/* The dists config for the CT's OSTEMPLATE; malloc'ed path, -ENOENT if none. */
int vz_dist_conf_find(struct vz_ct *ct, char **path, struct vz_error *err);
/*
 * Run the script mapped to action; vars is a NULL-terminated list of
 * name, value pairs.  No dists config or no mapping: nothing to do (0).
 * A failing script is VZ_E_ACTION_SCRIPT.
 */
int vz_dist_action(struct vz_ct *ct, const char *action, const char *const vars[],
		   struct vz_error *err);

/*
 * POST_CREATE: a script run on the host right after the private area is
 * made, with the CT mounted and VE_ROOT, VE_PRIVATE, VEID in its
 * environment (as OpenVZ's postcreate).  Nothing mapped: nothing to do.
 */
int vz_dist_post_create(struct vz_ct *ct, struct vz_error *err);

/*
 * NAMESERVER="inherit": the host's name servers from resolv_conf (normally
 * /etc/resolv.conf) as a space-separated, malloc'ed list ("" when it names
 * none).  -errno if the file cannot be read.
 */
int vz_dist_host_nameservers(const char *resolv_conf, char **list);

#endif
