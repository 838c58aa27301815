// SPDX-License-Identifier: GPL-2.0
/*
 * zswap and each backend under allocation failures.  While the workload
 * fills its memory, fault injection fails about one in ten of its own
 * task's page and slab allocations (task-filter, /proc/self/make-it-fail),
 * among them those that zswap and the backend make when reclaim stores
 * the workload's pages, sleeping or not (ignore-gfp-wait=N) and from
 * highmem or not (ignore-gfp-highmem=N).  Every byte still reads back,
 * the refusals are counted, and once the workload is gone its pool holds
 * nothing.  The kernel log is checked for warnings after all tests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

#define LIMIT		(32UL << 20)
#define WORKLOAD	(96UL << 20)
static long long refusals(void)
{
	return zp_zswap_stat("reject_alloc_fail") +
	       zp_zswap_stat("reject_kmemcache_fail");
}

FIXTURE(faults) {
	char saved[32];
	char cg[256];
};

FIXTURE_VARIANT(faults) {
	const char *zpool;
};

FIXTURE_VARIANT_ADD(faults, zsmalloc) {
	.zpool = "zsmalloc",
};

FIXTURE_VARIANT_ADD(faults, zbud) {
	.zpool = "zbud",
};

FIXTURE_SETUP(faults)
{
	if (access(ZP_FAIL_PAGE "/probability", W_OK) || access(ZP_FAILSLAB "/probability", W_OK))
		SKIP(return, "kernel without CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAILSLAB and their debugfs");
	if (access("/sys/kernel/debug/zswap/pools", R_OK))
		SKIP(return, "kernel without the zpool series");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", variant->zpool));
	ASSERT_EQ(0, zp_cgroup_create("zp-faults", LIMIT, self->cg, sizeof(self->cg)));
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", LIMIT / 2));
}

FIXTURE_TEARDOWN(faults)
{
	zp_fault_disarm(ZP_FAIL_PAGE);
	zp_fault_disarm(ZP_FAILSLAB);
	zp_cgroup_destroy(self->cg);
	zp_zswap_param_set("zpool", self->saved);
}

TEST_F(faults, stores_fail_cleanly_and_nothing_is_lost)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.make_it_fail = true,
	};
	long long refused0, refused, page_faults, slab_faults;
	struct zp_pool pool = { };
	int run, tries;

	refused0 = refusals();
	ASSERT_EQ(0, zp_fault_arm(ZP_FAIL_PAGE));
	ASSERT_EQ(0, zp_fault_arm(ZP_FAILSLAB));
	run = zp_run_in_cgroup(self->cg, &w);
	page_faults = zp_fault_disarm(ZP_FAIL_PAGE);
	slab_faults = zp_fault_disarm(ZP_FAILSLAB);
	refused = refusals() - refused0;

	/* The workload is gone: its entries go with its swap slots. */
	for (tries = 0; tries < 100; tries++) {
		ASSERT_EQ(1, zp_zswap_pools(&pool, 1));
		if (!pool.stored_pages && !pool.pool_pages)
			break;
		usleep(50000);
	}
	TH_LOG("%s: %lld page and %lld slab allocations failed, %lld stores refused; "
	       "afterwards %lld pages stored in %lld pool pages",
	       variant->zpool, page_faults, slab_faults, refused,
	       pool.stored_pages, pool.pool_pages);
	ASSERT_EQ(0, run);
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_GT(page_faults + slab_faults, 0);
	EXPECT_GT(refused, 0);
	EXPECT_STREQ(variant->zpool, pool.type);
	EXPECT_EQ(0, pool.stored_pages);
	EXPECT_EQ(0, pool.pool_pages);
}

TEST_HARNESS_MAIN
