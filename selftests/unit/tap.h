/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny TAP producer for the unit tests (header-only).
 *
 *	plan(n);		optional: print "1..n" first
 *	ok(cond, fmt, ...);	one test point; returns cond
 *	is_int(got, want, fmt, ...), is_str(got, want, fmt, ...)
 *	like(haystack, needle, fmt, ...)	needle occurs in haystack
 *	todo_start(reason) ... todo_end();   failures in between are "# TODO"
 *	skip(n, reason);	n test points reported as "# SKIP"
 *	diag(fmt, ...);		"# ..." on stderr (stdout in a TODO block);
 *				note(fmt, ...) "# ..." on stdout
 *	return done_testing();	"1..N" when no plan was given; exit status
 *
 * The exit status is 0 when every test point outside a TODO block passed
 * and the plan (if any) matched, 1 otherwise.  Test points go to stdout
 * only; a forked child must leave with _exit() so that it does not flush
 * a copy of the parent's buffered output.
 */
#ifndef VZ_TAP_H
#define VZ_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	int planned; /* -1: no plan yet */
	int run;
	int failed;
	const char *todo;
} tap_state = {-1, 0, 0, NULL};

#define TAP_PRINTF(a, b) __attribute__((format(printf, a, b)))

static inline void plan(int n)
{
	tap_state.planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* Diagnostics go to stderr, those of a TODO test to stdout (as Test::More does). */
static inline TAP_PRINTF(1, 0) void tap_vdiag(const char *fmt, va_list ap)
{
	FILE *out = tap_state.todo ? stdout : stderr;

	fflush(stdout);
	fputs("# ", out);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	fflush(out);
}

static inline TAP_PRINTF(1, 2) void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

static inline TAP_PRINTF(1, 2) void note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/* Print one test point; the description has '#' escaped as TAP asks. */
static inline TAP_PRINTF(2, 0) int tap_vok(int cond, const char *fmt, va_list ap)
{
	char desc[512];

	vsnprintf(desc, sizeof(desc), fmt, ap);
	tap_state.run++;
	printf("%sok %d - ", cond ? "" : "not ", tap_state.run);
	for (const char *p = desc; *p; p++) {
		if (*p == '#')
			putchar('\\');
		putchar(*p == '\n' ? ' ' : *p);
	}
	if (tap_state.todo)
		printf(" # TODO %s", tap_state.todo);
	putchar('\n');
	if (!cond) {
		if (!tap_state.todo)
			tap_state.failed++;
		diag("  Failed %stest '%s'", tap_state.todo ? "(TODO) " : "", desc);
	}
	fflush(stdout);
	return cond;
}

static inline TAP_PRINTF(2, 3) int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = tap_vok(!!cond, fmt, ap);
	va_end(ap);
	return ret;
}

static inline TAP_PRINTF(3, 4) int is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (!ret) {
		diag("         got: %lld", got);
		diag("    expected: %lld", want);
	}
	return ret;
}

static inline TAP_PRINTF(3, 4) int is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = tap_vok(got && want ? !strcmp(got, want) : got == want, fmt, ap);
	va_end(ap);
	if (!ret) {
		diag("         got: %s%s%s", got ? "'" : "", got ? got : "NULL", got ? "'" : "");
		diag("    expected: %s%s%s", want ? "'" : "", want ? want : "NULL",
		     want ? "'" : "");
	}
	return ret;
}

/* true if needle occurs in haystack; for checking error messages. */
static inline TAP_PRINTF(3, 4) int like(const char *haystack, const char *needle, const char *fmt,
					...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = tap_vok(haystack && strstr(haystack, needle), fmt, ap);
	va_end(ap);
	if (!ret) {
		diag("             '%s'", haystack ? haystack : "(null)");
		diag("    does not contain '%s'", needle);
	}
	return ret;
}

static inline void todo_start(const char *reason)
{
	tap_state.todo = reason;
}

static inline void todo_end(void)
{
	tap_state.todo = NULL;
}

static inline void skip(int n, const char *reason)
{
	for (int i = 0; i < n; i++)
		printf("ok %d # SKIP %s\n", ++tap_state.run, reason);
	fflush(stdout);
}

static inline int done_testing(void)
{
	if (tap_state.planned < 0)
		printf("1..%d\n", tap_state.run);
	else if (tap_state.planned != tap_state.run)
		diag("Planned %d tests but ran %d", tap_state.planned, tap_state.run);
	fflush(stdout);
	if (tap_state.failed)
		diag("Failed %d of %d tests", tap_state.failed, tap_state.run);
	return tap_state.failed || (tap_state.planned >= 0 && tap_state.planned != tap_state.run);
}

#endif
