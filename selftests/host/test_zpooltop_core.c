// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of zpooltop's core: histogram percentiles and deltas,
 * sort keys, the sums of the per-CPU counters, turning two reads of the
 * BPF counters into a row, gcma discards, the CMA areas of --cma, the
 * seeds of older pools, lost events, option values, the kernel counters it
 * reads, and the text, JSON and metrics it prints (the JSON is checked by
 * Python's parser, key by key; the metrics by prometheus_client's
 * OpenMetrics and Prometheus text parsers), and the packing models of
 * --whatif against figures worked out by hand from mm/zsmalloc.c and
 * mm/zbud.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "zp_parse.h"
#include "zpooltop_core.h"

static void test_percentiles(void)
{
	struct zp_hist h = {};

	tap_result(zpt_hist_percentile(&h, 0.5) == 0,
			 "an empty histogram has percentile 0\n");

	h.slots[0] = 10;
	tap_result(zpt_hist_percentile(&h, 0.5) == 1 &&
			 zpt_hist_percentile(&h, 0.99) == 2,
			 "slot 0 (values 0 and 1) spans [0, 2)\n");

	/* 100 samples in [1024, 2048): spread evenly, not all at 2047 */
	memset(&h, 0, sizeof(h));
	h.slots[10] = 100;
	tap_result(zpt_hist_percentile(&h, 0.50) == 1536 &&
			 zpt_hist_percentile(&h, 0.99) == 2038 &&
			 zpt_hist_percentile(&h, 0.01) == 1034,
			 "percentiles interpolate inside the slot (p1 %llu p50 %llu p99 %llu)\n",
			 (unsigned long long)zpt_hist_percentile(&h, 0.01),
			 (unsigned long long)zpt_hist_percentile(&h, 0.50),
			 (unsigned long long)zpt_hist_percentile(&h, 0.99));

	memset(&h, 0, sizeof(h));
	h.slots[3] = 50;	/* [8, 16) */
	h.slots[5] = 49;	/* [32, 64) */
	h.slots[10] = 1;	/* [1024, 2048) */
	tap_result(zpt_hist_percentile(&h, 0.50) == 16 &&
			 zpt_hist_percentile(&h, 0.75) == 48 &&
			 zpt_hist_percentile(&h, 0.99) == 64 &&
			 zpt_hist_percentile(&h, 1.0) == 2048,
			 "the slot that reaches the fraction is the one interpolated (%llu %llu %llu %llu)\n",
			 (unsigned long long)zpt_hist_percentile(&h, 0.50),
			 (unsigned long long)zpt_hist_percentile(&h, 0.75),
			 (unsigned long long)zpt_hist_percentile(&h, 0.99),
			 (unsigned long long)zpt_hist_percentile(&h, 1.0));

	h.slots[ZP_HIST_SLOTS - 1] = 1000;
	tap_result(zpt_hist_percentile(&h, 0.99) > (1ULL << (ZP_HIST_SLOTS - 1)) &&
			 zpt_hist_percentile(&h, 0.99) <= (2ULL << (ZP_HIST_SLOTS - 1)),
			 "the clamped tail stays inside the last slot\n");
}

static void test_delta(void)
{
	struct zp_hist now = {}, prev = {}, d;

	now.slots[2] = 7;
	prev.slots[2] = 4;
	now.slots[4] = 3;	/* a pool id reused: counters started over */
	prev.slots[4] = 9;
	zpt_hist_delta(&d, &now, &prev);
	tap_result(d.slots[2] == 3 && d.slots[4] == 3 && zpt_hist_count(&d) == 6,
			 "interval deltas, and a restart counts from zero\n");
}

static void test_sort_keys(void)
{
	tap_result(zpt_parse_sort_key("stored") == ZPT_SORT_STORED &&
			 zpt_parse_sort_key("waits") == ZPT_SORT_WAITS &&
			 zpt_parse_sort_key("id") == ZPT_SORT_ID,
			 "sort keys parse by name\n");
	tap_result(zpt_parse_sort_key("Stored") == -1 &&
			 zpt_parse_sort_key("") == -1 &&
			 zpt_parse_sort_key(NULL) == -1,
			 "unknown, empty and missing sort keys are refused\n");
}

/*
 * The programs keep their counters per CPU; a reader sums the copies as
 * bpf_map_lookup_elem() returns them, one CPU's after the other.
 */
static void test_sum_percpu(void)
{
	struct zp_pool_counters cpu[3] = {}, sum;
	struct zp_size_hist *bins = calloc(3, sizeof(*bins)), sizes;
	struct zp_memcg_stats mc[2] = {}, msum;

	cpu[0].allocs = 5;
	cpu[1].allocs = 7;
	cpu[2].frees = 4;
	cpu[0].map_wait_ns = 1ULL << 40;
	cpu[2].map_wait_ns = 1ULL << 40;
	cpu[1].hist[ZP_HIST_MAP_HOLD].slots[ZP_HIST_SLOTS - 1] = 2;
	cpu[2].hist[ZP_HIST_MAP_HOLD].slots[ZP_HIST_SLOTS - 1] = 3;
	memset(&sum, 0xff, sizeof(sum));	/* whatever was there goes */
	zpt_sum_percpu(&sum, cpu, sizeof(sum), 3);
	tap_result(sum.allocs == 12 && sum.frees == 4 && sum.evicts == 0 &&
			 sum.map_wait_ns == 2ULL << 40 &&
			 sum.hist[ZP_HIST_MAP_HOLD].slots[ZP_HIST_SLOTS - 1] == 5 &&
			 sum.hist[ZP_HIST_WRITEBACK].slots[0] == 0,
			 "per-CPU counters sum field by field, the last histogram slot included\n");

	/* An object allocated on one CPU and freed on another. */
	if (bins) {
		bins[0].bins[600 / 8] = 3;
		bins[1].bins[600 / 8] = -1;
		bins[2].bins[ZP_SIZE_BINS - 1] = -2;
		zpt_sum_percpu(&sizes, bins, sizeof(sizes), 3);
	}
	tap_result(bins && sizes.bins[600 / 8] == 2 && sizes.bins[ZP_SIZE_BINS - 1] == -2,
			 "per-CPU size bins sum as signed counts (a CPU's copy may be negative)\n");
	free(bins);

	mc[0].stores = 10;
	mc[0].store_orig_bytes = 40960;
	mc[1].stores = 1;
	mc[1].loads = 3;
	mc[1].store_orig_bytes = 4096;
	zpt_sum_percpu(&msum, mc, sizeof(msum), 2);
	tap_result(msum.stores == 11 && msum.loads == 3 && msum.store_orig_bytes == 45056 &&
			 msum.writebacks == 0,
			 "a memory cgroup's per-CPU flows sum\n");
}

static void test_row(void)
{
	struct zpt_pool prev = {}, now = {};
	struct zpt_row row;

	strcpy(now.info.type, "zbud");
	now.info.pool_pages = 500;
	now.c.allocs = 1000;	/* since attach: 600 objects more */
	now.c.frees = 400;
	prev.c.allocs = 400;
	prev.c.frees = 400;
	now.c.evicts = 30;
	now.c.map_waits = 8;
	/* A zbud shrink wraps 90 evictions; each eviction wraps a writeback. */
	now.c.hist[ZP_HIST_EVICT].slots[13] = 90;
	now.c.hist[ZP_HIST_WRITEBACK].slots[12] = 90;
	now.c.hist[ZP_HIST_SHRINK].slots[20] = 1;
	now.c.hist[ZP_HIST_MAP_WAIT].slots[6] = 8;
	now.c.hist[ZP_HIST_MAP_HOLD].slots[9] = 60;
	now.c.hist[ZP_HIST_MAP_HOLD].slots[14] = 40;
	prev.c.hist[ZP_HIST_MAP_HOLD].slots[9] = 10;	/* before the interval */
	zpt_row_from_stats(&row, 3, &now, &prev, 400, 2.0);

	tap_result(row.id == 3 && !strcmp(row.type, "zbud") &&
			 row.stored_pages == 1000 && row.pool_pages == 500 &&
			 row.ratio == 2.0,
			 "stored pages are the seed and allocations less frees; ratio is stored over pool pages (%.2f)\n",
			 row.ratio);
	tap_result(row.allocs_s == 300.0 && row.evicts_s == 15.0 &&
			 row.map_waits_s == 4.0 && row.frees_s == 0.0,
			 "rates are interval deltas over the interval\n");
	/*
	 * 90 reclaims, not 181: the writeback level alone, [4096, 8192).
	 * Merging the nested levels counted 181 and made p50 and p99 the
	 * evictions' bound, 16383.
	 */
	tap_result(zpt_hist_count(&row.hist[ZPT_RECLAIM_HIST]) == 90 &&
			 row.p50_ns[ZPT_RECLAIM_HIST] == 6144 &&
			 row.p99_ns[ZPT_RECLAIM_HIST] == 8151,
			 "reclaim latency is writeback's alone, each reclaim counted once (p50 %llu p99 %llu)\n",
			 (unsigned long long)row.p50_ns[ZPT_RECLAIM_HIST],
			 (unsigned long long)row.p99_ns[ZPT_RECLAIM_HIST]);
	tap_result(row.p50_ns[ZP_HIST_EVICT] == 12288 &&
			 row.p50_ns[ZP_HIST_SHRINK] == 1572864 &&
			 zpt_hist_count(&row.hist[ZP_HIST_SHRINK]) == 1 &&
			 row.p99_ns[ZP_HIST_MAP_WAIT] == 127,
			 "evict, shrink and map wait keep their own figures\n");
	/* 50 of 90 holds in the interval are under 1 us, 40 near 16 us. */
	tap_result(row.hist[ZP_HIST_MAP_HOLD].slots[9] == 50 &&
			 row.p50_ns[ZP_HIST_MAP_HOLD] == 973 &&
			 row.p99_ns[ZP_HIST_MAP_HOLD] == 32399,
			 "map hold time is the interval's map-to-unmap histogram (p50 %llu p99 %llu)\n",
			 (unsigned long long)row.p50_ns[ZP_HIST_MAP_HOLD],
			 (unsigned long long)row.p99_ns[ZP_HIST_MAP_HOLD]);
	tap_result(row.total.allocs == 1000 &&
			 row.total.hist[ZP_HIST_MAP_HOLD].slots[9] == 60,
			 "the row keeps the cumulative counters for the metrics\n");

	memset(&now, 0, sizeof(now));
	memset(&prev, 0, sizeof(prev));
	zpt_row_from_stats(&row, 1, &now, &prev, 0, 0);
	tap_result(row.ratio == 0 && row.allocs_s == 0,
			 "an empty pool and a zero interval give zeros, not NaN\n");
}

/*
 * debugfs is read after the programs attached: what they counted by then
 * is in it already, and must not count twice.
 */
static void test_seeds(void)
{
	static const char pools[] = "id zpool compressor stored_pages pool_pages\n"
				    "0 zsmalloc lzo 100 30\n"
				    "70 zbud lzo 5 5\n"
				    "2 zbud lz4 7 4\n";
	static struct zpt_pool counted[ZP_MAX_POOLS], now, prev;
	struct zpt_seed seeds[ZP_MAX_POOLS];
	struct zpt_row row;
	int n;

	counted[0].c.allocs = 12;	/* stored between attach and the read */
	counted[0].c.frees = 2;
	n = zpt_parse_seeds(pools, counted, seeds);
	now.c.allocs = 20;		/* 5 more since */
	now.c.frees = 5;
	now.info.pool_pages = 33;
	prev = counted[0];
	zpt_row_from_stats(&row, 0, &now, &prev, seeds[0].objects, 1.0);
	tap_result(n == 2 && seeds[0].known && seeds[2].known && !seeds[1].known &&
			 seeds[0].objects == 90 && seeds[2].objects == 7 &&
			 seeds[0].pool_pages == 30 && !strcmp(seeds[2].type, "zbud") &&
			 row.stored_pages == 105,
			 "seeds leave out what the programs had counted: 100 + 5 pages, not %lld\n",
			 (long long)(100 + zpt_pool_objects(&now)));
}

/* gcma_discard's counters: per CPU, then a row's interval and totals. */
static void test_discards(void)
{
	struct zp_pool_counters cpu[3] = {};
	struct zpt_pool prev = {}, now = {};
	struct zpt_discards total;
	struct zpt_row row;

	cpu[0].discards = 2;
	cpu[0].discard_pages = 64;
	cpu[0].discard_objects = 900;
	cpu[1].discards = 1;
	cpu[1].discard_pages = 8;
	cpu[1].discard_objects = 100;
	cpu[1].discard_wait_ns = 1500;
	cpu[2].discard_wait_ns = 2500;
	zpt_sum_percpu(&now.c, cpu, sizeof(now.c), 3);
	strcpy(now.info.type, "gcma");
	now.info.pool_pages = 10;
	prev.c.discards = 1;		/* before the interval */
	prev.c.discard_pages = 32;
	prev.c.discard_objects = 400;
	prev.c.discard_wait_ns = 1000;
	zpt_row_from_stats(&row, 4, &now, &prev, 0, 2.0);
	zpt_discards_from_counters(&total, &row.total);
	tap_result(row.discards.events == 2 && row.discards.pages == 40 &&
			 row.discards.objects == 600 && row.discards.wait_ns == 3000 &&
			 total.events == 3 && total.pages == 72 && total.objects == 1000 &&
			 total.wait_ns == 4000,
			 "discards: the CPUs' counters add up; the interval's are the growth, the totals kept (%llu pages, %llu in all)\n",
			 (unsigned long long)row.discards.pages, (unsigned long long)total.pages);

	/* A pool id reused by a new pool: its counters started over. */
	prev.c.discards = 9;
	prev.c.discard_pages = 500;
	prev.c.discard_objects = 5000;
	prev.c.discard_wait_ns = 99999;
	zpt_row_from_stats(&row, 4, &now, &prev, 0, 2.0);
	tap_result(row.discards.events == 3 && row.discards.pages == 72 &&
			 row.discards.objects == 1000 && row.discards.wait_ns == 4000,
			 "discards: counters that went down count from zero, not as a wrapped difference\n");

	memset(&now, 0, sizeof(now));
	memset(&prev, 0, sizeof(prev));
	strcpy(now.info.type, "gcma");
	zpt_row_from_stats(&row, 1, &now, &prev, 0, 1.0);
	tap_result(zpt_row_shows_discards(&row), "a gcma pool shows its discards, none yet\n");
	strcpy(now.info.type, "zsmalloc");
	zpt_row_from_stats(&row, 1, &now, &prev, 0, 1.0);
	tap_result(!zpt_row_shows_discards(&row),
			 "a pool of another backend without discards shows none\n");
	now.c.discards = 1;
	zpt_row_from_stats(&row, 1, &now, &prev, 0, 1.0);
	tap_result(zpt_row_shows_discards(&row),
			 "a pool of any backend that discarded shows it\n");
}

/* --cma: per-CPU figures of an area, summed, and its percentiles. */
static void test_cma_areas(void)
{
	struct zp_cma_stats cpu[3] = {}, sum;
	struct zpt_cma_area area, areas[3];
	char name[ZP_CMA_NAME_LEN];

	cpu[0].allocs = 12;
	cpu[0].max_ns = 1900000;
	cpu[0].hist.slots[20] = 12;	/* [1048576, 2097152) ns */
	cpu[1].allocs = 8;
	cpu[1].failures = 1;
	cpu[1].max_ns = 2000000;
	cpu[1].hist.slots[20] = 8;
	cpu[2].failures = 2;
	cpu[2].max_ns = 0;
	memset(&sum, 0xff, sizeof(sum));
	zpt_cma_sum_percpu(&sum, cpu, 3);
	tap_result(sum.allocs == 20 && sum.failures == 3 && sum.max_ns == 2000000 &&
			 sum.hist.slots[20] == 20 && zpt_hist_count(&sum.hist) == 20,
			 "cma: counts add up over the CPUs, the max is the largest CPU's, not their sum (%llu)\n",
			 (unsigned long long)sum.max_ns);

	memset(name, 'x', sizeof(name));	/* a key filling the whole field */
	memcpy(name, "gcma", 5);
	zpt_cma_area_from_stats(&area, name, &sum);
	/* p50 1048576 + 1048576 * 10 / 20; p99 would be 2086666, past the max */
	tap_result(!strcmp(area.name, "gcma") && area.allocs == 20 && area.failures == 3 &&
			 area.p50_ns == 1572864 && area.p99_ns == 2000000 && area.max_ns == 2000000,
			 "cma: p50 and p99 from the log2 slots, never past the max (p50 %llu p99 %llu max %llu)\n",
			 (unsigned long long)area.p50_ns, (unsigned long long)area.p99_ns,
			 (unsigned long long)area.max_ns);

	memset(&sum, 0, sizeof(sum));
	sum.failures = 4;
	memset(name, 'a', sizeof(name));	/* no terminating NUL at all */
	zpt_cma_area_from_stats(&area, name, &sum);
	tap_result(area.allocs == 0 && area.failures == 4 && area.p50_ns == 0 &&
			 area.p99_ns == 0 && area.max_ns == 0 &&
			 strlen(area.name) == ZP_CMA_NAME_LEN - 1,
			 "cma: an area with failures only has no latency; a name filling the key is cut, terminated\n");

	memset(areas, 0, sizeof(areas));
	strcpy(areas[0].name, "reserved");
	strcpy(areas[1].name, "gcma");
	strcpy(areas[2].name, "hugetlb0");
	zpt_sort_cma_areas(areas, 3);
	tap_result(!strcmp(areas[0].name, "gcma") && !strcmp(areas[1].name, "hugetlb0") &&
			 !strcmp(areas[2].name, "reserved"),
			 "cma: areas are listed by name\n");
}

static void test_lost(void)
{
	char buf[256] = "";

	tap_result(!zpt_lost_warning(buf, sizeof(buf), 5, 5) && !buf[0] &&
			 zpt_lost_warning(buf, sizeof(buf), 5, 12) &&
			 !strncmp(buf, "zpooltop: warning: 7 events lost in this interval (pools with an id above 63, or CMA areas past the first 64)",
				  strlen("zpooltop: warning: 7 events lost in this interval (pools with an id above 63, or CMA areas past the first 64)")) &&
			 buf[strlen(buf) - 1] == '\n' && !strchr(buf, '\n')[1],
			 "lost events warn once, with the interval's count, only when they grew\n");
}

static void test_output_mode(void)
{
	tap_result(zpt_clear_screen(ZPT_FMT_TEXT, false, true) &&
			 !zpt_clear_screen(ZPT_FMT_TEXT, false, false) &&
			 !zpt_clear_screen(ZPT_FMT_TEXT, true, true) &&
			 !zpt_clear_screen(ZPT_FMT_JSON, false, true) &&
			 !zpt_clear_screen(ZPT_FMT_OPENMETRICS, false, true),
			 "the screen is cleared only for text to a terminal without -b or -C\n");
	tap_result(zpt_parse_format("text") == ZPT_FMT_TEXT &&
			 zpt_parse_format("json") == ZPT_FMT_JSON &&
			 zpt_parse_format("openmetrics") == ZPT_FMT_OPENMETRICS &&
			 zpt_parse_format("prometheus") == -1 && zpt_parse_format(NULL) == -1,
			 "output formats parse by name\n");
}

static void test_sorting(void)
{
	struct zpt_row rows[4] = {
		{ .id = 2, .stored_pages = 10, .ratio = 2.0 },
		{ .id = 0, .stored_pages = 50, .ratio = 6.5 },
		{ .id = 1, .stored_pages = 10, .ratio = 1.0 },
		{ .id = 3, .stored_pages = 0, .ratio = 0 },
	};

	zpt_sort_rows(rows, 4, ZPT_SORT_STORED);
	tap_result(rows[0].id == 0 && rows[1].id == 1 && rows[2].id == 2 &&
			 rows[3].id == 3,
			 "largest first, ties by ascending id\n");
	zpt_sort_rows(rows, 4, ZPT_SORT_RATIO);
	tap_result(rows[0].id == 0 && rows[1].id == 2 && rows[2].id == 1,
			 "sort by ratio\n");
	zpt_sort_rows(rows, 4, ZPT_SORT_ID);
	tap_result(rows[0].id == 0 && rows[3].id == 3, "sort by id ascending\n");
}

static void test_parse_ulong(void)
{
	unsigned long v = 7;

	tap_result(!zp_parse_ulong("5", 1, 10, &v) && v == 5 &&
			 !zp_parse_ulong("10", 1, 10, &v) && v == 10,
			 "numbers in range parse\n");
	tap_result(zp_parse_ulong("0", 1, 10, &v) && zp_parse_ulong("11", 1, 10, &v) &&
			 zp_parse_ulong("", 1, 10, &v) && zp_parse_ulong("-1", 0, 10, &v) &&
			 zp_parse_ulong("+3", 0, 10, &v) && zp_parse_ulong("3x", 0, 10, &v) &&
			 zp_parse_ulong(" 3", 0, 10, &v) && zp_parse_ulong(NULL, 0, 10, &v) &&
			 zp_parse_ulong("99999999999999999999999", 0, ~0UL, &v) && v == 10,
			 "out of range, empty, signed, junk and overflowing values are refused and leave the value alone\n");
}

static void test_totals(void)
{
	const char *meminfo = "MemTotal:       1000 kB\nZswap:            200 kB\nZswapped:        1400 kB\n";
	const char *vmstat = "pswpin 3\npswpout 4\nzswpin 10\nzswpout 20\nzswpwb 5\nzswpout_x 99\n";
	struct zpt_totals t = {};

	tap_result(zpt_parse_totals(meminfo, &t) == 2 && zpt_parse_totals(vmstat, &t) == 5 &&
			 t.zswap_bytes == 200 * 1024 && t.zswapped_bytes == 1400 * 1024 &&
			 t.zswpin == 10 && t.zswpout == 20 && t.zswpwb == 5 &&
			 t.pswpin == 3 && t.pswpout == 4,
			 "meminfo (kB) and vmstat counters are read by exact key\n");
}

static void test_units(void)
{
	char a[16], b[16], c[16], d[16], e[16], f[16];

	zpt_fmt_count(a, sizeof(a), 9999);
	zpt_fmt_count(b, sizeof(b), 12345);
	zpt_fmt_bytes(c, sizeof(c), 11.5 * 1024 * 1024);
	zpt_fmt_bytes(d, sizeof(d), 512);
	zpt_fmt_ns(e, sizeof(e), 3400000);
	zpt_fmt_ns(f, sizeof(f), 0);
	tap_result(!strcmp(a, "9999") && !strcmp(b, "12k") && !strcmp(c, "12M") &&
			 !strcmp(d, "512B") && !strcmp(e, "3.4ms") && !strcmp(f, "-"),
			 "figures fit 5 columns with units (%s %s %s %s %s %s)\n", a, b, c, d, e, f);
}

/* A view with two pools, one of them busy, and a cgroup. */
static struct zpt_row view_rows[2];
static struct zpt_memcg_row view_memcg = {
	.path = "/sys/fs/cgroup/a \"quoted\" name/that/is/long/enough/to/need/more/than/eighty/columns",
	.id = 42,
	.stores_s = 10, .loads_s = 5, .writebacks_s = 1, .store_ratio = 3.5,
};

static void make_view(struct zpt_view *v)
{
	memset(v, 0, sizeof(*v));
	v->time = 1700000000;
	v->interval_s = 1.0;
	v->page_size = 4096;
	v->prev.zswpout = 100;
	v->now.zswpout = 1100;
	v->now.zswap_bytes = 2 << 20;
	v->now.zswapped_bytes = 14 << 20;
	view_rows[0] = (struct zpt_row){ .id = 0, .type = "zsmalloc", .stored_pages = 123456,
		.pool_pages = 17000, .ratio = 7.26, .allocs_s = 99999, .frees_s = 1,
		.evicts_s = 0, .map_waits_s = 12 };
	view_rows[0].p50_ns[ZP_HIST_WRITEBACK] = 1536;
	view_rows[0].p99_ns[ZP_HIST_WRITEBACK] = 1ULL << 40;
	view_rows[0].p50_ns[ZP_HIST_EVICT] = 777;
	view_rows[0].p99_ns[ZP_HIST_MAP_WAIT] = 8151;
	view_rows[0].p50_ns[ZP_HIST_MAP_HOLD] = 1023;
	view_rows[0].p99_ns[ZP_HIST_MAP_HOLD] = 65535;
	view_rows[0].hist[ZP_HIST_WRITEBACK].slots[10] = 4;
	view_rows[0].hist[ZP_HIST_SHRINK].slots[20] = 1;
	view_rows[0].hist[ZP_HIST_MAP_WAIT].slots[12] = 2;
	view_rows[0].hist[ZP_HIST_MAP_HOLD].slots[9] = 7;
	/* The cumulative figures the metrics show. */
	view_rows[0].total.allocs = 5000;
	view_rows[0].total.frees = 4000;
	view_rows[0].total.evicts = 3;
	view_rows[0].total.writebacks = 9;
	view_rows[0].total.map_waits = 6;
	view_rows[0].total.map_wait_ns = 1500000000;
	view_rows[0].total.hist[ZP_HIST_WRITEBACK].slots[0] = 1;	/* 0 or 1 ns */
	view_rows[0].total.hist[ZP_HIST_WRITEBACK].slots[10] = 8;	/* ~1.5 us */
	view_rows[0].total.hist[ZP_HIST_WRITEBACK].slots[ZP_HIST_SLOTS - 1] = 2;
	view_rows[0].total.hist[ZP_HIST_MAP_WAIT].slots[12] = 6;
	view_rows[1] = (struct zpt_row){ .id = 63, .type = "zb\"u\\d" };
	v->lost_events = 17;
	v->rows = view_rows;
	v->nrows = 2;
	v->memcg = &view_memcg;
	v->waits = true;
}

typedef void print_fn(FILE *, const struct zpt_view *, bool);

/*
 * What @print prints of the view @make builds, with map timing measured
 * (-w) or not: the text, or NULL.  The rows are cleared after.
 */
static char *print_made(void (*make)(struct zpt_view *), print_fn *print, bool hist,
			bool waits)
{
	struct zpt_view v;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	make(&v);
	v.waits = waits;
	print(f, &v, hist);
	fclose(f);
	memset(view_rows, 0, sizeof(view_rows));
	return buf;
}

/* The view printed by @print, with map timing measured (-w) or not. */
static char *print_view(print_fn *print, bool hist, bool waits)
{
	return print_made(make_view, print, hist, waits);
}

static char *print_to_string(print_fn *print, bool hist)
{
	return print_view(print, hist, true);
}

static void test_text(void)
{
	char *text = print_to_string(zpt_print_text, false), *line, *save = NULL;
	size_t widest = 0, lines = 0;
	bool found = false, empty = false;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		lines++;
		if (strlen(line) > widest)
			widest = strlen(line);
		/* id, backend, stored, pool, ratio, allocs/s ... RCL50 (writeback) */
		found |= !strncmp(line, " 0 zsmalloc   123k   66M  7.26  100k     1     0 1.5us", 53);
		/* A pool without pages has no ratio: '-', not 0.00. */
		empty |= !strncmp(line, "63 ", 3) && strlen(line) > 30 &&
			 !strncmp(line + 25, "    - ", 6);
	}
	tap_result(text && widest <= 80 && lines == 7 && found && empty,
			 "text: %zu lines, the widest %zu columns (at most 80), the busy pool's row as expected, '-' for the empty pool's ratio\n",
			 lines, widest);
	free(text);

	text = print_to_string(zpt_print_text, true);
	tap_result(text && strstr(text, "pool 0 (zsmalloc) writeback latency") &&
			 strstr(text, "pool 0 (zsmalloc) evict latency") &&
			 strstr(text, "pool 0 (zsmalloc) shrink latency") &&
			 strstr(text, "\n         1 -> 2          : 1        |****") &&
			 strstr(text, "pool 0 (zsmalloc) map lock wait") &&
			 strstr(text, "\n         4 -> 8          : 2        |****************************************|") &&
			 strstr(text, "pool 0 (zsmalloc) time mapped (map to unmap):") &&
			 strstr(text, "512 -> 1023       : 7        |****************************************|") &&
			 strstr(text, "(no samples)") &&
			 strstr(text, "msecs : count") && strstr(text, "usecs : count") &&
			 strstr(text, "nsecs : count"),
			 "--hist prints each latency level's log2 star histogram per pool, each in the unit of its fastest sample\n");
	free(text);
}

/* Without -w, the map columns and histograms are left out, not zeros. */
static void test_text_default(void)
{
	char *text = print_view(zpt_print_text, false, false);
	size_t widest = 0;
	char *line, *save = NULL;
	bool header = false, row = false;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strlen(line) > widest)
			widest = strlen(line);
		header |= !strcmp(line, "ID BACKEND  STORED  POOL RATIO ALLOC  FREE EVICT RCL50 RCL99");
		row |= !strcmp(line, " 0 zsmalloc   123k   66M  7.26  100k     1     0 1.5us 1100s");
	}
	free(text);
	text = print_view(zpt_print_text, true, false);
	tap_result(header && row && widest <= 80 && text &&
			 strstr(text, "writeback latency") && !strstr(text, "map lock wait") &&
			 !strstr(text, "time mapped") && !strstr(text, "WAIT"),
			 "text without -w: no WAIT and WT99 columns, no map histograms\n");
	free(text);
}

/* The screen before the first interval: levels now, rates after. */
static void test_first_screen(void)
{
	struct zpt_view v;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (f) {
		make_view(&v);
		v.interval_s = 0;
		zpt_print_text(f, &v, true);
		fclose(f);
	}
	tap_result(buf && strstr(buf, "pages/s: zswap out - in - written back -; swap out - in -") &&
			 strstr(buf, " 0 zsmalloc   123k   66M  7.26     -     -     -") &&
			 !strstr(buf, "latency"),
			 "the first screen shows the pools at once, rates as '-' until an interval has passed\n");
	free(buf);
}

/*
 * A view with a gcma pool that discarded, a zsmalloc pool that did not,
 * and two CMA areas (--cma), one never successful.
 */
static struct zpt_cma_area view_areas[2];

static void make_gcma_view(struct zpt_view *v)
{
	make_view(v);
	view_rows[1] = (struct zpt_row){ .id = 5, .type = "gcma", .stored_pages = 2048,
		.pool_pages = 512, .ratio = 4.0 };
	view_rows[1].discards = (struct zpt_discards){ 3, 96, 2300, 412000 };
	view_rows[1].total.discards = 12;
	view_rows[1].total.discard_pages = 384;
	view_rows[1].total.discard_objects = 9100;
	view_rows[1].total.discard_wait_ns = 1500000;
	memset(view_areas, 0, sizeof(view_areas));
	strcpy(view_areas[0].name, "gcma");
	view_areas[0].allocs = 20;
	view_areas[0].failures = 1;
	view_areas[0].p50_ns = 1572864;
	view_areas[0].p99_ns = 2000000;
	view_areas[0].max_ns = 2000000;
	view_areas[0].hist.slots[20] = 20;
	strcpy(view_areas[1].name, "a-cma-area-with-a-long-name");
	view_areas[1].failures = 2;
	v->cma = true;
	v->areas = view_areas;
	v->nareas = 2;
}

/* The gcma view printed by @print: its text, or NULL. */
static char *print_gcma_view(print_fn *print, bool hist)
{
	return print_made(make_gcma_view, print, hist, true);
}

/* --cma before any allocation, in the view of make_view(). */
static void make_cma_view(struct zpt_view *v)
{
	make_view(v);
	v->cma = true;
}

static size_t widest_line(const char *text)
{
	size_t widest = 0, len;

	while (text && *text) {
		len = strcspn(text, "\n");
		if (len > widest)
			widest = len;
		text += len + (text[len] == '\n');
	}
	return widest;
}

static void test_gcma_text(void)
{
	char *text = print_gcma_view(zpt_print_text, false);

	tap_result(text && widest_line(text) <= 80 &&
			 strstr(text, "\nDISCARDS    in the interval          | since counting began\n"
				"ID BACKEND  EVENTS PAGES  OBJS  WAIT | EVENTS PAGES  OBJS  WAIT\n"
				" 5 gcma          3    96  2300 412us |     12   384  9100 1.5ms\n") &&
			 !strstr(text, " 0 zsmalloc      "),
			 "text: the discard table has the gcma pool only, the interval's and the totals, in 80 columns\n");
	tap_result(text && strstr(text, "\nCMA AREA         ALLOCS  FAIL   P50   P99   MAX  since zpooltop started\n"
					    "gcma                 20     1 1.6ms 2.0ms 2.0ms\n"
					    "a-cma-area-with-      0     2     -     -     -\n") &&
			 !strstr(text, "cma area gcma"),
			 "text, --cma: each area's allocations, failures, p50, p99 and max, no histogram without --hist\n");
	free(text);

	text = print_gcma_view(zpt_print_text, true);
	tap_result(text &&
			 strstr(text, "\ncma area gcma: latency of the allocations that succeeded:\n"
				"                   msecs : count    distribution\n") &&
			 strstr(text, "         1 -> 2          : 20       |****************************************|\n") &&
			 strstr(text, "cma area a-cma-area-with-a-long-name: latency of the allocations that succeeded:\n"
				"     (no samples)\n"),
			 "text, --cma --hist: each area's log2 star histogram, under its whole name\n");
	free(text);

	text = print_view(zpt_print_text, true, true);
	tap_result(text && !strstr(text, "DISCARDS") && !strstr(text, "CMA AREA") &&
			 !strstr(text, "cma area"),
			 "text without gcma pools or --cma: no discard table, no CMA areas\n");
	free(text);
}

/* Python's json module checks the syntax and every documented key. */
static const char json_check[] =
	"import json, sys\n"
	"o = json.loads(sys.stdin.read())\n"
	"want = {'schema', 'time', 'interval_s', 'lost_events', 'system', 'memcg', 'pools'}\n"
	"sysk = {'zswap_bytes', 'zswapped_bytes', 'ratio', 'stored_pages', 'written_back_pages',\n"
	"        'zswpout_s', 'zswpin_s', 'zswpwb_s', 'pswpout_s', 'pswpin_s'}\n"
	"waits = sys.argv[1] == 'waits'\n"
	"lv = ['writeback', 'evict', 'shrink'] + (['map_wait', 'map_hold'] if waits else [])\n"
	"poolk = {'id', 'backend', 'stored_pages', 'pool_pages', 'pool_bytes', 'ratio', 'allocs_s',\n"
	"         'frees_s', 'evicts_s'} | ({'map_waits_s'} if waits else set())\n"
	"poolk |= {l + s for l in lv for s in ('_p50_ns', '_p99_ns', '_hist')}\n"
	"assert set(o) == want, set(o) ^ want\n"
	"assert list(o)[0] == 'schema' and o['schema'] == 2 and o['lost_events'] == 17\n"
	"assert set(o['system']) == sysk, set(o['system']) ^ sysk\n"
	"assert set(o['memcg']) == {'path', 'id', 'stores_s', 'loads_s', 'writebacks_s', 'store_ratio'}\n"
	"assert o['memcg']['path'].startswith('/sys/fs/cgroup/a \"quoted\" name/')\n"
	"assert o['system']['zswpout_s'] == 1000 and o['system']['ratio'] == 7\n"
	"p = o['pools']\n"
	"assert [x['id'] for x in p] == [0, 63] and p[0]['backend'] == 'zsmalloc'\n"
	"assert p[1]['backend'] == 'zb\"u\\\\d'\n"
	"assert all(set(x) == poolk for x in p), [set(x) ^ poolk for x in p]\n"
	"assert p[0]['stored_pages'] == 123456 and p[0]['pool_bytes'] == 17000 * 4096\n"
	"assert p[0]['writeback_p50_ns'] == 1536 and p[0]['writeback_p99_ns'] == 1 << 40\n"
	"assert p[0]['evict_p50_ns'] == 777 and p[0]['shrink_hist'][20] == 1\n"
	"assert p[0]['writeback_hist'][10] == 4 and len(p[0]['writeback_hist']) == 32\n"
	"if waits:\n"
	"    assert p[0]['map_waits_s'] == 12\n"
	"    assert p[0]['map_wait_hist'][12] == 2 and p[0]['map_wait_p99_ns'] == 8151\n"
	"    assert p[0]['map_hold_p50_ns'] == 1023 and p[0]['map_hold_p99_ns'] == 65535\n"
	"    assert p[0]['map_hold_hist'][9] == 7 and len(p[0]['map_hold_hist']) == 32\n";

/* Run @script with a Python on stdin @input; its exit status, or -1. */
static int python(const char *python, const char *script, const char *input)
{
	int status = -1;
	char cmd[256];
	FILE *py;

	setenv("ZPT_PY_CHECK", script, 1);
	snprintf(cmd, sizeof(cmd), "%s -c \"$ZPT_PY_CHECK\"", python);
	py = popen(cmd, "w");
	if (py) {
		fputs(input, py);
		status = pclose(py);
	}
	return status;
}

/* @json is one line, and the Python @check passes on it, given @arg as argv[1]. */
static bool json_passes(const char *json, const char *check, const char *arg)
{
	char *script;
	bool ok;

	if (!json || asprintf(&script, "import sys; sys.argv = ['', '%s']\n%s", arg, check) < 0)
		return false;
	ok = strchr(json, '\n') == json + strlen(json) - 1 &&
	     python("python3", script, json) == 0;
	free(script);
	return ok;
}

static void test_json(void)
{
	char *json;
	int w;

	for (w = 1; w >= 0; w--) {
		json = print_view(zpt_print_json, true, w);
		tap_result(json_passes(json, json_check, w ? "waits" : ""),
				 "JSON%s: one line that parses, with schema 2 and every documented key and value%s\n",
				 w ? " with -w" : "", w ? "" : ", and no map_* key");
		free(json);
	}
}

/*
 * The gcma view's JSON: discards in the gcma pool only, the CMA areas
 * after the pools, their histograms only with --hist (argv[1]), and the
 * schema unchanged, since these keys come only with gcma pools or --cma.
 */
static const char gcma_json_check[] =
	"import json, sys\n"
	"hist = sys.argv[1] == 'hist'\n"
	"o = json.loads(sys.stdin.read())\n"
	"assert o['schema'] == 2 and list(o)[-2:] == ['pools', 'cma'], list(o)\n"
	"p = {x['backend']: x for x in o['pools']}\n"
	"assert 'discards' not in p['zsmalloc'] and 'cma' not in p['zsmalloc']\n"
	"d = p['gcma']['discards']\n"
	"assert d == {'events': 3, 'pages': 96, 'objects': 2300, 'wait_ns': 412000,\n"
	"             'total_events': 12, 'total_pages': 384, 'total_objects': 9100,\n"
	"             'total_wait_ns': 1500000}, d\n"
	"assert p['gcma']['stored_pages'] == 2048 and p['gcma']['ratio'] == 4\n"
	"c = o['cma']\n"
	"keys = {'area', 'allocs', 'failures', 'alloc_p50_ns', 'alloc_p99_ns', 'alloc_max_ns'}\n"
	"keys |= {'alloc_hist'} if hist else set()\n"
	"assert [a['area'] for a in c] == ['gcma', 'a-cma-area-with-a-long-name'], c\n"
	"assert all(set(a) == keys for a in c), [set(a) ^ keys for a in c]\n"
	"g = c[0]\n"
	"assert (g['allocs'], g['failures']) == (20, 1)\n"
	"assert (g['alloc_p50_ns'], g['alloc_p99_ns'], g['alloc_max_ns']) == (1572864, 2000000, 2000000)\n"
	"assert not hist or (len(g['alloc_hist']) == 32 and g['alloc_hist'][20] == 20 and\n"
	"                    sum(g['alloc_hist']) == g['allocs'])\n"
	"assert (c[1]['allocs'], c[1]['failures'], c[1]['alloc_max_ns']) == (0, 2, 0)\n";

static void test_gcma_json(void)
{
	char *json;
	int h;

	for (h = 1; h >= 0; h--) {
		json = print_gcma_view(zpt_print_json, h);
		tap_result(json_passes(json, gcma_json_check, h ? "hist" : ""),
				 "JSON, --cma%s: discards in the gcma pool, each CMA area's figures%s, schema 2\n",
				 h ? " --hist" : "", h ? " and histogram" : "");
		free(json);
	}

	/* --cma before any allocation: an empty list, not a missing key. */
	json = print_made(make_cma_view, zpt_print_json, false, true);
	tap_result(json && strstr(json, "],\"cma\":[]}\n") && !strstr(json, "discards"),
			 "JSON, --cma before any allocation: \"cma\":[], and no discards without a gcma pool\n");
	free(json);
}

/*
 * prometheus_client's parsers (Debian's python3-prometheus-client, for
 * the system's python3) read the metrics back: families, types, labels,
 * values and the cumulative buckets.  argv[1] says which format, argv[2]
 * whether map timing was measured (-w).
 */
static const char metrics_check[] =
	"import sys, math\n"
	"om = sys.argv[1] == 'openmetrics'\n"
	"waits = sys.argv[2] == 'waits'\n"
	"if om:\n"
	"    from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse\n"
	"else:\n"
	"    from prometheus_client.parser import text_string_to_metric_families as parse\n"
	"text = sys.stdin.read()\n"
	"assert text.endswith('# EOF\\n') == om\n"
	"assert ('# UNIT' in text) == om\n"
	"fam = {f.name: f for f in parse(text)}\n"
	"pre = 'zpooltop_'\n"
	"def one(name, labels):\n"
	"    s = [x for x in fam[pre + name].samples if all(x.labels.get(k) == v for k, v in labels.items())]\n"
	"    assert len(s) == 1, (name, labels, s)\n"
	"    return s[0].value\n"
	"p0 = {'pool': '0', 'backend': 'zsmalloc'}\n"
	"p63 = {'pool': '63', 'backend': 'zb\"u\\\\d'}\n"
	"t = {n: f.type for n, f in fam.items()}\n"
	"# both parsers name a counter's family without _total\n"
	"for g in ('pool_stored_pages', 'pool_pages', 'pool_size_bytes', 'pool_compression_ratio'):\n"
	"    assert t[pre + g] == 'gauge', (g, t)\n"
	"counters = ['pool_allocations', 'pool_frees', 'pool_evictions', 'pool_writebacks',\n"
	"            'lost_events'] + (['pool_map_waits'] if waits else [])\n"
	"for c in counters:\n"
	"    assert t[pre + c] == 'counter', (c, t)\n"
	"hists = ['writeback', 'evict', 'shrink'] + (['map_wait', 'map_hold'] if waits else [])\n"
	"for h in hists:\n"
	"    assert t[pre + 'pool_' + h + '_seconds'] == 'histogram', (h, t)\n"
	"# without -w, no map series at all: not measured is not 0\n"
	"assert len(fam) == 4 + len(counters) + len(hists), sorted(fam)\n"
	"if om:\n"
	"    assert fam[pre + 'pool_size_bytes'].unit == 'bytes'\n"
	"    assert fam[pre + 'pool_writeback_seconds'].unit == 'seconds'\n"
	"assert one('pool_stored_pages', p0) == 123456 and one('pool_stored_pages', p63) == 0\n"
	"assert one('pool_size_bytes', p0) == 17000 * 4096 and one('pool_pages', p0) == 17000\n"
	"assert abs(one('pool_compression_ratio', p0) - 7.26) < 1e-9\n"
	"s = [x for x in fam[pre + 'pool_allocations'].samples if x.labels == p0]\n"
	"assert s[0].name == pre + 'pool_allocations_total' and s[0].value == 5000\n"
	"if waits:\n"
	"    s = [x for x in fam[pre + 'pool_map_waits'].samples if x.labels == p0]\n"
	"    assert s[0].value == 6\n"
	"assert fam[pre + 'lost_events'].samples[0].value == 17\n"
	"wb = [x for x in fam[pre + 'pool_writeback_seconds'].samples if x.labels.get('pool') == '0']\n"
	"b = [(float(x.labels['le']), x.value) for x in wb if x.name.endswith('_bucket')]\n"
	"assert len(b) == 32 and b[-1] == (math.inf, 11), b[-1]\n"
	"assert b == sorted(b) and all(b[i][1] <= b[i + 1][1] for i in range(31))\n"
	"assert b[0] == (1e-9, 1) and b[9][1] == 1 and b[10][1] == 9 and b[30][1] == 9, b[:12]\n"
	"assert abs(b[10][0] - 2047e-9) < 1e-15\n"
	"assert not [x for x in wb if not x.name.endswith('_bucket')], 'no _sum, so no _count'\n"
	"if waits:\n"
	"    mw = {x.name: x.value for x in fam[pre + 'pool_map_wait_seconds'].samples\n"
	"          if x.labels.get('pool') == '0' and 'le' not in x.labels}\n"
	"    assert mw == {pre + 'pool_map_wait_seconds_count': 6, pre + 'pool_map_wait_seconds_sum': 1.5}, mw\n";

static void test_metrics(void)
{
	const char *py = access("/usr/bin/python3", X_OK) ? "python3" : "/usr/bin/python3";
	char *text[3] = {};
	int status[3] = { -1, -1, -1 }, i;
	char script[sizeof(metrics_check) + 64];

	/* OpenMetrics and Prometheus's format with -w, then OpenMetrics without. */
	for (i = 0; i < 3; i++) {
		bool prom = i == 1, waits = i < 2;
		struct zpt_view v;
		size_t size = 0;
		FILE *f = open_memstream(&text[i], &size);

		if (!f)
			continue;
		make_view(&v);
		v.waits = waits;
		zpt_print_metrics(f, &v, prom ? ZPT_METRICS_PROMETHEUS : ZPT_METRICS_OPENMETRICS);
		fclose(f);
		snprintf(script, sizeof(script), "import sys; sys.argv = ['', '%s', '%s']\n%s",
			 prom ? "prometheus" : "openmetrics", waits ? "waits" : "", metrics_check);
		status[i] = python(py, script, text[i]);
	}
	tap_result(status[0] == 0,
			 "OpenMetrics: prometheus_client's parser reads every family, label and bucket\n");
	tap_result(status[1] == 0,
			 "Prometheus text (--textfile): prometheus_client's parser reads it the same\n");
	tap_result(status[2] == 0,
			 "OpenMetrics without -w: no map wait or hold series, the rest the same\n");
	for (i = 0; i < 3; i++)
		free(text[i]);
}

/* --textfile: the whole report or nothing, and no temporary file left. */
static void test_metrics_file(void)
{
	char dir[] = "/tmp/zpt-textfile-XXXXXX", path[128], tmp[160], *text = NULL;
	struct zpt_view v;
	size_t size = 0;
	FILE *f;
	int err, bad;

	if (!mkdtemp(dir)) {
		tap_fail("mkdtemp: %s\n", strerror(errno));
		tap_skip("no directory\n");
		return;
	}
	make_view(&v);
	snprintf(path, sizeof(path), "%s/zpooltop.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	f = fopen(path, "w");		/* an older report, to be replaced */
	if (f) {
		fputs("old\n", f);
		fclose(f);
	}
	err = zpt_write_metrics_file(path, &v, ZPT_METRICS_PROMETHEUS);
	f = fopen(path, "r");
	if (f) {
		text = calloc(1, 1 << 20);
		size = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
		fclose(f);
	}
	tap_result(!err && size > 1000 && !strncmp(text, "# HELP zpooltop_", 16) &&
			 strstr(text, "zpooltop_lost_events_total 17\n") &&
			 access(tmp, F_OK),
			 "the textfile is replaced whole, and no temporary file stays\n");
	free(text);
	unlink(path);

	snprintf(path, sizeof(path), "%s/no/such/dir/zpooltop.prom", dir);
	bad = zpt_write_metrics_file(path, &v, ZPT_METRICS_PROMETHEUS);
	tap_result(bad == -ENOENT, "a textfile that cannot be written is an error (%d)\n", bad);
	rmdir(dir);
}

/* --whatif */

/* @n objects of @size bytes in the size histogram's bins. */
static void add_sizes(struct zpt_sizes *s, size_t size, __u64 n)
{
	s->n[(size + (1 << ZP_SIZE_SHIFT) - 1) >> ZP_SIZE_SHIFT] += n;
}

static __u64 zs_pages_of(const struct zpt_zsmalloc *zs, size_t size, __u64 n)
{
	struct zpt_sizes s = {};

	add_sizes(&s, size, n);
	return zpt_zsmalloc_pages(zs, &s);
}

static __u64 zbud_pages_of(size_t size, __u64 n)
{
	struct zpt_sizes s = {};

	add_sizes(&s, size, n);
	return zpt_zbud_pages(&s, 4096);
}

static void test_zsmalloc_classes(void)
{
	struct zpt_zsmalloc zs, zs4;
	const struct zpt_zs_class *c;
	struct zpt_sizes s = {};
	bool huge_merged = true;
	unsigned int i;

	tap_result(!zpt_zs_derive(&zs, 4096, 8) && zs.nr_classes == 255 &&
			 zs.class[0].size == 32 && zs.class[0].pages_per_zspage == 1 &&
			 zs.class[0].objs_per_zspage == 128 &&
			 zs.class[1].size == 48 && zs.class[1].pages_per_zspage == 3 &&
			 zs.class[1].objs_per_zspage == 256 &&
			 zs.class[225].size == 3632 && zs.class[225].pages_per_zspage == 8 &&
			 zs.class[225].objs_per_zspage == 9,
			 "zsmalloc: 255 classes of 16 bytes from 32; 48 bytes in 3 pages (256 objects), 3632 in 8 (9)\n");
	for (i = 226; i < 255; i++)
		huge_merged &= zs.class[i].owner == 254 && zs.class[i].size == 4096 &&
			       zs.class[i].objs_per_zspage == 1;
	/* 3200 to 3264 bytes: 5 objects in 4 pages; 3184: 9 in 7 */
	tap_result(huge_merged && zs.class[198].owner == 202 &&
			 zs.class[200].owner == 202 && zs.class[202].owner == 202 &&
			 zs.class[197].owner == 197 && zs.class[197].objs_per_zspage == 9,
			 "zsmalloc: classes of the same shape merge into the largest (3200 to 3264 bytes); above 3632, all are the huge 4096\n");

	/* An object takes its size plus the 8-byte handle: 24 fills class 0. */
	tap_result(zs_pages_of(&zs, 24, 128) == 1 && zs_pages_of(&zs, 24, 129) == 2 &&
			 zs_pages_of(&zs, 25, 1) == 3 && zs_pages_of(&zs, 40, 256) == 3 &&
			 zs_pages_of(&zs, 40, 257) == 6,
			 "zsmalloc: 128 objects of 24 bytes fill a page, 129 take two; 25 to 40 bytes go in 3-page zspages of 256\n");
	tap_result(zs_pages_of(&zs, 3624, 9) == 8 && zs_pages_of(&zs, 3625, 9) == 9 &&
			 zs_pages_of(&zs, 4096, 5) == 5,
			 "zsmalloc: 9 objects of 3624 bytes share 8 pages; from 3625, each takes a page (huge class)\n");
	add_sizes(&s, 3224, 3);		/* class 200 */
	add_sizes(&s, 3256, 2);		/* class 202 */
	tap_result(zpt_zsmalloc_pages(&zs, &s) == 4,
			 "zsmalloc: objects of merged classes share zspages (5 objects of 3224 and 3256 bytes in 4 pages)\n");
	tap_result(!zpt_zs_derive(&zs4, 4096, 4) && zs4.class[225].pages_per_zspage == 1 &&
			 zs_pages_of(&zs4, 3624, 9) == 9 && zpt_zs_derive(&zs4, 4096, 17) &&
			 zpt_zs_derive(&zs4, 4096, 3) && zpt_zs_derive(&zs4, 3000, 8),
			 "zsmalloc: with CONFIG_ZSMALLOC_CHAIN_SIZE=4, 3624 bytes is huge; impossible chain and page sizes are refused\n");
	c = zpt_zs_class_of(&zs, 1016);
	tap_result(c->size == 1024 && c->pages_per_zspage == 1 && c->objs_per_zspage == 4,
			 "zsmalloc: a power-of-2 class takes one page (1016 bytes + handle: 4 per page)\n");
}

/* zsmalloc's debugfs "classes", as zs_stats_size_show() prints it. */
static char *classes_text(const struct zpt_zsmalloc *zs)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	unsigned int i;
	int fg;

	if (!f)
		return NULL;
	fprintf(f, " %5s %5s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %13s %10s %10s %16s %8s\n",
		"class", "size", "10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%",
		"90%", "99%", "100%", "obj_allocated", "obj_used", "pages_used",
		"pages_per_zspage", "freeable");
	for (i = 0; i < zs->nr_classes; i++) {
		if (zs->class[i].owner != i)
			continue;
		fprintf(f, " %5u %5u ", i, zs->class[i].size);
		for (fg = 0; fg < 11; fg++)
			fprintf(f, "%9u ", fg == 10 ? 1 : 0);
		fprintf(f, "%13u %10u %10u %16u %8u\n", zs->class[i].objs_per_zspage, 1,
			zs->class[i].pages_per_zspage, zs->class[i].pages_per_zspage, 0);
	}
	fprintf(f, "\n %5s %5s %9u\n", "Total", "", 0);
	fclose(f);
	return buf;
}

static void test_zsmalloc_debugfs(void)
{
	struct zpt_zsmalloc derived, parsed;
	char *text;
	bool same;

	zpt_zs_derive(&derived, 4096, 8);
	text = classes_text(&derived);
	same = text && !zpt_zs_parse_classes(&parsed, text, 4096) &&
	       !memcmp(&parsed, &derived, sizeof(parsed));
	tap_result(same, "zsmalloc: the classes read from debugfs are the ones derived, merged classes included\n");
	free(text);

	/* A kernel that merged every class into the two it lists. */
	text = " class  size   10%\n"
	       "     0    32 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0\n"
	       "   254  4096 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0\n";
	tap_result(!zpt_zs_parse_classes(&parsed, text, 4096) &&
			 zpt_zs_class_of(&parsed, 600)->size == 4096 &&
			 zpt_zs_class_of(&parsed, 24)->size == 32 &&
			 zs_pages_of(&parsed, 600, 3) == 3,
			 "zsmalloc: what debugfs lists is what counts (an unlisted class goes to the next listed)\n");
	tap_result(zpt_zs_parse_classes(&parsed, "nothing here\n", 4096) &&
			 zpt_zs_parse_classes(&parsed,
				"     0    48 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0\n"
				"   254  4096 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0\n", 4096) &&
			 zpt_zs_parse_classes(&parsed,
				"     0    32 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0\n", 4096),
			 "zsmalloc: a file that is not zsmalloc's classes is refused (no class, a wrong size, no huge class)\n");
}

static void test_zbud_model(void)
{
	static const size_t pair[] = { 1984, 2048 }, no_pair[] = { 2048, 2048 };
	static const size_t largest[] = { 3968, 64 }, too_big[] = { 3976, 64 };
	/* 40, 30, 20 and 33 chunks: best fit pairs 20 with 40, 33 with 30 */
	static const size_t best_fit[] = { 2560, 1920, 1280, 2112 };
	static const size_t first[] = { 2048, 1024, 1984 };
	struct zpt_sizes s = {};

	tap_result(zpt_zbud_pages_in_order(pair, 2, 4096) == 1 &&
			 zpt_zbud_pages_in_order(no_pair, 2, 4096) == 2,
			 "zbud: 31 and 32 chunks share a page (63 after the header); 32 and 32 cannot\n");
	tap_result(zpt_zbud_pages_in_order(largest, 2, 4096) == 1 &&
			 zpt_zbud_pages_in_order(too_big, 2, 4096) == 2,
			 "zbud: 3968 bytes still shares a page with a 64-byte object; 3976 gets a page of its own\n");
	tap_result(zpt_zbud_pages_in_order(best_fit, 4, 4096) == 2 &&
			 zpt_zbud_pages_in_order(first, 3, 4096) == 2,
			 "zbud: each object goes to the page whose free chunks fit it most closely (4 objects in 2 pages)\n");
	tap_result(zbud_pages_of(1984, 1001) == 501 && zbud_pages_of(2048, 100) == 100 &&
			 zbud_pages_of(4096, 7) == 7 && zbud_pages_of(8, 3) == 2,
			 "zbud, in a random order: 1001 objects of 1984 bytes in 501 pages, 100 of 2048 in 100, pages stored whole alone\n");
	add_sizes(&s, 3968, 10);
	add_sizes(&s, 3976, 5);
	tap_result(zpt_zbud_pages(&s, 4096) == 15,
			 "zbud, in a random order: 10 objects of 3968 bytes cannot pair, 5 of 3976 stay alone (15 pages)\n");
	tap_result(zbud_pages_of(1000, 3000000) == 1500000 &&
			 zbud_pages_of(1000, 3000000) == zbud_pages_of(1000, 3000000),
			 "zbud: 3 million objects are packed as a sample of %u, scaled (1.5 million pages), the same each time\n",
			 ZPT_ZBUD_SAMPLE);
}

static void test_convert(void)
{
	struct zp_size_hist h = {};
	struct zpt_sizes s;

	h.bins[600 / 8] = 3;		/* 600 bytes */
	h.bins[4080 / 8] = 1;		/* compressed, just under a page */
	h.bins[4088 / 8] = 2;
	h.bins[ZP_SIZE_BINS - 1] = 4;	/* pages stored as they are */
	h.bins[100 / 8] = -5;		/* frees of objects older than the program */
	zpt_sizes_convert(&s, &h, ZPT_BACKEND_ZSMALLOC, ZPT_BACKEND_ZBUD);
	tap_result(s.n[608 / 8] == 3 && s.n[4088 / 8] == 1 && s.n[ZP_SIZE_BINS - 1] == 6 &&
			 zpt_sizes_count(&s) == 10,
			 "to zbud: zswap's 8-byte header is added; data that no longer leaves room is stored as a page; negative bins count 0\n");
	memset(&h, 0, sizeof(h));
	h.bins[608 / 8] = 3;
	h.bins[16 / 8] = 1;		/* 9 to 16 bytes: 1 to 8 of data */
	h.bins[ZP_SIZE_BINS - 1] = 4;
	zpt_sizes_convert(&s, &h, ZPT_BACKEND_ZBUD, ZPT_BACKEND_ZSMALLOC);
	tap_result(s.n[600 / 8] == 3 && s.n[1] == 1 && s.n[ZP_SIZE_BINS - 1] == 4 &&
			 zpt_sizes_count(&s) == 8,
			 "to zsmalloc: zswap's header comes off; pages stored as they are stay pages\n");
	zpt_sizes_convert(&s, &h, ZPT_BACKEND_ZBUD, ZPT_BACKEND_ZBUD);
	tap_result(s.n[608 / 8] == 3 && s.n[2] == 1 && zpt_backend_by_name("zbud") == ZPT_BACKEND_ZBUD &&
			 zpt_backend_by_name("z3fold") == -1 && zpt_backend_zswap_header(ZPT_BACKEND_ZBUD) == 8 &&
			 zpt_backend_zswap_header(ZPT_BACKEND_ZSMALLOC) == 0,
			 "the same backend keeps the sizes; only zsmalloc and zbud have models, zbud's pools a header\n");
}

static void test_row_whatif(void)
{
	struct zp_size_hist h = {};
	static struct zpt_models m;
	struct zpt_row row = {};

	m.page_size = 4096;
	zpt_zs_derive(&m.zsmalloc, 4096, 8);
	/* 400 objects of 1016 bytes and 10 pages stored as they are */
	h.bins[1016 / 8] = 400;
	h.bins[ZP_SIZE_BINS - 1] = 10;
	strcpy(row.type, "zsmalloc");
	row.stored_pages = 410;
	row.pool_pages = 120;
	zpt_row_whatif(&row, &h, &m);
	tap_result(row.has_whatif && row.known_pages == 410 && row.coverage == 1 &&
			 row.whatif[ZPT_BACKEND_ZSMALLOC].pool_pages == 110 &&
			 row.whatif[ZPT_BACKEND_ZBUD].pool_pages == 210 &&
			 row.whatif[ZPT_BACKEND_ZBUD].ratio == 410.0 / 210,
			 "a zsmalloc pool: zsmalloc packs it in 110 pages, zbud (1024 bytes with its header) in 210\n");

	memset(&h, 0, sizeof(h));
	h.bins[1024 / 8] = 400;
	h.bins[ZP_SIZE_BINS - 1] = 10;
	strcpy(row.type, "zbud");
	zpt_row_whatif(&row, &h, &m);
	tap_result(row.whatif[ZPT_BACKEND_ZSMALLOC].pool_pages == 110 &&
			 row.whatif[ZPT_BACKEND_ZBUD].pool_pages == 210,
			 "the same pages in a zbud pool give the same answers\n");

	row.stored_pages = 820;		/* half of them stored before the program */
	zpt_row_whatif(&row, &h, &m);
	tap_result(row.coverage == 0.5 && row.known_pages == 410 &&
			 row.whatif[ZPT_BACKEND_ZSMALLOC].pool_pages == 220 &&
			 row.whatif[ZPT_BACKEND_ZSMALLOC].ratio == 410.0 / 110,
			 "sizes known for half the pages: the ratio is theirs, the pool scaled to every page\n");

	strcpy(row.type, "z3fold");
	zpt_row_whatif(&row, &h, &m);
	tap_result(!row.has_whatif, "a backend without a model gets no prediction\n");
}

static void test_kconfig(void)
{
	const char *config = "# CONFIG_ZSMALLOC_STAT is not set\n"
			     "CONFIG_ZSMALLOC_CHAIN_SIZE_X=3\n"
			     "CONFIG_ZSMALLOC_CHAIN_SIZE=16\n";
	long v = 0, w = 0;

	tap_result(!zpt_parse_kconfig_int(config, "CONFIG_ZSMALLOC_CHAIN_SIZE", &v) && v == 16 &&
			 zpt_parse_kconfig_int(config, "CONFIG_ZSMALLOC_STAT", &w) &&
			 zpt_parse_kconfig_int("CONFIG_ZSMALLOC_CHAIN_SIZE=y\n",
					       "CONFIG_ZSMALLOC_CHAIN_SIZE", &w),
			 "the kernel configuration's CONFIG_ZSMALLOC_CHAIN_SIZE, not a longer name, not a comment\n");
}

/* The whatif table in text and JSON, for a pool whose sizes are known. */
static void make_whatif_view(struct zpt_view *v)
{
	make_view(v);
	view_rows[0].has_whatif = true;
	view_rows[0].known_pages = 123456;
	view_rows[0].coverage = 1;
	view_rows[0].whatif[ZPT_BACKEND_ZSMALLOC] = (struct zpt_whatif){ 16000, 7.716 };
	view_rows[0].whatif[ZPT_BACKEND_ZBUD] = (struct zpt_whatif){ 61728, 2.0 };
	view_rows[1].has_whatif = true;		/* no size known */
}

static const char whatif_json_check[] =
	"import json, sys\n"
	"o = json.loads(sys.stdin.read())\n"
	"p = o['pools']\n"
	"assert p[0]['whatif_known_pages'] == 123456 and p[0]['whatif_coverage'] == 1\n"
	"w = p[0]['whatif']\n"
	"assert list(w) == ['zsmalloc', 'zbud'], w\n"
	"assert w['zsmalloc'] == {'pool_bytes': 16000 * 4096, 'ratio': 7.716}, w\n"
	"assert w['zbud'] == {'pool_bytes': 61728 * 4096, 'ratio': 2}, w\n"
	"assert p[1]['whatif'] == {'zsmalloc': {'pool_bytes': 0, 'ratio': 0}, 'zbud': {'pool_bytes': 0, 'ratio': 0}}\n"
	"assert p[1]['whatif_coverage'] == 0\n";

static void test_whatif_output(void)
{
	char *buf = NULL, *line, *save = NULL;
	size_t size = 0, widest = 0;
	struct zpt_view v;
	bool ok;
	FILE *f;

	f = open_memstream(&buf, &size);
	if (f) {
		make_whatif_view(&v);
		zpt_print_text(f, &v, false);
		fclose(f);
	}
	ok = buf && strstr(buf, "\nwhat if, pool 0 (zsmalloc): 123k pages stored, sizes known for 100%\n"
				"  BACKEND   POOL RATIO\n"
				"  zsmalloc   66M  7.26 now\n"
				"  zsmalloc   62M  7.72 packed afresh\n"
				"  zbud      241M  2.00 if switched\n") &&
	     strstr(buf, "what if, pool 63 (zb\"u\\d): 0 pages stored, sizes known for 0%\n"
			 "  no size known yet: pages stored before zpooltop started have none\n");
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > widest)
			widest = strlen(line);
	tap_result(ok && widest <= 80,
			 "--whatif text: the pool now, packed afresh, and on the other backend, in 80 columns\n");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &size);
	if (f) {
		make_whatif_view(&v);
		zpt_print_json(f, &v, false);
		fclose(f);
	}
	tap_result(buf && python("python3", whatif_json_check, buf) == 0,
			 "--whatif JSON: under each pool, whatif with every backend's pool_bytes and ratio\n");
	free(buf);
	memset(view_rows, 0, sizeof(view_rows));
}

int main(void)
{
	tap_plan(34 + 26 + 6 + 9 + 7);
	test_percentiles();
	test_delta();
	test_sort_keys();
	test_sum_percpu();
	test_row();
	test_seeds();
	test_discards();
	test_cma_areas();
	test_lost();
	test_output_mode();
	test_sorting();
	test_parse_ulong();
	test_totals();
	test_units();
	test_text();
	test_text_default();
	test_first_screen();
	test_json();
	test_gcma_text();
	test_gcma_json();
	test_metrics();
	test_metrics_file();
	test_zsmalloc_classes();
	test_zsmalloc_debugfs();
	test_zbud_model();
	test_convert();
	test_row_whatif();
	test_kconfig();
	test_whatif_output();
	tap_finished();
}
