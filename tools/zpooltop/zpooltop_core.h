/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * zpooltop's arithmetic, kept apart from BPF and the terminal so that it
 * can be unit-tested on the host: the sums of the per-CPU BPF counters
 * and their interval deltas, percentiles of log2 histograms, the sort
 * keys of the pool rows, gcma discards, the CMA areas of --cma, the
 * output formats, and the packing models of --whatif.
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
	ZPT_SORT_WAITS,		/* map waits per second (-w only) */
	ZPT_SORT_ID,
};

/* The key named @name (as on the command line), or -1 if there is none. */
int zpt_parse_sort_key(const char *name);
/* The names, comma-separated, for usage messages. */
const char *zpt_sort_key_names(void);

/*
 * --whatif: the pool each backend would need for the objects a pool holds
 * now, from their sizes (struct zp_size_hist) and the backend's packing
 * rules, as Linux 7.2 with the zpool series lays objects out.
 */

/* The backends zpooltop has a packing model of, in the order it lists them. */
enum zpt_backend {
	ZPT_BACKEND_ZSMALLOC,
	ZPT_BACKEND_ZBUD,
	/* gcma has no model: zpooltop predicts nothing for its pools. */
	ZPT_NR_BACKENDS,
};

/* The backend called @name (a pool's type), or -1 if none is modelled. */
int zpt_backend_by_name(const char *name);
const char *zpt_backend_name(enum zpt_backend b);
/*
 * The bytes zswap puts before the compressed data of every object in
 * this backend's pools (its zswap_obj_header in zbud, which reclaims
 * pages; none in zsmalloc).  A page stored as it is has none anywhere.
 */
unsigned int zpt_backend_zswap_header(enum zpt_backend b);

/*
 * zsmalloc's size classes as zs_create_pool() sets them up: class i holds
 * objects of up to ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA bytes, the
 * object's handle included, in zspages of the chain size that wastes the
 * least; classes with the same pages and objects per zspage are merged
 * into the largest of them.
 */
#define ZPT_ZS_MAX_CLASSES	256

struct zpt_zs_class {
	unsigned int size;		/* the slot size, handle included */
	unsigned int pages_per_zspage;
	unsigned int objs_per_zspage;
	unsigned int owner;		/* the index of the class it is merged into */
};

struct zpt_zsmalloc {
	unsigned int page_size;
	unsigned int nr_classes;	/* ZS_SIZE_CLASSES */
	unsigned int min_alloc;		/* ZS_MIN_ALLOC_SIZE */
	unsigned int delta;		/* ZS_SIZE_CLASS_DELTA */
	struct zpt_zs_class class[ZPT_ZS_MAX_CLASSES];
};

/*
 * The classes of a 64-bit kernel with @page_size pages (at most 64 KiB)
 * and CONFIG_ZSMALLOC_CHAIN_SIZE @chain_size (4 to 16), derived as 7.2's
 * mm/zsmalloc.c does.  0, or -1 for a page or chain size it cannot have.
 */
int zpt_zs_derive(struct zpt_zsmalloc *zs, unsigned int page_size,
		  unsigned int chain_size);
/*
 * The classes from @text, the content of a zsmalloc pool's debugfs file
 * "classes" (CONFIG_ZSMALLOC_STAT), which lists each class that is not
 * merged: its index, size and pages per zspage.  0, or -1 if @text is not
 * such a file for @page_size pages.
 */
int zpt_zs_parse_classes(struct zpt_zsmalloc *zs, const char *text,
			 unsigned int page_size);
/* The class an object of @size bytes (as passed to zs_malloc()) goes to. */
const struct zpt_zs_class *zpt_zs_class_of(const struct zpt_zsmalloc *zs,
					   size_t size);

/* Object counts per size bin of struct zp_size_hist, never negative. */
struct zpt_sizes {
	__u64 n[ZP_SIZE_BINS];
};

/*
 * The sizes the objects of a pool on backend @from would have on backend
 * @to: zswap's header taken off or put on, and an object that would then
 * fill the page stored as a page, as zswap does.  Bins below 0 (objects
 * allocated before the program attached, then freed) count as 0.
 */
void zpt_sizes_convert(struct zpt_sizes *out, const struct zp_size_hist *h,
		       enum zpt_backend from, enum zpt_backend to);
__u64 zpt_sizes_count(const struct zpt_sizes *s);

/* The pages a zsmalloc pool needs for @s: full zspages, per class. */
__u64 zpt_zsmalloc_pages(const struct zpt_zsmalloc *zs, const struct zpt_sizes *s);

/*
 * The pages a zbud pool needs for @s, in @page_size pages (64 chunks, the
 * first the page's header): an object of more than page_size - 2 chunks
 * gets a page of its own; the others are allocated one after the other,
 * in a random order (a fixed seed, so the answer is the same each time),
 * each into the page with one buddy whose free chunks fit it most
 * closely, or into a new page, as zbud_alloc() does.  Above
 * ZPT_ZBUD_SAMPLE objects, a proportional sample of that many is packed
 * and its pages scaled up.
 */
#define ZPT_ZBUD_SAMPLE	(1U << 20)
__u64 zpt_zbud_pages(const struct zpt_sizes *s, unsigned int page_size);
/* The same for @n objects of @sizes bytes, allocated in that order. */
__u64 zpt_zbud_pages_in_order(const size_t *sizes, size_t n, unsigned int page_size);

/* What zpooltop knows of each backend's layout. */
struct zpt_models {
	unsigned int page_size;
	struct zpt_zsmalloc zsmalloc;
};

struct zpt_whatif {
	__u64 pool_pages;
	double ratio;		/* stored pages / pool_pages, 0 if none */
};

/*
 * One number from @text, a kernel configuration (/proc/config.gz
 * uncompressed, or /boot/config-*): the value of "@name=N".  0, or -1 if
 * it is not set.
 */
int zpt_parse_kconfig_int(const char *text, const char *name, long *out);

/*
 * One pool as zpooltop reads it: its shared entry, and its counters
 * summed over the CPUs (zpt_sum_percpu()).
 */
struct zpt_pool {
	struct zp_pool_info info;
	struct zp_pool_counters c;
};

/* The objects the pool gained since counting began: allocations less frees. */
__s64 zpt_pool_objects(const struct zpt_pool *p);

/*
 * Sum @ncpus copies of a per-CPU map value of @size bytes whose fields
 * are all __u64 or __s64, laid out as bpf_map_lookup_elem() returns them
 * for a per-CPU map (each CPU's copy after the other, rounded up to 8
 * bytes), into @sum (@size bytes).
 */
void zpt_sum_percpu(void *sum, const void *percpu, size_t size, unsigned int ncpus);

/*
 * What contiguous allocations took from a gcma pool (gcma_discard): the
 * events, the lent pages taken back, the objects dropped with them, and
 * the time spent waiting for the reads and writes under way there.
 */
struct zpt_discards {
	__u64 events;
	__u64 pages;
	__u64 objects;
	__u64 wait_ns;
};

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
	struct zpt_discards discards;		/* this interval's */
	/*
	 * The counters and histograms as the program keeps them, summed over
	 * the CPUs: since the pool's creation or the program's start,
	 * whichever came later.
	 */
	struct zp_pool_counters total;
	/*
	 * --whatif (zpt_row_whatif()): the pages of known size, and what each
	 * backend's model gives for them, scaled up to every stored page when
	 * some sizes are unknown.  whatif[] of this pool's own backend is the
	 * same objects packed afresh.
	 */
	bool has_whatif;
	__u64 known_pages;
	double coverage;	/* known_pages / stored_pages, at most 1 */
	struct zpt_whatif whatif[ZPT_NR_BACKENDS];
};

/* The name of a gcma pool's backend, the only one that discards. */
#define ZPT_GCMA	"gcma"

/*
 * Whether a row gets the discard figures: a gcma pool, or one that
 * discarded since counting began.
 */
bool zpt_row_shows_discards(const struct zpt_row *row);
/* The discards counted in @c, the counters as the program keeps them. */
void zpt_discards_from_counters(struct zpt_discards *d,
				const struct zp_pool_counters *c);

/* The reclaim level the text table's RCL50/RCL99 columns show. */
#define ZPT_RECLAIM_HIST	ZP_HIST_WRITEBACK

/*
 * Fill @row from two reads of a pool's counters @interval_s apart.
 * @seed_objects is what the pool held before the program counted its
 * events (the events only carry changes; see zpt_parse_seeds()).
 */
void zpt_row_from_stats(struct zpt_row *row, unsigned int id,
			const struct zpt_pool *now, const struct zpt_pool *prev,
			__s64 seed_objects, double interval_s);

/*
 * Fill @row's --whatif figures from @sizes, the pool's size histogram.
 * Nothing is filled (has_whatif stays false) for a backend without a
 * model, or pages other than the 4 KiB the histogram's bins cover.
 */
void zpt_row_whatif(struct zpt_row *row, const struct zp_size_hist *sizes,
		    const struct zpt_models *m);

/* Sort @rows largest first by @key (ties by id, ascending). */
void zpt_sort_rows(struct zpt_row *rows, size_t n, enum zpt_sort_key key);


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
int zpt_parse_seeds(const char *text, const struct zpt_pool *counted,
		    struct zpt_seed *seeds);

/*
 * Events the program could not count (pool ids past ZP_MAX_POOLS, CMA
 * areas past ZP_CMA_MAX_AREAS) went
 * from @prev to @now: the warning to print, in @buf, and true; false if
 * none were lost.
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

/*
 * One CMA area's contiguous allocations since the program attached
 * (--cma): those that succeeded, their latency, and the failures.
 */
struct zpt_cma_area {
	char name[ZP_CMA_NAME_LEN];
	__u64 allocs;		/* that succeeded */
	__u64 failures;
	__u64 p50_ns, p99_ns, max_ns;	/* of those that succeeded; 0 if none */
	struct zp_hist hist;
};

/*
 * Sum @ncpus copies of an area's per-CPU figures, laid out as for
 * zpt_sum_percpu(), into @sum: every count added, max_ns the largest.
 */
void zpt_cma_sum_percpu(struct zp_cma_stats *sum, const void *percpu,
			unsigned int ncpus);
/* Fill @area from @name (a map key, maybe unterminated) and its summed figures. */
void zpt_cma_area_from_stats(struct zpt_cma_area *area, const char *name,
			     const struct zp_cma_stats *s);
/* Sort @areas by name. */
void zpt_sort_cma_areas(struct zpt_cma_area *areas, size_t n);

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
	/*
	 * Reads and writes of objects are measured (-w): the WAIT and WT99
	 * columns, the map wait and hold latencies, and their JSON keys and
	 * metrics.  Without it they are left out, not shown as 0.
	 */
	bool waits;
	/*
	 * Contiguous allocations are measured (--cma): the CMA areas seen
	 * since zpooltop started, sorted by name, none yet if @nareas is 0.
	 */
	bool cma;
	const struct zpt_cma_area *areas;
	size_t nareas;
};

/*
 * The version of the JSON layout, in every object as "schema".  2: the
 * map_waits_s, map_wait_* and map_hold_* keys are there only with -w.
 * Keys that come only with an option (cma) or with a kind of pool
 * (discards) change no other, and leave it as it is.
 */
#define ZPT_JSON_SCHEMA	2

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
 * pool's latency histograms follow (writeback, evict, shrink, and with
 * -w map wait and map hold), then with --cma each CMA area's.  Before
 * the first interval, rates and latencies show "-".
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
/*
 * A log2 histogram of nanoseconds in the star-bar format of bcc's tools,
 * in msecs, usecs or nsecs: the largest unit its fastest sample reaches.
 */
void zpt_print_log2_hist(FILE *f, const struct zp_hist *h);

/* Numbers squeezed into at most 5 characters, with a unit suffix. */
void zpt_fmt_count(char *buf, size_t size, double v);
void zpt_fmt_bytes(char *buf, size_t size, double bytes);
void zpt_fmt_ns(char *buf, size_t size, __u64 ns);

#endif /* ZPOOLTOP_CORE_H */
