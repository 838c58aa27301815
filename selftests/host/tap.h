/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP for the host unit tests, so that they build with no kernel tree:
 * a plan, one line per result, and an exit status that says whether
 * every result passed.
 */
#ifndef ZP_HOST_TAP_H
#define ZP_HOST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned int tap_planned, tap_run, tap_failed;

static inline void tap_plan(unsigned int n)
{
	tap_planned = n;
	printf("TAP version 13\n1..%u\n", n);
}

static inline void tap_vresult(const char *status, const char *directive,
			       const char *fmt, va_list ap)
{
	printf("%s %u ", status, ++tap_run);
	if (directive)
		printf("%s", directive);
	vprintf(fmt, ap);
	fflush(stdout);
}

/* One result: ok if @pass, the description (ending in \n) after it. */
static inline __attribute__((format(printf, 2, 3)))
void tap_result(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!pass)
		tap_failed++;
	tap_vresult(pass ? "ok" : "not ok", NULL, fmt, ap);
	va_end(ap);
}

static inline __attribute__((format(printf, 1, 2)))
void tap_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_failed++;
	tap_vresult("not ok", NULL, fmt, ap);
	va_end(ap);
}

static inline __attribute__((format(printf, 1, 2)))
void tap_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult("ok", "# SKIP ", fmt, ap);
	va_end(ap);
}

/* Exits 0 only if the plan was met and nothing failed. */
static inline void tap_finished(void)
{
	if (tap_run != tap_planned)
		printf("# planned %u tests, ran %u\n", tap_planned, tap_run);
	exit(tap_failed || tap_run != tap_planned);
}

#endif /* ZP_HOST_TAP_H */
