/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host-side action scripts in $VZ_CONFDIR/conf: the global vps.<action>
 * and the per-CT <CTID>.<action>, run with VEID, VE_CONFFILE, VE_ROOT and
 * VE_PRIVATE in the environment.  A missing script is not an error; a
 * failing one is (exit 79).
 */
#ifndef VZ_ACTION_H
#define VZ_ACTION_H

#include "ct.h"

int vz_action_run(struct vz_ct *ct, const char *action, struct vz_error *err);
/*
 * Per-CT scripts that run inside the CT (<CTID>.start after start,
 * <CTID>.stop before stop), fed to the CT's /bin/sh.
 */
int vz_action_run_in_ct(struct vz_ct *ct, const char *action, struct vz_error *err);

#endif
