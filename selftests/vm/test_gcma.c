// SPDX-License-Identifier: GPL-2.0
/*
 * GCMA: zswap keeps pages in the idle part of the GCMA area (gcma=SIZE at
 * boot), writes them through to the swap device, and contiguous
 * allocations take the area back at any time.  A workload swaps while
 * allocations of 1 page to the whole area claim it over and over: every
 * allocation succeeds, every byte reads back, and the claims dropped
 * zswap data that the workload then read from the swap device; swapoff
 * brings every page back, from the area or, for the dropped ones, from
 * the device.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/swap.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

#define LIMIT		(16UL << 20)
#define WORKLOAD	(48UL << 20)
#define CMA_DIR		"/sys/kernel/debug/cma/gcma"
#define GCMA_DIR	"/sys/kernel/debug/gcma"
#define SWAP2		"/dev/vdb"

/* Allocate or free @pages of the area through CMA's debugfs: 0 or -errno. */
static int area_alloc(long long pages)
{
	return zp_cma_write("gcma", "alloc", pages);
}

static int area_free(long long pages)
{
	return zp_cma_write("gcma", "free", pages);
}

/* Wait until the workload's entries are gone with its swap slots. */
static bool pool_drains(struct zp_pool *pool)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		if (zp_zswap_pools(pool, 1) != 1)
			return false;
		if (!pool->stored_pages && !pool->pool_pages &&
		    !zp_gcma_stat("lent_pages"))
			return true;
		usleep(50000);
	}
	return false;
}

FIXTURE(gcma) {
	char saved[32];
	char cg[256];
	long long area;		/* pages */
};

FIXTURE_SETUP(gcma)
{
	if (access(CMA_DIR "/alloc", W_OK) || access(GCMA_DIR, R_OK))
		SKIP(return, "no GCMA area: a kernel with CONFIG_GCMA and CONFIG_CMA_DEBUGFS, booted with gcma=SIZE");
	self->area = zp_cma_stat("gcma", "count");
	ASSERT_GT(self->area, 0);
	ASSERT_EQ(0, zp_cma_stat("gcma", "used"));
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "gcma"));
	ASSERT_EQ(0, zp_cgroup_create("zp-gcma", LIMIT, self->cg, sizeof(self->cg)));
}

FIXTURE_TEARDOWN(gcma)
{
	zp_cgroup_destroy(self->cg);
	zp_zswap_param_set("zpool", self->saved);
}

struct held {
	char memory_stat[300];
	struct zp_pool pool;
	long long lent;
	long long charged;
};

static void look(void *arg)
{
	struct held *h = arg;

	zp_zswap_pools(&h->pool, 1);
	h->lent = zp_gcma_stat("lent_pages");
	h->charged = zp_stat_get(h->memory_stat, "zswap");
}

/*
 * Pages stored in the gcma pool are written to the swap device too, are
 * charged to no memory cgroup, and read back intact.
 */
TEST_F(gcma, stores_write_through)
{
	struct held h = { };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = look,
		.arg = &h,
	};
	long long zswpout, pswpout;
	struct zp_pool pool;

	snprintf(h.memory_stat, sizeof(h.memory_stat), "%s/memory.stat",
		 self->cg);
	zswpout = zp_stat_get("/proc/vmstat", "zswpout");
	pswpout = zp_stat_get("/proc/vmstat", "pswpout");
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	zswpout = zp_stat_get("/proc/vmstat", "zswpout") - zswpout;
	pswpout = zp_stat_get("/proc/vmstat", "pswpout") - pswpout;
	TH_LOG("held %lld pages in %lld lent pages (%lld in the pool); %lld stored, %lld written to swap",
	       h.pool.stored_pages, h.lent, h.pool.pool_pages, zswpout, pswpout);
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_STREQ("gcma", h.pool.type);
	EXPECT_GT(h.pool.stored_pages, 0);
	EXPECT_GT(h.lent, 0);
	EXPECT_EQ(h.lent, h.pool.pool_pages);
	/* Every page stored went to the swap device as well. */
	EXPECT_GE(pswpout, zswpout);
	EXPECT_GT(zswpout, 0);
	/* The area is not the memory cgroup's memory. */
	EXPECT_EQ(0, h.charged);
	EXPECT_TRUE(pool_drains(&pool));
}

struct claims {
	long long area;
	unsigned int round;
	long long attempts;
	long long failures;
	long long pages;
};

/* 1, 16, 256, 2048 pages and the whole area, in turn. */
static void claim(void *arg)
{
	struct claims *c = arg;
	const long long sizes[] = { 1, 16, 256, 2048, c->area };
	long long n = sizes[c->round++ % 5];

	if (n > c->area)
		n = c->area;
	c->attempts++;
	if (area_alloc(n)) {
		c->failures++;
		return;
	}
	c->pages += n;
	if (area_free(n))
		c->failures++;
}

/*
 * Contiguous allocations claim the area over and over while the workload
 * stores into it and loads from it: each one succeeds at once, and the
 * loads whose data a claim dropped read the swap device.
 */
TEST_F(gcma, claims_never_fail_and_lose_nothing)
{
	struct claims c = { .area = self->area };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.during = claim,
		.arg = &c,
	};
	long long dropped, objects, discarded_loads;
	struct zp_pool pool;

	dropped = zp_gcma_stat("discarded_pages");
	objects = zp_gcma_stat("discarded_objects");
	discarded_loads = zp_zswap_stat("load_discarded");
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	dropped = zp_gcma_stat("discarded_pages") - dropped;
	objects = zp_gcma_stat("discarded_objects") - objects;
	discarded_loads = zp_zswap_stat("load_discarded") - discarded_loads;
	TH_LOG("%lld allocations of %lld pages in all, %lld failed; they dropped %lld objects in %lld lent pages; %lld loads read the swap device instead",
	       c.attempts, c.pages, c.failures, objects, dropped,
	       discarded_loads);
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_GE(c.attempts, 5);
	EXPECT_EQ(0, c.failures);
	EXPECT_GT(dropped, 0);
	EXPECT_GE(objects, dropped);
	EXPECT_GT(discarded_loads, 0);
	EXPECT_EQ(0, zp_cma_stat("gcma", "used"));
	EXPECT_TRUE(pool_drains(&pool));
}

/* A memory cgroup that forbids swap writes cannot use a write-through pool. */
TEST_F(gcma, memcg_without_writeback_is_refused)
{
	struct zp_workload w = {
		.bytes = LIMIT / 2,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.pageout = true,
	};
	long long refused;
	struct zp_pool pool;
	char path[300];

	snprintf(path, sizeof(path), "%s/memory.zswap.writeback", self->cg);
	ASSERT_EQ(0, zp_write_file(path, "0"));
	refused = zp_zswap_stat("reject_no_writeback");
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	refused = zp_zswap_stat("reject_no_writeback") - refused;
	TH_LOG("%lld pages refused", refused);
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_GT(refused, 0);
	EXPECT_TRUE(pool_drains(&pool));
}

/*
 * What swapoff saw: the workload's clean copies in the swap cache
 * reclaimed, so that swapoff must load every page; a claim of the area,
 * 16 pages at a time from its start, stopped once it had dropped some of
 * the workload's entries; then swapoff of the device that holds them all.
 */
struct swapoff_seen {
	const char *cg;
	long long area;
	long long claimed;		/* pages, freed after swapoff */
	long long dropped;		/* objects the claim dropped */
	long long counted;		/* the pool's entries, dropped ones included */
	long long after;		/* entries in the pool after swapoff */
	int claim_err, swapoff_err;
};

static void claim_some_then_swapoff(void *arg)
{
	struct swapoff_seen *s = arg;
	long long objects = zp_gcma_stat("discarded_objects");
	struct zp_pool pool = { };
	int i, err;

	/* Written through: wait for the writes, then free the copies. */
	for (i = 0; i < 3; i++) {
		usleep(200000);
		err = zp_cgroup_set(s->cg, "memory.reclaim", 8UL << 20);
		if (err && err != -EAGAIN && !s->claim_err)
			s->claim_err = err;
	}
	while (s->claimed + 16 <= s->area && !s->claim_err) {
		s->claim_err = area_alloc(16);
		if (s->claim_err)
			break;
		s->claimed += 16;
		s->dropped = zp_gcma_stat("discarded_objects") - objects;
		if (s->dropped)
			break;
	}
	zp_zswap_pools(&pool, 1);
	s->counted = pool.stored_pages;
	s->swapoff_err = swapoff(SWAP2) ? -errno : 0;
	zp_zswap_pools(&pool, 1);
	s->after = pool.stored_pages;
	if (s->claimed && area_free(s->claimed) && !s->claim_err)
		s->claim_err = -EIO;
}

TEST_F(gcma, swapoff_with_dropped_entries_loses_nothing)
{
	struct swapoff_seen s = { .cg = self->cg, .area = self->area };
	struct zp_workload w = {
		.bytes = 8UL << 20,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.pageout = true,
		.between = claim_some_then_swapoff,
		.arg = &s,
	};
	long long discarded_loads = zp_zswap_stat("load_discarded");
	struct zp_pool pool;

	/* Every slot the workload takes is on SWAP2, preferred to vda. */
	ASSERT_EQ(0, system("mkswap " SWAP2 " > /dev/null"));
	ASSERT_EQ(0, swapon(SWAP2, SWAP_FLAG_PREFER | 20));
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	if (s.swapoff_err)
		swapoff(SWAP2);
	discarded_loads = zp_zswap_stat("load_discarded") - discarded_loads;
	TH_LOG("a claim of %lld pages dropped %lld objects, the pool counting %lld entries; swapoff: %s, %lld entries left after it, %lld loads read %s",
	       s.claimed, s.dropped, s.counted, strerror(-s.swapoff_err), s.after,
	       discarded_loads, SWAP2);
	EXPECT_EQ(0, s.claim_err);
	EXPECT_EQ(0, s.swapoff_err);
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_GT(s.dropped, 0);
	EXPECT_GT(s.counted, s.dropped);
	/* swapoff took every entry, dropped or not, out of zswap. */
	EXPECT_EQ(0, s.after);
	EXPECT_GT(discarded_loads, 0);
	EXPECT_EQ(0, zp_cma_stat("gcma", "used"));
	EXPECT_TRUE(pool_drains(&pool));
}

/* An allocation larger than the area fails with an error, changing nothing. */
TEST_F(gcma, oversized_allocation_fails)
{
	EXPECT_EQ(-ENOMEM, area_alloc(self->area + 1));
	EXPECT_EQ(0, zp_cma_stat("gcma", "used"));
	EXPECT_EQ(0, area_alloc(self->area));
	EXPECT_EQ(self->area, zp_cma_stat("gcma", "used"));
	EXPECT_EQ(0, area_free(self->area));
	EXPECT_EQ(0, zp_cma_stat("gcma", "used"));
}

TEST_HARNESS_MAIN
