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

#include "zp_util.h"

static void hold(void *arg)
{
	sleep(*(unsigned int *)arg);
}

int main(int argc, char **argv)
{
	struct zp_workload w = { .between = hold };
	unsigned int hold_s;
	char cg[256];
	int err;

	if (argc != 6 && !(argc == 7 && !strcmp(argv[6], "pageout"))) {
		fprintf(stderr, "usage: %s NAME LIMIT_MIB SIZE_MIB compressible|random|spread HOLD_SECONDS [pageout]\n",
			argv[0]);
		return 2;
	}
	w.pageout = argc == 7;
	w.bytes = strtoul(argv[3], NULL, 10) << 20;
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
	hold_s = strtoul(argv[5], NULL, 10);
	w.arg = &hold_s;

	err = zp_cgroup_create(argv[1], strtoul(argv[2], NULL, 10) << 20, cg, sizeof(cg));
	if (err) {
		fprintf(stderr, "%s: cannot create cgroup %s: %s\n", argv[0], argv[1], strerror(-err));
		return 1;
	}
	/* Without a zswap limit, incompressible data could only end in OOM. */
	err = zp_cgroup_set(cg, "memory.zswap.max", (strtoull(argv[2], NULL, 10) << 20) / 2);
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
