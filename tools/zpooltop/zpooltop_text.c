// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * zpooltop's text output: numbers squeezed into the columns, the screen
 * (the system's zswap, the cgroup of -c, the pools, their discards and
 * --whatif, the CMA areas of --cma) and the log2 histograms of --hist in
 * the star-bar format of bcc's tools.
 */
#include <string.h>
#include <time.h>

#include "zpooltop_priv.h"

/* v with a k/M/G/T suffix in at most 5 characters. */
static void fmt_scaled(char *buf, size_t size, double v, unsigned int base,
		       const char *unit)
{
	static const char suffix[] = " kMGTP";
	int i = 0;

	if (v < 0)
		v = 0;
	while (v >= 9999.5 && i < 5) {
		v /= base;
		i++;
	}
	if (i == 0)
		snprintf(buf, size, "%.0f%s", v, unit);
	else if (v < 9.95)
		snprintf(buf, size, "%.1f%c%s", v, suffix[i], unit);
	else
		snprintf(buf, size, "%.0f%c%s", v, suffix[i], unit);
}

void zpt_fmt_count(char *buf, size_t size, double v)
{
	fmt_scaled(buf, size, v, 1000, "");
}

void zpt_fmt_bytes(char *buf, size_t size, double bytes)
{
	static const char suffix[] = "BKMGTP";
	int i = 0;

	while (bytes >= 999.5 && i < 5) {
		bytes /= 1024;
		i++;
	}
	if (i && bytes < 9.95)
		snprintf(buf, size, "%.1f%c", bytes, suffix[i]);
	else
		snprintf(buf, size, "%.0f%c", bytes, suffix[i]);
}

void zpt_fmt_ns(char *buf, size_t size, __u64 ns)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	double v = (double)ns;
	int i = 0;

	if (!ns) {
		snprintf(buf, size, "-");
		return;
	}
	while (v >= 999.5 && i < 3) {
		v /= 1000;
		i++;
	}
	if (v < 9.95 && i)
		snprintf(buf, size, "%.1f%s", v, unit[i]);
	else
		snprintf(buf, size, "%.0f%s", v, unit[i]);
}

/*
 * A ratio for the text view, or "-" where nothing in RAM holds the pages:
 * a gcma pool whose pages were all taken back, or zswap's RAM when only
 * gcma holds pages (meminfo's Zswap does not count the GCMA area).
 */
static void fmt_ratio(char *buf, size_t size, double ratio)
{
	if (ratio > 0)
		snprintf(buf, size, "%.2f", ratio);
	else
		snprintf(buf, size, "-");
}

#define STAR_WIDTH 40

/*
 * The unit of a latency histogram, as libbpf-tools' print_log2_hist()
 * users choose it: the largest in which the fastest sample is at least 1,
 * so that the rows start near the samples instead of at "0 -> 1" ns.
 */
static const struct {
	const char *name;
	__u64 ns;
	int first_slot;		/* the slot of 1 unit: log2(ns) */
} hist_units[] = {
	{ "msecs", 1000000, 20 },
	{ "usecs", 1000, 10 },
	{ "nsecs", 1, 0 },
};

void zpt_print_log2_hist(FILE *f, const struct zp_hist *h)
{
	int i, first = -1, last = -1, stars, j, u;
	__u64 max = 0, low, high;

	for (i = 0; i < ZP_HIST_SLOTS; i++) {
		if (h->slots[i] > max)
			max = h->slots[i];
		if (h->slots[i] && first < 0)
			first = i;
		if (h->slots[i])
			last = i;
	}
	if (last < 0) {
		fprintf(f, "     (no samples)\n");
		return;
	}
	for (u = 0; hist_units[u].first_slot > first; u++)
		;
	fprintf(f, "%24s : count    distribution\n", hist_units[u].name);
	/* Slot i holds [2^i, 2^(i+1)) ns; 0 and 1 ns are both in slot 0. */
	for (i = hist_units[u].first_slot; i <= last; i++) {
		low = (i ? 1ULL << i : 0) / hist_units[u].ns;
		high = ((2ULL << i) - 1) / hist_units[u].ns;
		stars = (int)(h->slots[i] * STAR_WIDTH / max);
		fprintf(f, "%10llu -> %-10llu : %-8llu |",
			(unsigned long long)low, (unsigned long long)high,
			(unsigned long long)h->slots[i]);
		for (j = 0; j < STAR_WIDTH; j++)
			fputc(j < stars ? '*' : ' ', f);
		fputs("|\n", f);
	}
}

/* A rate for the screen: "-" before the first interval has passed. */
static void fmt_rate(char *buf, size_t size, double v, const struct zpt_view *view)
{
	if (view->interval_s <= 0)
		snprintf(buf, size, "-");
	else
		zpt_fmt_count(buf, size, v);
}

/*
 * --whatif: the pool as it is, then each backend's model of the same
 * objects, its own backend's first ("packed afresh").
 */
static void print_whatif(FILE *f, const struct zpt_row *r, unsigned long page_size)
{
	int own = zpt_backend_by_name(r->type), b;
	char stored[16], size[16];

	if (!r->has_whatif)
		return;
	zpt_fmt_count(stored, sizeof(stored), (double)r->stored_pages);
	fprintf(f, "\nwhat if, pool %u (%s): %s pages stored, sizes known for %.0f%%\n",
		r->id, r->type, stored, r->coverage * 100);
	if (!r->known_pages) {
		fprintf(f, "  no size known yet: pages stored before zpooltop started have none\n");
		return;
	}
	fprintf(f, "  %-8s %5s %5s\n", "BACKEND", "POOL", "RATIO");
	zpt_fmt_bytes(size, sizeof(size), (double)r->pool_pages * page_size);
	fprintf(f, "  %-8.8s %5s %5.2f now\n", r->type, size, r->ratio);
	for (b = -1; b < ZPT_NR_BACKENDS; b++) {
		int k = b < 0 ? own : b;

		if (b == own)
			continue;
		zpt_fmt_bytes(size, sizeof(size), (double)r->whatif[k].pool_pages * page_size);
		fprintf(f, "  %-8s %5s %5.2f %s\n", zpt_backend_name(k), size,
			r->whatif[k].ratio, b < 0 ? "packed afresh" : "if switched");
	}
}

/* A count of the interval: "-" before the first interval has passed. */
static void fmt_interval_ns(char *buf, size_t size, __u64 ns, const struct zpt_view *view)
{
	if (view->interval_s <= 0)
		snprintf(buf, size, "-");
	else
		zpt_fmt_ns(buf, size, ns);
}

/* One row's discards: @d, of the interval if @interval, else since counting began. */
static void print_discard_figures(FILE *f, const struct zpt_discards *d,
				  const struct zpt_view *v, bool interval)
{
	char events[16], pages[16], objects[16], wait[16];

	if (interval) {
		fmt_rate(events, sizeof(events), (double)d->events, v);
		fmt_rate(pages, sizeof(pages), (double)d->pages, v);
		fmt_rate(objects, sizeof(objects), (double)d->objects, v);
		fmt_interval_ns(wait, sizeof(wait), d->wait_ns, v);
	} else {
		zpt_fmt_count(events, sizeof(events), (double)d->events);
		zpt_fmt_count(pages, sizeof(pages), (double)d->pages);
		zpt_fmt_count(objects, sizeof(objects), (double)d->objects);
		zpt_fmt_ns(wait, sizeof(wait), d->wait_ns);
	}
	fprintf(f, " %6s %5s %5s %5s", events, pages, objects, wait);
}

/*
 * The discards of gcma pools, and of any pool that discarded: in the
 * interval, and since counting began.
 */
static void print_discards(FILE *f, const struct zpt_view *v)
{
	struct zpt_discards total;
	bool any = false;
	size_t i;

	for (i = 0; i < v->nrows; i++) {
		const struct zpt_row *r = &v->rows[i];

		if (!zpt_row_shows_discards(r))
			continue;
		if (!any) {
			fprintf(f, "\n%-11s %-24s %s\n", "DISCARDS", "in the interval",
				"| since counting began");
			fprintf(f, "%2s %-8s %6s %5s %5s %5s | %6s %5s %5s %5s\n", "ID",
				"BACKEND", "EVENTS", "PAGES", "OBJS", "WAIT", "EVENTS",
				"PAGES", "OBJS", "WAIT");
			any = true;
		}
		fprintf(f, "%2u %-8.8s", r->id, r->type);
		print_discard_figures(f, &r->discards, v, true);
		fputs(" |", f);
		zpt_discards_from_counters(&total, &r->total);
		print_discard_figures(f, &total, v, false);
		fputc('\n', f);
	}
}

/* --cma: each CMA area's contiguous allocations since zpooltop started. */
static void print_cma(FILE *f, const struct zpt_view *v)
{
	char allocs[16], failures[16], p50[16], p99[16], max[16];
	size_t i;

	fprintf(f, "\n%-16s %6s %5s %5s %5s %5s  since zpooltop started\n", "CMA AREA",
		"ALLOCS", "FAIL", "P50", "P99", "MAX");
	for (i = 0; i < v->nareas; i++) {
		const struct zpt_cma_area *ar = &v->areas[i];

		zpt_fmt_count(allocs, sizeof(allocs), (double)ar->allocs);
		zpt_fmt_count(failures, sizeof(failures), (double)ar->failures);
		zpt_fmt_ns(p50, sizeof(p50), ar->p50_ns);
		zpt_fmt_ns(p99, sizeof(p99), ar->p99_ns);
		zpt_fmt_ns(max, sizeof(max), ar->max_ns);
		fprintf(f, "%-16.16s %6s %5s %5s %5s %5s\n", ar->name, allocs, failures,
			p50, p99, max);
	}
	if (!v->nareas)
		fprintf(f, "   (no contiguous allocation yet)\n");
}

/* The system's zswap (/proc/meminfo, /proc/vmstat): in all, then per second. */
static void print_system(FILE *f, const struct zpt_view *v)
{
	char stamp[16], pool[16], stored[16], pages[16], written[16], ratio[16];
	char zswpout[16], zswpin[16], zswpwb[16], pswpout[16], pswpin[16];
	const struct zpt_totals *t = &v->now, *p = &v->prev;
	time_t when = (time_t)v->time;
	struct tm tm;

	localtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	zpt_fmt_bytes(pool, sizeof(pool), (double)t->zswap_bytes);
	zpt_fmt_bytes(stored, sizeof(stored), (double)t->zswapped_bytes);
	zpt_fmt_count(pages, sizeof(pages), (double)(t->zswapped_bytes / v->page_size));
	zpt_fmt_count(written, sizeof(written), (double)t->zswpwb);
	fmt_ratio(ratio, sizeof(ratio), system_ratio(t));
	fprintf(f, "%s zswap %s holds %s (%s%s), %s pages, %s written back\n",
		stamp, pool, stored, ratio, system_ratio(t) > 0 ? ":1" : "", pages, written);
	fmt_rate(zswpout, sizeof(zswpout), rate(t->zswpout, p->zswpout, v->interval_s), v);
	fmt_rate(zswpin, sizeof(zswpin), rate(t->zswpin, p->zswpin, v->interval_s), v);
	fmt_rate(zswpwb, sizeof(zswpwb), rate(t->zswpwb, p->zswpwb, v->interval_s), v);
	fmt_rate(pswpout, sizeof(pswpout), rate(t->pswpout, p->pswpout, v->interval_s), v);
	fmt_rate(pswpin, sizeof(pswpin), rate(t->pswpin, p->pswpin, v->interval_s), v);
	fprintf(f, "pages/s: zswap out %s in %s written back %s; swap out %s in %s\n",
		zswpout, zswpin, zswpwb, pswpout, pswpin);
}

/* -c: the cgroup's zswap flows. */
static void print_memcg(FILE *f, const struct zpt_view *v)
{
	const struct zpt_memcg_row *m = v->memcg;
	char stores[16], loads[16], writebacks[16];
	size_t len = strlen(m->path);

	fmt_rate(stores, sizeof(stores), m->stores_s, v);
	fmt_rate(loads, sizeof(loads), m->loads_s, v);
	fmt_rate(writebacks, sizeof(writebacks), m->writebacks_s, v);
	/* A long path keeps its end, which names the cgroup. */
	if (len > 72)
		fprintf(f, "cgroup ...%s\n", m->path + len - 69);
	else
		fprintf(f, "cgroup %s\n", m->path);
	fprintf(f, "  zswap pages/s: stored %s loaded %s written back %s; stored at %.2f:1\n",
		stores, loads, writebacks, m->store_ratio);
}

/* One pool's row of the table. */
static void print_pool(FILE *f, const struct zpt_view *v, const struct zpt_row *r)
{
	char stored[16], pool[16], ratio[16], allocs[16], frees[16], evicts[16];
	char rcl50[16], rcl99[16], waits[16], wt99[16];

	zpt_fmt_count(stored, sizeof(stored), (double)r->stored_pages);
	zpt_fmt_bytes(pool, sizeof(pool), (double)r->pool_pages * v->page_size);
	fmt_ratio(ratio, sizeof(ratio), r->ratio);
	fmt_rate(allocs, sizeof(allocs), r->allocs_s, v);
	fmt_rate(frees, sizeof(frees), r->frees_s, v);
	fmt_rate(evicts, sizeof(evicts), r->evicts_s, v);
	zpt_fmt_ns(rcl50, sizeof(rcl50), r->p50_ns[ZPT_RECLAIM_HIST]);
	zpt_fmt_ns(rcl99, sizeof(rcl99), r->p99_ns[ZPT_RECLAIM_HIST]);
	fprintf(f, "%2u %-8.8s %6s %5s %5s %5s %5s %5s %5s %5s",
		r->id, r->type, stored, pool, ratio, allocs, frees, evicts, rcl50, rcl99);
	if (v->waits) {
		fmt_rate(waits, sizeof(waits), r->map_waits_s, v);
		zpt_fmt_ns(wt99, sizeof(wt99), r->p99_ns[ZP_HIST_MAP_WAIT]);
		fprintf(f, " %5s %5s", waits, wt99);
	}
	fputc('\n', f);
}

/*
 * --hist: each pool's measured latency levels, once an interval has
 * passed, then each CMA area's allocations, which are counted since
 * zpooltop started.
 */
static void print_hists(FILE *f, const struct zpt_view *v)
{
	enum zp_hist_kind k;
	size_t i;
	int j;

	for (i = 0; v->interval_s > 0 && i < v->nrows; i++) {
		for (j = 0; j < ZP_NR_HISTS; j++) {
			k = zpt_hist_order[j];
			if (!level_measured(v, k))
				continue;
			fprintf(f, "%spool %u (%s) %s:\n", j ? "" : "\n", v->rows[i].id,
				v->rows[i].type, zpt_hist_names[k].what);
			zpt_print_log2_hist(f, &v->rows[i].hist[k]);
		}
	}
	for (i = 0; v->cma && i < v->nareas; i++) {
		fprintf(f, "\ncma area %s: latency of the allocations that succeeded:\n",
			v->areas[i].name);
		zpt_print_log2_hist(f, &v->areas[i].hist);
	}
}

void zpt_print_text(FILE *f, const struct zpt_view *v, bool hist)
{
	size_t i;

	print_system(f, v);
	if (v->memcg)
		print_memcg(f, v);
	/* WAIT and WT99 only when measured (-w), not as zeros. */
	fprintf(f, "\n%2s %-8s %6s %5s %5s %5s %5s %5s %5s %5s", "ID", "BACKEND",
		"STORED", "POOL", "RATIO", "ALLOC", "FREE", "EVICT", "RCL50", "RCL99");
	if (v->waits)
		fprintf(f, " %5s %5s", "WAIT", "WT99");
	fputc('\n', f);
	for (i = 0; i < v->nrows; i++)
		print_pool(f, v, &v->rows[i]);
	if (!v->nrows)
		fprintf(f, "   (no pools)\n");
	print_discards(f, v);
	for (i = 0; i < v->nrows; i++)
		print_whatif(f, &v->rows[i], v->page_size);
	if (v->cma)
		print_cma(f, v);
	if (hist)
		print_hists(f, v);
}
