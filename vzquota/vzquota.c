// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzquota: OpenVZ's disk quota tool on the kernel's project quotas.
 *
 *   vzquota [-q] [-v] [-b] COMMAND QUOTAID [OPTIONS]
 *
 * The quota id is the project id (a CT's CTID).  Options, output and exit
 * codes follow OpenVZ's vzquota; the work is in lib/quota*.c.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "error.h"
#include "log.h"
#include "quota.h"

enum {
	EC_SUCCESS = 0,
	EC_SYSTEM = 1,
	EC_USAGE = 2,
	EC_VZCALL = 3,
	EC_QUOTAFILE = 4,
	EC_RUN = 5,
	EC_NOTRUN = 6,
	EC_LOCK = 7,
	EC_NOQUOTAFILE = 11,
	EC_NOMOUNTPOINT = 13,
};

static bool batch;

static const char usage_text[] =
	"Usage: vzquota [-q] [-v] [-b] COMMAND QUOTAID [OPTIONS]\n"
	"  init QUOTAID -p PATH -b BSOFT -B BHARD -i ISOFT -I IHARD -e BGRACE -n IGRACE\n"
	"  on QUOTAID [-f]        turn the limits on (usage is kept by the file system)\n"
	"  off QUOTAID [-f]       lift the limits, keep the accounting\n"
	"  drop QUOTAID [-f]      forget the quota (-f: even while it is on)\n"
	"  setlimit QUOTAID [-b BSOFT] [-B BHARD] [-i ISOFT] [-I IHARD] [-e BGRACE] [-n IGRACE]\n"
	"  stat QUOTAID           usage and limits from the kernel (quota on)\n"
	"  show QUOTAID           what the quota file holds\n"
	"Blocks are 1K blocks; grace times are seconds, dd:hh:mm:ss, or N with\n"
	"h, d, w, m or y (7d, 1w).  The quota file is $VZ_QUOTA_DIR/quota.QUOTAID\n"
	"(default " VZ_QUOTA_DEFAULT_DIR ").\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vzquota: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	return EC_USAGE;
}

static int exit_code(const struct vz_error *err)
{
	switch (err->kind) {
	case VZ_E_NONE:
		return EC_SUCCESS;
	case VZ_E_BAD_OPTION:
	case VZ_E_BAD_VALUE:
		return EC_USAGE;
	case VZ_E_NO_KERNEL_SUPPORT:
	case VZ_E_QUOTA_UGID:
		return EC_VZCALL;
	case VZ_E_QUOTA_FILE:
		return EC_QUOTAFILE;
	case VZ_E_QUOTA_RUNNING:
		return EC_RUN;
	case VZ_E_QUOTA_NOT_RUNNING:
		return EC_NOTRUN;
	case VZ_E_LOCKED:
		return EC_LOCK;
	case VZ_E_QUOTA_NO_FILE:
		return EC_NOQUOTAFILE;
	case VZ_E_NO_PRIVATE:
		return EC_NOMOUNTPOINT;
	default:
		return EC_SYSTEM;
	}
}

static int fail(const struct vz_error *err)
{
	fprintf(stderr, "vzquota : %s\n", err->msg);
	return exit_code(err);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* Seconds, dd:hh:mm:ss, or N followed by h/d/w/m/y (OpenVZ's formats). */
static int parse_time(const char *s, uint64_t *out)
{
	static const struct {
		char c;
		uint64_t mult;
	} units[] = {
		{'h', 3600}, {'d', 86400}, {'w', 7 * 86400}, {'m', 30 * 86400}, {'y', 365 * 86400}};
	unsigned long long f[4];
	char tail;
	char *end;
	uint64_t n;

	if (sscanf(s, "%llu:%llu:%llu:%llu%c", &f[0], &f[1], &f[2], &f[3], &tail) == 4) {
		if (f[1] > 23 || f[2] > 59 || f[3] > 59)
			return -EINVAL;
		*out = f[0] * 86400 + f[1] * 3600 + f[2] * 60 + f[3];
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (!*end) {
		*out = n;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (tolower((unsigned char)end[0]) == units[i].c && !end[1]) {
			*out = n * units[i].mult;
			return 0;
		}
	return -EINVAL;
}

/* OpenVZ's grace column: empty under the soft limit, "none" once expired. */
static void grace_str(int64_t when, char *buf, size_t size)
{
	time_t now = time(NULL);
	uint64_t left, minutes, hours, days;

	buf[0] = '\0';
	if (!when)
		return;
	if (when <= now) {
		snprintf(buf, size, "none");
		return;
	}
	left = (uint64_t)(when - now);
	minutes = (left + 30) / 60;
	hours = minutes / 60;
	minutes %= 60;
	days = hours / 24;
	hours %= 24;
	if (days >= 2)
		snprintf(buf, size, "%" PRIu64 "days", days);
	else
		snprintf(buf, size, "%02" PRIu64 ":%02" PRIu64, hours + days * 24, minutes);
}

static char over(uint64_t usage, uint64_t soft, uint64_t hard)
{
	return (soft && usage > soft) || (hard && usage > hard) ? '*' : ' ';
}

static void print_status(const struct vz_quota *q)
{
	const struct vz_quota_usage *u = &q->usage;
	const struct vz_quota_limits *l = &q->lim;
	int64_t btime = u->bcur > l->bsoft ? u->btime : 0;
	int64_t itime = u->icur > l->isoft ? u->itime : 0;
	char buf[32];

	if (batch) {
		/* usage soft hard grace-expiry grace-period, as OpenVZ's -b */
		printf("%14" PRIu64 " %14" PRIu64 " %14" PRIu64 " %14" PRId64 " %14" PRIu64 "\n",
		       u->bcur, l->bsoft, l->bhard, btime, l->bgrace);
		printf("%14" PRIu64 " %14" PRIu64 " %14" PRIu64 " %14" PRId64 " %14" PRIu64 "\n",
		       u->icur, l->isoft, l->ihard, itime, l->igrace);
		return;
	}
	printf("%11s %14s  %14s %14s %8s\n", "resource", "usage", "softlimit", "hardlimit",
	       "grace");
	grace_str(btime, buf, sizeof(buf));
	printf("%11s %14" PRIu64 "%c %14" PRIu64 " %14" PRIu64 " %8s\n", "1k-blocks", u->bcur,
	       over(u->bcur, l->bsoft, l->bhard), l->bsoft, l->bhard, buf);
	grace_str(itime, buf, sizeof(buf));
	printf("%11s %14" PRIu64 "%c %14" PRIu64 " %14" PRIu64 " %8s\n", "inodes", u->icur,
	       over(u->icur, l->isoft, l->ihard), l->isoft, l->ihard, buf);
}

struct cmd_opts {
	const char *path;
	struct vz_quota_limits lim;
	unsigned mask;
	bool force;
};

static int parse_cmd_opts(int argc, char **argv, const char *allowed, struct cmd_opts *o)
{
	static const struct option longopts[] = {
		{"quota-path", required_argument, NULL, 'p'},
		{"block-softlimit", required_argument, NULL, 'b'},
		{"block-hardlimit", required_argument, NULL, 'B'},
		{"block-exptime", required_argument, NULL, 'e'},
		{"inode-softlimit", required_argument, NULL, 'i'},
		{"inode-hardlimit", required_argument, NULL, 'I'},
		{"inode-exptime", required_argument, NULL, 'n'},
		{"force", no_argument, NULL, 'f'},
		{"sub-quotas", required_argument, NULL, 's'},
		{"ugid-limit", required_argument, NULL, 'u'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:b:B:e:i:I:n:fs:u:", longopts, NULL)) != -1) {
		uint64_t v = 0;
		int ret = 0;

		if (c == '?' || !strchr(allowed, c))
			return usage_error("invalid option '%s'", argv[optind - 1]);
		switch (c) {
		case 'p':
			o->path = optarg;
			continue;
		case 'f':
			o->force = true;
			continue;
		case 'e':
		case 'n':
			ret = parse_time(optarg, &v);
			break;
		default:
			ret = parse_u64(optarg, &v);
			break;
		}
		if (ret < 0)
			return usage_error("invalid value '%s'", optarg);
		switch (c) {
		case 'b':
			o->lim.bsoft = v;
			o->mask |= VZ_QL_BSOFT;
			break;
		case 'B':
			o->lim.bhard = v;
			o->mask |= VZ_QL_BHARD;
			break;
		case 'i':
			o->lim.isoft = v;
			o->mask |= VZ_QL_ISOFT;
			break;
		case 'I':
			o->lim.ihard = v;
			o->mask |= VZ_QL_IHARD;
			break;
		case 'e':
			o->lim.bgrace = v;
			o->mask |= VZ_QL_BGRACE;
			break;
		case 'n':
			o->lim.igrace = v;
			o->mask |= VZ_QL_IGRACE;
			break;
		case 's':
			if (v > 1)
				return usage_error("-s takes 0 or 1, not '%s'", optarg);
			if (v)
				o->lim.ugidlimit = o->lim.ugidlimit ? o->lim.ugidlimit : 1;
			o->mask |= VZ_QL_UGID;
			break;
		case 'u':
			o->lim.ugidlimit = v;
			o->mask |= VZ_QL_UGID;
			break;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
}

int main(int argc, char **argv)
{
	struct vz_error err = {0};
	struct cmd_opts o = {0};
	const char *cmd;
	struct vz_quota q;
	unsigned long id;
	char *end;
	int i, ret;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-q"))
			vz_log_set_verbosity(-1);
		else if (!strcmp(argv[i], "-v"))
			vz_log_set_verbosity(vz_log_verbosity() + 1);
		else if (!strcmp(argv[i], "-b"))
			batch = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return EC_SUCCESS;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("vzquota version %s\n", VZ_VERSION);
			return EC_SUCCESS;
		} else
			return usage_error("invalid option '%s'", argv[i]);
	}
	if (argc - i < 2)
		return usage_error("%s", argc - i < 1 ? "no command given" : "no quota id given");
	cmd = argv[i];
	errno = 0;
	id = strtoul(argv[i + 1], &end, 10);
	if (!isdigit((unsigned char)argv[i + 1][0]) || *end || errno || id == 0 ||
	    id > UINT32_MAX - 1)
		return usage_error("invalid quota id '%s'", argv[i + 1]);
	/* The command's own options follow the id; getopt sees them as argv[1..]. */
	argv[i + 1] = argv[i];
	argc -= i + 1;
	argv += i + 1;

	if (!strcmp(cmd, "init")) {
		ret = parse_cmd_opts(argc, argv, "pbBeiInsu", &o);
		if (ret)
			return ret;
		if (!o.path || (o.mask & (VZ_QL_BSOFT | VZ_QL_BHARD | VZ_QL_ISOFT | VZ_QL_IHARD |
					  VZ_QL_BGRACE | VZ_QL_IGRACE)) !=
				       (VZ_QL_BSOFT | VZ_QL_BHARD | VZ_QL_ISOFT | VZ_QL_IHARD |
					VZ_QL_BGRACE | VZ_QL_IGRACE))
			return usage_error("%s", "init needs -p and all of -b -B -i -I -e -n");
		ret = vz_quota_init((unsigned)id, o.path, &o.lim, &err);
	} else if (!strcmp(cmd, "on")) {
		ret = parse_cmd_opts(argc, argv, "f", &o);
		if (ret)
			return ret;
		ret = vz_quota_on((unsigned)id, &err);
	} else if (!strcmp(cmd, "off")) {
		ret = parse_cmd_opts(argc, argv, "f", &o);
		if (ret)
			return ret;
		ret = vz_quota_off((unsigned)id, &err);
	} else if (!strcmp(cmd, "drop")) {
		ret = parse_cmd_opts(argc, argv, "f", &o);
		if (ret)
			return ret;
		ret = vz_quota_drop((unsigned)id, o.force, &err);
	} else if (!strcmp(cmd, "setlimit")) {
		ret = parse_cmd_opts(argc, argv, "bBeiInsu", &o);
		if (ret)
			return ret;
		if (!o.mask)
			return usage_error("%s", "setlimit needs at least one limit");
		ret = vz_quota_setlimit((unsigned)id, &o.lim, o.mask, &err);
	} else if (!strcmp(cmd, "stat") || !strcmp(cmd, "show")) {
		bool stat = !strcmp(cmd, "stat");

		ret = parse_cmd_opts(argc, argv, stat ? "f" : "", &o);
		if (ret)
			return ret;
		ret = stat ? vz_quota_stat((unsigned)id, &q, &err)
			   : vz_quota_show((unsigned)id, &q, &err);
		if (ret == 0)
			print_status(&q);
	} else {
		return usage_error("unknown command '%s'", cmd);
	}
	return ret < 0 ? fail(&err) : EC_SUCCESS;
}
