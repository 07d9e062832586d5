/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hello of a migration (internal to the migrate*.c files): each side
 * says its protocol, vz, kernel and CRIU versions, its CPU flags and its
 * capabilities ("online", "files-incremental", "precopy").
 */
#ifndef VZ_MIGRATE_HELLO_H
#define VZ_MIGRATE_HELLO_H

#include <stdbool.h>
#include <stddef.h>

#include "mig-hello.pb-c.h"

/* The "flags" of the first CPU in /proc/cpuinfo; *out is a NULL-terminated strv. */
int vz_mig_cpu_flags(char ***out, size_t *nr);
/* This node's hello; the strings are borrowed. */
void vz_mig_fill_hello(MigHelloEntry *h, unsigned ctid, char *criu_version, char **flags,
		       size_t nr_flags);
bool vz_mig_has_cap(const MigHelloEntry *h, const char *cap);

#endif
