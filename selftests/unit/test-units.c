// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/units.c: sizes with suffixes and barrier:limit values. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "units.h"

#define PAGE 4096

struct size_case {
	const char *text;
	uint64_t unit;
	bool suffix;
	int ret;
	int64_t value;
};

static const char *unit_name(uint64_t unit)
{
	return unit == 1 ? "bytes" : unit == PAGE ? "pages" : unit == 1024 ? "1K blocks" : "units";
}

static void check_size(const struct size_case *c)
{
	int64_t v = -42;
	int ret = vz_parse_size(c->text, c->unit, c->suffix, &v);

	if (c->ret) {
		is_int(ret, c->ret, "parse_size(\"%s\", %s%s) fails with %s", c->text,
		       unit_name(c->unit), c->suffix ? "" : ", no suffix",
		       c->ret == -EINVAL ? "-EINVAL" : "-ERANGE");
		return;
	}
	is_int(ret, 0, "parse_size(\"%s\", %s%s) succeeds", c->text, unit_name(c->unit),
	       c->suffix ? "" : ", no suffix");
	is_int(v, c->value, "parse_size(\"%s\", %s) = %lld", c->text, unit_name(c->unit),
	       (long long)c->value);
}

static void test_parse_size(void)
{
	static const struct size_case good[] = {
		{"0", 1, true, 0, 0},
		{"123", 1, true, 0, 123},
		{"123", PAGE, true, 0, 123}, /* no suffix: already in units */
		{"00042", 1, false, 0, 42},
		{"1K", 1, true, 0, 1024},
		{"1k", 1, true, 0, 1024},
		{"1M", 1, true, 0, 1048576},
		{"1m", 1, true, 0, 1048576},
		{"1G", 1, true, 0, 1073741824},
		{"1g", 1, true, 0, 1073741824},
		{"1T", 1, true, 0, 1099511627776LL},
		{"1t", 1, true, 0, 1099511627776LL},
		{"1P", 1, true, 0, 1125899906842624LL},
		{"1p", 1, true, 0, 1125899906842624LL},
		{"256M", PAGE, true, 0, 65536},
		{"1G", PAGE, true, 0, 262144},
		{"2G", PAGE, true, 0, 524288},
		{"1.5G", PAGE, true, 0, 393216},
		/* 2.2 * 262144 = 576716.8: rounded to the nearest page */
		{"2.2G", PAGE, true, 0, 576717},
		{"2.2g", PAGE, true, 0, 576717},
		{"2G", 1024, true, 0, 2097152},
		/* 2.2 * 1048576 = 2306867.2: rounded to the nearest block */
		{"2.2G", 1024, true, 0, 2306867},
		{"0.5K", 1, true, 0, 512},
		{".5K", 1, true, 0, 512},
		{"1.K", 1, true, 0, 1024},
		/* rounding to the nearest unit, half up... */
		{"5K", PAGE, true, 0, 1}, /* 1.25 */
		{"6K", PAGE, true, 0, 2}, /* 1.5 */
		{"7K", PAGE, true, 0, 2}, /* 1.75 */
		{"9K", PAGE, true, 0, 2}, /* 2.25 */
		/* ...but a non-zero size never rounds down to zero */
		{"1K", PAGE, true, 0, 1}, /* 0.25 */
		{"0.001K", PAGE, true, 0, 1},
		{"0K", PAGE, true, 0, 0},
		{"0.0G", PAGE, true, 0, 0},
		{"unlimited", 1, true, 0, INT64_MAX},
		{"UNLIMITED", PAGE, true, 0, INT64_MAX},
		{"Unlimited", 1, false, 0, INT64_MAX},
		{"9223372036854775807", 1, true, 0, INT64_MAX},
		{"9223372036854775806", 1, true, 0, 9223372036854775806LL},
		{"8191P", 1, true, 0, 9222246136947933184LL},
		{"8192P", PAGE, true, 0, 2251799813685248LL}, /* 2^63 bytes in pages */
	};
	static const struct size_case bad[] = {
		{"", 1, true, -EINVAL, 0},
		{"-1", 1, true, -EINVAL, 0},
		{"-1K", 1, true, -EINVAL, 0},
		{"+1", 1, true, -EINVAL, 0},
		{" 1", 1, true, -EINVAL, 0},
		{"1 ", 1, true, -EINVAL, 0},
		{"1 K", 1, true, -EINVAL, 0},
		{"\t1", 1, true, -EINVAL, 0},
		{"1.5", 1, true, -EINVAL, 0}, /* a fraction needs a suffix */
		{"2.2", PAGE, true, -EINVAL, 0},
		{"1KB", 1, true, -EINVAL, 0},
		{"1X", 1, true, -EINVAL, 0},
		{"1B", 1, true, -EINVAL, 0},
		{"1E", 1, true, -EINVAL, 0},
		{"K", 1, true, -EINVAL, 0},
		{".", 1, true, -EINVAL, 0},
		{"abc", 1, true, -EINVAL, 0},
		{"1,5G", 1, true, -EINVAL, 0},
		{"1.2.3G", 1, true, -EINVAL, 0},
		{"inf", 1, true, -EINVAL, 0},
		{"nan", 1, true, -EINVAL, 0},
		{"unlimitedK", 1, true, -EINVAL, 0},
		{"1K", 1, false, -EINVAL, 0}, /* counters take no suffix */
		{"1k", 1, false, -EINVAL, 0},
		{"1.5K", 1, false, -EINVAL, 0},
		{"9223372036854775808", 1, true, -ERANGE, 0},
		{"99999999999999999999", 1, false, -ERANGE, 0},
		{"8388608T", 1, true, -ERANGE, 0}, /* 2^63 bytes */
		{"8192P", 1, true, -ERANGE, 0},
		{"9999999P", 1024, true, -ERANGE, 0},
	};
	/* strtold() syntax that is not a size: hex and exponents. */
	static const struct size_case bad_strtold[] = {
		{"0x10", 1, true, -EINVAL, 0},	{"0X1F", 1, false, -EINVAL, 0},
		{"0x1p4", 1, true, -EINVAL, 0}, {"1e3", 1, false, -EINVAL, 0},
		{"1e3K", 1, true, -EINVAL, 0},	{"1E3", 1, true, -EINVAL, 0},
	};
	int64_t v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		check_size(&good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_size(&bad[i]);
	/*
	 * Only plain decimals: strtold() would also take hexadecimal ("0x10")
	 * and exponents ("1e3").
	 */
	for (size_t i = 0; i < sizeof(bad_strtold) / sizeof(bad_strtold[0]); i++)
		check_size(&bad_strtold[i]);
	is_int(vz_parse_size(NULL, 1, true, &v), -EINVAL, "parse_size(NULL) is -EINVAL");
}

struct ub_case {
	const char *text;
	uint64_t unit;
	bool suffix;
	int ret;
	int64_t barrier, limit;
};

static void test_parse_ub(void)
{
	static const struct ub_case cases[] = {
		{"100", 1, false, 0, 100, 100},
		{"100:200", 1, false, 0, 100, 200},
		{"0:0", 1, false, 0, 0, 0},
		{"7:7", 1, false, 0, 7, 7},
		{"unlimited", 1, false, 0, INT64_MAX, INT64_MAX},
		{"100:unlimited", 1, false, 0, 100, INT64_MAX},
		{"unlimited:unlimited", PAGE, true, 0, INT64_MAX, INT64_MAX},
		{"0:256M", PAGE, true, 0, 0, 65536},
		{"2G:2.2G", PAGE, true, 0, 524288, 576717},
		{"2G:2.2G", 1024, true, 0, 2097152, 2306867},
		{"256m:1g", PAGE, true, 0, 65536, 262144},
		{"1K:1K", PAGE, true, 0, 1, 1},
		{"200:100", 1, false, -ERANGE, 0, 0},
		{"unlimited:100", 1, false, -ERANGE, 0, 0},
		{"2G:1G", PAGE, true, -ERANGE, 0, 0},
		{"9223372036854775808", 1, false, -ERANGE, 0, 0},
		{"1:9223372036854775808", 1, false, -ERANGE, 0, 0},
		{"", 1, false, -EINVAL, 0, 0},
		{":", 1, false, -EINVAL, 0, 0},
		{"1:", 1, false, -EINVAL, 0, 0},
		{":1", 1, false, -EINVAL, 0, 0},
		{"1::2", 1, false, -EINVAL, 0, 0},
		{"1:2:3", 1, false, -EINVAL, 0, 0},
		{"1 :2", 1, false, -EINVAL, 0, 0},
		{"1: 2", 1, false, -EINVAL, 0, 0},
		{"-1:2", 1, false, -EINVAL, 0, 0},
		{"1K", 1, false, -EINVAL, 0, 0},
		{"1:2K", 1, false, -EINVAL, 0, 0},
		{"1K:2", 1, false, -EINVAL, 0, 0},
		{"a:b", 1, false, -EINVAL, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ub_case *c = &cases[i];
		int64_t b = -42, l = -42;
		int ret = vz_parse_ub(c->text, c->unit, c->suffix, &b, &l);

		if (c->ret) {
			is_int(ret, c->ret, "parse_ub(\"%s\") fails with %s", c->text,
			       c->ret == -EINVAL ? "-EINVAL" : "-ERANGE");
			continue;
		}
		ok(ret == 0 && b == c->barrier && l == c->limit,
		   "parse_ub(\"%s\", %s) = %lld:%lld (got %d, %lld:%lld)", c->text,
		   unit_name(c->unit), (long long)c->barrier, (long long)c->limit, ret,
		   (long long)b, (long long)l);
	}
}

static void test_format_ub(void)
{
	static const struct {
		int64_t b, l;
		const char *text;
	} cases[] = {
		{0, 0, "0"},
		{5, 5, "5"},
		{5, 10, "5:10"},
		{0, 65536, "0:65536"},
		{INT64_MAX, INT64_MAX, "unlimited"},
		{0, INT64_MAX, "0:unlimited"},
		{1024, INT64_MAX, "1024:unlimited"},
		{INT64_MAX - 1, INT64_MAX - 1, "9223372036854775806"},
	};
	char buf[64], small[8 + 4];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'X', sizeof(buf));
		vz_format_ub(buf, sizeof(buf), cases[i].b, cases[i].l);
		is_str(buf, cases[i].text, "format_ub(%lld, %lld) = \"%s\"", (long long)cases[i].b,
		       (long long)cases[i].l, cases[i].text);
	}

	/* A short buffer is truncated and terminated, never overrun. */
	memset(small, 'X', sizeof(small));
	vz_format_ub(small, 8, 12345, 67890);
	is_str(small, "12345:6", "format_ub truncates to the buffer size");
	ok(!memcmp(small + 8, "XXXX", 4), "format_ub writes nothing past the buffer");
	memset(small, 'X', sizeof(small));
	vz_format_ub(small, 4, INT64_MAX, INT64_MAX);
	is_str(small, "unl", "format_ub truncates \"unlimited\"");

	/* Round trip: format -> parse gives the same pair. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t b = -1, l = -1;

		vz_format_ub(buf, sizeof(buf), cases[i].b, cases[i].l);
		ok(vz_parse_ub(buf, 1, false, &b, &l) == 0 && b == cases[i].b && l == cases[i].l,
		   "round trip \"%s\"", buf);
	}
}

int main(void)
{
	test_parse_size();
	test_parse_ub();
	test_format_ub();
	return done_testing();
}
