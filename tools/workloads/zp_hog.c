// SPDX-License-Identifier: GPL-2.0
/*
 * zp_hog: a memory-pressure workload for demos and benchmarks.  In a new
 * memory cgroup limited to LIMIT MiB, whose zswap may use half of that, it
 * fills SIZE MiB with a compressible, random or spread pattern (compressed
 * sizes from a few bytes to a whole page), holds it for HOLD seconds (so
 * that zswap holds the overflow), then reads every page back and checks
 * it.  With "pageout", every page is pushed out to swap (MADV_PAGEOUT)
 * once filled, whatever the limit.
 *
 *   zp_hog NAME LIMIT_MIB SIZE_MIB compressible|random|spread HOLD_SECONDS [pageout]
 *
 * Exit status 0 if every byte read back intact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zp_parse.h"
#include "zp_util.h"

static void hold(void *arg)
{
	sleep(*(unsigned int *)arg);
}

/* The largest LIMIT_MIB or SIZE_MIB: 1 TiB, far from overflowing << 20. */
#define MAX_MIB		(1UL << 20)

int main(int argc, char **argv)
{
	struct zp_workload w = { .between = hold };
	unsigned long limit_mib, size_mib, hold_s;
	const char *name = argv[1];
	unsigned int hold_arg;
	char cg[256];
	int err;

	if (argc != 6 && !(argc == 7 && !strcmp(argv[6], "pageout"))) {
		fprintf(stderr, "usage: %s NAME LIMIT_MIB SIZE_MIB compressible|random|spread HOLD_SECONDS [pageout]\n",
			argv[0]);
		return 2;
	}
	/* A cgroup of its own under the root, not a path elsewhere. */
	if (!zp_is_file_name(name)) {
		fprintf(stderr, "%s: NAME must be a cgroup name without '/', not '%s'\n",
			argv[0], name);
		return 2;
	}
	if (zp_parse_ulong(argv[2], 1, MAX_MIB, &limit_mib) ||
	    zp_parse_ulong(argv[3], 1, MAX_MIB, &size_mib)) {
		fprintf(stderr, "%s: LIMIT_MIB and SIZE_MIB must be numbers from 1 to %lu\n",
			argv[0], MAX_MIB);
		return 2;
	}
	if (zp_parse_ulong(argv[5], 0, 86400, &hold_s)) {
		fprintf(stderr, "%s: HOLD_SECONDS must be a number from 0 to 86400, not '%s'\n",
			argv[0], argv[5]);
		return 2;
	}
	w.pageout = argc == 7;
	w.bytes = size_mib << 20;
	if (!strcmp(argv[4], "random"))
		w.pattern = ZP_PATTERN_RANDOM;
	else if (!strcmp(argv[4], "compressible"))
		w.pattern = ZP_PATTERN_COMPRESSIBLE;
	else if (!strcmp(argv[4], "spread"))
		w.pattern = ZP_PATTERN_SPREAD;
	else {
		fprintf(stderr, "%s: pattern must be compressible, random or spread\n", argv[0]);
		return 2;
	}
	hold_arg = hold_s;
	w.arg = &hold_arg;

	err = zp_cgroup_create(name, limit_mib << 20, cg, sizeof(cg));
	if (err) {
		fprintf(stderr, "%s: cannot create cgroup %s: %s\n", argv[0], name, strerror(-err));
		return 1;
	}
	/* Without a zswap limit, incompressible data could only end in OOM. */
	err = zp_cgroup_set(cg, "memory.zswap.max", (limit_mib << 20) / 2);
	if (!err)
		err = zp_run_in_cgroup(cg, &w);
	zp_cgroup_destroy(cg);
	if (err) {
		fprintf(stderr, "%s: workload failed: %s\n", argv[0], strerror(-err));
		return 1;
	}
	if (w.bad_pages) {
		fprintf(stderr, "%s: %zu pages did not read back intact\n", argv[0], w.bad_pages);
		return 1;
	}
	return 0;
}
