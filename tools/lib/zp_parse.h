/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one parser of numbers from the command line, for zpooltop, the
 * workloads, the benchmarks and the tests.
 */
#ifndef ZP_PARSE_H
#define ZP_PARSE_H

#include <errno.h>
#include <stdlib.h>

/*
 * A decimal number, digits only (strtoul() would take blanks, a sign and
 * trailing junk), within [min, max]: 0 and *val set, -EINVAL if @s is no
 * number, -ERANGE if it is out of range.  *val is untouched on error.
 */
static inline int zp_parse_ulong(const char *s, unsigned long min,
				 unsigned long max, unsigned long *val)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*val = v;
	return 0;
}

#endif
