// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * zpooltop's statistics: the sums of the per-CPU BPF counters, histogram
 * deltas and percentiles, a pool's row and a memory cgroup's from two
 * reads of the counters, gcma discards, the CMA areas of --cma, the sort
 * of the rows, the option values -s and -o, and the kernel's text that
 * zpooltop reads (/proc/meminfo, /proc/vmstat, zswap's debugfs "pools").
 * The --whatif models and the output formats are in files of their own.
 */
#include <stdlib.h>
#include <string.h>

#include "zpooltop_priv.h"

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
	__u64 total = zpt_hist_count(h), before = 0;
	double want, low, high, v;
	int i;

	if (!total || p <= 0)
		return 0;
	if (p > 1)
		p = 1;
	want = p * (double)total;
	for (i = 0; i < ZP_HIST_SLOTS; i++) {
		if (h->slots[i] && (double)(before + h->slots[i]) >= want)
			break;
		before += h->slots[i];
	}
	if (i == ZP_HIST_SLOTS) {	/* rounding: the last nonzero slot */
		for (i = ZP_HIST_SLOTS - 1; i > 0 && !h->slots[i]; i--)
			;
		before = total - h->slots[i];
	}
	low = i ? (double)(1ULL << i) : 0;
	high = (double)(2ULL << i);
	v = low + (high - low) * (want - (double)before) / (double)h->slots[i];
	if (v > high)
		v = high;
	return (__u64)(v + 0.5);
}

/* A counter's growth; a pool id reused by a new pool starts over. */
static __u64 grown(__u64 now, __u64 prev)
{
	return now >= prev ? now - prev : now;
}

void zpt_hist_delta(struct zp_hist *out, const struct zp_hist *now,
		    const struct zp_hist *prev)
{
	int i;

	for (i = 0; i < ZP_HIST_SLOTS; i++)
		out->slots[i] = grown(now->slots[i], prev->slots[i]);
}

const struct zpt_hist_name zpt_hist_names[ZP_NR_HISTS] = {
	[ZP_HIST_WRITEBACK] = { "writeback",
		"writeback latency (zswap writing one entry back to swap)" },
	[ZP_HIST_EVICT] = { "evict",
		"evict latency (the backend evicting one object; a zbud eviction includes its writeback)" },
	[ZP_HIST_SHRINK] = { "shrink",
		"shrink latency (one zpool_shrink call; it wraps evictions)" },
	[ZP_HIST_MAP_WAIT] = { "map_wait",
		"map lock wait (object reads and writes that waited)" },
	[ZP_HIST_MAP_HOLD] = { "map_hold", "time mapped (map to unmap)" },
};

const enum zp_hist_kind zpt_hist_order[ZP_NR_HISTS] = {
	ZP_HIST_WRITEBACK, ZP_HIST_EVICT, ZP_HIST_SHRINK, ZP_HIST_MAP_WAIT,
	ZP_HIST_MAP_HOLD,
};

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

__s64 zpt_pool_objects(const struct zpt_pool *p)
{
	return (__s64)(p->c.allocs - p->c.frees);
}

void zpt_sum_percpu(void *sum, const void *percpu, size_t size, unsigned int ncpus)
{
	size_t words = size / sizeof(__u64), stride = (size + 7) / 8, i;
	const __u64 *copy = percpu;
	__u64 *out = sum;
	unsigned int cpu;

	memset(sum, 0, size);
	/* Signed fields too: two's complement adds the same way. */
	for (cpu = 0; cpu < ncpus; cpu++, copy += stride)
		for (i = 0; i < words; i++)
			out[i] += copy[i];
}

void zpt_discards_from_counters(struct zpt_discards *d,
				const struct zp_pool_counters *c)
{
	d->events = c->discards;
	d->pages = c->discard_pages;
	d->objects = c->discard_objects;
	d->wait_ns = c->discard_wait_ns;
}

bool zpt_row_shows_discards(const struct zpt_row *row)
{
	return !strcmp(row->type, ZPT_GCMA) || row->total.discards;
}

void zpt_row_from_stats(struct zpt_row *row, unsigned int id,
			const struct zpt_pool *now, const struct zpt_pool *prev,
			__s64 seed_objects, double interval_s)
{
	const struct zp_pool_counters *n = &now->c, *p = &prev->c;
	int h;

	memset(row, 0, sizeof(*row));
	row->id = id;
	memcpy(row->type, now->info.type, sizeof(row->type));
	row->type[sizeof(row->type) - 1] = '\0';
	row->stored_pages = seed_objects + zpt_pool_objects(now);
	row->pool_pages = now->info.pool_pages;
	if (row->pool_pages && row->stored_pages > 0)
		row->ratio = (double)row->stored_pages / (double)row->pool_pages;

	row->allocs_s = rate(n->allocs, p->allocs, interval_s);
	row->frees_s = rate(n->frees, p->frees, interval_s);
	row->evicts_s = rate(n->evicts, p->evicts, interval_s);
	row->map_waits_s = rate(n->map_waits, p->map_waits, interval_s);
	/* The events come together: each one's fields restart together. */
	row->discards.events = grown(n->discards, p->discards);
	row->discards.pages = grown(n->discard_pages, p->discard_pages);
	row->discards.objects = grown(n->discard_objects, p->discard_objects);
	row->discards.wait_ns = grown(n->discard_wait_ns, p->discard_wait_ns);

	for (h = 0; h < ZP_NR_HISTS; h++) {
		zpt_hist_delta(&row->hist[h], &n->hist[h], &p->hist[h]);
		row->p50_ns[h] = zpt_hist_percentile(&row->hist[h], 0.50);
		row->p99_ns[h] = zpt_hist_percentile(&row->hist[h], 0.99);
	}
	row->total = *n;
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

static const struct {
	const char *key;
	size_t offset;
	unsigned int scale;	/* meminfo is in kB */
} total_keys[] = {
	{ "Zswap:", offsetof(struct zpt_totals, zswap_bytes), 1024 },
	{ "Zswapped:", offsetof(struct zpt_totals, zswapped_bytes), 1024 },
	{ "zswpout", offsetof(struct zpt_totals, zswpout), 1 },
	{ "zswpin", offsetof(struct zpt_totals, zswpin), 1 },
	{ "zswpwb", offsetof(struct zpt_totals, zswpwb), 1 },
	{ "pswpout", offsetof(struct zpt_totals, pswpout), 1 },
	{ "pswpin", offsetof(struct zpt_totals, pswpin), 1 },
};

int zpt_parse_totals(const char *text, struct zpt_totals *t)
{
	const char *line = text;
	int found = 0;
	size_t i, len;

	while (line && *line) {
		for (i = 0; i < sizeof(total_keys) / sizeof(total_keys[0]); i++) {
			len = strlen(total_keys[i].key);
			if (strncmp(line, total_keys[i].key, len) ||
			    (line[len] != ' ' && line[len] != '\t'))
				continue;
			*(__u64 *)((char *)t + total_keys[i].offset) =
				strtoull(line + len, NULL, 10) * total_keys[i].scale;
			found++;
			break;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return found;
}

int zpt_parse_seeds(const char *text, const struct zpt_pool *counted,
		    struct zpt_seed *seeds)
{
	char type[ZP_TYPE_LEN];
	long long stored, pages;
	const char *line = text;
	unsigned int id;
	int found = 0;

	memset(seeds, 0, ZP_MAX_POOLS * sizeof(*seeds));
	while (line && *line) {
		/* "id zpool compressor stored_pages pool_pages"; the title fails */
		if (sscanf(line, "%u %15s %*s %lld %lld", &id, type, &stored, &pages) == 4 &&
		    id < ZP_MAX_POOLS && stored >= 0 && pages >= 0) {
			seeds[id].known = true;
			seeds[id].objects = stored - (counted ? zpt_pool_objects(&counted[id]) : 0);
			seeds[id].pool_pages = (__u64)pages;
			memcpy(seeds[id].type, type, sizeof(type));
			found++;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return found;
}

bool zpt_lost_warning(char *buf, size_t size, __u64 prev, __u64 now)
{
	if (now <= prev)
		return false;
	snprintf(buf, size,
		 "zpooltop: warning: %llu events lost in this interval (pools with an id above %d, or CMA areas past the first %d); the figures miss them.\n",
		 (unsigned long long)(now - prev), ZP_MAX_POOLS - 1, ZP_CMA_MAX_AREAS);
	return true;
}

static const char *const format_names[] = {
	[ZPT_FMT_TEXT] = "text",
	[ZPT_FMT_JSON] = "json",
	[ZPT_FMT_OPENMETRICS] = "openmetrics",
};

int zpt_parse_format(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(name, format_names[i]))
			return (int)i;
	return -1;
}

bool zpt_clear_screen(enum zpt_format fmt, bool plain, bool tty)
{
	return fmt == ZPT_FMT_TEXT && !plain && tty;
}

void zpt_memcg_row_from_stats(struct zpt_memcg_row *row,
			      const struct zp_memcg_stats *now,
			      const struct zp_memcg_stats *prev,
			      double interval_s)
{
	__u64 orig = now->store_orig_bytes - prev->store_orig_bytes;
	__u64 comp = now->store_compressed_bytes - prev->store_compressed_bytes;

	row->stores_s = rate(now->stores, prev->stores, interval_s);
	row->loads_s = rate(now->loads, prev->loads, interval_s);
	row->writebacks_s = rate(now->writebacks, prev->writebacks, interval_s);
	row->store_ratio = comp && now->store_orig_bytes >= prev->store_orig_bytes ?
			   (double)orig / (double)comp : 0;
}

void zpt_cma_sum_percpu(struct zp_cma_stats *sum, const void *percpu,
			unsigned int ncpus)
{
	size_t stride = (sizeof(*sum) + 7) / 8 * 8;
	const struct zp_cma_stats *copy;
	unsigned int cpu;

	zpt_sum_percpu(sum, percpu, sizeof(*sum), ncpus);
	sum->max_ns = 0;
	for (cpu = 0; cpu < ncpus; cpu++) {
		copy = (const void *)((const char *)percpu + cpu * stride);
		if (copy->max_ns > sum->max_ns)
			sum->max_ns = copy->max_ns;
	}
}

void zpt_cma_area_from_stats(struct zpt_cma_area *area, const char *name,
			     const struct zp_cma_stats *s)
{
	memset(area, 0, sizeof(*area));
	memcpy(area->name, name, sizeof(area->name));
	area->name[sizeof(area->name) - 1] = '\0';
	area->allocs = s->allocs;
	area->failures = s->failures;
	area->max_ns = s->max_ns;
	area->hist = s->hist;
	area->p50_ns = zpt_hist_percentile(&s->hist, 0.50);
	area->p99_ns = zpt_hist_percentile(&s->hist, 0.99);
	/* Interpolation stays inside the slot; the slot may reach past the max. */
	if (area->p50_ns > area->max_ns)
		area->p50_ns = area->max_ns;
	if (area->p99_ns > area->max_ns)
		area->p99_ns = area->max_ns;
}

static int compare_areas(const void *a, const void *b)
{
	const struct zpt_cma_area *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void zpt_sort_cma_areas(struct zpt_cma_area *areas, size_t n)
{
	qsort(areas, n, sizeof(*areas), compare_areas);
}
