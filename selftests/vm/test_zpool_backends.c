// SPDX-License-Identifier: GPL-2.0
/*
 * zswap on zpool, per backend: pages pushed out by a memory cgroup limit
 * land in the chosen backend and read back intact, at the density the
 * backend's design allows; every backend keeps incompressible pages as
 * stock zswap does; a cgroup's zswap limit bounds the pool's real size,
 * since entries are charged what they occupy; switching backends loses
 * nothing; a bad name
 * changes nothing; zbud's page reclaim writes back under pool pressure;
 * zbud as a module is loaded when asked for and stays while a pool uses it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

#define LIMIT		(32UL << 20)
#define WORKLOAD	(96UL << 20)
#define OVERFLOW_PAGES	((long long)((WORKLOAD - LIMIT) / ZP_PAGE_SIZE))
#define POOLS_FILE	"/sys/kernel/debug/zswap/pools"

static bool have_series(void)
{
	return access(POOLS_FILE, R_OK) == 0;
}

/* What a test saw of zswap between the workload's fill and check. */
struct sample {
	const char *cg;			/* the workload's cgroup */
	struct zp_pool pools[8];
	int npools;
	long long incompressible;	/* debugfs, all of zswap */
	long long cg_incomp;		/* the cgroup's memory.stat zswap_incomp */
	long long cg_zswap;		/* the cgroup's memory.zswap.current */
	long long peak_pool_pages;	/* the current pool, polled throughout */
};

static long long cgroup_value(const char *cg, const char *file, const char *key)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return key ? zp_stat_get(path, key) : zp_read_ll(path);
}

static void take_sample(void *arg)
{
	struct sample *s = arg;

	s->npools = zp_zswap_pools(s->pools, 8);
	s->incompressible = zp_zswap_stat("stored_incompressible_pages");
	s->cg_incomp = cgroup_value(s->cg, "memory.stat", "zswap_incomp");
	s->cg_zswap = cgroup_value(s->cg, "memory.zswap.current", NULL);
}

static void track_peak(void *arg)
{
	struct sample *s = arg;
	struct zp_pool pool;

	if (zp_zswap_pools(&pool, 1) == 1 && pool.pool_pages > s->peak_pool_pages)
		s->peak_pool_pages = pool.pool_pages;
}

FIXTURE(backend) {
	char saved[32];
	char cg[256];
	struct sample sample;
};

FIXTURE_VARIANT(backend) {
	const char *zpool;
	double min_ratio;	/* stored pages per pool page, compressible data */
	double max_ratio;
};

/* The compressible pattern shrinks about 7:1 with lzo. */
FIXTURE_VARIANT_ADD(backend, zsmalloc) {
	.zpool = "zsmalloc",
	.min_ratio = 3.0,
	.max_ratio = 100.0,
};

/* Two objects per page: never above 2:1, and close to it here. */
FIXTURE_VARIANT_ADD(backend, zbud) {
	.zpool = "zbud",
	.min_ratio = 1.5,
	.max_ratio = 2.0,
};

FIXTURE_SETUP(backend)
{
	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", variant->zpool));
	ASSERT_EQ(0, zp_cgroup_create("zp-backend", LIMIT, self->cg, sizeof(self->cg)));
	self->sample.cg = self->cg;
}

FIXTURE_TEARDOWN(backend)
{
	if (!have_series())
		return;
	zp_cgroup_destroy(self->cg);
	zp_zswap_param_set("zpool", self->saved);
}

TEST_F(backend, compressible_roundtrip_and_density)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = take_sample,
		.arg = &self->sample,
	};
	struct zp_pool *cur = &self->sample.pools[0];
	double ratio;

	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	ASSERT_GE(self->sample.npools, 1);
	EXPECT_STREQ(variant->zpool, cur->type);
	ASSERT_GE(cur->stored_pages, OVERFLOW_PAGES / 2);
	ASSERT_GT(cur->pool_pages, 0);

	ratio = (double)cur->stored_pages / cur->pool_pages;
	TH_LOG("%s: %lld pages in %lld pool pages, %.2f:1", cur->type,
	       cur->stored_pages, cur->pool_pages, ratio);
	EXPECT_GE(ratio, variant->min_ratio);
	EXPECT_LE(ratio, variant->max_ratio);
	EXPECT_EQ(0UL, w.bad_pages);
}

TEST_F(backend, incompressible_roundtrip)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_RANDOM,
		.between = take_sample,
		.arg = &self->sample,
	};
	long long poor = zp_zswap_stat("reject_compress_poor");

	/*
	 * Pages kept uncompressed still count against the cgroup: without a
	 * zswap limit the cgroup would only make room by OOM.  With one, zswap
	 * writes back the oldest entries to the swap device.
	 */
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", LIMIT / 2));
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	EXPECT_EQ(0UL, w.bad_pages);
	/*
	 * Every backend keeps them as is, one page per page, as stock zswap
	 * does, and the cgroup counts them: nothing is refused as too big.
	 */
	TH_LOG("%s: %lld incompressible pages stored, %lld in the cgroup",
	       variant->zpool, self->sample.incompressible, self->sample.cg_incomp);
	EXPECT_GT(self->sample.incompressible, 0);
	EXPECT_GT(self->sample.cg_incomp, 0);
	EXPECT_EQ(poor, zp_zswap_stat("reject_compress_poor"));
}

/*
 * A cgroup's zswap limit bounds what its entries really occupy: each entry
 * is charged its footprint in the backend, so the pool of a backend that
 * packs two objects per page stays at the limit instead of growing to
 * several times it.
 */
TEST_F(backend, zswap_limit_bounds_pool)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = take_sample,
		.during = track_peak,
		.arg = &self->sample,
	};
	const long long zswap_max = LIMIT / 2;
	struct zp_pool *cur = &self->sample.pools[0];
	long long peak;

	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", zswap_max));
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	EXPECT_EQ(0UL, w.bad_pages);
	ASSERT_GE(self->sample.npools, 1);
	EXPECT_STREQ(variant->zpool, cur->type);

	peak = self->sample.peak_pool_pages * (long long)ZP_PAGE_SIZE;
	TH_LOG("%s: pool peak %lld KiB under memory.zswap.max %lld KiB; "
	       "after the fill %lld KiB in the pool, %lld KiB charged",
	       variant->zpool, peak >> 10, zswap_max >> 10,
	       cur->pool_pages * (long long)ZP_PAGE_SIZE >> 10,
	       self->sample.cg_zswap >> 10);
	EXPECT_GT(peak, 0);
	EXPECT_LE(peak, zswap_max * 115 / 100);
	/* What is charged is what the pool holds. */
	EXPECT_LE(cur->pool_pages * (long long)ZP_PAGE_SIZE,
		  self->sample.cg_zswap * 115 / 100);
}

/* Switch to zbud while a zsmalloc pool holds the workload's pages. */
struct switch_ctx {
	struct sample before, after;
	int set_ret;
};

static void switch_to_zbud(void *arg)
{
	struct switch_ctx *c = arg;

	take_sample(&c->before);
	c->set_ret = zp_zswap_param_set("zpool", "zbud");
	take_sample(&c->after);
}

TEST(switch_backend_with_stored_pages)
{
	struct switch_ctx c = { };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = switch_to_zbud,
		.arg = &c,
	};
	char saved[32], cg[256];
	struct zp_pool pools[8];
	unsigned int old_id;
	int i, n, tries;

	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	ASSERT_EQ(0, zp_cgroup_create("zp-switch", LIMIT, cg, sizeof(cg)));

	ASSERT_EQ(0, zp_run_in_cgroup(cg, &w));
	zp_cgroup_destroy(cg);
	zp_zswap_param_set("zpool", saved);

	/* Before: zsmalloc current and holding pages. */
	ASSERT_GE(c.before.npools, 1);
	EXPECT_STREQ("zsmalloc", c.before.pools[0].type);
	EXPECT_GE(c.before.pools[0].stored_pages, OVERFLOW_PAGES / 2);
	old_id = c.before.pools[0].id;

	/* After: a new zbud pool is current, the old one still serves. */
	EXPECT_EQ(0, c.set_ret);
	ASSERT_GE(c.after.npools, 2);
	EXPECT_STREQ("zbud", c.after.pools[0].type);
	EXPECT_NE(old_id, c.after.pools[0].id);
	for (i = 1; i < c.after.npools; i++)
		if (c.after.pools[i].id == old_id)
			break;
	ASSERT_LT(i, c.after.npools);
	EXPECT_EQ(c.before.pools[0].stored_pages, c.after.pools[i].stored_pages);

	/* Every page read back through the old pool. */
	EXPECT_EQ(0UL, w.bad_pages);

	/*
	 * The old pool's entries all go.  The pool itself may stay: restoring
	 * the saved backend above makes zswap reuse it as the current pool,
	 * and it is the zbud pool that then drains away (asynchronously).
	 */
	for (tries = 0; tries < 600; tries++) {
		n = zp_zswap_pools(pools, 8);
		for (i = 0; i < n; i++)
			if (pools[i].id == old_id && pools[i].stored_pages)
				break;
		if (i == n)
			break;
		usleep(100000);
	}
	EXPECT_EQ(i, n) TH_LOG("the old pool still holds %lld pages", pools[i].stored_pages);
}

TEST(refused_name_changes_nothing)
{
	struct zp_pool before[8], after[8];
	/* "\n" is what 'echo > zpool' writes: an empty name. */
	const char *bad[] = { "nosuchbackend", "\n", "zbud zsmalloc" };
	char cur[32], now[32];
	int nb, na, i;

	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	ASSERT_EQ(0, zp_zswap_param_get("zpool", cur, sizeof(cur)));
	nb = zp_zswap_pools(before, 8);
	ASSERT_GE(nb, 1);

	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		EXPECT_EQ(-ENOENT, zp_zswap_param_set("zpool", bad[i]))
			TH_LOG("writing '%s'", bad[i]);
		ASSERT_EQ(0, zp_zswap_param_get("zpool", now, sizeof(now)));
		EXPECT_STREQ(cur, now);
	}
	/*
	 * No pool was created: every pool listed now was listed before.  A
	 * draining pool may go away meanwhile, so the counts may differ.
	 */
	na = zp_zswap_pools(after, 8);
	ASSERT_GE(na, 1);
	for (i = 0; i < na; i++) {
		int j;

		for (j = 0; j < nb && before[j].id != after[i].id; j++)
			;
		EXPECT_LT(j, nb) TH_LOG("pool %u appeared", after[i].id);
	}
	EXPECT_EQ(before[0].id, after[0].id);
	EXPECT_STREQ(before[0].type, after[0].type);

	/* A name with the newline echo adds is fine. */
	EXPECT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc\n"));
	ASSERT_EQ(0, zp_zswap_param_get("zpool", now, sizeof(now)));
	EXPECT_STREQ("zsmalloc", now);
	zp_zswap_param_set("zpool", cur);
}

/* With zbud and a tiny pool, reclaim writes pages back; none is lost. */
TEST(zbud_reclaim_writes_back)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
	};
	long long wb0, wb1, zswpwb0, zswpwb1;
	char saved[32], saved_pct[16], cg[256];

	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));
	ASSERT_EQ(0, zp_zswap_param_get("max_pool_percent", saved_pct, sizeof(saved_pct)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zbud"));
	/* 1% of the guest's memory is well below what the workload needs. */
	ASSERT_EQ(0, zp_zswap_param_set("max_pool_percent", "1"));
	ASSERT_EQ(0, zp_cgroup_create("zp-reclaim", LIMIT, cg, sizeof(cg)));

	wb0 = zp_zswap_stat("written_back_pages");
	zswpwb0 = zp_stat_get("/proc/vmstat", "zswpwb");
	ASSERT_EQ(0, zp_run_in_cgroup(cg, &w));
	wb1 = zp_zswap_stat("written_back_pages");
	zswpwb1 = zp_stat_get("/proc/vmstat", "zswpwb");

	zp_cgroup_destroy(cg);
	zp_zswap_param_set("max_pool_percent", saved_pct);
	zp_zswap_param_set("zpool", saved);

	TH_LOG("written back: %lld pages (zswpwb +%lld)", wb1 - wb0, zswpwb1 - zswpwb0);
	EXPECT_GT(wb1 - wb0, 0);
	EXPECT_EQ(wb1 - wb0, zswpwb1 - zswpwb0);
	EXPECT_EQ(0UL, w.bad_pages);
}

/* Is zbud a module of the running kernel (not built in, not absent)? */
static bool zbud_is_module(void)
{
	char path[512], cmd[600];
	struct utsname u;

	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	snprintf(cmd, sizeof(cmd), "grep -q '/zbud\\.ko[^:]*:' %s", path);
	return access(path, R_OK) == 0 && system(cmd) == 0;
}

static bool zbud_loaded(void)
{
	return access("/sys/module/zbud", F_OK) == 0;
}

/* rmmod zbud: 0, or the errno delete_module(2) gave. */
static int zbud_unload(void)
{
	return syscall(SYS_delete_module, "zbud", O_NONBLOCK) ? errno : 0;
}

/* Does any zswap pool, current or draining, use zbud? */
static bool zbud_pool_exists(void)
{
	struct zp_pool pools[8];
	int i, n = zp_zswap_pools(pools, 8);

	for (i = 0; i < n; i++)
		if (!strcmp(pools[i].type, "zbud"))
			return true;
	return false;
}

/* Wait up to a minute for zswap to free its last zbud pool. */
static bool zbud_pools_gone(void)
{
	int tries;

	for (tries = 0; tries < 600 && zbud_pool_exists(); tries++)
		usleep(100000);
	return !zbud_pool_exists();
}

/* While the workload's pages are in a zbud pool: unload, switch, unload. */
struct pinned_ctx {
	int unload_in_use;	/* errno, zbud current */
	int unload_draining;	/* errno, zbud's pool draining */
	int switch_ret;
	bool loaded_after;
};

static void unload_while_in_use(void *arg)
{
	struct pinned_ctx *c = arg;

	c->unload_in_use = zbud_unload();
	c->switch_ret = zp_zswap_param_set("zpool", "zsmalloc");
	c->unload_draining = zbud_unload();
	c->loaded_after = zbud_loaded();
}

TEST(zbud_module_loaded_on_demand_and_pinned_by_its_pools)
{
	struct pinned_ctx c = { };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = unload_while_in_use,
		.arg = &c,
	};
	char saved[32], cg[256];
	int err;

	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	if (!zbud_is_module())
		SKIP(return, "zbud is not a module of this kernel (CONFIG_ZBUD=y or n)");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));

	/* Start from zbud unloaded: no pool of an earlier test may use it. */
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	ASSERT_TRUE(zbud_pools_gone());
	if (zbud_loaded())
		ASSERT_EQ(0, zbud_unload());
	ASSERT_FALSE(zbud_loaded());

	/* Asking zswap for zbud loads it, and its pool pins it. */
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zbud"));
	ASSERT_TRUE(zbud_loaded());
	EXPECT_GE(zp_read_ll("/sys/module/zbud/refcnt"), 1);

	ASSERT_EQ(0, zp_cgroup_create("zp-module", LIMIT, cg, sizeof(cg)));
	err = zp_run_in_cgroup(cg, &w);
	zp_cgroup_destroy(cg);
	ASSERT_EQ(0, err);

	TH_LOG("rmmod zbud with pages stored: current pool %s, draining pool %s",
	       strerror(c.unload_in_use), strerror(c.unload_draining));
	/* With pages in its pool, current or not, zbud could not go. */
	EXPECT_EQ(EWOULDBLOCK, c.unload_in_use);
	EXPECT_EQ(0, c.switch_ret);
	EXPECT_EQ(EWOULDBLOCK, c.unload_draining);
	EXPECT_TRUE(c.loaded_after);
	EXPECT_EQ(0UL, w.bad_pages);

	/* Its last pool gone, nothing holds it any more. */
	ASSERT_TRUE(zbud_pools_gone());
	EXPECT_EQ(0, zp_read_ll("/sys/module/zbud/refcnt"));
	EXPECT_EQ(0, zbud_unload());
	EXPECT_FALSE(zbud_loaded());

	zp_zswap_param_set("zpool", saved);
}

TEST_HARNESS_MAIN
