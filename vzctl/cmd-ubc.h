/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "vzctl ubc" and vzubc: the beancounters of running CTs, /proc/user_beancounters style. */
#ifndef VZCTL_CMD_UBC_H
#define VZCTL_CMD_UBC_H

/* argv[0] is the first argument after the command; returns the exit status. */
int vzctl_ubc_run(const char *prog, int argc, char **argv);

#endif
