// SPDX-License-Identifier: GPL-2.0
/*
 * The CO-RE program bpf/zpool_stats.bpf.c on the patched kernel: what it
 * aggregates from the tracepoints agrees with the kernel's own counters
 * (the compression ratio with zswap's debugfs, writebacks with zswpwb, a
 * memory cgroup's flows with its memory.stat), zbud's evictions are seen,
 * maps that wait for a lock are counted, and the programs loaded by
 * default run once per zswap store or load.
 *
 * The counters are per CPU: each test reads them summed over the CPUs,
 * by its own loop rather than zpooltop's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

/* @n __u64 words of the per-CPU value of @key in @map, summed, in @sum. */
static int read_percpu(struct bpf_map *map, __u32 key, __u64 *sum, size_t n)
{
	int ncpus = libbpf_num_possible_cpus(), cpu, err;
	size_t i, stride = (bpf_map__value_size(map) + 7) / 8;
	__u64 *v;

	if (ncpus <= 0)
		return -EINVAL;
	v = calloc(ncpus, stride * sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(map), &key, v) ? -errno : 0;
	memset(sum, 0, n * sizeof(*sum));
	for (cpu = 0; !err && cpu < ncpus; cpu++)
		for (i = 0; i < n; i++)
			sum[i] += v[cpu * stride + i];
	free(v);
	return err;
}

/* Pool @id: its shared entry and its counters summed over the CPUs. */
static int read_pool(struct zpool_stats_bpf *skel, unsigned int id,
		     struct zp_pool_info *info, struct zp_pool_counters *c)
{
	__u32 key = id;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.pools), &key, info))
		return -errno;
	return read_percpu(skel->maps.counters, key, (__u64 *)c, sizeof(*c) / sizeof(__u64));
}

static __u64 hist_count(const struct zp_hist *h)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < ZP_HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

/*
 * The least and the most that the values counted in @h can add up to:
 * slot n holds [2^n, 2^(n+1)), slot 0 also 0, the last slot anything
 * longer (UINT64_MAX: no upper bound).
 */
static void hist_bounds(const struct zp_hist *h, __u64 *lo, __u64 *hi)
{
	int i;

	*lo = *hi = 0;
	for (i = 0; i < ZP_HIST_SLOTS; i++) {
		if (i)
			*lo += h->slots[i] << i;
		*hi += h->slots[i] << (i + 1);
	}
	if (h->slots[ZP_HIST_SLOTS - 1])
		*hi = UINT64_MAX;
}

FIXTURE(bpf) {
	struct zpool_stats_bpf *skel;
	char saved[32], saved_pct[16], cg[256];
	/* pool stored pages when the program attached, by id */
	long long seed[ZP_MAX_POOLS];
};

FIXTURE_SETUP(bpf)
{
	if (access("/sys/kernel/tracing/events/zpool", F_OK))
		SKIP(return, "kernel without the series' tracepoints");
	/* Each test chooses the programs it loads, then calls attach(). */
	self->skel = zpool_stats_bpf__open();
	ASSERT_NE(NULL, self->skel) TH_LOG("cannot open the BPF object: %s", strerror(errno));
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, zp_zswap_param_get("max_pool_percent", self->saved_pct,
					sizeof(self->saved_pct)));
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

/* Load and attach; what pools already held is not in the events: seed it. */
static int attach(FIXTURE_DATA(bpf) *self)
{
	struct zp_pool pools[8];
	int i, n, err;

	err = zpool_stats_bpf__load(self->skel);
	if (!err)
		err = zpool_stats_bpf__attach(self->skel);
	if (err)
		return err;
	n = zp_zswap_pools(pools, 8);
	for (i = 0; i < n; i++)
		if (pools[i].id < ZP_MAX_POOLS)
			self->seed[pools[i].id] = pools[i].stored_pages;
	return 0;
}

struct ratio_sample {
	FIXTURE_DATA(bpf) *self;
	struct zp_pool debugfs;
	struct zp_pool_info info;
	struct zp_pool_counters c;
	int err;
};

static void sample_ratio(void *arg)
{
	struct ratio_sample *r = arg;
	struct zp_pool pools[8];

	r->err = zp_zswap_pools(pools, 8) < 1;
	r->debugfs = pools[0];
	if (!r->err)
		r->err = read_pool(r->self->skel, pools[0].id, &r->info, &r->c);
}

TEST_F(bpf, ratio_agrees_with_debugfs)
{
	static struct ratio_sample r;
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = sample_ratio,
		.arg = &r,
	};
	double kernel, bpf;
	long long objects;

	r.self = self;
	ASSERT_EQ(0, attach(self));
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	ASSERT_EQ(0, r.err);
	ASSERT_GT(r.debugfs.pool_pages, 0);
	ASSERT_GT(r.info.pool_pages, 0ULL);
	objects = self->seed[r.debugfs.id] + (long long)(r.c.allocs - r.c.frees);
	kernel = (double)r.debugfs.stored_pages / r.debugfs.pool_pages;
	bpf = (double)objects / r.info.pool_pages;
	TH_LOG("pool %u (%s): debugfs %lld pages in %lld = %.3f:1, bpf %lld objects in %llu = %.3f:1",
	       r.debugfs.id, r.info.type, r.debugfs.stored_pages, r.debugfs.pool_pages,
	       kernel, objects, (unsigned long long)r.info.pool_pages, bpf);
	EXPECT_STREQ(r.debugfs.type, r.info.type);
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
	static struct zp_pool_counters c;
	struct zp_pool_info info;
	long long wb0, wb1;
	unsigned int id;

	ASSERT_EQ(0, attach(self));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zbud"));
	ASSERT_EQ(0, zp_zswap_param_set("max_pool_percent", "1"));
	wb0 = zp_stat_get("/proc/vmstat", "zswpwb");
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	wb1 = zp_stat_get("/proc/vmstat", "zswpwb");

	for (id = 0; id < ZP_MAX_POOLS; id++) {
		if (read_pool(self->skel, id, &info, &c))
			continue;
		evicts += c.evicts;
		writebacks += c.writebacks;
		shrinks += hist_count(&c.hist[ZP_HIST_SHRINK]);
		/* a writeback is timed once, in its own histogram */
		EXPECT_EQ(c.writebacks, hist_count(&c.hist[ZP_HIST_WRITEBACK]));
	}
	TH_LOG("zswpwb +%lld; bpf: writebacks %llu, zbud evictions %llu, page reclaims %llu",
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
 * It writes 6 (2, slab, and 4: no message after the first), since
 * thousands of "drop_caches" lines would push the boot messages that
 * test_pipeline reads out of the kernel log.
 */
static void start_compactor(void *arg)
{
	pid_t *pid = arg;

	*pid = fork();
	if (*pid)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		zp_write_file("/proc/sys/vm/drop_caches", "6");
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
	__u64 waits = 0, wait_ns = 0, timed = 0, holds = 0, lo, hi;
	__u64 wait_lo = 0, wait_hi = 0;
	static struct zp_pool_counters c;
	struct zp_pool_info info;
	long long ops = 0, bad_pages = 0;
	unsigned int id;
	int err, round;

	/* zpooltop -w: reads and writes of objects are timed. */
	ASSERT_EQ(0, bpf_program__set_autoload(self->skel->progs.zpool_map, true));
	ASSERT_EQ(0, bpf_program__set_autoload(self->skel->progs.zpool_unmap, true));
	ASSERT_EQ(0, attach(self));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	/*
	 * A wait needs a load to meet compaction at the same moment, which a
	 * run may miss on a busy host: up to three runs.  The retry is sound
	 * because the maps are never reset: every count below, and the
	 * operations and bad pages they are checked against, cover all the
	 * runs together, so a run adds events without hiding any, and every
	 * run's data is checked.
	 */
	for (round = 0; round < 3 && !waits; round++) {
		long long before = zp_stat_get("/proc/vmstat", "zswpout") +
				   zp_stat_get("/proc/vmstat", "zswpin");

		compactor = -1;
		err = zp_run_in_cgroup(self->cg, &w);
		if (compactor > 0) {
			kill(compactor, SIGKILL);
			waitpid(compactor, NULL, 0);
		}
		ops += zp_stat_get("/proc/vmstat", "zswpout") +
		       zp_stat_get("/proc/vmstat", "zswpin") - before;
		bad_pages += w.bad_pages;
		ASSERT_EQ(0, err);
		ASSERT_GT(compactor, 0);

		waits = wait_ns = timed = holds = wait_lo = wait_hi = 0;
		for (id = 0; id < ZP_MAX_POOLS; id++) {
			if (read_pool(self->skel, id, &info, &c) ||
			    strcmp(info.type, "zsmalloc"))
				continue;
			waits += c.map_waits;
			wait_ns += c.map_wait_ns;
			timed += hist_count(&c.hist[ZP_HIST_MAP_WAIT]);
			holds += hist_count(&c.hist[ZP_HIST_MAP_HOLD]);
			hist_bounds(&c.hist[ZP_HIST_MAP_WAIT], &lo, &hi);
			wait_lo += lo;
			wait_hi = hi == UINT64_MAX || wait_hi == UINT64_MAX ?
				  UINT64_MAX : wait_hi + hi;
		}
		TH_LOG("run %d: %llu waits so far", round + 1, (unsigned long long)waits);
	}
	TH_LOG("zsmalloc, %d runs: %lld stores and loads, %llu reads held, %llu reads and writes waited for a lock, %llu ns in all (the histogram allows %llu to %llu)",
	       round, ops, (unsigned long long)holds, (unsigned long long)waits,
	       (unsigned long long)wait_ns, (unsigned long long)wait_lo,
	       (unsigned long long)wait_hi);
	EXPECT_GT(holds, 0ULL);
	EXPECT_GT(waits, 0ULL);
	EXPECT_EQ(waits, timed);
	/* the total wait is the sum of the values the histogram counted */
	EXPECT_GE(wait_ns, wait_lo);
	EXPECT_LE(wait_ns, wait_hi);
	/* a store writes its object once, a load reads it once */
	EXPECT_LE(waits, (__u64)ops);
	EXPECT_EQ(0LL, bad_pages);
}

/*
 * zpooltop -c: one memory cgroup's flows, against the cgroup's own
 * memory.stat.  The target is set before load, so that the programs see
 * only its events.
 */
TEST_F(bpf, memcg_flows_match_memory_stat)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
	};
	long long out0, in0, out, in;
	struct zp_memcg_stats m;
	char memstat[300];
	struct stat st;

	ASSERT_EQ(0, stat(self->cg, &st));
	self->skel->rodata->target_memcg = st.st_ino;
	ASSERT_EQ(0, bpf_program__set_autoload(self->skel->progs.zswap_store, true));
	ASSERT_EQ(0, bpf_program__set_autoload(self->skel->progs.zswap_load, true));
	ASSERT_EQ(0, attach(self));
	snprintf(memstat, sizeof(memstat), "%s/memory.stat", self->cg);
	out0 = zp_stat_get(memstat, "zswpout");
	in0 = zp_stat_get(memstat, "zswpin");
	ASSERT_GE(out0, 0);
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	out = zp_stat_get(memstat, "zswpout") - out0;
	in = zp_stat_get(memstat, "zswpin") - in0;
	ASSERT_EQ(0, read_percpu(self->skel->maps.memcg, 0, (__u64 *)&m,
				 sizeof(m) / sizeof(__u64)));
	TH_LOG("cgroup %llu: memory.stat zswpout +%lld zswpin +%lld; bpf stores %llu loads %llu, %llu bytes in %llu",
	       (unsigned long long)st.st_ino, out, in, (unsigned long long)m.stores,
	       (unsigned long long)m.loads, (unsigned long long)m.store_orig_bytes,
	       (unsigned long long)m.store_compressed_bytes);
	EXPECT_GT(out, 0);
	EXPECT_EQ(out, (long long)m.stores);
	EXPECT_EQ(in, (long long)m.loads);
	EXPECT_EQ(m.stores * ZP_PAGE_SIZE, m.store_orig_bytes);
	EXPECT_LT(m.store_compressed_bytes, m.store_orig_bytes);
	EXPECT_EQ(0UL, w.bad_pages);
}

/* What zpooltop loads without -w or -c: the default view. */
static const char *const default_progs[] = {
	"zpool_create", "zpool_destroy", "zpool_malloc", "zpool_free",
	"zpool_shrink_end", "zpool_evict", "zswap_writeback",
};

static bool is_default(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(default_progs) / sizeof(default_progs[0]); i++)
		if (!strcmp(name, default_progs[i]))
			return true;
	return false;
}

/* Every loaded program's runs since it was loaded (with stats enabled). */
static long long total_runs(struct zpool_stats_bpf *skel)
{
	struct bpf_prog_info info;
	struct bpf_program *prog;
	long long runs = 0;
	__u32 len;

	bpf_object__for_each_program(prog, skel->obj) {
		if (bpf_program__fd(prog) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			return -1;
		runs += info.run_cnt;
	}
	return runs;
}

/*
 * The default view loads the programs it shows and no other, and a zswap
 * store or load runs one of them: zpool_malloc for a store, zpool_free
 * for a load, which frees the entry.  Had zpool_map been loaded, a store
 * would run two and a load three.
 *
 * The workload stores each page once (MADV_PAGEOUT, in a cgroup with room
 * for all of it) and loads it once: every entry is freed by its load.
 * An entry freed without one (its swap slot freed, as when a process
 * exits with pages in zswap) also runs zpool_free, and a writeback runs
 * two programs (zswap_writeback, and zpool_free for its entry); neither
 * is a store or a load, and the bound leaves room for writebacks.
 */
TEST_F(bpf, default_view_runs_one_program_per_operation)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.pageout = true,
	};
	long long out, in, wb, runs;
	struct bpf_program *prog;
	int stats_fd, loaded = 0;
	double per_op;

	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	ASSERT_GE(stats_fd, 0) TH_LOG("BPF_ENABLE_STATS: %s", strerror(errno));
	ASSERT_EQ(0, attach(self));
	bpf_object__for_each_program(prog, self->skel->obj) {
		bool on = bpf_program__fd(prog) >= 0;

		EXPECT_EQ(is_default(bpf_program__name(prog)), on)
			TH_LOG("%s is%s loaded", bpf_program__name(prog), on ? "" : " not");
		loaded += on;
	}
	EXPECT_EQ(sizeof(default_progs) / sizeof(default_progs[0]), (size_t)loaded);

	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.max", 4 * WORKLOAD));
	runs = total_runs(self->skel);
	out = zp_stat_get("/proc/vmstat", "zswpout");
	in = zp_stat_get("/proc/vmstat", "zswpin");
	wb = zp_stat_get("/proc/vmstat", "zswpwb");
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	runs = total_runs(self->skel) - runs;
	out = zp_stat_get("/proc/vmstat", "zswpout") - out;
	in = zp_stat_get("/proc/vmstat", "zswpin") - in;
	wb = zp_stat_get("/proc/vmstat", "zswpwb") - wb;
	close(stats_fd);

	ASSERT_GT(out + in, 0);
	per_op = (double)runs / (double)(out + in);
	TH_LOG("%lld program runs for zswpout +%lld, zswpin +%lld (zswpwb +%lld): %.3f per store or load",
	       runs, out, in, wb, per_op);
	/* Room for writebacks, which are no store or load, and 2% more. */
	EXPECT_LE(runs, (out + in) * 102 / 100 + 2 * wb + 4);
	EXPECT_GE(runs, (out + in) * 90 / 100);
	EXPECT_EQ(0UL, w.bad_pages);
}

TEST_HARNESS_MAIN
