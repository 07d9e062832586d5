// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "caps"
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"
#include "cleanup.h"

/*
 * Not granted to a CT unless CAPABILITY turns them on: they act on the
 * whole host (modules, clock, raw I/O, MAC policy, audit, kernel log,
 * suspend, BPF and perf), as in OpenVZ's default set.
 */
static const int default_dropped[] = {
	CAP_SYS_MODULE,	 CAP_SYS_RAWIO,	   CAP_SYS_TIME,	CAP_SYS_PACCT,
	CAP_MAC_ADMIN,	 CAP_MAC_OVERRIDE, CAP_SYSLOG,		CAP_WAKE_ALARM,
	CAP_BLOCK_SUSPEND, CAP_AUDIT_CONTROL, CAP_AUDIT_READ,	CAP_PERFMON,
	CAP_BPF,	 CAP_CHECKPOINT_RESTORE,
};

int vz_caps_dropped(const struct vz_ct *ct, uint64_t *mask, struct vz_error *err)
{
	const char *spec = vz_ct_get(ct, "CAPABILITY");
	__vz_free char *copy = NULL;
	char *save = NULL;

	*mask = 0;
	for (size_t i = 0; i < ARRAY_SIZE(default_dropped); i++)
		*mask |= 1ULL << default_dropped[i];
	if (!spec || !*spec)
		return 0;
	copy = strdup(spec);
	if (!copy)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot parse CAPABILITY");
	for (char *tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		char *colon = strchr(tok, ':'), name[64];
		cap_value_t cap;

		if (!colon)
			return vz_error_set(err, VZ_E_CAPABILITY, EINVAL, "Invalid capability '%s'", tok);
		*colon = '\0';
		/* OpenVZ spells them without the cap_ prefix, any case. */
		snprintf(name, sizeof(name), "cap_%s", tok);
		for (char *p = name; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		if (cap_from_name(name, &cap) < 0 && cap_from_name(tok, &cap) < 0)
			return vz_error_set(err, VZ_E_CAPABILITY, EINVAL, "Unknown capability '%s'", tok);
		if (!strcmp(colon + 1, "on"))
			*mask &= ~(1ULL << cap);
		else
			*mask |= 1ULL << cap;
	}
	return 0;
}

int vz_caps_apply(uint64_t mask)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int last = CAP_LAST_CAP;

	for (int cap = 0; cap <= last && cap < 64; cap++) {
		if (!(mask & (1ULL << cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (capget(&hdr, data) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		uint32_t keep = ~(uint32_t)(mask >> (32 * i));

		data[i].effective &= keep;
		data[i].permitted &= keep;
		data[i].inheritable &= keep;
	}
	if (capset(&hdr, data) < 0)
		return -errno;
	return 0;
}
