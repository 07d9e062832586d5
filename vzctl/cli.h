/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the command-line front ends share: OpenVZ exit codes and reporting. */
#ifndef VZ_CLI_H
#define VZ_CLI_H

#include "error.h"

/* OpenVZ exit codes that are not an error kind of libvz. */
enum {
	VZ_EXIT_OK = 0,
	VZ_EXIT_SYSTEM = 3,
	VZ_EXIT_EXEC_NONZERO = 8,
	VZ_EXIT_BAD_OPTION = 20,
	VZ_EXIT_BAD_VALUE = 21,
};

/* The OpenVZ exit code for an error kind (one table, vzctl.8). */
int vz_cli_exit_code(const struct vz_error *err);
/* Print the error message once, on stderr. */
void vz_cli_report(const struct vz_error *err);
/* Report err and return its exit code. */
int vz_cli_fail(const struct vz_error *err);
/* Set up logging from vz.conf (LOGGING, LOGFILE, LOG_LEVEL, VERBOSE) and log argv. */
struct vz_env;
void vz_cli_setup_logging(struct vz_env *env, int argc, char **argv);

#endif
