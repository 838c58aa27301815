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

#endif /* ZPOOLTOP_CORE_H */
