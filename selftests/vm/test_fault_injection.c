// SPDX-License-Identifier: GPL-2.0
/*
 * zswap and each backend under allocation failures.  While the workload
 * fills its memory, fault injection fails about one in ten of its own
 * task's page and slab allocations (task-filter, /proc/self/make-it-fail),
 * among them those that zswap and the backend make when reclaim stores
 * the workload's pages, sleeping or not (ignore-gfp-wait=N) and from
 * highmem or not (ignore-gfp-highmem=N).  Every byte still reads back,
 * the refusals are counted, and once the workload is gone its pool holds
 * nothing.  Switches of zswap's backend, whose new pool's allocations
 * fail the same way, are refused with a clear error and leave the current
 * pool and the parameter as they were.  The kernel log is checked for
 * warnings, and kmemleak for what the failure paths leaked, after all
 * tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

#define LIMIT		(16UL << 20)
#define WORKLOAD	(48UL << 20)
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

#define ZPOOL_PARAM	"/sys/module/zswap/parameters/zpool"
/*
 * At least SWITCHES, and more (up to MAX_SWITCHES) until two took effect
 * and two pool creations failed.  A new pool makes dozens of allocations:
 * with one in ten failing, 1 switch of 400 took effect; one in fifty
 * (SWITCH_FAIL_PERCENT) fails most switches and lets some through.
 */
#define SWITCHES		40
#define MAX_SWITCHES		400
#define SWITCH_FAIL_PERCENT	"2"

/* How the switches under fault injection ended. */
struct switches {
	int ok;			/* took effect */
	int enomem;		/* an allocation on the way failed */
	int einval;		/* zswap_pool_create() failed, as in stock zswap */
	int enoent;		/* zbud's module could not be found or loaded */
	int wrong;		/* any other errno, or a pool and name that disagree */
	char first_wrong[160];
};

/*
 * One write of @name to zswap.zpool with this task's allocations failing
 * at random: the file is opened before and the failures stop right after,
 * so that only the switch itself meets them.  0 or -errno.
 */
static int switch_failing(const char *name)
{
	ssize_t n;
	int fd, err, i;

	fd = open(ZPOOL_PARAM, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (zp_write_file("/proc/self/make-it-fail", "1")) {
		close(fd);
		return -EIO;
	}
	n = write(fd, name, strlen(name));
	err = n < 0 ? -errno : 0;
	/* That write allocates, and may fail too: try again. */
	for (i = 0; zp_write_file("/proc/self/make-it-fail", "0"); i++)
		if (i == 1000)
			break;
	close(fd);
	return err;
}

static void judge_switch(struct switches *s, const char *from, const char *to, int err)
{
	const char *want = err ? from : to;
	struct zp_pool pool = { };
	char now[32] = "";
	bool agree;

	agree = !zp_zswap_param_get("zpool", now, sizeof(now)) &&
		zp_zswap_pools(&pool, 1) == 1 &&
		!strcmp(now, want) && !strcmp(pool.type, want);
	if (agree && !err) {
		s->ok++;
	} else if (agree && err == -ENOMEM) {
		s->enomem++;
	} else if (agree && err == -EINVAL) {
		s->einval++;
	} else if (agree && err == -ENOENT) {
		s->enoent++;
	} else {
		s->wrong++;
		if (!s->first_wrong[0])
			snprintf(s->first_wrong, sizeof(s->first_wrong),
				 "%s -> %s: %s; zswap.zpool now '%s', current pool %s",
				 from, to, err ? strerror(-err) : "ok", now, pool.type);
	}
}

/*
 * Switches between zsmalloc and zbud while one in fifty of the switching
 * task's allocations fails: each switch takes effect or is refused with
 * -ENOMEM, -EINVAL (a new pool could not be made: zswap_pool_create(),
 * zpool_create_pool()) or -ENOENT (zbud's module could not be loaded),
 * and zswap.zpool always names the current pool.  kmemleak, after the
 * series' tests, finds what a failure path leaked.
 */
TEST(pool_creation_failures_change_nothing)
{
	const char *backends[] = { "zsmalloc", "zbud" };
	struct switches s = { };
	struct zp_pool pools[8];
	char saved[32];
	long long faults;
	int i, err, tries;

	if (access(ZP_FAIL_PAGE "/probability", W_OK) || access(ZP_FAILSLAB "/probability", W_OK))
		SKIP(return, "kernel without CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAILSLAB and their debugfs");
	if (access("/sys/kernel/debug/zswap/pools", R_OK))
		SKIP(return, "kernel without the zpool series");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));
	/* Both backends loaded, zsmalloc current. */
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zbud"));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));

	ASSERT_EQ(0, zp_fault_arm(ZP_FAIL_PAGE));
	ASSERT_EQ(0, zp_fault_arm(ZP_FAILSLAB));
	ASSERT_EQ(0, zp_write_file(ZP_FAIL_PAGE "/probability", SWITCH_FAIL_PERCENT));
	ASSERT_EQ(0, zp_write_file(ZP_FAILSLAB "/probability", SWITCH_FAIL_PERCENT));
	for (i = 0; i < MAX_SWITCHES; i++) {
		char from[32];

		const char *to;

		if (i >= SWITCHES && s.ok >= 2 && s.einval >= 2)
			break;
		if (zp_zswap_param_get("zpool", from, sizeof(from)))
			break;
		to = backends[strcmp(from, "zsmalloc") ? 0 : 1];
		err = switch_failing(to);
		judge_switch(&s, from, to, err);
	}
	faults = zp_fault_disarm(ZP_FAIL_PAGE) + zp_fault_disarm(ZP_FAILSLAB);

	EXPECT_EQ(0, zp_zswap_param_set("zpool", saved));
	for (tries = 0; tries < 100 && zp_zswap_pools(pools, 8) != 1; tries++)
		usleep(50000);
	TH_LOG("%d switches, %lld allocations failed: %d took effect, refused %d with ENOMEM, %d with EINVAL, %d with ENOENT, %d otherwise%s%s",
	       i, faults, s.ok, s.enomem, s.einval, s.enoent, s.wrong,
	       s.first_wrong[0] ? "; first: " : "", s.first_wrong);
	EXPECT_GE(i, SWITCHES);
	EXPECT_EQ(0, s.wrong);
	EXPECT_GE(s.ok, 2);
	EXPECT_GE(s.einval, 2);
	EXPECT_GT(faults, 0);
	EXPECT_GT(100, tries) TH_LOG("the pools the switches left did not go away");
}

TEST_HARNESS_MAIN
