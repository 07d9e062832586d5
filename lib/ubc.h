/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The beancounter view of a running CT in OpenVZ's /proc/user_beancounters
 * format (version 2.5).  On a kernel that has the file (vz's own) the
 * kernel's rows are used; elsewhere they are synthesized from the CT's
 * cgroup files (memcg, pids) and its config (barriers and limits no cgroup
 * holds).  Counters a stock kernel does not keep (numfile, numtcpsock ...)
 * read 0 there.
 */
#ifndef VZ_UBC_H
#define VZ_UBC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ct.h"
#include "resources.h"

#define VZ_UBC_PROC "/proc/user_beancounters"

struct vz_ubc_row {
	int64_t held, maxheld, barrier, limit, failcnt;
};

struct vz_ubc {
	char id[32];
	bool from_kernel; /* read from /proc/user_beancounters */
	struct vz_ubc_row row[VZ_UB__COUNT];
};

/*
 * Rows of a running CT; VZ_E_NOT_RUNNING if it is not.  proc_text is the
 * kernel's /proc/user_beancounters as read once for several CTs (NULL:
 * read it now; "" when the kernel has none).
 */
int vz_ubc_read(struct vz_ct *ct, const char *proc_text, struct vz_ubc *out,
		struct vz_error *err);
/* The kernel's /proc/user_beancounters (malloc'ed), or "" when it has none; NULL on ENOMEM. */
char *vz_ubc_proc_text(void);

/* Find id's rows in the text of a /proc/user_beancounters; -ENOENT if absent. */
int vz_ubc_parse(const char *text, const char *id, struct vz_ubc *out);

/* "Version: 2.5" and the column header. */
void vz_ubc_print_header(FILE *f);
/* A CT's 25 rows (dummy rows included), its id on the first. */
void vz_ubc_print(FILE *f, const struct vz_ubc *u);

#endif
