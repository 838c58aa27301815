// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of zpooltop's arithmetic: histogram percentiles and
 * deltas, sort keys, and turning two reads of the BPF counters into a row.
 */
#include <string.h>

#include "kselftest.h"
#include "zpooltop_core.h"

static void test_percentiles(void)
{
	struct zp_hist h = {};

	ksft_test_result(zpt_hist_percentile(&h, 0.5) == 0,
			 "an empty histogram has percentile 0\n");

	h.slots[0] = 10;
	ksft_test_result(zpt_hist_percentile(&h, 0.99) == 1,
			 "slot 0 (values 0 and 1) reports 1\n");

	memset(&h, 0, sizeof(h));
	h.slots[3] = 50;	/* [8, 16) */
	h.slots[5] = 49;	/* [32, 64) */
	h.slots[10] = 1;	/* [1024, 2048) */
	ksft_test_result(zpt_hist_percentile(&h, 0.50) == 15 &&
			 zpt_hist_percentile(&h, 0.99) == 63 &&
			 zpt_hist_percentile(&h, 1.0) == 2047,
			 "p50/p99/p100 are the upper bounds of the slots that reach them (%llu %llu %llu)\n",
			 (unsigned long long)zpt_hist_percentile(&h, 0.50),
			 (unsigned long long)zpt_hist_percentile(&h, 0.99),
			 (unsigned long long)zpt_hist_percentile(&h, 1.0));

	h.slots[ZP_HIST_SLOTS - 1] = 1000;
	ksft_test_result(zpt_hist_percentile(&h, 0.99) == (2ULL << (ZP_HIST_SLOTS - 1)) - 1,
			 "the last slot's bound is reported for the clamped tail\n");
}

static void test_delta(void)
{
	struct zp_hist now = {}, prev = {}, d;

	now.slots[2] = 7;
	prev.slots[2] = 4;
	now.slots[4] = 3;	/* a pool id reused: counters started over */
	prev.slots[4] = 9;
	zpt_hist_delta(&d, &now, &prev);
	ksft_test_result(d.slots[2] == 3 && d.slots[4] == 3 && zpt_hist_count(&d) == 6,
			 "interval deltas, and a restart counts from zero\n");
}

static void test_sort_keys(void)
{
	ksft_test_result(zpt_parse_sort_key("stored") == ZPT_SORT_STORED &&
			 zpt_parse_sort_key("waits") == ZPT_SORT_WAITS &&
			 zpt_parse_sort_key("id") == ZPT_SORT_ID,
			 "sort keys parse by name\n");
	ksft_test_result(zpt_parse_sort_key("Stored") == -1 &&
			 zpt_parse_sort_key("") == -1 &&
			 zpt_parse_sort_key(NULL) == -1,
			 "unknown, empty and missing sort keys are refused\n");
}

static void test_row(void)
{
	struct zp_pool_stats prev = {}, now = {};
	struct zpt_row row;

	strcpy(now.type, "zbud");
	now.objects = 600;	/* since attach */
	now.pool_pages = 500;
	now.allocs = 1000;
	prev.allocs = 400;
	now.evicts = 30;
	now.map_waits = 8;
	now.hist[ZP_HIST_EVICT].slots[10] = 90;
	now.hist[ZP_HIST_WRITEBACK].slots[12] = 9;
	now.hist[ZP_HIST_SHRINK].slots[20] = 1;
	now.hist[ZP_HIST_MAP_WAIT].slots[6] = 8;
	zpt_row_from_stats(&row, 3, &now, &prev, 400, 2.0);

	ksft_test_result(row.id == 3 && !strcmp(row.type, "zbud") &&
			 row.stored_pages == 1000 && row.pool_pages == 500 &&
			 row.ratio == 2.0,
			 "stored pages add the seed; ratio is stored over pool pages (%.2f)\n",
			 row.ratio);
	ksft_test_result(row.allocs_s == 300.0 && row.evicts_s == 15.0 &&
			 row.map_waits_s == 4.0 && row.frees_s == 0.0,
			 "rates are interval deltas over the interval\n");
	ksft_test_result(row.reclaim_p50_ns == 2047 && row.reclaim_p99_ns == 8191 &&
			 row.map_wait_p99_ns == 127,
			 "reclaim latency merges evict, writeback and shrink (p50 %llu p99 %llu)\n",
			 (unsigned long long)row.reclaim_p50_ns,
			 (unsigned long long)row.reclaim_p99_ns);

	memset(&now, 0, sizeof(now));
	zpt_row_from_stats(&row, 1, &now, &prev, 0, 0);
	ksft_test_result(row.ratio == 0 && row.allocs_s == 0,
			 "an empty pool and a zero interval give zeros, not NaN\n");
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
	ksft_test_result(rows[0].id == 0 && rows[1].id == 1 && rows[2].id == 2 &&
			 rows[3].id == 3,
			 "largest first, ties by ascending id\n");
	zpt_sort_rows(rows, 4, ZPT_SORT_RATIO);
	ksft_test_result(rows[0].id == 0 && rows[1].id == 2 && rows[2].id == 1,
			 "sort by ratio\n");
	zpt_sort_rows(rows, 4, ZPT_SORT_ID);
	ksft_test_result(rows[0].id == 0 && rows[3].id == 3, "sort by id ascending\n");
}

int main(void)
{
	ksft_print_header();
	ksft_set_plan(14);
	test_percentiles();
	test_delta();
	test_sort_keys();
	test_row();
	test_sorting();
	ksft_finished();
}
