/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seccomp filter of a CT: a short list of system calls a tenant never
 * needs, refused with EPERM, on every system call ABI of the machine (on
 * x86-64: native, i386 and x32, so a 32-bit entry cannot go around it).
 *
 * SECCOMP in the CT's config (or vz.conf) picks the policy:
 *   "default" or unset   the built-in table in seccomp.c
 *   "off"                no filter (the user namespace, capabilities and
 *                        masked /proc still hold)
 *   "/path/to/profile"   a host file, read when the CT starts; one entry
 *                        per line, '#' starts a comment:
 *                          @default   every denial of the built-in table
 *                          NAME       refuse the system call NAME (EPERM)
 *                          !NAME      leave NAME out of @default
 *
 * The filter is compiled on the host side (where the profile lives) into a
 * classic BPF program when the CT starts, and installed by the CT's process
 * itself as the last step before execve, after its capabilities are
 * dropped: by its init, and by every process vzctl exec/enter starts in it.
 * A change of SECCOMP takes effect at the CT's next start.
 */
#ifndef VZ_SECCOMP_H
#define VZ_SECCOMP_H

#include <stdint.h>

#include "cleanup.h"
#include "ct.h"

struct vz_seccomp;

/*
 * Compile the CT's policy.  caps_dropped is the CT's vz_caps_dropped() mask:
 * a denial tied to a capability is skipped when CAPABILITY grants it.
 * *out is NULL when SECCOMP="off".
 */
int vz_seccomp_prepare(const struct vz_ct *ct, uint64_t caps_dropped, struct vz_seccomp **out,
		       struct vz_error *err);
/*
 * Keep the compiled program beside the running CT's state ($RUNDIR/<CTID>.seccomp,
 * written at each start of its init), so that vzctl exec and enter load the
 * very filter the CT's init runs under, without compiling it again.
 */
int vz_seccomp_save(struct vz_ct *ct, const struct vz_seccomp *sc, struct vz_error *err);
/* Remove the saved program when the CT's init is gone. */
void vz_seccomp_forget(struct vz_ct *ct);
/* The running CT's filter: the saved one, or compiled now if none was saved. */
int vz_seccomp_get(struct vz_ct *ct, uint64_t caps_dropped, struct vz_seccomp **out,
		   struct vz_error *err);
/* Install it in the calling process (no-op for NULL); 0 or -errno. */
int vz_seccomp_load(const struct vz_seccomp *sc);
void vz_seccomp_free(struct vz_seccomp *sc);

static inline void vz_seccomp_freep(struct vz_seccomp **sc)
{
	vz_seccomp_free(*sc);
}

#define __vz_seccomp __attribute__((cleanup(vz_seccomp_freep)))

#endif
