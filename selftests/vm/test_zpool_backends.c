// SPDX-License-Identifier: GPL-2.0
/*
 * zswap on zpool, per backend: pages pushed out by a memory cgroup limit
 * land in the chosen backend and read back intact, at the density the
 * backend's design allows; every backend keeps incompressible pages as
 * stock zswap does; a cgroup's zswap limit bounds the pool's real size,
 * since entries are charged what they occupy; a zbud pool that fills its
 * cgroup is written back, not OOM-killed; switching backends loses
 * nothing, and zswap's LRU reclaims the old pool's cold entries first; a
 * bad name changes nothing; zbud's page reclaim writes back under pool
 * pressure; zbud as a module is loaded when asked for and stays while a
 * pool uses it, also while it is unloaded in a loop through stores,
 * writebacks and drain; the pools file reads cleanly while pools go away.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

/*
 * 32 MiB pushed out of a 16 MiB cgroup: 8192 pages, enough for a density
 * to two decimals and for writeback under every limit below, at half the
 * time of twice that under TCG.
 */
#define LIMIT		(16UL << 20)
#define WORKLOAD	(48UL << 20)
#define OVERFLOW_PAGES	((long long)((WORKLOAD - LIMIT) / ZP_PAGE_SIZE))
/*
 * Each entry is charged what it occupies in its backend, so without a
 * zswap limit a backend at 2:1 fills the cgroup, which then makes room
 * only by OOM; with one, zswap writes its oldest entries back.
 */
#define ZSWAP_MAX	(LIMIT / 2)
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

/*
 * The compressible pattern shrinks about 7:1 with lzo, so no allocator
 * can hold more than about 7 of its pages per page: above 8, the pool's
 * page count is wrong.
 */
FIXTURE_VARIANT_ADD(backend, zsmalloc) {
	.zpool = "zsmalloc",
	.min_ratio = 3.0,
	.max_ratio = 8.0,
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
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", ZSWAP_MAX));
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
	ASSERT_GE(cur->stored_pages, OVERFLOW_PAGES / 4);
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

	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	EXPECT_EQ(0UL, w.bad_pages);
	/*
	 * Every backend keeps them as is, one page per page, as stock zswap
	 * does, and the cgroup counts them: nothing is refused as too big.
	 */
	TH_LOG("%s: %lld incompressible pages stored, %lld bytes of them in the cgroup",
	       variant->zpool, self->sample.incompressible, self->sample.cg_incomp);
	EXPECT_GT(self->sample.incompressible, 0);
	EXPECT_GT(self->sample.cg_incomp, 0);
	EXPECT_EQ(poor, zp_zswap_stat("reject_compress_poor"));
}

/*
 * A cgroup's zswap limit bounds what its entries really occupy: on zbud
 * each entry is charged its footprint, half a page or a page, so its pool
 * stays at the limit instead of growing to twice it; on zsmalloc the
 * compressed length, as in 7.2, which its size classes round up by little.
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
	const long long zswap_max = ZSWAP_MAX;
	struct zp_pool *cur = &self->sample.pools[0];
	long long peak;

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

/*
 * Without memory.zswap.max and with zswap's shrinker off, as zswap
 * starts by default: on zsmalloc the workload fits in its cgroup at 7:1
 * and nothing is written back, as in 7.2; on zbud, charged its footprint
 * at 2:1, the pool alone would need the whole cgroup, so once it is
 * charged half of memory.max zswap writes its oldest entries back instead
 * of leaving the cgroup to the OOM killer.  Every page reads back either
 * way.
 */
TEST_F(backend, pool_filling_its_cgroup_is_written_back)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = take_sample,
		.arg = &self->sample,
	};
	char path[300], shrinker[8];
	long long wb0, wb1;
	int err;

	snprintf(path, sizeof(path), "%.250s/memory.zswap.max", self->cg);
	ASSERT_EQ(0, zp_write_file(path, "max"));
	ASSERT_EQ(0, zp_zswap_param_get("shrinker_enabled", shrinker, sizeof(shrinker)));
	ASSERT_EQ(0, zp_zswap_param_set("shrinker_enabled", "N"));
	wb0 = cgroup_value(self->cg, "memory.stat", "zswpwb");
	err = zp_run_in_cgroup(self->cg, &w);
	wb1 = cgroup_value(self->cg, "memory.stat", "zswpwb");
	zp_zswap_param_set("shrinker_enabled", shrinker);

	TH_LOG("%s: %lld KiB charged to zswap after the fill, %lld pages written back",
	       variant->zpool, self->sample.cg_zswap >> 10, wb1 - wb0);
	ASSERT_EQ(0, err) TH_LOG("the workload did not run to its end (OOM-killed?)");
	EXPECT_EQ(0UL, w.bad_pages);
	if (!strcmp(variant->zpool, "zbud")) {
		EXPECT_GT(wb1 - wb0, 0);
	} else {
		EXPECT_EQ(0, wb1 - wb0);
	}
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
	ASSERT_EQ(0, zp_cgroup_set(cg, "memory.zswap.max", ZSWAP_MAX));

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
	static char longname[4096];
	/*
	 * "\n" is what 'echo > zpool' writes: an empty name.  A name of a
	 * module that exists but is no backend, a non-ASCII one, one as long
	 * as a page.
	 */
	const char *bad[] = { "nosuchbackend", "\n", "  \n", "zbud zsmalloc",
			      "zstd", "zsm\xc3\xa4lloc", longname };
	char cur[32], now[32];
	int nb, na, i, err;

	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	memset(longname, 'z', sizeof(longname) - 1);
	ASSERT_EQ(0, zp_zswap_param_get("zpool", cur, sizeof(cur)));
	nb = zp_zswap_pools(before, 8);
	ASSERT_GE(nb, 1);

	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		err = zp_zswap_param_set("zpool", bad[i]);
		EXPECT_NE(0, err) TH_LOG("writing '%.40s' (%zu bytes)", bad[i], strlen(bad[i]));
		if (bad[i] != longname)
			EXPECT_EQ(-ENOENT, err) TH_LOG("writing '%s'", bad[i]);
		ASSERT_EQ(0, zp_zswap_param_get("zpool", now, sizeof(now)));
		EXPECT_STREQ(cur, now);
	}
	/* The series' debugfs files take no writes. */
	EXPECT_NE(0, zp_write_file(POOLS_FILE, "junk\n"));
	if (access("/sys/kernel/debug/zpool/bench", F_OK) == 0)
		EXPECT_NE(0, zp_write_file("/sys/kernel/debug/zpool/bench", longname));
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

	/* A name with the newline echo adds, or blanks around it, is fine. */
	EXPECT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc\n"));
	ASSERT_EQ(0, zp_zswap_param_get("zpool", now, sizeof(now)));
	EXPECT_STREQ("zsmalloc", now);
	EXPECT_EQ(0, zp_zswap_param_set("zpool", " zsmalloc \n\n"));
	ASSERT_EQ(0, zp_zswap_param_get("zpool", now, sizeof(now)));
	EXPECT_STREQ("zsmalloc", now);
	zp_zswap_param_set("zpool", cur);
}

/*
 * zswap's written_back_pages is a plain counter that concurrent writebacks
 * bump (the shrink worker, a store over its cgroup's limit), as in stock
 * zswap, so it loses increments when they race (8 of 3900 in one run);
 * zswpwb is exact, and test_tracepoints checks it against the events.
 * They agree within 1%.
 */
static bool counters_agree(long long written_back, long long zswpwb)
{
	long long diff = written_back > zswpwb ? written_back - zswpwb :
						 zswpwb - written_back;

	return diff <= 2 + zswpwb / 100;
}

/* The peak size of the current pool, polled while a workload runs. */
static void track_current_peak(void *arg)
{
	long long *peak = arg;
	struct zp_pool pool;

	if (zp_zswap_pools(&pool, 1) == 1 && pool.pool_pages > *peak)
		*peak = pool.pool_pages;
}

/*
 * With zbud and a tiny pool, zswap's LRU writes entries back and zbud's
 * pages are freed with them: the pool stays within its limit, and none
 * of the data is lost.
 */
TEST(zbud_reclaim_writes_back)
{
	long long peak = 0, limit;
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.during = track_current_peak,
		.arg = &peak,
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

	/* max_pool_percent of the memory, in pages, as zswap computes it. */
	limit = zp_stat_get("/proc/meminfo", "MemTotal:") / (ZP_PAGE_SIZE >> 10) / 100;
	TH_LOG("written back: %lld pages (zswpwb +%lld); pool peak %lld pages, limit %lld",
	       wb1 - wb0, zswpwb1 - zswpwb0, peak, limit);
	EXPECT_GT(wb1 - wb0, 0);
	EXPECT_TRUE(counters_agree(wb1 - wb0, zswpwb1 - zswpwb0));
	EXPECT_GT(peak, 0);
	EXPECT_LE(peak, limit * 115 / 100);
	EXPECT_EQ(0UL, w.bad_pages);
}

/*
 * One reclaim order for every pool.  Pages stored in zsmalloc, then a
 * switch to zbud and newer pages stored there, over a pool limit: zswap's
 * LRU writes the old pool's cold entries back before the new pool's hot
 * ones, whichever backend holds them.
 */
struct order_ctx {
	const char *cg;
	unsigned int old_id;
	long long old_before, old_after;	/* the old pool's entries */
	long long wb0, wb1, zswpwb0, zswpwb1;
	int err;
	size_t hot_bad;
};

/*
 * Sizes of their own: the guest's 1% pool limit must fall between what the
 * old pool holds and what both hold.
 */
#define ORDER_LIMIT	(32UL << 20)
#define ORDER_WORKLOAD	(64UL << 20)

static long long pool_stored(unsigned int id)
{
	struct zp_pool pools[8];
	int i, n = zp_zswap_pools(pools, 8);

	for (i = 0; i < n; i++)
		if (pools[i].id == id)
			return pools[i].stored_pages;
	return 0;	/* drained and gone */
}

static void hot_filled(void *arg)
{
	struct order_ctx *c = arg;

	c->old_after = pool_stored(c->old_id);
	c->wb1 = zp_zswap_stat("written_back_pages");
	c->zswpwb1 = zp_stat_get("/proc/vmstat", "zswpwb");
}

static void cold_filled(void *arg)
{
	struct order_ctx *c = arg;
	struct zp_workload hot = {
		.bytes = ORDER_WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = hot_filled,
		.arg = c,
	};
	struct zp_pool pool;

	if (zp_zswap_pools(&pool, 1) != 1) {
		c->err = -ENOENT;
		return;
	}
	c->old_id = pool.id;
	c->old_before = pool.stored_pages;
	c->wb0 = zp_zswap_stat("written_back_pages");
	c->zswpwb0 = zp_stat_get("/proc/vmstat", "zswpwb");
	/* 1% of the guest's memory: more than the old pool, less than both. */
	c->err = zp_zswap_param_set("zpool", "zbud");
	if (!c->err)
		c->err = zp_zswap_param_set("max_pool_percent", "1");
	if (!c->err)
		c->err = zp_run_in_cgroup(c->cg, &hot);
	c->hot_bad = hot.bad_pages;
}

TEST(writeback_takes_cold_entries_of_old_pools_first)
{
	char saved[32], saved_pct[16], cg[256];
	struct order_ctx c = { .cg = cg };
	struct zp_workload cold = {
		.bytes = ORDER_WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = cold_filled,
		.arg = &c,
	};
	long long wb, old_wb;

	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));
	ASSERT_EQ(0, zp_zswap_param_get("max_pool_percent", saved_pct, sizeof(saved_pct)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	ASSERT_EQ(0, zp_cgroup_create("zp-order", ORDER_LIMIT, cg, sizeof(cg)));

	ASSERT_EQ(0, zp_run_in_cgroup(cg, &cold));

	zp_cgroup_destroy(cg);
	zp_zswap_param_set("max_pool_percent", saved_pct);
	zp_zswap_param_set("zpool", saved);

	wb = c.wb1 - c.wb0;
	old_wb = c.old_before - c.old_after;
	TH_LOG("old zsmalloc pool %u: %lld entries, %lld left after the zbud fill; "
	       "%lld written back in all (zswpwb +%lld)", c.old_id, c.old_before,
	       c.old_after, wb, c.zswpwb1 - c.zswpwb0);
	ASSERT_EQ(0, c.err);
	EXPECT_EQ(0UL, cold.bad_pages);
	EXPECT_EQ(0UL, c.hot_bad);
	ASSERT_GT(c.old_before, 0);
	EXPECT_GT(wb, 0);
	EXPECT_TRUE(counters_agree(wb, c.zswpwb1 - c.zswpwb0));
	/*
	 * Enough was written back to tell one pool from the other: how much
	 * depends on how long zswap's shrink worker ran while the fill went
	 * on, which a busy host changes; but 90 of 100 writebacks from one of
	 * two pools of similar size is no accident (p < 1e-15 by chance).
	 */
	EXPECT_GE(wb, 100);
	/*
	 * The cold entries went first: while the old pool has some left,
	 * the writebacks came from it, not from the new pool.
	 */
	if (c.old_after) {
		EXPECT_GE(old_wb * 10, wb * 9);
	} else {
		EXPECT_GE(wb, c.old_before);
	}
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
	ASSERT_EQ(0, zp_cgroup_set(cg, "memory.zswap.max", ZSWAP_MAX));
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

#define RACE_ROUNDS	50

/*
 * zbud's module is unloaded over and over while zswap is switched to it
 * and back: each switch to zbud succeeds or is refused cleanly (-ENOENT
 * or -EINVAL, the old backend staying), each switch to zsmalloc
 * succeeds, and zswap's parameter always names its current pool.  Once
 * the unloads stop, zbud is loaded again on demand.
 */
TEST(switch_races_module_unload)
{
	int ok = 0, refused = 0, bad = 0, unloads = 0, round, err, status;
	struct zp_pool pools[8];
	char saved[32], cur[32];
	pid_t pid;

	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	if (!zbud_is_module())
		SKIP(return, "zbud is not a module of this kernel (CONFIG_ZBUD=y or n)");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int n = 0;

		for (round = 0; round < 20 * RACE_ROUNDS; round++) {
			n += !zbud_unload();
			usleep(1000);
		}
		_exit(n > 255 ? 255 : n);
	}
	for (round = 0; round < RACE_ROUNDS; round++) {
		err = zp_zswap_param_set("zpool", "zbud");
		if (!err)
			ok++;
		else if (err == -ENOENT || err == -EINVAL)
			refused++;
		else
			bad++;
		if (zp_zswap_param_get("zpool", cur, sizeof(cur)) ||
		    zp_zswap_pools(pools, 8) < 1 || strcmp(cur, pools[0].type))
			bad++;
		if (zp_zswap_param_set("zpool", "zsmalloc"))
			bad++;
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	unloads = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	TH_LOG("%d switches to zbud: %d took effect, %d refused, %d otherwise; zbud unloaded %d times",
	       RACE_ROUNDS, ok, refused, bad, unloads);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(RACE_ROUNDS, ok + refused);
	EXPECT_GT(unloads, 0);
	ASSERT_EQ(0, zp_zswap_param_get("zpool", cur, sizeof(cur)));
	EXPECT_STREQ("zsmalloc", cur);
	EXPECT_EQ(0, zp_zswap_param_set("zpool", "zbud"));
	ASSERT_GE(zp_zswap_pools(pools, 8), 1);
	EXPECT_STREQ("zbud", pools[0].type);
	EXPECT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	EXPECT_TRUE(zbud_pools_gone());
	zp_zswap_param_set("zpool", saved);
}

/*
 * What a process unloading zbud in a loop saw, by phase of the workload
 * it races: 0 stores and writebacks into a zbud pool, 1 that pool
 * draining (zswap switched away, the pages read back), 2 the workload
 * gone.
 */
struct unloader {
	int phase;		/* set by the test */
	long busy[3];		/* EWOULDBLOCK: the module is in use */
	long other;		/* any other errno */
	int unloaded_in;	/* the phase of the unload that took, or -1 */
	bool pool_after;	/* a zbud pool was listed after it took */
};

/* Unload zbud every millisecond until it goes, or for @seconds at most. */
static void unload_until_gone(struct unloader *u, int seconds)
{
	double end = zp_wall_s() + seconds;
	int err, phase;

	u->unloaded_in = -1;
	while (zp_wall_s() < end) {
		phase = __atomic_load_n(&u->phase, __ATOMIC_ACQUIRE);
		err = zbud_unload();
		if (!err) {
			u->unloaded_in = phase;
			u->pool_after = zbud_pool_exists();
			return;
		}
		if (err == EWOULDBLOCK)
			u->busy[phase]++;
		else
			u->other++;
		usleep(1000);
	}
}

struct unload_race_ctx {
	struct unloader *u;
	long long zswpwb0, zswpwb1;
	int switch_ret;
};

/* Filled: the writebacks so far, then zbud's pool starts draining. */
static void drain_zbud(void *arg)
{
	struct unload_race_ctx *c = arg;

	c->zswpwb1 = zp_stat_get("/proc/vmstat", "zswpwb");
	c->switch_ret = zp_zswap_param_set("zpool", "zsmalloc");
	__atomic_store_n(&c->u->phase, 1, __ATOMIC_RELEASE);
}

/*
 * zbud's module is unloaded every millisecond while a workload stores
 * into its pool over a pool limit (so zbud's pages are written back and
 * freed), while that pool drains after a switch away, and after the
 * workload is gone.  Every unload is refused while a zbud pool exists,
 * one takes once the last pool has gone, no zbud pool is listed after
 * it, and every page reads back.  (An unload that freed zbud's code
 * under a writeback or a pool's destruction is an oops, which fails the
 * kernel log check.)
 */
TEST(zbud_unload_races_stores_writebacks_and_drain)
{
	struct unloader *u;
	struct unload_race_ctx c = { .switch_ret = -1 };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = drain_zbud,
		.arg = &c,
	};
	char saved[32], saved_pct[16], cg[256];
	int status, err;
	pid_t pid;

	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	if (!zbud_is_module())
		SKIP(return, "zbud is not a module of this kernel (CONFIG_ZBUD=y or n)");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));
	ASSERT_EQ(0, zp_zswap_param_get("max_pool_percent", saved_pct, sizeof(saved_pct)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	ASSERT_TRUE(zbud_pools_gone());
	if (zbud_loaded())
		ASSERT_EQ(0, zbud_unload());

	u = mmap(NULL, sizeof(*u), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, u);
	c.u = u;
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zbud"));
	/* 1% of the guest's memory: zbud's reclaim writes its pages back. */
	ASSERT_EQ(0, zp_zswap_param_set("max_pool_percent", "1"));
	ASSERT_EQ(0, zp_cgroup_create("zp-unload-race", LIMIT, cg, sizeof(cg)));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		unload_until_gone(u, 300);
		_exit(0);
	}
	c.zswpwb0 = zp_stat_get("/proc/vmstat", "zswpwb");
	err = zp_run_in_cgroup(cg, &w);
	__atomic_store_n(&u->phase, 2, __ATOMIC_RELEASE);
	zp_cgroup_destroy(cg);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	zp_zswap_param_set("max_pool_percent", saved_pct);

	TH_LOG("zbud written back %lld pages while filled; unloads refused: %ld storing, "
	       "%ld draining, %ld after; %ld otherwise; it went in phase %d",
	       c.zswpwb1 - c.zswpwb0, u->busy[0], u->busy[1], u->busy[2], u->other,
	       u->unloaded_in);
	ASSERT_EQ(0, err);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, c.switch_ret);
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_GT(c.zswpwb1 - c.zswpwb0, 0);
	/* Refused while its pool took stores and wrote back... */
	EXPECT_GT(u->busy[0], 0);
	EXPECT_EQ(0, u->other);
	/* ...and gone once its last pool was, with no pool left behind. */
	EXPECT_GE(u->unloaded_in, 1);
	EXPECT_FALSE(u->pool_after);
	EXPECT_FALSE(zbud_loaded());
	EXPECT_FALSE(zbud_pool_exists());
	/* Asked for again, it loads. */
	EXPECT_EQ(0, zp_zswap_param_set("zpool", "zbud"));
	EXPECT_TRUE(zbud_loaded());
	EXPECT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	EXPECT_TRUE(zbud_pools_gone());
	zp_zswap_param_set("zpool", saved);
	munmap(u, sizeof(*u));
}

/*
 * What a reader of zswap's pools file saw while pools came and went: how
 * many reads, how many were not a header and well-formed lines, and how
 * many times a pool listed in one read was gone from the next.
 */
struct pools_reader {
	long reads;
	long bad_reads;
	long pools_gone;
};

/* One read of the pools file: the ids it lists, or -1 if malformed. */
static int read_pool_ids(unsigned int *ids, int max)
{
	char buf[4096], *line, *save;
	int fd, n = 0;
	ssize_t len;

	fd = open(POOLS_FILE, O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	line = strtok_r(buf, "\n", &save);
	if (!line || strcmp(line, "id zpool compressor stored_pages pool_pages"))
		return -1;
	while ((line = strtok_r(NULL, "\n", &save)) && n < max) {
		char type[32], comp[32];
		long long stored, pages;

		if (sscanf(line, "%u %31s %31s %lld %llu", &ids[n], type, comp,
			   &stored, &pages) != 5 || stored < 0)
			return -1;
		n++;
	}
	return n;
}

/* The reader: reads the pools file as fast as it can until @stop is readable. */
static void read_pools_until(int stop, struct pools_reader *r)
{
	unsigned int prev[16], cur[16];
	int nprev = 0, ncur, i, j;
	struct pollfd pfd = { .fd = stop, .events = POLLIN };

	while (poll(&pfd, 1, 0) == 0) {
		ncur = read_pool_ids(cur, 16);
		r->reads++;
		if (ncur < 1) {
			r->bad_reads++;
			continue;
		}
		for (i = 0; i < nprev; i++) {
			for (j = 0; j < ncur && cur[j] != prev[i]; j++)
				;
			r->pools_gone += j == ncur;
		}
		memcpy(prev, cur, sizeof(cur));
		nprev = ncur;
	}
}

struct switcher {
	const char *backends[3];
	int nbackends;
	int ticks;
	int switches;
	int failed;
};

/* The next backend: the old pool stays while it holds entries. */
static void switch_backend(struct switcher *s)
{
	if (zp_zswap_param_set("zpool", s->backends[s->switches++ % s->nbackends]))
		s->failed++;
}

/* Every 50 ms of the workload, the next backend. */
static void switch_often(void *arg)
{
	struct switcher *s = arg;

	if (++s->ticks % 5 == 0)
		switch_backend(s);
}

#define READ_ROUNDS	10

/*
 * Reads of the pools file race the pools' destruction.  Each round
 * switches to the next backend, which destroys the previous round's pool
 * (its workload has exited, so the pool is empty), then runs a workload
 * that stores and loads while the backend changes every 50 ms, leaving
 * pools behind that go away as it exits.  Meanwhile a second process
 * reads the file as fast as it can.  Every read is a header and
 * well-formed lines, at least one of them; every pool left behind goes
 * away.  (A read that touched a freed pool is a KASAN report, which fails
 * the kernel log check.)
 */
TEST(pools_read_while_pools_go_away)
{
	struct switcher s = { .backends = { "zsmalloc", "zbud" }, .nbackends = 2 };
	struct pools_reader *r;
	char saved[32], cg[256];
	int stop[2], status, round, n = 0, tries;
	unsigned int ids[16];
	size_t bad_pages = 0;
	pid_t pid;

	if (!have_series())
		SKIP(return, "kernel without the zpool series (no %s)", POOLS_FILE);
	if (zp_cma_stat("gcma", "count") > 0)
		s.backends[s.nbackends++] = "gcma";
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	ASSERT_EQ(0, pipe(stop));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(stop[1]);
		read_pools_until(stop[0], r);
		_exit(0);
	}
	close(stop[0]);

	ASSERT_EQ(0, zp_cgroup_create("zp-pools-read", 8UL << 20, cg, sizeof(cg)));
	ASSERT_EQ(0, zp_cgroup_set(cg, "memory.zswap.max", 4UL << 20));
	for (round = 0; round < READ_ROUNDS; round++) {
		struct zp_workload w = {
			.bytes = 16UL << 20,
			.pattern = ZP_PATTERN_SPREAD,
			.during = switch_often,
			.arg = &s,
		};

		switch_backend(&s);
		EXPECT_EQ(0, zp_run_in_cgroup(cg, &w));
		bad_pages += w.bad_pages;
	}
	zp_cgroup_destroy(cg);
	EXPECT_EQ(0, zp_zswap_param_set("zpool", saved));
	/* The pools left behind are empty and go away. */
	for (tries = 0; tries < 300; tries++) {
		n = read_pool_ids(ids, 16);
		if (n == 1)
			break;
		usleep(100000);
	}
	close(stop[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	TH_LOG("%d rounds, %d switches among %d backends; %ld reads, %ld malformed; %ld pools seen going away",
	       READ_ROUNDS, s.switches, s.nbackends, r->reads, r->bad_reads, r->pools_gone);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0UL, bad_pages);
	EXPECT_EQ(0, s.failed);
	EXPECT_GT(r->reads, s.switches);
	EXPECT_EQ(0, r->bad_reads);
	/* At least the pool each round's first switch left, empty. */
	EXPECT_GE(r->pools_gone, READ_ROUNDS);
	EXPECT_EQ(1, n) TH_LOG("%d pools listed after the workloads", n);
	munmap(r, sizeof(*r));
}

TEST_HARNESS_MAIN
