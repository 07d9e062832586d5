/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vzctl set: the resource options (beancounters, VSwap, CPU, I/O, devices...). */
#ifndef VZCTL_SET_RESOURCES_H
#define VZCTL_SET_RESOURCES_H

#include <getopt.h>
#include <stdbool.h>

#include "state.h"
#include "vzctl.h"

#define OPT_RES_BASE 0x500

/* One per option; the order of VZCTL_RES_OPTIONS. */
#define VZCTL_RES_OPTS(X)                                                                          \
	X(ram, 1)                                                                                  \
	X(swap, 1)                                                                                 \
	X(vm_overcommit, 1)                                                                        \
	X(cpuunits, 1)                                                                             \
	X(cpulimit, 1)                                                                             \
	X(cpus, 1)                                                                                 \
	X(cpumask, 1)                                                                              \
	X(nodemask, 1)                                                                             \
	X(iolimit, 1)                                                                              \
	X(iopslimit, 1)                                                                            \
	X(ioprio, 1)                                                                               \
	X(devices, 1)                                                                              \
	X(devnodes, 1)                                                                             \
	X(capability, 1)                                                                           \
	X(features, 1)                                                                             \
	X(applyconfig, 1)                                                                          \
	X(setmode, 1)                                                                              \
	X(reset_ub, 0)                                                                             \
	X(strict, 0)                                                                               \
	X(kmemsize, 1)                                                                             \
	X(lockedpages, 1)                                                                          \
	X(privvmpages, 1)                                                                          \
	X(shmpages, 1)                                                                             \
	X(numproc, 1)                                                                              \
	X(physpages, 1)                                                                            \
	X(vmguarpages, 1)                                                                          \
	X(oomguarpages, 1)                                                                         \
	X(numtcpsock, 1)                                                                           \
	X(numflock, 1)                                                                             \
	X(numpty, 1)                                                                               \
	X(numsiginfo, 1)                                                                           \
	X(tcpsndbuf, 1)                                                                            \
	X(tcprcvbuf, 1)                                                                            \
	X(othersockbuf, 1)                                                                         \
	X(dgramrcvbuf, 1)                                                                          \
	X(numothersock, 1)                                                                         \
	X(dcachesize, 1)                                                                           \
	X(numfile, 1)                                                                              \
	X(numiptent, 1)                                                                            \
	X(swappages, 1)

#define VZCTL_RES_ENUM(name, arg) RES_OPT_##name,
enum { VZCTL_RES_OPTS(VZCTL_RES_ENUM) RES_OPT__COUNT };
#undef VZCTL_RES_ENUM

#define VZCTL_RES_OPTION(name, arg)                                                                \
	{#name, (arg) ? required_argument : no_argument, NULL, OPT_RES_BASE + RES_OPT_##name},
#define VZCTL_RES_OPTIONS VZCTL_RES_OPTS(VZCTL_RES_OPTION)

enum vzctl_setmode { SETMODE_WARN, SETMODE_RESTART, SETMODE_IGNORE };

struct vzctl_res_edit {
	unsigned mask; /* VZ_RES_* bits of the changed keys */
	bool changed;  /* the config changed */
	bool restart;  /* a key that cannot change live changed */
	bool reset_ub; /* --reset_ub */
	bool strict;   /* --strict */
	enum vzctl_setmode setmode;
};

static inline bool vzctl_is_res_option(int c)
{
	return c >= OPT_RES_BASE && c < OPT_RES_BASE + RES_OPT__COUNT;
}

/* One option into the CT's config in memory; 0 or an exit code (message printed). */
int vzctl_res_option(struct vzctl *v, int c, const char *arg, struct vzctl_res_edit *e);
/* On a running CT: apply what changed (before the config is saved); 0 or an exit code. */
int vzctl_res_apply(struct vzctl *v, const struct vzctl_res_edit *e, const struct vz_ct_state *st);
/* After the config was saved (or not): restart for --setmode restart; 0 or an exit code. */
int vzctl_res_finish(struct vzctl *v, const struct vzctl_res_edit *e, const struct vz_ct_state *st,
		     bool saved);

#endif
