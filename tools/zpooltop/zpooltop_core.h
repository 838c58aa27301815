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
 * log2 histogram fall, interpolated linearly inside the slot that reaches
 * it, whose samples are taken as spread evenly over the slot (slot n holds
 * [2^n, 2^(n+1)); slot 0 holds 0 and 1, taken as [0, 2)).  Rounded to the
 * nearest unit; 0 for an empty histogram.
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

/*
 * One pool's figures for one interval, as shown on a row.  The latencies
 * are kept per level, indexed by enum zp_hist_kind: the levels nest (a
 * shrink wraps evictions, a zbud eviction calls writeback), so they are
 * never merged.  The reclaim-latency columns show writeback, the unit of
 * reclaim zswap does on every backend.
 */
struct zpt_row {
	unsigned int id;
	char type[ZP_TYPE_LEN];
	__s64 stored_pages;	/* objects: zswap stores one page per object */
	__u64 pool_pages;
	double ratio;		/* stored_pages / pool_pages, 0 if empty */
	double allocs_s, frees_s, evicts_s, map_waits_s;
	__u64 p50_ns[ZP_NR_HISTS], p99_ns[ZP_NR_HISTS];
	struct zp_hist hist[ZP_NR_HISTS];	/* this interval's */
	/*
	 * The counters and histograms as the program keeps them: since the
	 * pool's creation or the program's start, whichever came later.
	 */
	struct zp_pool_stats total;
};

/* The reclaim level the text table's RCL50/RCL99 columns show. */
#define ZPT_RECLAIM_HIST	ZP_HIST_WRITEBACK

/*
 * Fill @row from two reads of a pool's counters @interval_s apart.
 * @seed_objects is what the pool held before the program counted its
 * events (the events only carry changes; see zpt_parse_seeds()).
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

/*
 * What each pool held before the program counted, for pools older than
 * it: zswap's debugfs "pools" file, read while the programs are attached,
 * less what the program had counted when it was read (@counted, read just
 * after it), so that no event counts twice.
 */
struct zpt_seed {
	bool known;
	__s64 objects;
	__u64 pool_pages;
	char type[ZP_TYPE_LEN];
};

/*
 * Fill @seeds (ZP_MAX_POOLS entries, indexed by pool id) from @text, the
 * content of /sys/kernel/debug/zswap/pools.  The number of pools found.
 */
int zpt_parse_seeds(const char *text, const struct zp_pool_stats *counted,
		    struct zpt_seed *seeds);

/*
 * Events the program could not count (pool ids past ZP_MAX_POOLS, memory
 * cgroups past its table) went from @prev to @now: the warning to print,
 * in @buf, and true; false if none were lost.
 */
bool zpt_lost_warning(char *buf, size_t size, __u64 prev, __u64 now);

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
	double interval_s;	/* 0: the first screen, before any interval */
	unsigned long page_size;
	struct zpt_totals now, prev;
	const struct zpt_row *rows;
	size_t nrows;
	const struct zpt_memcg_row *memcg;	/* NULL: no -c */
	__u64 lost_events;	/* since the program started */
};

/* The version of the JSON layout, in every object as "schema". */
#define ZPT_JSON_SCHEMA	1

enum zpt_format {
	ZPT_FMT_TEXT,
	ZPT_FMT_JSON,
	ZPT_FMT_OPENMETRICS,
};

/* The format named @name (-o), or -1. */
int zpt_parse_format(const char *name);

/*
 * Whether reports clear the screen: only text, only to a terminal, and
 * neither -b nor -C (@plain) given.
 */
bool zpt_clear_screen(enum zpt_format fmt, bool plain, bool tty);

/* The metrics exposition formats. */
enum zpt_metrics_format {
	ZPT_METRICS_OPENMETRICS,	/* OpenMetrics 1.0 text, ends in # EOF */
	ZPT_METRICS_PROMETHEUS,		/* Prometheus text 0.0.4 (node_exporter's textfile) */
};

/*
 * The screen as aligned text in at most 80 columns; with @hist, each
 * pool's latency histograms follow (writeback, evict, shrink, map wait,
 * map hold).  Before the first interval, rates and latencies show "-".
 */
void zpt_print_text(FILE *f, const struct zpt_view *v, bool hist);
/* One JSON object on one line (keys documented in zpooltop.8). */
void zpt_print_json(FILE *f, const struct zpt_view *v, bool hist);
/*
 * The pools as metrics (names, labels and types in zpooltop.8): gauges,
 * counters, and the latency histograms with cumulative buckets in seconds.
 */
void zpt_print_metrics(FILE *f, const struct zpt_view *v,
		       enum zpt_metrics_format fmt);
/*
 * Write the metrics to @path atomically: to "@path.PID.tmp" beside it,
 * then rename, so that a reader (node_exporter) never sees half a report.
 * 0, or a negative errno (and no temporary file left).
 */
int zpt_write_metrics_file(const char *path, const struct zpt_view *v,
			   enum zpt_metrics_format fmt);
/* A log2 histogram in the star-bar format of bcc's tools. */
void zpt_print_log2_hist(FILE *f, const struct zp_hist *h, const char *unit);

/* Numbers squeezed into at most 5 characters, with a unit suffix. */
void zpt_fmt_count(char *buf, size_t size, double v);
void zpt_fmt_bytes(char *buf, size_t size, double bytes);
void zpt_fmt_ns(char *buf, size_t size, __u64 ns);

#endif /* ZPOOLTOP_CORE_H */
