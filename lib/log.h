/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: messages go to stderr (filtered by the verbosity the CLI set)
 * and, when a log file is open, to it with a time stamp and the pid.
 * Each source file defines VZ_LOG_PREFIX before including this header.
 */
#ifndef VZ_LOG_H
#define VZ_LOG_H

#include <errno.h>
#include <stdbool.h>

enum vz_log_level { VZ_LOG_ERR, VZ_LOG_WARN, VZ_LOG_INFO, VZ_LOG_DEBUG };

#ifndef VZ_LOG_PREFIX
#define VZ_LOG_PREFIX NULL
#endif

void vz_log(enum vz_log_level level, const char *prefix, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* -1 quiet (errors only), 0 normal, 1+ verbose. */
void vz_log_set_verbosity(int verbosity);
int vz_log_verbosity(void);
/* Debug messages are wanted: on the terminal or in the open log file. */
bool vz_log_debug_wanted(void);
/* Open (append) a log file; level is the LOG_LEVEL of vz.conf. NULL closes. */
int vz_log_open_file(const char *path, int level);
void vz_log_close_file(void);
/* Text written to the log file only, e.g. the command line of each run. */
void vz_log_file_only(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define vz_err(...)	     vz_log(VZ_LOG_ERR, VZ_LOG_PREFIX, 0, __VA_ARGS__)
#define vz_warn(...)	     vz_log(VZ_LOG_WARN, VZ_LOG_PREFIX, 0, __VA_ARGS__)
#define vz_info(...)	     vz_log(VZ_LOG_INFO, VZ_LOG_PREFIX, 0, __VA_ARGS__)
#define vz_debug(...)	     vz_log(VZ_LOG_DEBUG, VZ_LOG_PREFIX, 0, __VA_ARGS__)
#define vz_syserr(...)	     vz_log(VZ_LOG_ERR, VZ_LOG_PREFIX, errno, __VA_ARGS__)
#define vz_syswarn(...)	     vz_log(VZ_LOG_WARN, VZ_LOG_PREFIX, errno, __VA_ARGS__)

#endif
