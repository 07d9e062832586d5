// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

static int suffix_shift(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'K':
		return 10;
	case 'M':
		return 20;
	case 'G':
		return 30;
	case 'T':
		return 40;
	case 'P':
		return 50;
	default:
		return -1;
	}
}

int vz_parse_size(const char *text, uint64_t unit, bool allow_suffix, int64_t *out)
{
	long double v, bytes;
	const char *p = text;
	char *end;
	int shift = 0;

	if (!text || !*text)
		return -EINVAL;
	if (!strcasecmp(text, "unlimited")) {
		*out = VZ_UNLIMITED;
		return 0;
	}
	/* Plain decimal with one optional suffix letter: strtold() also takes signs, hex, exponents. */
	{
		size_t len = strlen(p), numlen = len;

		if (isalpha((unsigned char)p[len - 1]))
			numlen--;
		if (numlen == 0 || strspn(p, "0123456789.") != numlen ||
		    strchr(p, '.') != strrchr(p, '.') || !strpbrk(p, "0123456789"))
			return -EINVAL;
	}
	errno = 0;
	v = strtold(p, &end);
	if (errno || end == p || !isfinite((double)v))
		return -EINVAL;
	if (*end) {
		shift = suffix_shift(*end);
		if (shift < 0 || end[1] || !allow_suffix)
			return -EINVAL;
	}
	if (!shift && memchr(p, '.', end - p))
		return -EINVAL; /* a fraction only makes sense with a suffix */
	if (shift) {
		bytes = v * (long double)(1ULL << shift);
		v = bytes / (long double)(unit ? unit : 1);
	}
	if (v >= (long double)VZ_UNLIMITED) {
		if (v > (long double)VZ_UNLIMITED)
			return -ERANGE;
		*out = VZ_UNLIMITED;
		return 0;
	}
	*out = (int64_t)(v + 0.5L);
	if (shift && v > 0 && *out == 0)
		*out = 1;
	return 0;
}

int vz_parse_ub(const char *text, uint64_t unit, bool allow_suffix, int64_t *barrier,
		int64_t *limit)
{
	const char *colon = strchr(text, ':');
	char first[64];
	int ret;

	if (!colon) {
		ret = vz_parse_size(text, unit, allow_suffix, barrier);
		if (ret == 0)
			*limit = *barrier;
		return ret;
	}
	if ((size_t)(colon - text) >= sizeof(first))
		return -EINVAL;
	memcpy(first, text, colon - text);
	first[colon - text] = '\0';
	ret = vz_parse_size(first, unit, allow_suffix, barrier);
	if (ret == 0)
		ret = vz_parse_size(colon + 1, unit, allow_suffix, limit);
	if (ret == 0 && *barrier > *limit)
		return -ERANGE;
	return ret;
}

static void format_one(char *buf, unsigned size, int64_t v)
{
	if (v >= VZ_UNLIMITED)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%lld", (long long)v);
}

void vz_format_ub(char *buf, unsigned size, int64_t barrier, int64_t limit)
{
	char b[32], l[32];

	format_one(b, sizeof(b), barrier);
	if (barrier == limit) {
		snprintf(buf, size, "%s", b);
		return;
	}
	format_one(l, sizeof(l), limit);
	snprintf(buf, size, "%s:%s", b, l);
}
