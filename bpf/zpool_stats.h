/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Map layouts shared by zpool_stats.bpf.c and its userspace readers
 * (zpooltop, the VM selftests).  Everything is aggregated in the kernel
 * from the series' zpool, zswap and gcma tracepoints and CMA's own;
 * userspace only reads, sums the CPUs and differences.
 *
 * Where a figure lives follows from how often it is written:
 *  - struct zp_pool_info, one per pool id and shared by every CPU: what
 *    the pool is and its size.  zpool_create and zpool_destroy write it;
 *    zpool_malloc and zpool_free write pool_pages only when the pool's
 *    size changed, so that on most events every CPU only reads it.
 *  - struct zp_pool_counters, one per pool id on each CPU (a per-CPU
 *    array): the counters and histograms, added to on every event.  No
 *    cache line moves between CPUs, and no add needs to be atomic.
 *    Userspace sums the CPUs' copies.
 */
#ifndef ZPOOL_STATS_H
#define ZPOOL_STATS_H

/* Pool ids are small (an IDA); ids at or above this are counted as lost. */
#define ZP_MAX_POOLS	64
#define ZP_TYPE_LEN	16
/* log2 histogram of nanoseconds: slot n counts values in [2^n, 2^(n+1)). */
#define ZP_HIST_SLOTS	32

enum zp_hist_kind {
	ZP_HIST_EVICT,		/* zpool_evict duration */
	ZP_HIST_WRITEBACK,	/* zswap_writeback duration */
	ZP_HIST_SHRINK,		/* zpool_shrink_end duration */
	ZP_HIST_MAP_WAIT,	/* zpool_map lock wait (reads and writes), waits only */
	ZP_HIST_MAP_HOLD,	/* a read: time between a task's map and unmap */
	ZP_NR_HISTS,
};

struct zp_hist {
	__u64 slots[ZP_HIST_SLOTS];
};

/*
 * One pool, indexed by its zpool id, shared.  gen changes at every
 * zpool_create and zpool_destroy of the id, so a reader never mixes two
 * pools; gen 0 is a pool older than the program.  pool_pages is the
 * pool's size as of the last zpool_malloc or zpool_free, as the event
 * reported it, less the pages a gcma_discard took from the pool since: a
 * gauge, which per-CPU copies could not give (each CPU would hold the
 * size as of its own last event).
 */
struct zp_pool_info {
	char type[ZP_TYPE_LEN];
	__u64 gen;
	__u64 live;		/* 1 from zpool_create or a first event to zpool_destroy */
	__u64 pool_pages;
};

/*
 * One pool on one CPU, indexed by its zpool id.  zpool_create zeroes the
 * id's copy on every CPU, so once summed the counters count from the
 * pool's creation (or, for a pool that existed before the program
 * attached, from the attach).  They only grow; userspace takes
 * differences between two reads.  The pool holds allocs - frees objects
 * more than it did when counting began.  Every field is a __u64, which
 * the readers rely on to sum the copies word by word.
 *
 * Each field has one program that writes it, and the kernel never runs
 * a program twice at once on one CPU (a second run while one is
 * preempted is skipped and counted as a miss), so plain adds lose
 * nothing.
 */
struct zp_pool_counters {
	__u64 allocs;		/* zpool_malloc */
	__u64 frees;		/* zpool_free */
	__u64 evicts;		/* objects the backend evicted (ret 0) */
	__u64 writebacks;	/* zswap_writeback ret 0 */
	/* zpool_map (with zpooltop -w): reads and writes that waited for a lock */
	__u64 map_waits;
	__u64 map_wait_ns;
	/*
	 * gcma_discard, in a gcma pool: contiguous allocations that took
	 * lent pages back (one event per run of the range whose lent pages
	 * were this pool's), the pages and the objects they dropped, and
	 * the time they waited for reads and writes under way there.
	 */
	__u64 discards;
	__u64 discard_pages;
	__u64 discard_objects;
	__u64 discard_wait_ns;
	struct zp_hist hist[ZP_NR_HISTS];
};

/*
 * zpooltop --whatif: per pool, how many of the objects it holds now have
 * each size, as passed to zpool_malloc() and zpool_free().  Bin b counts
 * sizes in (8 * (b - 1), 8 * b]: every boundary the packing models need
 * (zsmalloc's size classes, zbud's chunks, both with and without zswap's
 * 8-byte object header) falls on a multiple of 8.  Sizes go up to a 4 KiB
 * page; anything larger is counted in the last bin.  A bin is a gauge
 * (allocations less frees), kept per CPU like the counters: a CPU's copy
 * alone may be negative (an object allocated on one CPU and freed on
 * another), the sum goes below 0 only when objects allocated before the
 * program attached are freed.
 */
#define ZP_SIZE_SHIFT	3
#define ZP_SIZE_MAX	4096
#define ZP_SIZE_BINS	((ZP_SIZE_MAX >> ZP_SIZE_SHIFT) + 1)

struct zp_size_hist {
	__s64 bins[ZP_SIZE_BINS];
};

/*
 * One memory cgroup's zswap flows (zpooltop -c), per CPU, from the zswap
 * events of the cgroup whose id the program is given; nothing is kept
 * without one.  Stores and loads come from zswap_store and zswap_load,
 * which are loaded only for this.  Every field is a __u64.
 */
struct zp_memcg_stats {
	__u64 stores;
	__u64 store_orig_bytes;
	__u64 store_compressed_bytes;
	__u64 loads;
	__u64 writebacks;
};

/*
 * zpooltop --cma: contiguous allocations (cma_alloc_start to
 * cma_alloc_finish in one task) per CMA area, keyed by the area's name,
 * per CPU.  The histogram and max_ns are of the allocations that
 * succeeded; a failure is only counted.  Areas past ZP_CMA_MAX_AREAS are
 * counted as lost.  Every field is a __u64; readers sum the CPUs' copies,
 * except max_ns, of which they take the largest.
 */
#define ZP_CMA_NAME_LEN		64	/* CMA_MAX_NAME */
#define ZP_CMA_MAX_AREAS	64

struct zp_cma_key {
	char name[ZP_CMA_NAME_LEN];
};

struct zp_cma_stats {
	__u64 allocs;		/* cma_alloc_finish with errorno 0 */
	__u64 failures;		/* cma_alloc_finish with an error */
	__u64 max_ns;		/* the longest allocation that succeeded */
	struct zp_hist hist;	/* the allocations that succeeded */
};

#endif /* ZPOOL_STATS_H */
