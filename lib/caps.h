/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capability set of a CT: OpenVZ's default set, changed by CAPABILITY. */
#ifndef VZ_CAPS_H
#define VZ_CAPS_H

#include <stdint.h>

#include "ct.h"

/* Bit mask (1 << CAP_x) of the capabilities a CT must not have. */
int vz_caps_dropped(const struct vz_ct *ct, uint64_t *mask, struct vz_error *err);
/* Remove the capabilities in mask from every set, bounding set included. */
int vz_caps_apply(uint64_t mask);

#endif
