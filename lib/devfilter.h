/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device access of a CT: the rules (OpenVZ's DEVICES/DEVNODES plus the
 * devices every CT needs), as an eBPF device program on cgroup v2 and as
 * devices.allow/deny lines on cgroup v1.
 */
#ifndef VZ_DEVFILTER_H
#define VZ_DEVFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum {
	VZ_DEV_READ = 1 << 0,
	VZ_DEV_WRITE = 1 << 1,
	VZ_DEV_MKNOD = 1 << 2,
};

/* One rule; minor -1 matches every minor; access 0 denies. */
struct vz_dev_rule {
	char type; /* 'c' or 'b' */
	unsigned major;
	int minor;
	unsigned access;
};

/* The character devices every CT may create and open (null, zero, ptys...). */
extern const struct vz_dev_rule vz_default_devices[];
extern const unsigned vz_nr_default_devices;

/*
 * Replace the device programs attached to the CT's v2 group by one that
 * allows the default devices and applies rules (checked first, so a rule
 * with access 0 takes a default device away).
 */
int vz_devfilter_attach(const char *cgroup_path, const struct vz_dev_rule *rules, size_t nr,
			struct vz_error *err);

/* "c 1:3 rwm" / "b 8:* r" as cgroup v1 and devices.list spell a rule. */
void vz_dev_rule_format(const struct vz_dev_rule *r, char *buf, size_t size);
/* Parse a devices.list line back; false if it is not one. */
bool vz_dev_rule_parse_v1(const char *line, struct vz_dev_rule *r);

#endif
