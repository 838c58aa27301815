// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "zpooltop_core.h"

__u64 zpt_hist_count(const struct zp_hist *h)
{
	__u64 total = 0;
	int i;

	for (i = 0; i < ZP_HIST_SLOTS; i++)
		total += h->slots[i];
	return total;
}

__u64 zpt_hist_percentile(const struct zp_hist *h, double p)
{
	__u64 total = zpt_hist_count(h), seen = 0;
	double want;
	int i;

	if (!total || p <= 0)
		return 0;
	if (p > 1)
		p = 1;
	want = p * (double)total;
	for (i = 0; i < ZP_HIST_SLOTS; i++) {
		seen += h->slots[i];
		if ((double)seen >= want)
			break;
	}
	if (i == ZP_HIST_SLOTS)		/* rounding: the last nonzero slot */
		i = ZP_HIST_SLOTS - 1;
	return i ? (2ULL << i) - 1 : 1;
}

void zpt_hist_delta(struct zp_hist *out, const struct zp_hist *now,
		    const struct zp_hist *prev)
{
	int i;

	/* Counters only grow; a pool id reused by a new pool starts over. */
	for (i = 0; i < ZP_HIST_SLOTS; i++)
		out->slots[i] = now->slots[i] >= prev->slots[i] ?
				now->slots[i] - prev->slots[i] : now->slots[i];
}

static const char *const sort_names[] = {
	[ZPT_SORT_STORED] = "stored",
	[ZPT_SORT_POOL] = "pool",
	[ZPT_SORT_RATIO] = "ratio",
	[ZPT_SORT_ALLOCS] = "allocs",
	[ZPT_SORT_EVICTS] = "evicts",
	[ZPT_SORT_WAITS] = "waits",
	[ZPT_SORT_ID] = "id",
};

int zpt_parse_sort_key(const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++)
		if (!strcmp(name, sort_names[i]))
			return (int)i;
	return -1;
}

const char *zpt_sort_key_names(void)
{
	return "stored, pool, ratio, allocs, evicts, waits, id";
}

static double rate(__u64 now, __u64 prev, double interval_s)
{
	if (interval_s <= 0 || now < prev)
		return 0;
	return (double)(now - prev) / interval_s;
}

void zpt_row_from_stats(struct zpt_row *row, unsigned int id,
			const struct zp_pool_stats *now,
			const struct zp_pool_stats *prev,
			__s64 seed_objects, double interval_s)
{
	struct zp_hist reclaim = {}, d;
	int h, i;

	memset(row, 0, sizeof(*row));
	row->id = id;
	memcpy(row->type, now->type, sizeof(row->type));
	row->type[sizeof(row->type) - 1] = '\0';
	row->stored_pages = seed_objects + now->objects;
	row->pool_pages = now->pool_pages;
	if (row->pool_pages && row->stored_pages > 0)
		row->ratio = (double)row->stored_pages / (double)row->pool_pages;

	row->allocs_s = rate(now->allocs, prev->allocs, interval_s);
	row->frees_s = rate(now->frees, prev->frees, interval_s);
	row->evicts_s = rate(now->evicts, prev->evicts, interval_s);
	row->map_waits_s = rate(now->map_waits, prev->map_waits, interval_s);

	for (h = ZP_HIST_EVICT; h <= ZP_HIST_SHRINK; h++) {
		zpt_hist_delta(&d, &now->hist[h], &prev->hist[h]);
		for (i = 0; i < ZP_HIST_SLOTS; i++)
			reclaim.slots[i] += d.slots[i];
	}
	row->reclaim_p50_ns = zpt_hist_percentile(&reclaim, 0.50);
	row->reclaim_p99_ns = zpt_hist_percentile(&reclaim, 0.99);
	zpt_hist_delta(&d, &now->hist[ZP_HIST_MAP_WAIT], &prev->hist[ZP_HIST_MAP_WAIT]);
	row->map_wait_p99_ns = zpt_hist_percentile(&d, 0.99);
}

static double key_value(const struct zpt_row *r, enum zpt_sort_key key)
{
	switch (key) {
	case ZPT_SORT_POOL:
		return (double)r->pool_pages;
	case ZPT_SORT_RATIO:
		return r->ratio;
	case ZPT_SORT_ALLOCS:
		return r->allocs_s;
	case ZPT_SORT_EVICTS:
		return r->evicts_s;
	case ZPT_SORT_WAITS:
		return r->map_waits_s;
	case ZPT_SORT_ID:
		return -(double)r->id;	/* ascending ids read best */
	case ZPT_SORT_STORED:
	default:
		return (double)r->stored_pages;
	}
}

static enum zpt_sort_key sort_key;

static int compare_rows(const void *a, const void *b)
{
	const struct zpt_row *x = a, *y = b;
	double vx = key_value(x, sort_key), vy = key_value(y, sort_key);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void zpt_sort_rows(struct zpt_row *rows, size_t n, enum zpt_sort_key key)
{
	sort_key = key;
	qsort(rows, n, sizeof(*rows), compare_rows);
}
