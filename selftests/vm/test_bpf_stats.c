// SPDX-License-Identifier: GPL-2.0
/*
 * The CO-RE program bpf/zpool_stats.bpf.c on the patched kernel: what it
 * aggregates from the tracepoints agrees with the kernel's own counters
 * (the compression ratio with zswap's debugfs, writebacks with zswpwb),
 * and zbud's evictions are seen.
 */
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "zp_harness.h"
#include "zp_util.h"
#include "zpool_stats.h"
#include "zpool_stats.skel.h"

#define LIMIT		(32UL << 20)
#define WORKLOAD	(96UL << 20)

static int read_pool(struct zpool_stats_bpf *skel, unsigned int id,
		     struct zp_pool_stats *out)
{
	__u32 key = id;

	return bpf_map_lookup_elem(bpf_map__fd(skel->maps.pools), &key, out);
}

FIXTURE(bpf) {
	struct zpool_stats_bpf *skel;
	char saved[32], saved_pct[16], cg[256];
	/* pool stored pages when the program attached, by id */
	long long seed[ZP_MAX_POOLS];
};

FIXTURE_SETUP(bpf)
{
	struct zp_pool pools[8];
	int i, n, err;

	if (access("/sys/kernel/tracing/events/zpool", F_OK))
		SKIP(return, "kernel without the series' tracepoints");
	self->skel = zpool_stats_bpf__open_and_load();
	ASSERT_NE(NULL, self->skel) TH_LOG("cannot load the BPF program: %s", strerror(errno));
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, zp_zswap_param_get("max_pool_percent", self->saved_pct,
					sizeof(self->saved_pct)));

	/* What pools already held is not in the events: seed it. */
	err = zpool_stats_bpf__attach(self->skel);
	ASSERT_EQ(0, err);
	n = zp_zswap_pools(pools, 8);
	for (i = 0; i < n; i++)
		if (pools[i].id < ZP_MAX_POOLS)
			self->seed[pools[i].id] = pools[i].stored_pages;
	ASSERT_EQ(0, zp_cgroup_create("zp-bpf", LIMIT, self->cg, sizeof(self->cg)));
}

FIXTURE_TEARDOWN(bpf)
{
	if (!self->skel)
		return;
	zp_cgroup_destroy(self->cg);
	zp_zswap_param_set("max_pool_percent", self->saved_pct);
	zp_zswap_param_set("zpool", self->saved);
	zpool_stats_bpf__destroy(self->skel);
}

struct ratio_sample {
	FIXTURE_DATA(bpf) *self;
	struct zp_pool debugfs;
	struct zp_pool_stats bpf;
	int err;
};

static void sample_ratio(void *arg)
{
	struct ratio_sample *r = arg;
	struct zp_pool pools[8];

	r->err = zp_zswap_pools(pools, 8) < 1;
	r->debugfs = pools[0];
	if (!r->err)
		r->err = read_pool(r->self->skel, pools[0].id, &r->bpf);
}

TEST_F(bpf, ratio_agrees_with_debugfs)
{
	struct ratio_sample r = { .self = self };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = sample_ratio,
		.arg = &r,
	};
	double kernel, bpf;
	long long objects;

	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	ASSERT_EQ(0, r.err);
	ASSERT_GT(r.debugfs.pool_pages, 0);
	objects = self->seed[r.debugfs.id] + r.bpf.objects;
	kernel = (double)r.debugfs.stored_pages / r.debugfs.pool_pages;
	bpf = (double)objects / r.bpf.pool_pages;
	TH_LOG("pool %u (%s): debugfs %lld pages in %lld = %.3f:1, bpf %lld objects in %llu = %.3f:1",
	       r.debugfs.id, r.bpf.type, r.debugfs.stored_pages, r.debugfs.pool_pages,
	       kernel, objects, (unsigned long long)r.bpf.pool_pages, bpf);
	EXPECT_STREQ(r.debugfs.type, r.bpf.type);
	EXPECT_LE(bpf, kernel * 1.02);
	EXPECT_GE(bpf, kernel * 0.98);
	EXPECT_EQ(0UL, w.bad_pages);
}

TEST_F(bpf, zbud_evictions_and_writebacks_match_zswpwb)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
	};
	__u64 evicts = 0, writebacks = 0, shrinks = 0;
	struct zp_pool_stats s;
	long long wb0, wb1;
	unsigned int id;

	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zbud"));
	ASSERT_EQ(0, zp_zswap_param_set("max_pool_percent", "1"));
	wb0 = zp_stat_get("/proc/vmstat", "zswpwb");
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	wb1 = zp_stat_get("/proc/vmstat", "zswpwb");

	for (id = 0; id < ZP_MAX_POOLS; id++) {
		if (read_pool(self->skel, id, &s))
			continue;
		evicts += s.evicts;
		writebacks += s.writebacks;
		shrinks += s.shrink_pages;
	}
	TH_LOG("zswpwb +%lld; bpf: writebacks %llu, zbud evictions %llu, pages shrunk %llu",
	       wb1 - wb0, (unsigned long long)writebacks,
	       (unsigned long long)evicts, (unsigned long long)shrinks);
	EXPECT_EQ(wb1 - wb0, (long long)writebacks);
	EXPECT_GT(evicts, 0ULL);
	EXPECT_LE(evicts, writebacks);
	EXPECT_GT(shrinks, 0ULL);
	EXPECT_EQ(0UL, w.bad_pages);
}

/*
 * Compact while the workload's pages are loaded.  The workload frees every
 * other page first, so zsmalloc is left half empty all over the pool;
 * drop_caches runs zsmalloc's shrinker, whose zs_compact() holds the pool
 * lock for writing while it moves objects, and compact_memory migrates
 * zsmalloc pages under the same lock.  A load that maps an object
 * meanwhile has to wait.  The compactor is stopped after the workload.
 */
static void start_compactor(void *arg)
{
	pid_t *pid = arg;

	*pid = fork();
	if (*pid)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		zp_write_file("/proc/sys/vm/drop_caches", "2");
		zp_write_file("/proc/sys/vm/compact_memory", "1");
	}
}

TEST_F(bpf, map_waits_under_compaction)
{
	pid_t compactor = -1;
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.fragment = true,
		.between = start_compactor,
		.arg = &compactor,
	};
	__u64 maps = 0, waits = 0, wait_ns = 0;
	struct zp_pool_stats s;
	unsigned int id;
	int err;

	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	err = zp_run_in_cgroup(self->cg, &w);
	if (compactor > 0) {
		kill(compactor, SIGKILL);
		waitpid(compactor, NULL, 0);
	}
	ASSERT_EQ(0, err);
	ASSERT_GT(compactor, 0);

	for (id = 0; id < ZP_MAX_POOLS; id++) {
		if (read_pool(self->skel, id, &s) || strcmp(s.type, "zsmalloc"))
			continue;
		maps += s.maps;
		waits += s.map_waits;
		wait_ns += s.map_wait_ns;
	}
	TH_LOG("zsmalloc: %llu maps, %llu waited for a lock, %llu ns in all",
	       (unsigned long long)maps, (unsigned long long)waits,
	       (unsigned long long)wait_ns);
	EXPECT_GT(maps, 0ULL);
	EXPECT_GT(waits, 0ULL);
	EXPECT_LE(waits, maps * 2);	/* a map and its unmap can both wait */
	EXPECT_EQ(0UL, w.bad_pages);
}

TEST_HARNESS_MAIN
