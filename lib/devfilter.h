/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup v2 device access: an eBPF device program attached to the CT's group. */
#ifndef VZ_DEVFILTER_H
#define VZ_DEVFILTER_H

#include "error.h"

/* One allowed character device; minor -1 matches every minor. */
struct vz_dev_rule {
	unsigned major;
	int minor;
};

extern const struct vz_dev_rule vz_default_devices[];
extern const unsigned vz_nr_default_devices;

int vz_devfilter_attach(const char *cgroup_path, struct vz_error *err);

#endif
