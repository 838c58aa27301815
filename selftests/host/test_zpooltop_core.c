// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of zpooltop's core: histogram percentiles and deltas,
 * sort keys, turning two reads of the BPF counters into a row, option
 * values, the kernel counters it reads, and the text and JSON it prints
 * (the JSON is checked by Python's parser, key by key).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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
	now.hist[ZP_HIST_MAP_HOLD].slots[9] = 60;
	now.hist[ZP_HIST_MAP_HOLD].slots[14] = 40;
	prev.hist[ZP_HIST_MAP_HOLD].slots[9] = 10;	/* before the interval */
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
	/* 50 of 90 holds in the interval are under 1 us, 40 near 16 us. */
	ksft_test_result(row.map_hold_hist.slots[9] == 50 &&
			 row.map_hold_p50_ns == 1023 && row.map_hold_p99_ns == 32767,
			 "map hold time is the interval's map-to-unmap histogram (p50 %llu p99 %llu)\n",
			 (unsigned long long)row.map_hold_p50_ns,
			 (unsigned long long)row.map_hold_p99_ns);

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

static void test_parse_ulong(void)
{
	unsigned long v = 7;

	ksft_test_result(!zpt_parse_ulong("5", 1, 10, &v) && v == 5 &&
			 !zpt_parse_ulong("10", 1, 10, &v) && v == 10,
			 "numbers in range parse\n");
	ksft_test_result(zpt_parse_ulong("0", 1, 10, &v) && zpt_parse_ulong("11", 1, 10, &v) &&
			 zpt_parse_ulong("", 1, 10, &v) && zpt_parse_ulong("-1", 0, 10, &v) &&
			 zpt_parse_ulong("+3", 0, 10, &v) && zpt_parse_ulong("3x", 0, 10, &v) &&
			 zpt_parse_ulong(" 3", 0, 10, &v) && zpt_parse_ulong(NULL, 0, 10, &v) &&
			 zpt_parse_ulong("99999999999999999999999", 0, ~0UL, &v) && v == 10,
			 "out of range, empty, signed, junk and overflowing values are refused and leave the value alone\n");
}

static void test_totals(void)
{
	const char *meminfo = "MemTotal:       1000 kB\nZswap:            200 kB\nZswapped:        1400 kB\n";
	const char *vmstat = "pswpin 3\npswpout 4\nzswpin 10\nzswpout 20\nzswpwb 5\nzswpout_x 99\n";
	struct zpt_totals t = {};

	ksft_test_result(zpt_parse_totals(meminfo, &t) == 2 && zpt_parse_totals(vmstat, &t) == 5 &&
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
	ksft_test_result(!strcmp(a, "9999") && !strcmp(b, "12k") && !strcmp(c, "12M") &&
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
		.evicts_s = 0, .reclaim_p50_ns = 2047, .reclaim_p99_ns = 1ULL << 40,
		.map_waits_s = 12, .map_wait_p99_ns = 8191, .map_hold_p50_ns = 1023,
		.map_hold_p99_ns = 65535 };
	view_rows[0].reclaim_hist.slots[10] = 4;
	view_rows[0].map_wait_hist.slots[12] = 2;
	view_rows[0].map_hold_hist.slots[9] = 7;
	view_rows[1] = (struct zpt_row){ .id = 63, .type = "zbud" };
	v->rows = view_rows;
	v->nrows = 2;
	v->memcg = &view_memcg;
}

static char *print_to_string(void (*print)(FILE *, const struct zpt_view *, bool), bool hist)
{
	struct zpt_view v;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	make_view(&v);
	print(f, &v, hist);
	fclose(f);
	return buf;
}

static void test_text(void)
{
	char *text = print_to_string(zpt_print_text, false), *line, *save = NULL;
	size_t widest = 0, lines = 0;
	bool found = false;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		lines++;
		if (strlen(line) > widest)
			widest = strlen(line);
		/* id, backend, stored 123k, 66M pool, ratio, 100k allocs/s */
		found |= !strncmp(line, " 0 zsmalloc   123k   66M  7.26  100k", 36);
	}
	ksft_test_result(text && widest <= 80 && lines == 7 && found,
			 "text: %zu lines, the widest %zu columns (at most 80), the busy pool's row as expected\n",
			 lines, widest);
	free(text);

	text = print_to_string(zpt_print_text, true);
	ksft_test_result(text && strstr(text, "pool 0 (zsmalloc) map lock wait:") &&
			 strstr(text, "4096 -> 8191       : 2        |****************************************|") &&
			 strstr(text, "pool 0 (zsmalloc) time mapped (map to unmap):") &&
			 strstr(text, "512 -> 1023       : 7        |****************************************|") &&
			 strstr(text, "(no samples)"),
			 "--hist prints log2 star histograms per pool\n");
	free(text);
}

/* Python's json module checks the syntax and every documented key. */
static const char json_check[] =
	"import json, sys\n"
	"o = json.loads(sys.stdin.read())\n"
	"want = {'time', 'interval_s', 'system', 'memcg', 'pools'}\n"
	"sysk = {'zswap_bytes', 'zswapped_bytes', 'ratio', 'stored_pages', 'written_back_pages',\n"
	"        'zswpout_s', 'zswpin_s', 'zswpwb_s', 'pswpout_s', 'pswpin_s'}\n"
	"poolk = {'id', 'backend', 'stored_pages', 'pool_pages', 'pool_bytes', 'ratio', 'allocs_s',\n"
	"         'frees_s', 'evicts_s', 'reclaim_p50_ns', 'reclaim_p99_ns', 'map_waits_s',\n"
	"         'map_wait_p99_ns', 'map_hold_p50_ns', 'map_hold_p99_ns', 'reclaim_hist',\n"
	"         'map_wait_hist', 'map_hold_hist'}\n"
	"assert set(o) == want, set(o) ^ want\n"
	"assert set(o['system']) == sysk, set(o['system']) ^ sysk\n"
	"assert set(o['memcg']) == {'path', 'id', 'stores_s', 'loads_s', 'writebacks_s', 'store_ratio'}\n"
	"assert o['memcg']['path'].startswith('/sys/fs/cgroup/a \"quoted\" name/')\n"
	"assert o['system']['zswpout_s'] == 1000 and o['system']['ratio'] == 7\n"
	"p = o['pools']\n"
	"assert [x['id'] for x in p] == [0, 63] and p[0]['backend'] == 'zsmalloc'\n"
	"assert all(set(x) == poolk for x in p), [set(x) ^ poolk for x in p]\n"
	"assert p[0]['stored_pages'] == 123456 and p[0]['pool_bytes'] == 17000 * 4096\n"
	"assert p[0]['reclaim_p99_ns'] == 1 << 40 and len(p[0]['reclaim_hist']) == 32\n"
	"assert p[0]['map_wait_hist'][12] == 2\n"
	"assert p[0]['map_hold_p50_ns'] == 1023 and p[0]['map_hold_p99_ns'] == 65535\n"
	"assert p[0]['map_hold_hist'][9] == 7 and len(p[0]['map_hold_hist']) == 32\n";

static void test_json(void)
{
	char *json = print_to_string(zpt_print_json, true);
	int status = -1;
	FILE *py = NULL;

	setenv("ZPT_JSON_CHECK", json_check, 1);
	if (json)
		py = popen("python3 -c \"$ZPT_JSON_CHECK\"", "w");
	if (py) {
		fputs(json, py);
		status = pclose(py);
	}
	ksft_test_result(json && strchr(json, '\n') == json + strlen(json) - 1 &&
			 status == 0,
			 "JSON: one line that parses, with every documented key and value\n");
	free(json);
}

int main(void)
{
	ksft_print_header();
	ksft_set_plan(22);
	test_percentiles();
	test_delta();
	test_sort_keys();
	test_row();
	test_sorting();
	test_parse_ulong();
	test_totals();
	test_units();
	test_text();
	test_json();
	ksft_finished();
}
