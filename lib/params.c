// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Value checks for the configuration keys libvz understands.  Unknown keys
 * are kept and ignored, as OpenVZ does; a known key with a bad value is an
 * error naming the file and line, so a typo never silently changes a CT.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "ct.h"
#include "net.h"
#include "resources.h"
#include "units.h"

typedef const char *(*param_check_fn)(const char *value);

static const char *check_yesno(const char *v)
{
	static const char *const ok[] = { "yes", "no", "on", "off", "1", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcasecmp(v, ok[i]))
			return NULL;
	return "expected yes or no";
}

static const char *check_uint(const char *v)
{
	char *end;

	if (!*v || !isdigit((unsigned char)*v))
		return "expected a non-negative integer";
	errno = 0;
	strtoull(v, &end, 10);
	return errno || *end ? "expected a non-negative integer" : NULL;
}

static const char *check_int(const char *v)
{
	char *end;

	errno = 0;
	strtoll(v, &end, 10);
	return !*v || errno || *end ? "expected an integer" : NULL;
}

static const char *check_abspath(const char *v)
{
	return v[0] == '/' ? NULL : "expected an absolute path";
}

static const char *check_anypath(const char *v)
{
	return strstr(v, "..") ? "'..' is not allowed" : NULL;
}

static const char *check_name(const char *v)
{
	return !*v || vz_ct_name_valid(v) ? NULL
					  : "a name may contain letters, digits and ' -+_.' "
					    "and must not be a number";
}

static const char *check_hostname(const char *v)
{
	size_t len = strlen(v);

	if (len == 0)
		return NULL;
	if (len > 253)
		return "a host name is at most 253 characters";
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return "a host name may contain letters, digits, '-' and '.'";
	if (v[0] == '-' || v[0] == '.')
		return "a host name must start with a letter or a digit";
	return NULL;
}

static const char *check_template_name(const char *v)
{
	if (!*v)
		return NULL;
	if (strchr(v, '/') || v[0] == '.')
		return "a template name may not contain '/' or start with '.'";
	return NULL;
}

static const char *check_words(const char *v)
{
	for (const char *p = v; *p; p++)
		if (!isprint((unsigned char)*p))
			return "unprintable character";
	return NULL;
}

static const char *check_ip_list(const char *v)
{
	__vz_free char *copy = strdup(v);
	char *save = NULL;

	if (!copy)
		return "out of memory";
	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		unsigned char buf[16];
		char *slash = strchr(tok, '/');

		bool v6;

		if (slash)
			*slash = '\0';
		v6 = inet_pton(AF_INET6, tok, buf) == 1;
		if (!v6 && inet_pton(AF_INET, tok, buf) != 1)
			return "expected IPv4 or IPv6 addresses separated by spaces";
		if (slash) {
			const char *len = slash + 1;
			char *end;
			unsigned long n;

			errno = 0;
			n = strtoul(len, &end, 10);
			if (!isdigit((unsigned char)*len) || *end || errno || n > (v6 ? 128UL : 32UL))
				return "invalid prefix length after '/'";
		}
	}
	return NULL;
}

static const char *check_netif(const char *v)
{
	__vz_free struct vz_netif *nifs = NULL;
	size_t nr;

	/* Any valid CTID will do: only the generated host names depend on it. */
	if (vz_netif_list_parse(v, VZ_CTID_MIN, &nifs, &nr, NULL) < 0)
		return "expected ifname=NAME[,mac=MAC,host_ifname=NAME,host_mac=MAC,bridge=NAME] "
		       "entries separated by ';'";
	return NULL;
}

static const char *check_layout(const char *v)
{
	if (!strcmp(v, "simfs") || !strcmp(v, "overlay") || !strcmp(v, "image"))
		return NULL;
	return "expected simfs, overlay or image";
}

static const char *check_ub_pages(const char *v)
{
	int64_t b, l;
	int ret = vz_parse_ub(v, 4096, true, &b, &l);

	if (ret == -ERANGE)
		return "barrier is greater than limit";
	return ret ? "expected barrier[:limit] (numbers with K/M/G/T suffixes, or unlimited)"
		   : NULL;
}

static const char *check_ub_count(const char *v)
{
	int64_t b, l;
	int ret = vz_parse_ub(v, 1, false, &b, &l);

	if (ret == -ERANGE)
		return "barrier is greater than limit";
	return ret ? "expected barrier[:limit] (whole numbers or unlimited)" : NULL;
}

/* SECCOMP: the policy of lib/seccomp.h. */
static const char *check_seccomp(const char *v)
{
	if (!*v || !strcmp(v, "default") || !strcmp(v, "off"))
		return NULL;
	if (v[0] != '/' || strstr(v, ".."))
		return "expected default, off or the absolute path of a profile";
	return NULL;
}

/* DISKSPACE: soft[:hard] in 1K blocks, suffixes allowed. */
static const char *check_disk_blocks(const char *v)
{
	int64_t b, l;
	int ret = vz_parse_ub(v, 1024, true, &b, &l);

	if (ret == -ERANGE)
		return "the soft limit is greater than the hard limit";
	return ret ? "expected soft[:hard] in 1K blocks (K/M/G/T suffixes), or unlimited" : NULL;
}

#define PARAMS(X)                                                                                  \
	X(ONBOOT, check_yesno)                                                                     \
	X(DISABLED, check_yesno)                                                                   \
	X(LOGGING, check_yesno)                                                                    \
	X(BOOTORDER, check_uint)                                                                   \
	X(STOP_TIMEOUT, check_uint)                                                                \
	X(START_TIMEOUT, check_uint)                                                               \
	X(LOCAL_UID, check_uint)                                                                   \
	X(LOCAL_GID, check_uint)                                                                   \
	X(LOG_LEVEL, check_int)                                                                    \
	X(VERBOSE, check_int)                                                                      \
	X(VE_ROOT, check_abspath)                                                                  \
	X(VE_PRIVATE, check_abspath)                                                               \
	X(TEMPLATE, check_abspath)                                                                 \
	X(LOCKDIR, check_abspath)                                                                  \
	X(DUMPDIR, check_abspath)                                                                  \
	X(RUNDIR, check_abspath)                                                                   \
	X(LOGFILE, check_abspath)                                                                  \
	X(CGROUP_PARENT, check_anypath)                                                            \
	X(NAME, check_name)                                                                        \
	X(HOSTNAME, check_hostname)                                                                \
	X(OSTEMPLATE, check_template_name)                                                         \
	X(DEF_OSTEMPLATE, check_template_name)                                                     \
	X(DESCRIPTION, check_words)                                                                \
	X(NAMESERVER, check_words)                                                                 \
	X(SEARCHDOMAIN, check_words)                                                               \
	X(IP_ADDRESS, check_ip_list)                                                               \
	X(NETIF, check_netif)                                                                      \
	X(VE_LAYOUT, check_layout)                                                                 \
	X(CAPABILITY, vz_res_check_capability)                                                     \
	X(SECCOMP, check_seccomp)                                                                  \
	X(PHYSPAGES, check_ub_pages)                                                               \
	X(SWAPPAGES, check_ub_pages)                                                               \
	X(LOCKEDPAGES, check_ub_pages)                                                             \
	X(PRIVVMPAGES, check_ub_pages)                                                             \
	X(SHMPAGES, check_ub_pages)                                                                \
	X(VMGUARPAGES, check_ub_pages)                                                             \
	X(OOMGUARPAGES, check_ub_pages)                                                            \
	X(KMEMSIZE, check_ub_pages)                                                                \
	X(TCPSNDBUF, check_ub_pages)                                                               \
	X(TCPRCVBUF, check_ub_pages)                                                               \
	X(OTHERSOCKBUF, check_ub_pages)                                                            \
	X(DGRAMRCVBUF, check_ub_pages)                                                             \
	X(DCACHESIZE, check_ub_pages)                                                              \
	X(DISKSPACE, check_disk_blocks)                                                            \
	X(NUMPROC, check_ub_count)                                                                 \
	X(NUMTCPSOCK, check_ub_count)                                                              \
	X(NUMFLOCK, check_ub_count)                                                                \
	X(NUMPTY, check_ub_count)                                                                  \
	X(NUMSIGINFO, check_ub_count)                                                              \
	X(NUMOTHERSOCK, check_ub_count)                                                            \
	X(NUMFILE, check_ub_count)                                                                 \
	X(NUMIPTENT, check_ub_count)                                                               \
	X(DISKINODES, check_ub_count)                                                              \
	X(VM_OVERCOMMIT, vz_res_check_vm_overcommit)                                               \
	X(CPUUNITS, vz_res_check_cpuunits)                                                         \
	X(CPULIMIT, vz_res_check_cpulimit)                                                         \
	X(CPUS, vz_res_check_cpus)                                                                 \
	X(CPUMASK, vz_res_check_cpumask)                                                           \
	X(NODEMASK, vz_res_check_cpumask)                                                          \
	X(IOLIMIT, vz_res_check_iolimit)                                                           \
	X(IOPSLIMIT, vz_res_check_iopslimit)                                                       \
	X(IOPRIO, vz_res_check_ioprio)                                                             \
	X(DEVICES, vz_res_check_devices)                                                           \
	X(DEVNODES, vz_res_check_devnodes)                                                         \
	X(FEATURES, vz_res_check_features)                                                         \
	X(STRICT_LIMITS, check_yesno)                                                              \
	X(QUOTATIME, check_uint)                                                                   \
	X(QUOTAUGIDLIMIT, check_uint)                                                              \
	X(DISK_QUOTA, check_yesno)

#define PARAM_ENTRY(key, fn) { #key, fn },
static const struct {
	const char *key;
	param_check_fn check;
} params[] = { PARAMS(PARAM_ENTRY) };
#undef PARAM_ENTRY

static param_check_fn find_check(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(params); i++)
		if (!strcmp(params[i].key, key))
			return params[i].check;
	return NULL;
}

int vz_param_check(const char *key, const char *value, struct vz_error *err)
{
	param_check_fn check = find_check(key);
	const char *why = check ? check(value) : NULL;

	if (why)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Invalid value for %s \"%s\": %s",
				    key, value, why);
	return 0;
}

int vz_params_validate(const struct vz_conf *conf, bool global, struct vz_error *err)
{
	(void)global;
	for (size_t i = 0; i < conf->nr_lines; i++) {
		const struct vz_conf_line *line = &conf->lines[i];
		param_check_fn check;
		const char *why;

		if (!line->key)
			continue;
		check = find_check(line->key);
		why = check ? check(line->value) : NULL;
		if (why)
			return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL,
					    "Invalid value for %s in '%s' line %u: \"%s\": %s",
					    line->key, conf->path, line->lineno, line->value, why);
	}
	return 0;
}
