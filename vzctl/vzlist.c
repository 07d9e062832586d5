// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzlist: list containers and their parameters in OpenVZ's formats.
 *
 * The field table (names, headers, column widths and alignment), the
 * default field lists, the trimming of long values, the JSON layout and
 * the exit statuses follow vzlist of classic OpenVZ (vzctl 4.x, see
 * vzlist.8), because hosting panels and admins' scripts parse this output
 * byte for byte.  Values come from the CT's own config file, as OpenVZ's
 * vzlist reads them; only VE_ROOT, VE_PRIVATE and VE_LAYOUT fall back to
 * vz.conf.  The beancounters of a running CT come from lib/ubc.h (the
 * kernel's /proc/user_beancounters, or its cgroup files); what the run time
 * would add beyond that (load average, disk usage) is printed as unknown
 * ("-", null).
 */
#define VZ_LOG_PREFIX "vzlist"
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <time.h>

#include "cleanup.h"
#include "cli.h"
#include "ct.h"
#include "error.h"
#include "fileutil.h"
#include "log.h"
#include "quota.h"
#include "state.h"
#include "ubc.h"
#include "units.h"

/* Exit status of OpenVZ's vzlist when the CTs asked for do not exist. */
#define EXIT_NOT_FOUND 1

#define PAGE_BYTES 4096

/* In OpenVZ's order, which is also the order "-s status" sorts by. */
#define CT_STATUSES(X)                                                                             \
	X(RUNNING, "running")                                                                      \
	X(STOPPED, "stopped")                                                                      \
	X(MOUNTED, "mounted")                                                                      \
	X(SUSPENDED, "suspended")

#define STATUS_ENUM(id, text) ST_##id,
enum ct_status { CT_STATUSES(STATUS_ENUM) };
#undef STATUS_ENUM
#define STATUS_NAME(id, text) [ST_##id] = text,
static const char *const status_names[] = { CT_STATUSES(STATUS_NAME) };
#undef STATUS_NAME

/*
 * Beancounters in /proc/user_beancounters order: field name, config key,
 * column header, unit of a number without suffix (bytes or pages), and
 * whether K/M/G suffixes are allowed (not for object counters).
 */
#define UB_RESOURCES(X)                                                                            \
	X(kmemsize, "KMEMSIZE", KMEMSIZE, 1, true)                                                 \
	X(lockedpages, "LOCKEDPAGES", LOCKEDP, PAGE_BYTES, true)                                   \
	X(privvmpages, "PRIVVMPAGES", PRIVVMP, PAGE_BYTES, true)                                   \
	X(shmpages, "SHMPAGES", SHMP, PAGE_BYTES, true)                                            \
	X(numproc, "NUMPROC", NPROC, 1, false)                                                     \
	X(physpages, "PHYSPAGES", PHYSP, PAGE_BYTES, true)                                         \
	X(vmguarpages, "VMGUARPAGES", VMGUARP, PAGE_BYTES, true)                                   \
	X(oomguarpages, "OOMGUARPAGES", OOMGUARP, PAGE_BYTES, true)                                \
	X(numtcpsock, "NUMTCPSOCK", NTCPSOCK, 1, false)                                            \
	X(numflock, "NUMFLOCK", NFLOCK, 1, false)                                                  \
	X(numpty, "NUMPTY", NPTY, 1, false)                                                        \
	X(numsiginfo, "NUMSIGINFO", NSIGINFO, 1, false)                                            \
	X(tcpsndbuf, "TCPSNDBUF", TCPSNDB, 1, true)                                                \
	X(tcprcvbuf, "TCPRCVBUF", TCPRCVB, 1, true)                                                \
	X(othersockbuf, "OTHERSOCKBUF", OTHSOCKB, 1, true)                                         \
	X(dgramrcvbuf, "DGRAMRCVBUF", DGRAMRB, 1, true)                                            \
	X(numothersock, "NUMOTHERSOCK", NOTHSOCK, 1, false)                                        \
	X(dcachesize, "DCACHESIZE", DCACHESZ, 1, true)                                             \
	X(numfile, "NUMFILE", NFILE, 1, false)                                                     \
	X(numiptent, "NUMIPTENT", NIPTENT, 1, false)                                               \
	X(swappages, "SWAPPAGES", SWAPP, PAGE_BYTES, true)

#define UB_ENUM(name, key, hdr, unit, sfx) UB_##name,
enum ub_id { UB_RESOURCES(UB_ENUM) NR_UB };
#undef UB_ENUM
/* The same order as lib/resources.h, which lib/ubc.h fills. */
#define UB_SAME(name, key, hdr, unit, sfx)                                                         \
	_Static_assert(UB_##name == (int)VZ_UB_##name, "beancounter order of " #name);
UB_RESOURCES(UB_SAME)
#undef UB_SAME

static const struct {
	const char *key;
	uint64_t unit;
	bool suffix;
} ub_defs[NR_UB] = {
#define UB_DEF(name, k, hdr, u, sfx) [UB_##name] = { .key = k, .unit = u, .suffix = sfx },
	UB_RESOURCES(UB_DEF)
#undef UB_DEF
};

/* The five columns of a beancounter and the three of a disk quota. */
enum { UB_HELD, UB_MAXHELD, UB_BARRIER, UB_LIMIT, UB_FAILCNT, NR_UB_COL };
static const char *const ub_col_names[NR_UB_COL] = { "held", "maxheld", "barrier", "limit",
						     "failcnt" };
enum { DQ_USAGE, DQ_SOFT, DQ_HARD, NR_DQ_COL };
static const char *const dq_col_names[NR_DQ_COL] = { "usage", "softlimit", "hardlimit" };
enum dq_id { DQ_SPACE, DQ_INODES, NR_DQ };

enum str_id {
	S_PRIVATE,
	S_ROOT,
	S_MOUNT_OPTS,
	S_ORIGIN_SAMPLE,
	S_HOSTNAME,
	S_NAME,
	S_DESCRIPTION,
	S_OSTEMPLATE,
	S_LAYOUT,
	NR_STR
};
enum list_id { L_IP, L_NAMESERVER, L_SEARCHDOMAIN, NR_LIST };

struct num {
	bool known;
	int64_t v;
};

struct ct_info {
	unsigned id;
	enum ct_status status;
	bool hide;
	char *str[NR_STR];    /* NULL when unset */
	char **list[NR_LIST]; /* NULL-terminated, NULL when unset */
	struct num ub[NR_UB][NR_UB_COL];
	bool quota;		    /* DISKSPACE or DISKINODES set */
	struct num dq[NR_DQ][NR_DQ_COL];
	bool cpu;		    /* CPULIMIT or CPUUNITS set */
	unsigned long cpulimit, cpuunits;
	int cpus;		    /* <= 0: unset */
	int ioprio, iolimit, iopslimit; /* < 0: unset */
	int onboot;		    /* 0 unset, 1 yes, 2 no (as OpenVZ) */
	struct num bootorder;
	struct num uptime;	    /* seconds, running CTs */
	bool disabled;
	double vm_overcommit;
};

enum field_kind {
	FK_CTID,
	FK_STR,
	FK_SMARTNAME,
	FK_LIST,
	FK_STATUS,
	FK_UB,
	FK_DQ,
	FK_LAVERAGE,
	FK_UPTIME,
	FK_CPULIMIT,
	FK_CPUUNITS,
	FK_CPUS,
	FK_IOPRIO,
	FK_IOLIMIT,
	FK_IOPSLIMIT,
	FK_ONBOOT,
	FK_BOOTORDER,
	FK_LAYOUT,
	FK_VSWAP,
	FK_DISABLED,
	FK_VM_OVERCOMMIT,
};

struct field {
	const char *name;
	const char *hdr;
	int hdr_width; /* printf field width: negative means left-aligned */
	int width;     /* of the values */
	enum field_kind kind;
	int arg; /* the string, list, beancounter or quota the field shows */
	int col; /* the beancounter or quota column; 0 for the main field */
};

#define UB_FIELDS(n, key, hdr, unit, sfx)                                                          \
	{ #n, #hdr, 10, 10, FK_UB, UB_##n, UB_HELD },                                              \
		{ #n ".m", #hdr ".M", 10, 10, FK_UB, UB_##n, UB_MAXHELD },                         \
		{ #n ".b", #hdr ".B", 10, 10, FK_UB, UB_##n, UB_BARRIER },                         \
		{ #n ".l", #hdr ".L", 10, 10, FK_UB, UB_##n, UB_LIMIT },                           \
		{ #n ".f", #hdr ".F", 10, 10, FK_UB, UB_##n, UB_FAILCNT },

/* In the order of OpenVZ's table: "vzlist -L" and "vzlist -j" print it so. */
static const struct field fields[] = {
	{ "ctid", "CTID", 10, 10, FK_CTID, 0, 0 },
	/* veid and vpsid: OpenVZ's old names of ctid, kept for scripts. */
	{ "veid", "CTID", 10, 10, FK_CTID, 0, 0 },
	{ "vpsid", "CTID", 10, 10, FK_CTID, 0, 0 },
	{ "private", "PRIVATE", -32, -32, FK_STR, S_PRIVATE, 0 },
	{ "root", "ROOT", -32, -32, FK_STR, S_ROOT, 0 },
	{ "mount_opts", "MOUNT_OPTS", -16, -16, FK_STR, S_MOUNT_OPTS, 0 },
	{ "origin_sample", "ORIGIN_SAMPLE", 32, -32, FK_STR, S_ORIGIN_SAMPLE, 0 },
	{ "hostname", "HOSTNAME", -32, -32, FK_STR, S_HOSTNAME, 0 },
	{ "name", "NAME", -32, -32, FK_STR, S_NAME, 0 },
	{ "smart_name", "SMARTNAME", 10, 10, FK_SMARTNAME, S_NAME, 0 },
	{ "description", "DESCRIPTION", -32, -32, FK_STR, S_DESCRIPTION, 0 },
	{ "ostemplate", "OSTEMPLATE", -32, -32, FK_STR, S_OSTEMPLATE, 0 },
	{ "ip", "IP_ADDR", -15, -15, FK_LIST, L_IP, 0 },
	{ "nameserver", "NAMESERVER", -15, -15, FK_LIST, L_NAMESERVER, 0 },
	{ "searchdomain", "SEARCHDOMAIN", -15, -15, FK_LIST, L_SEARCHDOMAIN, 0 },
	{ "status", "STATUS", -9, -9, FK_STATUS, 0, 0 },
	UB_RESOURCES(UB_FIELDS)
	{ "diskspace", "DSPACE", 10, 10, FK_DQ, DQ_SPACE, DQ_USAGE },
	{ "diskspace.s", "DSPACE.S", 10, 10, FK_DQ, DQ_SPACE, DQ_SOFT },
	{ "diskspace.h", "DSPACE.H", 10, 10, FK_DQ, DQ_SPACE, DQ_HARD },
	{ "diskinodes", "DINODES", 10, 10, FK_DQ, DQ_INODES, DQ_USAGE },
	{ "diskinodes.s", "DINODES.S", 10, 10, FK_DQ, DQ_INODES, DQ_SOFT },
	{ "diskinodes.h", "DINODES.H", 10, 10, FK_DQ, DQ_INODES, DQ_HARD },
	{ "laverage", "LAVERAGE", 14, 14, FK_LAVERAGE, 0, 0 },
	{ "uptime", "UPTIME", 15, 15, FK_UPTIME, 0, 0 },
	{ "cpulimit", "CPULIM", 7, 7, FK_CPULIMIT, 0, 0 },
	{ "cpuunits", "CPUUNI", 7, 7, FK_CPUUNITS, 0, 0 },
	{ "cpus", "CPUS", 5, 5, FK_CPUS, 0, 0 },
	{ "ioprio", "IOP", 3, 3, FK_IOPRIO, 0, 0 },
	{ "iolimit", "IOLIMIT", 10, 10, FK_IOLIMIT, 0, 0 },
	{ "iopslimit", "IOPS", 4, 4, FK_IOPSLIMIT, 0, 0 },
	{ "onboot", "ONBOOT", 6, 6, FK_ONBOOT, 0, 0 },
	{ "bootorder", "BOOTORDER", 10, 10, FK_BOOTORDER, 0, 0 },
	{ "layout", "LAYOUT", 6, -6, FK_LAYOUT, S_LAYOUT, 0 },
	{ "vswap", "VSWAP", 5, 5, FK_VSWAP, 0, 0 },
	{ "disabled", "DISABL", 6, 6, FK_DISABLED, 0, 0 },
	{ "vm_overcommit", "VM_OVC", 6, 6, FK_VM_OVERCOMMIT, 0, 0 },
};

static const char default_fields[] = "ctid,numproc,status,ip,hostname";
/* -n: OpenVZ 4.x puts the name in place of the CTID (the CTID if unnamed). */
static const char default_name_fields[] = "smart_name,numproc,status,ip,hostname";

struct options {
	bool all, stopped, no_header, no_trim, json;
	const char *output; /* -o, -1 or -n; NULL: default fields */
	int sort_field;	    /* index in fields[], -1 for none */
	bool sort_reverse;
	const char *host_pattern, *name_pattern, *desc_pattern;
	unsigned *ids; /* positional CTIDs, NULL if none */
	size_t nr_ids;
};

struct listing {
	struct ct_info *cts;
	size_t nr;
	int *order; /* indexes in fields[] of the columns */
	size_t nr_order, order_cap;
	time_t now;
};

/* ---- Reading a CT ------------------------------------------------------ */

static void ct_info_free(struct ct_info *ci)
{
	for (int i = 0; i < NR_STR; i++)
		free(ci->str[i]);
	for (int i = 0; i < NR_LIST; i++)
		vz_free_strv(&ci->list[i]);
}

/* A value of the CT's own config, or NULL when unset or empty. */
static const char *own_value(const struct vz_ct *ct, const char *key)
{
	const char *v = vz_conf_get(ct->conf, key);

	return v && *v ? v : NULL;
}

static int dup_own(const struct vz_ct *ct, const char *key, char **out)
{
	const char *v = own_value(ct, key);

	*out = NULL;
	if (v && !(*out = strdup(v)))
		return -ENOMEM;
	return 0;
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

static bool strv_has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/*
 * An IP address as OpenVZ stores it in its lists: the address in canonical
 * form plus "/bits" when given.  Returns false for the unspecified
 * addresses, which OpenVZ drops.  Tokens it cannot parse are kept as is.
 */
static bool canon_ip(const char *tok, char *out, size_t size)
{
	char addr[INET6_ADDRSTRLEN + 8], text[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	const char *slash = strchr(tok, '/');
	size_t len = slash ? (size_t)(slash - tok) : strlen(tok);
	int family = AF_INET;

	snprintf(out, size, "%s", tok);
	if (len >= sizeof(addr))
		return true;
	memcpy(addr, tok, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, bin) != 1) {
		family = AF_INET6;
		if (inet_pton(AF_INET6, addr, bin) != 1)
			return true;
	}
	if (!inet_ntop(family, bin, text, sizeof(text)))
		return true;
	if (!strcmp(text, "0.0.0.0") || !strcmp(text, "::"))
		return false;
	if (slash) {
		char *end;
		long bits = strtol(slash + 1, &end, 10);

		if (*end || end == slash + 1 || bits < 0 || bits > (family == AF_INET ? 32 : 128))
			return true;
		snprintf(out, size, "%s/%ld", text, bits);
	} else {
		snprintf(out, size, "%s", text);
	}
	return true;
}

/* A space-separated list of the CT's own config; duplicates dropped. */
static int read_list(const struct vz_ct *ct, const char *key, bool ips, char ***out)
{
	const char *v = own_value(ct, key);
	__vz_free char *copy = NULL;
	__vz_strv char **list = NULL;
	char *save = NULL;
	size_t n = 0;

	*out = NULL;
	if (!v)
		return 0;
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char ip[INET6_ADDRSTRLEN + 8];

		if (ips) {
			if (!canon_ip(tok, ip, sizeof(ip)))
				continue;
			tok = ip;
		}
		if (!strv_has(list, tok) && strv_push(&list, &n, tok) < 0)
			return -ENOMEM;
	}
	*out = take_ptr(list);
	return 0;
}

static bool parse_int(const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	if (!v || !*v)
		return false;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return false;
	*out = n;
	return true;
}

/* "yes"/"no" as OpenVZ keeps ONBOOT: 0 unset, 1 yes, 2 no. */
static const char *const onboot_text[] = { "-", "yes", "no" };
static const char *const onboot_json[] = { "null", "true", "false" };

static int parse_yesno(const char *v)
{
	if (!v)
		return 0;
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcmp(v, "1"))
		return 1;
	if (!strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcmp(v, "0"))
		return 2;
	return 0;
}

/* IOLIMIT: bytes per second with an optional K/M/G suffix; unlimited is 0. */
static int parse_iolimit(const char *v)
{
	unsigned long long n;
	char *end;
	int shift = 0;

	if (!v)
		return -1;
	if (!strcasecmp(v, "unlimited"))
		return 0;
	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		const char *sfx = strchr("KMGT", toupper((unsigned char)*end));

		if (!sfx || end[1])
			return -1;
		shift = 10 * (int)(sfx - "KMGT" + 1);
	}
	if (n > (unsigned long long)INT_MAX >> shift)
		return INT_MAX;
	return (int)(n << shift);
}

static void read_limits(const struct vz_ct *ct, struct ct_info *ci)
{
	bool running = ci->status == ST_RUNNING;

	for (int r = 0; r < NR_UB; r++) {
		const char *v = own_value(ct, ub_defs[r].key);
		int64_t barrier, limit;

		/*
		 * A stopped CT shows its config, 0 where unset (as OpenVZ);
		 * nothing limits a running CT beyond its config.
		 */
		if (!v || vz_parse_ub(v, ub_defs[r].unit, ub_defs[r].suffix, &barrier, &limit) < 0)
			barrier = limit = running ? VZ_UNLIMITED : 0;
		ci->ub[r][UB_BARRIER] = (struct num){ true, barrier };
		ci->ub[r][UB_LIMIT] = (struct num){ true, limit };
		/* Usage of a stopped CT is zero; of a running one not measured yet. */
		for (int c = 0; c < NR_UB_COL; c++)
			if (c != UB_BARRIER && c != UB_LIMIT)
				ci->ub[r][c] = (struct num){ !running, 0 };
	}

	for (int q = 0; q < NR_DQ; q++) {
		const char *key = q == DQ_SPACE ? "DISKSPACE" : "DISKINODES";
		const char *v = own_value(ct, key);
		int64_t soft = 0, hard = 0;

		if (v && vz_parse_ub(v, q == DQ_SPACE ? 1024 : 1, q == DQ_SPACE, &soft, &hard) == 0)
			ci->quota = true;
		ci->dq[q][DQ_USAGE] = (struct num){ false, 0 };
		ci->dq[q][DQ_SOFT] = (struct num){ true, soft };
		ci->dq[q][DQ_HARD] = (struct num){ true, hard };
	}
}

/*
 * Disk usage of a mounted CT: its own file system in the image layout,
 * otherwise its project quota when that is on.  Unknown stays "-".
 */
static void read_disk_usage(struct ct_info *ci)
{
	struct vz_error err = { 0 };
	struct vz_quota q;
	struct statvfs sv;

	if (ci->status == ST_STOPPED)
		return;
	if (!strcmp(ci->str[S_LAYOUT], "image")) {
		if (!ci->str[S_ROOT] || statvfs(ci->str[S_ROOT], &sv) < 0)
			return;
		ci->dq[DQ_SPACE][DQ_USAGE] =
			(struct num){ true, (int64_t)((sv.f_blocks - sv.f_bfree) * sv.f_frsize / 1024) };
		ci->dq[DQ_INODES][DQ_USAGE] = (struct num){ true, (int64_t)(sv.f_files - sv.f_ffree) };
		return;
	}
	/* Only a CT with a quota of its own: stat locks and would create the quota dir. */
	if (vz_quota_load(ci->id, &q, NULL) < 0 || !q.on || vz_quota_stat(ci->id, &q, &err) < 0)
		return;
	ci->dq[DQ_SPACE][DQ_USAGE] = (struct num){ true, (int64_t)q.usage.bcur };
	ci->dq[DQ_INODES][DQ_USAGE] = (struct num){ true, (int64_t)q.usage.icur };
}

static void read_cpu_io(const struct vz_ct *ct, struct ct_info *ci)
{
	const char *v;
	long n;

	v = own_value(ct, "CPULIMIT");
	if (v) {
		char *end;
		unsigned long lim;

		errno = 0;
		lim = strtoul(v, &end, 10);
		if (!errno && end != v && (!*end || !strcmp(end, "%"))) {
			ci->cpu = true;
			ci->cpulimit = lim;
		}
	}
	if (parse_int(own_value(ct, "CPUUNITS"), 0, LONG_MAX, &n)) {
		ci->cpu = true;
		ci->cpuunits = (unsigned long)n;
	}
	ci->cpus = parse_int(own_value(ct, "CPUS"), 1, INT_MAX, &n) ? (int)n : -1;
	ci->ioprio = parse_int(own_value(ct, "IOPRIO"), 0, 7, &n) ? (int)n : -1;
	ci->iolimit = parse_iolimit(own_value(ct, "IOLIMIT"));
	ci->iopslimit = parse_int(own_value(ct, "IOPSLIMIT"), 0, INT_MAX, &n) ? (int)n : -1;
}

/* The NAME of a CT counts only when names/<NAME> leads back to it. */
static int read_name(struct vz_ct *ct, struct ct_info *ci)
{
	const char *name = own_value(ct, "NAME");
	unsigned id = 0;

	ci->str[S_NAME] = NULL;
	if (!name || vz_ct_resolve(ct->env, name, &id, NULL) < 0 || id != ct->id)
		return 0;
	ci->str[S_NAME] = strdup(name);
	return ci->str[S_NAME] ? 0 : -ENOMEM;
}

static int read_ct(struct vz_ct *ct, const struct vz_ct_state *st, struct ct_info *ci, time_t now)
{
	static const struct {
		enum str_id id;
		const char *key;
	} own_strings[] = {
		{ S_MOUNT_OPTS, "MOUNT_OPTS" }, { S_ORIGIN_SAMPLE, "ORIGIN_SAMPLE" },
		{ S_HOSTNAME, "HOSTNAME" },	{ S_DESCRIPTION, "DESCRIPTION" },
		{ S_OSTEMPLATE, "OSTEMPLATE" },
	};
	const char *layout, *v;
	long n;
	int ret;

	ci->id = ct->id;
	if (st->running)
		ci->status = ST_RUNNING;
	else if (st->suspended)
		ci->status = ST_SUSPENDED;
	else if (st->mounted)
		ci->status = ST_MOUNTED;
	else
		ci->status = ST_STOPPED;

	for (size_t i = 0; i < ARRAY_SIZE(own_strings); i++) {
		ret = dup_own(ct, own_strings[i].key, &ci->str[own_strings[i].id]);
		if (ret < 0)
			return ret;
	}
	ret = read_name(ct, ci);
	if (ret < 0)
		return ret;
	ci->str[S_PRIVATE] = vz_ct_get_subst(ct, "VE_PRIVATE");
	ci->str[S_ROOT] = vz_ct_get_subst(ct, "VE_ROOT");
	layout = vz_ct_get(ct, "VE_LAYOUT");
	ci->str[S_LAYOUT] = strdup(layout && *layout ? layout : "simfs");
	if (!ci->str[S_LAYOUT])
		return -ENOMEM;

	ret = read_list(ct, "IP_ADDRESS", true, &ci->list[L_IP]);
	if (ret == 0)
		ret = read_list(ct, "NAMESERVER", false, &ci->list[L_NAMESERVER]);
	if (ret == 0)
		ret = read_list(ct, "SEARCHDOMAIN", false, &ci->list[L_SEARCHDOMAIN]);
	if (ret < 0)
		return ret;

	read_limits(ct, ci);
	read_disk_usage(ci);
	read_cpu_io(ct, ci);
	ci->onboot = parse_yesno(own_value(ct, "ONBOOT"));
	if (parse_int(own_value(ct, "BOOTORDER"), 0, LONG_MAX, &n))
		ci->bootorder = (struct num){ true, n };
	ci->disabled = parse_yesno(own_value(ct, "DISABLED")) == 1;
	v = own_value(ct, "VM_OVERCOMMIT");
	if (v)
		ci->vm_overcommit = strtod(v, NULL);

	if (ci->status == ST_RUNNING) {
		struct vz_error err = { 0 };
		struct vz_ubc u;

		if (vz_ubc_read(ct, NULL, &u, &err) == 0) {
			for (int r = 0; r < NR_UB; r++) {
				const struct vz_ubc_row *row = &u.row[r];

				ci->ub[r][UB_HELD] = (struct num){ true, row->held };
				ci->ub[r][UB_MAXHELD] = (struct num){ true, row->maxheld };
				ci->ub[r][UB_BARRIER] = (struct num){ true, row->barrier };
				ci->ub[r][UB_LIMIT] = (struct num){ true, row->limit };
				ci->ub[r][UB_FAILCNT] = (struct num){ true, row->failcnt };
			}
		} else {
			int nproc = vz_ct_nr_procs(ct);

			if (nproc >= 0)
				ci->ub[UB_numproc][UB_HELD] = (struct num){ true, nproc };
		}
		if (st->started && (time_t)st->started <= now)
			ci->uptime = (struct num){ true, (int64_t)(now - (time_t)st->started) };
	}
	return 0;
}

/* ---- Collecting the CTs ------------------------------------------------ */

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static bool id_requested(const struct options *opt, unsigned id)
{
	return !opt->ids || bsearch(&id, opt->ids, opt->nr_ids, sizeof(*opt->ids), cmp_uint);
}

/* The CTIDs that have a config file: conf/<CTID>.conf, sorted. */
static int config_ids(struct vz_env *env, unsigned **out, size_t *nr)
{
	__vz_free char *dir = vz_path_join(env->confdir, "conf");
	__vz_closedir DIR *d = NULL;
	__vz_free unsigned *ids = NULL;
	struct dirent *de;
	size_t n = 0;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		*out = NULL;
		*nr = 0;
		return errno == ENOENT ? 0 : -errno;
	}
	while ((de = readdir(d))) {
		size_t len = strspn(de->d_name, "0123456789");
		unsigned id, *nids;
		char num[32];

		/* Exactly <CTID>.conf: not 101.conf.destroyed, ve-*.conf-sample, 0101.conf */
		if (len == 0 || strcmp(de->d_name + len, ".conf") || len >= sizeof(num) ||
		    (de->d_name[0] == '0' && len > 1))
			continue;
		memcpy(num, de->d_name, len);
		num[len] = '\0';
		if (vz_ctid_parse(num, &id, NULL) < 0) {
			vz_warn("Warning: invalid CTID in config file name: %s, skipping", de->d_name);
			continue;
		}
		if (id == 0) /* the host's own settings, not a container */
			continue;
		nids = realloc(ids, (n + 1) * sizeof(*ids));
		if (!nids)
			return -ENOMEM;
		ids = nids;
		ids[n++] = id;
	}
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_uint);
	*out = take_ptr(ids);
	*nr = n;
	return 0;
}

/*
 * Read every CT the options ask for.  Like OpenVZ, a CT that is not running
 * and whose private area does not exist is counted but not shown (a
 * half-created or half-destroyed CT).
 */
static int collect(struct vz_env *env, const struct options *opt, struct listing *ls)
{
	bool want_stopped = opt->all || opt->stopped || opt->ids;
	__vz_free unsigned *ids = NULL;
	size_t nr_ids = 0;
	int ret;

	ret = config_ids(env, &ids, &nr_ids);
	if (ret < 0)
		return ret;
	ls->cts = calloc(nr_ids ? nr_ids : 1, sizeof(*ls->cts));
	if (!ls->cts)
		return -ENOMEM;
	ls->now = time(NULL);

	for (size_t i = 0; i < nr_ids; i++) {
		__vz_ct struct vz_ct *ct = NULL;
		struct ct_info *ci = &ls->cts[ls->nr];
		struct vz_ct_state st;
		struct vz_error err = { 0 };

		if (!id_requested(opt, ids[i]))
			continue;
		/*
		 * One CT with a broken config must not hide all the others
		 * (a panel polls vzlist), and half-parsed values would be
		 * wrong: warn, naming the file, and leave this CT out.
		 */
		if (vz_ct_open(env, ids[i], &ct, &err) < 0 ||
		    vz_ct_get_state(ct, &st, &err) < 0) {
			vz_warn("Warning: skipping CT %u: %s", ids[i], err.msg);
			continue;
		}
		if (!ct->exists) /* removed since the directory was read */
			continue;
		if (!st.running && !want_stopped)
			continue;
		ret = read_ct(ct, &st, ci, ls->now);
		ls->nr++;
		if (ret < 0)
			return ret;
		if (ci->status != ST_RUNNING &&
		    (!ci->str[S_PRIVATE] || !vz_path_exists(ci->str[S_PRIVATE])))
			ci->hide = true;
	}
	return 0;
}

static void filter(struct listing *ls, const struct options *opt)
{
	for (size_t i = 0; i < ls->nr; i++) {
		struct ct_info *ci = &ls->cts[i];
		const struct {
			const char *pattern, *value;
		} checks[] = {
			{ opt->host_pattern, ci->str[S_HOSTNAME] },
			{ opt->name_pattern, ci->str[S_NAME] },
			{ opt->desc_pattern, ci->str[S_DESCRIPTION] },
		};

		for (size_t c = 0; c < ARRAY_SIZE(checks); c++)
			if (checks[c].pattern &&
			    (!checks[c].value || fnmatch(checks[c].pattern, checks[c].value, 0)))
				ci->hide = true;
		if (opt->stopped && ci->status == ST_RUNNING)
			ci->hide = true;
	}
}

/* ---- Sorting ------------------------------------------------------------ */

static int cmp_num(struct num a, struct num b)
{
	if (!a.known || !b.known)
		return (int)a.known - (int)b.known; /* unknown first, as OpenVZ */
	return a.v < b.v ? -1 : a.v > b.v;
}

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL); /* unset first, as OpenVZ */
	return strcmp(a, b);
}

/* Entry by entry, which orders as OpenVZ's compare of the joined lists. */
static int cmp_list(char **a, char **b)
{
	int r;

	if (!a || !b)
		return (a != NULL) - (b != NULL);
	for (; *a && *b; a++, b++) {
		r = strcmp(*a, *b);
		if (r)
			return r;
	}
	return (*a != NULL) - (*b != NULL);
}

static struct num int_num(int v, int min)
{
	return (struct num){ v >= min, v };
}

static int cmp_field(const struct field *f, const struct ct_info *a, const struct ct_info *b)
{
	switch (f->kind) {
	case FK_CTID:
		return 0;
	case FK_STR:
	case FK_SMARTNAME:
	case FK_LAYOUT:
		return cmp_str(a->str[f->arg], b->str[f->arg]);
	case FK_LIST:
		return cmp_list(a->list[f->arg], b->list[f->arg]);
	case FK_STATUS:
		return (int)a->status - (int)b->status;
	case FK_UB:
		return cmp_num(a->ub[f->arg][f->col], b->ub[f->arg][f->col]);
	case FK_DQ:
		if (!a->quota || !b->quota)
			return (int)a->quota - (int)b->quota;
		return cmp_num(a->dq[f->arg][f->col], b->dq[f->arg][f->col]);
	case FK_UPTIME:
		/* OpenVZ sorts uptime longest first, CTs without one first of all. */
		if (!a->uptime.known || !b->uptime.known)
			return cmp_num(a->uptime, b->uptime);
		return cmp_num(b->uptime, a->uptime);
	case FK_CPULIMIT:
		return cmp_num((struct num){ a->cpu, (int64_t)a->cpulimit },
			       (struct num){ b->cpu, (int64_t)b->cpulimit });
	case FK_CPUUNITS:
		return cmp_num((struct num){ a->cpu, (int64_t)a->cpuunits },
			       (struct num){ b->cpu, (int64_t)b->cpuunits });
	case FK_CPUS:
		return cmp_num(int_num(a->cpus, 1), int_num(b->cpus, 1));
	case FK_IOPRIO:
		return cmp_num(int_num(a->ioprio, 0), int_num(b->ioprio, 0));
	case FK_IOLIMIT:
		return cmp_num(int_num(a->iolimit, 0), int_num(b->iolimit, 0));
	case FK_IOPSLIMIT:
		return cmp_num(int_num(a->iopslimit, 0), int_num(b->iopslimit, 0));
	case FK_BOOTORDER:
		return cmp_num(a->bootorder, b->bootorder);
	case FK_ONBOOT:
		return a->onboot - b->onboot;
	case FK_DISABLED:
		return (int)a->disabled - (int)b->disabled;
	case FK_VM_OVERCOMMIT:
		return a->vm_overcommit < b->vm_overcommit ? -1
							   : a->vm_overcommit > b->vm_overcommit;
	case FK_LAVERAGE:
	case FK_VSWAP:
		return 0;
	}
	return 0;
}

/* Ties keep CTID order, as OpenVZ's stable sort of a CTID-ordered list does. */
static int cmp_ct(const void *pa, const void *pb, void *field)
{
	const struct ct_info *a = pa, *b = pb;
	int r = cmp_field(field, a, b);

	if (r)
		return r;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* ---- Text output -------------------------------------------------------- */

struct line {
	char *buf;
	size_t len, cap;
};

static int line_add(struct line *l, const char *s, size_t len)
{
	if (l->len + len + 1 > l->cap) {
		size_t cap = (l->len + len + 1) * 2;
		char *nb = realloc(l->buf, cap);

		if (!nb)
			return -ENOMEM;
		l->buf = nb;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, s, len);
	l->len += len;
	l->buf[l->len] = '\0';
	return 0;
}

/*
 * Append one cell: value padded to width (negative: left-aligned).  Long
 * string values are cut to the column width unless the column is the last
 * one or -t was given; numbers are never cut.
 */
static int line_cell(struct line *l, const char *value, int width, bool cut)
{
	__vz_free char *cell = NULL;
	int len = asprintf(&cell, "%*s", width, value);

	if (len < 0)
		return -ENOMEM;
	if (cut && len > abs(width))
		len = abs(width);
	return line_add(l, cell, (size_t)len);
}

/* Print the line without trailing blanks, as OpenVZ does, and reset it. */
static void line_flush(struct line *l)
{
	while (l->len && isspace((unsigned char)l->buf[l->len - 1]))
		l->len--;
	printf("%.*s\n", (int)l->len, l->buf ? l->buf : "");
	l->len = 0;
}

static void fmt_num(char *buf, size_t size, struct num n)
{
	if (n.known)
		snprintf(buf, size, "%lld", (long long)n.v);
	else
		snprintf(buf, size, "-");
}

static int text_list(struct line *l, const struct field *f, char **list, bool cut)
{
	__vz_free char *joined = NULL;
	size_t len = 0;

	if (!list || !list[0])
		return line_cell(l, "-", f->width, cut);
	/* A cut column shows the first entry only. */
	if (cut)
		return line_cell(l, list[0], f->width, cut);
	for (char **p = list; *p; p++)
		len += strlen(*p) + 1;
	joined = malloc(len);
	if (!joined)
		return -ENOMEM;
	joined[0] = '\0';
	for (char **p = list; *p; p++) {
		if (p != list)
			strcat(joined, " ");
		strcat(joined, *p);
	}
	return line_cell(l, joined, f->width, cut);
}

static void fmt_uptime(char *buf, size_t size, int64_t secs)
{
	unsigned long long s = (unsigned long long)secs;

	snprintf(buf, size, "%.3llud%.2lluh:%.2llum:%.2llus", s / 86400, s / 3600 % 24, s / 60 % 60,
		 s % 60);
}

static int text_field(struct line *l, const struct field *f, const struct ct_info *ci, bool cut)
{
	bool running = ci->status == ST_RUNNING;
	char buf[64];

	switch (f->kind) {
	case FK_CTID:
		snprintf(buf, sizeof(buf), "%u", ci->id);
		break;
	case FK_STR:
	case FK_LAYOUT:
		return line_cell(l, ci->str[f->arg] ? ci->str[f->arg] : "-", f->width, cut);
	case FK_SMARTNAME:
		if (ci->str[S_NAME])
			return line_cell(l, ci->str[S_NAME], f->width, cut);
		snprintf(buf, sizeof(buf), "%u", ci->id);
		break;
	case FK_LIST:
		return text_list(l, f, ci->list[f->arg], cut);
	case FK_STATUS:
		snprintf(buf, sizeof(buf), "%s", status_names[ci->status]);
		break;
	case FK_UB:
		/* Usage columns of a CT that is not running are "-", as OpenVZ. */
		if (!running && f->col != UB_BARRIER && f->col != UB_LIMIT)
			snprintf(buf, sizeof(buf), "-");
		else
			fmt_num(buf, sizeof(buf), ci->ub[f->arg][f->col]);
		break;
	case FK_DQ:
		if (!ci->quota || !ci->dq[f->arg][f->col].known)
			snprintf(buf, sizeof(buf), "-");
		else
			fmt_num(buf, sizeof(buf), ci->dq[f->arg][f->col]);
		break;
	case FK_LAVERAGE:
		snprintf(buf, sizeof(buf), "-");
		break;
	case FK_UPTIME:
		if (ci->uptime.known)
			fmt_uptime(buf, sizeof(buf), ci->uptime.v);
		else
			snprintf(buf, sizeof(buf), "-");
		break;
	case FK_CPULIMIT:
	case FK_CPUUNITS:
		if (!ci->cpu)
			snprintf(buf, sizeof(buf), "-");
		else
			snprintf(buf, sizeof(buf), "%lu",
				 f->kind == FK_CPULIMIT ? ci->cpulimit : ci->cpuunits);
		break;
	case FK_CPUS:
		fmt_num(buf, sizeof(buf), int_num(ci->cpus, 1));
		break;
	case FK_IOPRIO:
		fmt_num(buf, sizeof(buf), int_num(ci->ioprio, 0));
		break;
	case FK_IOLIMIT:
		fmt_num(buf, sizeof(buf), int_num(ci->iolimit, 1));
		break;
	case FK_IOPSLIMIT:
		fmt_num(buf, sizeof(buf), int_num(ci->iopslimit, 1));
		break;
	case FK_ONBOOT:
		snprintf(buf, sizeof(buf), "%s", onboot_text[ci->onboot]);
		break;
	case FK_BOOTORDER:
		fmt_num(buf, sizeof(buf), ci->bootorder);
		break;
	case FK_VSWAP: {
		int64_t lim = ci->ub[UB_physpages][UB_LIMIT].v;

		snprintf(buf, sizeof(buf), "%s", lim != VZ_UNLIMITED && lim != INT_MAX ? "yes" : "no");
		break;
	}
	case FK_DISABLED:
		snprintf(buf, sizeof(buf), "%s", ci->disabled ? "yes" : "no");
		break;
	case FK_VM_OVERCOMMIT:
		if (ci->vm_overcommit == 0)
			snprintf(buf, sizeof(buf), "-");
		else
			snprintf(buf, sizeof(buf), "%g", ci->vm_overcommit);
		break;
	}
	return line_cell(l, buf, f->width, false);
}

static bool cuttable(const struct field *f)
{
	return f->kind == FK_STR || f->kind == FK_SMARTNAME || f->kind == FK_LIST;
}

static int print_text(const struct listing *ls, const struct options *opt, size_t first,
		      size_t step)
{
	struct line l = { 0 };
	int ret = 0;

	if (!opt->no_header) {
		for (size_t i = 0; i < ls->nr_order && ret == 0; i++) {
			const struct field *f = &fields[ls->order[i]];

			if (i)
				ret = line_add(&l, " ", 1);
			if (ret == 0)
				ret = line_cell(&l, f->hdr, f->hdr_width, false);
		}
		if (ret == 0)
			line_flush(&l);
	}
	for (size_t n = 0, idx = first; n < ls->nr && ret == 0; n++, idx += step) {
		const struct ct_info *ci = &ls->cts[idx];

		if (ci->hide)
			continue;
		for (size_t i = 0; i < ls->nr_order && ret == 0; i++) {
			const struct field *f = &fields[ls->order[i]];
			bool last = i + 1 == ls->nr_order;

			if (i)
				ret = line_add(&l, " ", 1);
			if (ret == 0)
				ret = text_field(&l, f, ci, cuttable(f) && !opt->no_trim && !last);
		}
		if (ret == 0)
			line_flush(&l);
	}
	free(l.buf);
	return ret;
}

/* ---- JSON output -------------------------------------------------------- */

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static void json_num(struct num n)
{
	if (n.known)
		printf("%lld", (long long)n.v);
	else
		fputs("null", stdout);
}

static void json_columns(const char *const *names, const struct num *vals, int nr)
{
	fputs("{\n", stdout);
	for (int c = 0; c < nr; c++) {
		printf("      \"%s\": ", names[c]);
		json_num(vals[c]);
		fputs(c + 1 < nr ? ",\n" : "\n    }", stdout);
	}
}

static void json_field(const struct field *f, const struct ct_info *ci)
{
	switch (f->kind) {
	case FK_CTID:
		printf("%u", ci->id);
		break;
	case FK_STR:
	case FK_LAYOUT:
		json_str(ci->str[f->arg]);
		break;
	case FK_SMARTNAME:
		if (ci->str[S_NAME])
			json_str(ci->str[S_NAME]);
		else
			printf("%u", ci->id);
		break;
	case FK_LIST:
		putchar('[');
		for (char **p = ci->list[f->arg]; p && *p; p++) {
			if (p != ci->list[f->arg])
				fputs(", ", stdout);
			json_str(*p);
		}
		putchar(']');
		break;
	case FK_STATUS:
		json_str(status_names[ci->status]);
		break;
	case FK_UB:
		json_columns(ub_col_names, ci->ub[f->arg], NR_UB_COL);
		break;
	case FK_DQ:
		if (ci->quota)
			json_columns(dq_col_names, ci->dq[f->arg], NR_DQ_COL);
		else
			fputs("null", stdout);
		break;
	case FK_LAVERAGE:
		fputs("null", stdout);
		break;
	case FK_UPTIME:
		/* OpenVZ prints 0 for a CT that is not running. */
		if (ci->uptime.known)
			printf("%.3f", (double)ci->uptime.v);
		else if (ci->status == ST_RUNNING)
			fputs("null", stdout);
		else
			printf("%.3f", 0.0);
		break;
	case FK_CPULIMIT:
	case FK_CPUUNITS:
		if (ci->cpu)
			printf("%lu", f->kind == FK_CPULIMIT ? ci->cpulimit : ci->cpuunits);
		else
			fputs("null", stdout);
		break;
	/* OpenVZ prints 0 for these when unset. */
	case FK_CPUS:
		printf("%d", ci->cpus < 0 ? 0 : ci->cpus);
		break;
	case FK_IOPRIO:
		printf("%d", ci->ioprio < 0 ? 0 : ci->ioprio);
		break;
	case FK_IOLIMIT:
		printf("%d", ci->iolimit < 0 ? 0 : ci->iolimit);
		break;
	case FK_IOPSLIMIT:
		printf("%d", ci->iopslimit < 0 ? 0 : ci->iopslimit);
		break;
	case FK_ONBOOT:
		fputs(onboot_json[ci->onboot], stdout);
		break;
	case FK_BOOTORDER:
		json_num(ci->bootorder);
		break;
	case FK_VSWAP: {
		int64_t lim = ci->ub[UB_physpages][UB_LIMIT].v;

		fputs(lim != VZ_UNLIMITED && lim != INT_MAX ? "true" : "false", stdout);
		break;
	}
	case FK_DISABLED:
		fputs(ci->disabled ? "true" : "false", stdout);
		break;
	case FK_VM_OVERCOMMIT:
		printf("%g", ci->vm_overcommit);
		break;
	}
}

/*
 * OpenVZ's layout: "[", then per CT "\n  {" and per field
 * "\n    \"name\": value" separated by commas, "\n  }", and "\n]\n".
 */
static void print_json(const struct listing *ls, size_t first, size_t step)
{
	bool first_ct = true;

	putchar('[');
	for (size_t n = 0, idx = first; n < ls->nr; n++, idx += step) {
		const struct ct_info *ci = &ls->cts[idx];

		if (ci->hide)
			continue;
		printf("%s\n  {", first_ct ? "" : ",");
		first_ct = false;
		for (size_t i = 0; i < ls->nr_order; i++) {
			const struct field *f = &fields[ls->order[i]];

			printf("%s\n    \"%s\": ", i ? "," : "", f->name);
			json_field(f, ci);
		}
		fputs("\n  }", stdout);
	}
	fputs("\n]\n", stdout);
}

/* ---- Command line ------------------------------------------------------- */

static int find_field(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(fields[i].name, name))
			return (int)i;
	return -1;
}

/* The columns from -o (or the defaults); JSON without -o shows every main field. */
static int build_order(const struct options *opt, struct listing *ls)
{
	const char *spec = opt->output;
	__vz_free char *copy = NULL;
	char *p, *end;

	ls->order_cap = ARRAY_SIZE(fields);
	ls->order = calloc(ls->order_cap, sizeof(*ls->order));
	if (!ls->order)
		return -ENOMEM;
	if (!spec && opt->json) {
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
			if (fields[i].col == 0)
				ls->order[ls->nr_order++] = (int)i;
		return 0;
	}
	copy = strdup(spec ? spec : default_fields);
	if (!copy)
		return -ENOMEM;
	/* Split at commas as OpenVZ does: a trailing comma ends the list. */
	p = copy;
	end = copy + strlen(copy);
	do {
		char *comma = strchr(p, ',');
		int idx, *no;

		if (comma)
			*comma = '\0';
		idx = find_field(p);
		if (idx < 0) {
			fprintf(stderr, "Unknown field: %s\n", p);
			return -EINVAL;
		}
		if (opt->json && fields[idx].col != 0) {
			fprintf(stderr, "Field `%s' is not available in JSON output\n", p);
			return -EINVAL;
		}
		if (ls->nr_order == ls->order_cap) {
			no = reallocarray(ls->order, ls->order_cap * 2, sizeof(*no));
			if (!no)
				return -ENOMEM;
			ls->order = no;
			ls->order_cap *= 2;
		}
		ls->order[ls->nr_order++] = idx;
		p = comma ? comma + 1 : end;
	} while (p < end);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: vzlist [-a | -S] [-n] [-H] [-t] [-j] [-o field[,field...] | -1]\n"
		"              [-s [-]field] [-h pattern] [-N pattern] [-d pattern]\n"
		"              [CTID|name ...]\n"
		"       vzlist -L | --list\n"
		"       vzlist --help\n"
		"\n"
		"Options:\n"
		"  -a, --all                 list all containers (default: running ones)\n"
		"  -S, --stopped             list only containers that are not running\n"
		"  -n, --name                show names in the first column\n"
		"  -H, --no-header           do not print the header line\n"
		"  -t, --no-trim             do not cut long values to the column width\n"
		"  -j, --json                print JSON\n"
		"  -o, --output FIELDS       print these fields (see -L)\n"
		"  -1                        the same as -H -o ctid\n"
		"  -s, --sort [-]FIELD       sort by FIELD ('-' reverses the order)\n"
		"  -h, --hostname PATTERN    only containers whose host name matches\n"
		"  -N, --name_filter PATTERN only containers whose name matches\n"
		"  -d, --description PATTERN only containers whose description matches\n"
		"  -L, --list                list the field names and headers\n");
}

static void list_fields(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		printf("%-15s %-15s\n", fields[i].name, fields[i].hdr);
}

/* CTIDs or names given as arguments; OpenVZ's message and status when bad. */
static int parse_ids(struct vz_env *env, int argc, char **argv, struct options *opt)
{
	opt->ids = calloc((size_t)argc, sizeof(*opt->ids));
	if (!opt->ids)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		unsigned id = 0;

		if (vz_ct_resolve(env, argv[i], &id, NULL) < 0 || id == 0) {
			fprintf(stderr, "CT ID %s is invalid.\n", argv[i]);
			return -EINVAL;
		}
		opt->ids[opt->nr_ids++] = id;
	}
	qsort(opt->ids, opt->nr_ids, sizeof(*opt->ids), cmp_uint);
	return 0;
}

static const struct option long_options[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "stopped", no_argument, NULL, 'S' },
	{ "name", no_argument, NULL, 'n' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "no-trim", no_argument, NULL, 't' },
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "sort", required_argument, NULL, 's' },
	{ "hostname", required_argument, NULL, 'h' },
	{ "name_filter", required_argument, NULL, 'N' },
	{ "description", required_argument, NULL, 'd' },
	{ "list", no_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'e' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	opt->sort_field = -1;
	while ((c = getopt_long(argc, argv, "aSnHtjo:s:h:N:d:L1", long_options, NULL)) != -1) {
		switch (c) {
		case 'a':
			opt->all = true;
			break;
		case 'S':
			opt->stopped = true;
			break;
		case 'n':
			opt->output = default_name_fields;
			break;
		case 'H':
			opt->no_header = true;
			break;
		case 't':
			opt->no_trim = true;
			break;
		case 'j':
			opt->json = true;
			break;
		case 'o':
			opt->output = optarg;
			break;
		case '1':
			/* OpenVZ uses the old name, which is the JSON key too. */
			opt->output = "veid";
			opt->no_header = true;
			break;
		case 's': {
			const char *name = optarg;

			opt->sort_reverse = name[0] == '-';
			if (opt->sort_reverse)
				name++;
			opt->sort_field = find_field(name);
			if (opt->sort_field < 0) {
				fprintf(stderr, "Invalid sort field name: %s\n", optarg);
				return VZ_EXIT_BAD_OPTION;
			}
			break;
		}
		case 'h':
			opt->host_pattern = optarg;
			break;
		case 'N':
			opt->name_pattern = optarg;
			break;
		case 'd':
			opt->desc_pattern = optarg;
			break;
		case 'L':
			list_fields();
			return VZ_EXIT_OK;
		case 'e':
			usage(stdout);
			return VZ_EXIT_OK;
		default:
			/* getopt has named the bad option */
			usage(stderr);
			return VZ_EXIT_BAD_OPTION;
		}
	}
	return -1;
}

static void listing_free(struct listing *ls)
{
	for (size_t i = 0; i < ls->nr; i++)
		ct_info_free(&ls->cts[i]);
	free(ls->cts);
	free(ls->order);
}

static int run(int argc, char **argv)
{
	struct options opt = { 0 };
	struct listing ls = { 0 };
	__vz_env struct vz_env *env = NULL;
	struct vz_error err = { 0 };
	size_t first = 0, step = 1;
	int ret;

	ret = parse_options(argc, argv, &opt);
	if (ret >= 0)
		return ret;
	if (vz_env_open(&env, &err) < 0)
		return vz_cli_fail(&err);
	if (optind < argc) {
		ret = parse_ids(env, argc - optind, argv + optind, &opt);
		if (ret < 0) {
			ret = ret == -EINVAL ? EXIT_NOT_FOUND : ret;
			goto out;
		}
	}
	ret = build_order(&opt, &ls);
	if (ret < 0) {
		ret = ret == -EINVAL ? VZ_EXIT_BAD_OPTION : ret;
		goto out;
	}
	ret = collect(env, &opt, &ls);
	if (ret < 0)
		goto out;

	if (ls.nr == 0) {
		/* OpenVZ: no CTs is no error, unless specific ones were asked for. */
		if (opt.json)
			fputs("[]\n", stdout);
		else
			fputs("Container(s) not found\n", stderr);
		ret = opt.ids ? EXIT_NOT_FOUND : VZ_EXIT_OK;
		goto out;
	}
	filter(&ls, &opt);
	/* The CTs are in CTID order already. */
	if (opt.sort_field >= 0 && fields[opt.sort_field].kind != FK_CTID) {
		qsort_r(ls.cts, ls.nr, sizeof(*ls.cts), cmp_ct, (void *)&fields[opt.sort_field]);
	}
	if (opt.sort_reverse) {
		first = ls.nr - 1;
		step = (size_t)-1;
	}
	if (opt.json)
		print_json(&ls, first, step);
	else
		ret = print_text(&ls, &opt, first, step);
out:
	if (ret < 0) {
		vz_error_sys(&err, VZ_E_SYSTEM, -ret, "Cannot list containers");
		ret = vz_cli_fail(&err);
	}
	if (fflush(stdout) == EOF && ret == 0)
		ret = VZ_EXIT_SYSTEM;
	listing_free(&ls);
	free(opt.ids);
	return ret;
}

int main(int argc, char **argv)
{
	return run(argc, argv);
}
