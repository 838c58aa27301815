/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Map layouts shared by zpool_stats.bpf.c and its userspace readers
 * (zpooltop).  Everything is aggregated in the kernel from the series'
 * zpool and zswap tracepoints; userspace only reads and differences.
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
 * One pool, indexed by its zpool id.  zpool_create zeroes the entry, so
 * counters count from the pool's creation (or, for a pool that existed
 * before the program attached, from the attach; add what it held then).
 * Counters only grow; userspace takes differences between two reads.
 * gen changes at every zpool_create and zpool_destroy of the id, so a
 * reader never mixes two pools; gen 0 is a pool older than the program.
 */
struct zp_pool_stats {
	char type[ZP_TYPE_LEN];
	__u64 gen;
	__u64 live;		/* 1 from zpool_create or a first event to zpool_destroy */
	__u64 pool_pages;	/* as of the last malloc or free */
	__s64 objects;		/* mallocs - frees since the program loaded */
	__s64 bytes;		/* their sizes: allocated - freed bytes */
	__u64 allocs;
	__u64 frees;
	__u64 evicts;		/* objects the backend evicted (ret 0) */
	__u64 evict_fails;
	__u64 shrinks;
	__u64 shrink_pages;	/* pages shrink freed */
	__u64 stores;		/* zswap_store ret 0 */
	__u64 store_fails;
	__u64 loads;
	__u64 writebacks;	/* zswap_writeback ret 0 */
	__u64 maps;		/* zpool_map events: reads and writes */
	__u64 map_waits;	/* of them, those that waited for a lock */
	__u64 map_wait_ns;
	struct zp_hist hist[ZP_NR_HISTS];
};

/*
 * zpooltop --whatif: per pool, how many of the objects it holds now have
 * each size, as passed to zpool_malloc() and zpool_free().  Bin b counts
 * sizes in (8 * (b - 1), 8 * b]: every boundary the packing models need
 * (zsmalloc's size classes, zbud's chunks, both with and without zswap's
 * 8-byte object header) falls on a multiple of 8.  Sizes go up to a 4 KiB
 * page; anything larger is counted in the last bin.  A bin is a gauge
 * (allocations less frees), and goes below 0 when objects allocated
 * before the program attached are freed.
 */
#define ZP_SIZE_SHIFT	3
#define ZP_SIZE_MAX	4096
#define ZP_SIZE_BINS	((ZP_SIZE_MAX >> ZP_SIZE_SHIFT) + 1)

struct zp_size_hist {
	__s64 bins[ZP_SIZE_BINS];
};

/* Per memory cgroup (its cgroup id), from the zswap events. */
struct zp_memcg_stats {
	__u64 stores;
	__u64 store_orig_bytes;
	__u64 store_compressed_bytes;
	__u64 loads;
	__u64 writebacks;
};

#endif /* ZPOOL_STATS_H */
