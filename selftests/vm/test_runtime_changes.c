// SPDX-License-Identifier: GPL-2.0
/*
 * zswap's settings changed at run time while entries are stored, on
 * each backend: a new compressor starts a new pool and leaves the old
 * pool's entries where they are, readable; memory.zswap.writeback=0 stops
 * every writeback of the cgroup, even under reclaim with zswap's shrinker
 * on, and =1 lets it write back again; CPU 1 going offline and online
 * while the workload's pages are compressed on it.  Every byte reads
 * back and the pools' counts add up to zswap's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

#define LIMIT		(16UL << 20)
#define WORKLOAD	(48UL << 20)
#define ZSWAP_DEBUGFS	"/sys/kernel/debug/zswap"
#define CPU1		"/sys/devices/system/cpu/cpu1/online"

FIXTURE(runtime) {
	char cg[256];
	char zpool[32], compressor[32], shrinker[8];
};

FIXTURE_VARIANT(runtime) {
	const char *zpool;
	/*
	 * With writeback off, what a cgroup holds is what stays resident
	 * plus memory.zswap.max at the backend's density: about 7:1 on
	 * zsmalloc, 2:1 on zbud, charged its footprint.  A workload that
	 * does not fit that is OOM-killed on any backend, so each variant
	 * pushes out what its backend can keep.
	 */
	size_t nowb_workload;
	size_t nowb_zswap_max;
};

/* 8 MiB of zswap holds the 32 MiB over the limit several times over. */
FIXTURE_VARIANT_ADD(runtime, zsmalloc) {
	.zpool = "zsmalloc",
	.nowb_workload = WORKLOAD,
	.nowb_zswap_max = LIMIT / 2,
};

/*
 * 20 MiB: 15 MiB or more in zswap, 7.5 MiB charged of the 10 allowed,
 * next to what stays resident.
 */
FIXTURE_VARIANT_ADD(runtime, zbud) {
	.zpool = "zbud",
	.nowb_workload = 20UL << 20,
	.nowb_zswap_max = LIMIT * 5 / 8,
};

FIXTURE_SETUP(runtime)
{
	if (access(ZSWAP_DEBUGFS "/pools", R_OK))
		SKIP(return, "kernel without the zpool series");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->zpool, sizeof(self->zpool)));
	ASSERT_EQ(0, zp_zswap_param_get("compressor", self->compressor,
					sizeof(self->compressor)));
	ASSERT_EQ(0, zp_zswap_param_get("shrinker_enabled", self->shrinker,
					sizeof(self->shrinker)));
	ASSERT_EQ(0, zp_zswap_param_set("compressor", "lzo"));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", variant->zpool));
	ASSERT_EQ(0, zp_cgroup_create("zp-runtime", LIMIT, self->cg, sizeof(self->cg)));
}

FIXTURE_TEARDOWN(runtime)
{
	if (access(ZSWAP_DEBUGFS "/pools", R_OK))
		return;
	zp_cgroup_destroy(self->cg);
	zp_zswap_param_set("shrinker_enabled", self->shrinker);
	zp_zswap_param_set("compressor", self->compressor);
	zp_zswap_param_set("zpool", self->zpool);
}

/* What the compressor switch saw, from the middle of the workload. */
struct switch_seen {
	const char *zpool;
	int err;			/* of the switch */
	struct zp_pool before, pools[8];
	int npools;
	long long stored;		/* zswap's stored_pages after */
};

static void switch_compressor(void *arg)
{
	struct switch_seen *s = arg;

	zp_zswap_pools(&s->before, 1);
	s->err = zp_zswap_param_set("compressor", "lz4");
	s->npools = zp_zswap_pools(s->pools, 8);
	s->stored = zp_read_ll(ZSWAP_DEBUGFS "/stored_pages");
}

TEST_F(runtime, compressor_switch_keeps_stored_entries)
{
	struct switch_seen s = { .zpool = variant->zpool };
	struct zp_workload w = {
		.bytes = variant->nowb_workload,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = switch_compressor,
		.arg = &s,
	};
	struct zp_pool *old = NULL, after;
	long long sum = 0;
	int i;

	/*
	 * No writeback: the old pool keeps exactly what it had.  The cgroup
	 * can then hold only what fits in it at the backend's density (see
	 * the variants), and memory.zswap.max keeps room for the resident
	 * pages next to the pool.
	 */
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.writeback", 0));
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", variant->nowb_zswap_max));
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	EXPECT_EQ(0UL, w.bad_pages);
	ASSERT_EQ(0, s.err);
	ASSERT_GE(s.npools, 2);
	for (i = 0; i < s.npools; i++) {
		sum += s.pools[i].stored_pages;
		if (s.pools[i].id == s.before.id)
			old = &s.pools[i];
	}
	TH_LOG("%s: %lld pages in pool %u (%s) before the switch; after it %d pools, the current %u (%s), the old one %lld pages; zswap stores %lld",
	       variant->zpool, s.before.stored_pages, s.before.id, s.before.compressor,
	       s.npools, s.pools[0].id, s.pools[0].compressor,
	       old ? old->stored_pages : -1, s.stored);
	EXPECT_STREQ("lzo", s.before.compressor);
	EXPECT_GT(s.before.stored_pages, 0);
	EXPECT_STREQ("lz4", s.pools[0].compressor);
	EXPECT_STREQ(variant->zpool, s.pools[0].type);
	ASSERT_NE(NULL, old) TH_LOG("the old pool is gone while it holds entries");
	EXPECT_EQ(s.before.stored_pages, old->stored_pages);
	EXPECT_EQ(s.stored, sum);

	/* Its entries read back (above) and freed, the old pool goes. */
	zp_cgroup_destroy(self->cg);
	for (i = 0; i < 100 && zp_zswap_pools(s.pools, 8) > 1; i++)
		usleep(50000);
	EXPECT_EQ(1, zp_zswap_pools(&after, 1));
	EXPECT_STREQ("lz4", after.compressor);
}

/* What the cgroup wrote back while writeback was off, then on. */
struct toggle_seen {
	const char *cg;
	long long wb_off, wb_on;	/* zswpwb of the cgroup during each */
	int err;
};

static long long cgroup_zswpwb(const char *cg)
{
	char path[300];

	snprintf(path, sizeof(path), "%.250s/memory.stat", cg);
	return zp_stat_get(path, "zswpwb");
}

/* memory.reclaim of @bytes; -EAGAIN (less than that to reclaim) is fine. */
static int reclaim(const char *cg, unsigned long long bytes)
{
	int err = zp_cgroup_set(cg, "memory.reclaim", bytes);

	return err == -EAGAIN ? 0 : err;
}

static void toggle_writeback(void *arg)
{
	struct toggle_seen *t = arg;
	long long start;
	int i;

	start = cgroup_zswpwb(t->cg);
	t->err = zp_cgroup_set(t->cg, "memory.zswap.writeback", 0);
	for (i = 0; i < 4 && !t->err; i++)
		t->err = reclaim(t->cg, 8UL << 20);
	t->wb_off = cgroup_zswpwb(t->cg) - start;
	if (t->err)
		return;

	start = cgroup_zswpwb(t->cg);
	t->err = zp_cgroup_set(t->cg, "memory.zswap.writeback", 1);
	for (i = 0; i < 4 && !t->err; i++)
		t->err = reclaim(t->cg, 8UL << 20);
	t->wb_on = cgroup_zswpwb(t->cg) - start;
}

TEST_F(runtime, writeback_toggled_with_entries_stored)
{
	struct toggle_seen t = { .cg = self->cg };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = toggle_writeback,
		.arg = &t,
	};

	/* The shrinker writes a cgroup's entries back under its reclaim. */
	ASSERT_EQ(0, zp_zswap_param_set("shrinker_enabled", "Y"));
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	TH_LOG("%s: %lld writebacks with memory.zswap.writeback=0, %lld with =1",
	       variant->zpool, t.wb_off, t.wb_on);
	EXPECT_EQ(0, t.err);
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_EQ(0, t.wb_off);
	EXPECT_GT(t.wb_on, 0);
}

/*
 * CPU 1 offline and online, over and over, while reclaim compresses the
 * workload's pages: zswap's per-CPU compression contexts are torn down
 * and set up again under the stores that use them.
 */
struct hotplug_seen {
	int flips;		/* state changes of CPU 1 that took effect */
	int failed;		/* writes to its online file that failed */
	int first_err;
	struct zp_pool pool;	/* the current pool, once filled */
	long long in_pools;	/* what every pool holds then */
	long long stored;	/* zswap's stored_pages then */
};

static void flip_cpu1(void *arg)
{
	struct hotplug_seen *h = arg;
	int err = zp_write_file(CPU1, h->flips % 2 ? "1" : "0");

	if (!err) {
		h->flips++;
	} else {
		h->failed++;
		if (!h->first_err)
			h->first_err = err;
	}
}

static void sample_pool(void *arg)
{
	struct hotplug_seen *h = arg;
	struct zp_pool pools[8];
	int i, n = zp_zswap_pools(pools, 8);

	for (i = 0; i < n; i++)
		h->in_pools += pools[i].stored_pages;
	if (n > 0)
		h->pool = pools[0];
	h->stored = zp_read_ll(ZSWAP_DEBUGFS "/stored_pages");
}

TEST_F(runtime, cpu_hotplug_during_compression)
{
	struct hotplug_seen h = { };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.during = flip_cpu1,
		.between = sample_pool,
		.arg = &h,
	};
	long long zswpout = zp_stat_get("/proc/vmstat", "zswpout");
	struct zp_pool after = { };
	int i;

	if (zp_read_ll(CPU1) < 0)
		SKIP(return, "no CPU 1 that can go offline (%s)", CPU1);
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", LIMIT / 2));
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	/* Leave CPU 1 online whatever happened. */
	EXPECT_EQ(0, zp_write_file(CPU1, "1"));
	zswpout = zp_stat_get("/proc/vmstat", "zswpout") - zswpout;
	zp_cgroup_destroy(self->cg);
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(1, zp_zswap_pools(&after, 1));
		if (!after.stored_pages)
			break;
		usleep(50000);
	}
	TH_LOG("%s: CPU 1 went offline or online %d times (%d writes failed, first %s); %lld pages stored in zswap, %lld in the current pool, once filled; %lld stores in all",
	       variant->zpool, h.flips, h.failed, strerror(-h.first_err),
	       h.stored, h.pool.stored_pages, zswpout);
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_EQ(0, h.failed);
	EXPECT_GE(h.flips, 10);
	EXPECT_GT(h.pool.stored_pages, 0);
	EXPECT_EQ(h.stored, h.in_pools);
	EXPECT_GE(zswpout, h.pool.stored_pages);
	EXPECT_EQ(0, after.stored_pages);
}

TEST_HARNESS_MAIN
