/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes with suffixes and OpenVZ barrier:limit values. */
#ifndef VZ_UNITS_H
#define VZ_UNITS_H

#include <stdbool.h>
#include <stdint.h>

#define VZ_UNLIMITED INT64_MAX /* 9223372036854775807, as OpenVZ prints it */

/*
 * Parse "123", "1.5G", "512M", "unlimited" into a count of units of
 * "unit" bytes (a suffix is scaled and divided by unit; without a suffix the
 * number is already in units).  allow_suffix=false rejects K/M/G/T/P
 * (object counters such as numproc).  Returns 0 or -EINVAL/-ERANGE.
 */
int vz_parse_size(const char *text, uint64_t unit, bool allow_suffix, int64_t *out);
/* "barrier[:limit]" with either side "unlimited"; limit defaults to barrier. */
int vz_parse_ub(const char *text, uint64_t unit, bool allow_suffix, int64_t *barrier,
		int64_t *limit);
/* One number when barrier == limit, else "barrier:limit"; unlimited spelled out. */
void vz_format_ub(char *buf, unsigned size, int64_t barrier, int64_t limit);

#endif
