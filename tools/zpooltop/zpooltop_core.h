/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * zpooltop's arithmetic, kept apart from BPF and the terminal so that it
 * can be unit-tested on the host: interval deltas of the BPF counters,
 * percentiles of log2 histograms, and the sort keys of the pool rows.
 */
#ifndef ZPOOLTOP_CORE_H
#define ZPOOLTOP_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "zpool_stats.h"

/*
 * The value below which a fraction @p (0 < p <= 1) of the samples of a
 * log2 histogram fall, as the upper bound of the slot that reaches it
 * (slot n holds [2^n, 2^(n+1)), so the bound is 2^(n+1) - 1; slot 0 holds
 * 0 and 1).  0 for an empty histogram.
 */
__u64 zpt_hist_percentile(const struct zp_hist *h, double p);

/* @out = @now - @prev, slot by slot: what happened in one interval. */
void zpt_hist_delta(struct zp_hist *out, const struct zp_hist *now,
		    const struct zp_hist *prev);

/* Sum of all slots. */
__u64 zpt_hist_count(const struct zp_hist *h);

enum zpt_sort_key {
	ZPT_SORT_STORED,	/* stored pages (the default) */
	ZPT_SORT_POOL,		/* pool size */
	ZPT_SORT_RATIO,
	ZPT_SORT_ALLOCS,
	ZPT_SORT_EVICTS,
	ZPT_SORT_WAITS,		/* map waits per second */
	ZPT_SORT_ID,
};

/* The key named @name (as on the command line), or -1 if there is none. */
int zpt_parse_sort_key(const char *name);
/* The names, comma-separated, for usage messages. */
const char *zpt_sort_key_names(void);

/* One pool's figures for one interval, as shown on a row. */
struct zpt_row {
	unsigned int id;
	char type[ZP_TYPE_LEN];
	__s64 stored_pages;	/* objects: zswap stores one page per object */
	__u64 pool_pages;
	double ratio;		/* stored_pages / pool_pages, 0 if empty */
	double allocs_s, frees_s, evicts_s, map_waits_s;
	__u64 reclaim_p50_ns, reclaim_p99_ns, map_wait_p99_ns;
	__u64 map_hold_p50_ns, map_hold_p99_ns;	/* map to unmap */
	/* This interval's histograms: evict + writeback + shrink, map wait, hold */
	struct zp_hist reclaim_hist, map_wait_hist, map_hold_hist;
};

/*
 * Fill @row from two reads of a pool's counters @interval_s apart.
 * @seed_objects is what the pool held when the program attached (the
 * events only carry changes).  Reclaim latency merges the evict,
 * writeback and shrink histograms of the interval.
 */
void zpt_row_from_stats(struct zpt_row *row, unsigned int id,
			const struct zp_pool_stats *now,
			const struct zp_pool_stats *prev,
			__s64 seed_objects, double interval_s);

/* Sort @rows largest first by @key (ties by id, ascending). */
void zpt_sort_rows(struct zpt_row *rows, size_t n, enum zpt_sort_key key);

/*
 * A decimal number from @s in [@min, @max], the whole string: 0, or -1
 * for anything else (empty, sign, junk, out of range).
 */
int zpt_parse_ulong(const char *s, unsigned long min, unsigned long max,
		    unsigned long *out);

/* The system's zswap and swap counters (/proc/meminfo, /proc/vmstat). */
struct zpt_totals {
	__u64 zswap_bytes;	/* meminfo Zswap: compressed, in the pools */
	__u64 zswapped_bytes;	/* meminfo Zswapped: what it stands for */
	__u64 zswpout, zswpin, zswpwb, pswpout, pswpin;	/* vmstat, pages */
};

/*
 * Add what @text (the content of /proc/meminfo or /proc/vmstat) says to
 * @t; keys that are absent leave their field alone.  The number of keys
 * found.
 */
int zpt_parse_totals(const char *text, struct zpt_totals *t);

/* One memory cgroup's zswap flows over an interval (-c). */
struct zpt_memcg_row {
	const char *path;
	__u64 id;
	double stores_s, loads_s, writebacks_s;
	double store_ratio;	/* original / compressed bytes stored, 0 if none */
};

void zpt_memcg_row_from_stats(struct zpt_memcg_row *row,
			      const struct zp_memcg_stats *now,
			      const struct zp_memcg_stats *prev,
			      double interval_s);

/* Everything one interval shows. */
struct zpt_view {
	long long time;		/* wall clock, seconds since the epoch */
	double interval_s;
	unsigned long page_size;
	struct zpt_totals now, prev;
	const struct zpt_row *rows;
	size_t nrows;
	const struct zpt_memcg_row *memcg;	/* NULL: no -c */
};

/*
 * The screen as aligned text in at most 80 columns; with @hist, each
 * pool's reclaim-latency, map-wait and map-hold histograms follow.
 */
void zpt_print_text(FILE *f, const struct zpt_view *v, bool hist);
/* One JSON object on one line (keys documented in zpooltop.8). */
void zpt_print_json(FILE *f, const struct zpt_view *v, bool hist);
/* A log2 histogram in the star-bar format of bcc's tools. */
void zpt_print_log2_hist(FILE *f, const struct zp_hist *h, const char *unit);

/* Numbers squeezed into at most 5 characters, with a unit suffix. */
void zpt_fmt_count(char *buf, size_t size, double v);
void zpt_fmt_bytes(char *buf, size_t size, double bytes);
void zpt_fmt_ns(char *buf, size_t size, __u64 ns);

#endif /* ZPOOLTOP_CORE_H */
