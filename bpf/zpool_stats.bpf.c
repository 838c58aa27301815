// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-pool compressed-memory statistics from the series' zpool and zswap
 * tracepoints: objects and pages (the compression ratio), allocation,
 * free and eviction counts, reclaim latency histograms (evict,
 * writeback, shrink), and what contiguous allocations dropped from gcma
 * pools.  On request, mapping contention (how often and how long maps
 * wait, how long objects stay mapped), one memory cgroup's zswap flows,
 * the sizes of the objects each pool holds (zpooltop --whatif), and the
 * latency of contiguous allocations per CMA area (zpooltop --cma).
 *
 * What a program costs is paid on every zswap store and load, so the
 * programs that run that often are the fewest that give the default
 * view: a store runs zpool_malloc, a load zpool_free (zswap frees an
 * entry when it loads it into the swap cache), and nothing else.  The
 * programs of the views asked for, ? in their section name, are loaded
 * only when a reader sets them to autoload:
 *  - zpool_map and zpool_unmap (zpooltop -w): one more run per store and
 *    two per load, and the kernel measures each map's lock wait while
 *    zpool_map has a program;
 *  - zswap_store and zswap_load (zpooltop -c): one more run per store
 *    and per load;
 *  - cma_alloc_start and cma_alloc_finish (zpooltop --cma): two runs per
 *    contiguous allocation, none per store or load.
 * gcma_discard is optional too, for another reason: only a kernel with
 * GCMA has its tracepoint.  Readers load it where there is one; it runs
 * once per contiguous allocation from the GCMA area that took pages back
 * from a pool, never on a store or load.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "zpool_stats.h"

/*
 * The memory cgroup whose zswap flows to keep (zpooltop -c), by id; its
 * writebacks are then the only ones the pools count.  0: none kept, every
 * writeback counted.
 */
const volatile __u64 target_memcg = 0;
/*
 * Keep the size histograms (zpooltop --whatif).  Off, the verifier drops
 * their code, and the allocations and frees cost what they did without.
 */
const volatile bool whatif = false;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ZP_MAX_POOLS);
	__type(key, __u32);
	__type(value, struct zp_pool_info);
} pools SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ZP_MAX_POOLS);
	__type(key, __u32);
	__type(value, struct zp_pool_counters);
} counters SEC(".maps");

/* The flows of target_memcg, at key 0. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct zp_memcg_stats);
} memcg SEC(".maps");

/*
 * When each task mapped its current object, for the hold time: task
 * storage, which is cheaper than a hash map on this path (no bucket lock)
 * and goes away with the task.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} map_start SEC(".maps");

/*
 * Per pool id, the sizes of the objects it holds, per CPU (whatif only;
 * readers shrink the map to one entry otherwise).  zpool_malloc and
 * zpool_free both change a bin, and one may preempt the other on a CPU:
 * their adds are atomic, on the CPU's own copy.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ZP_MAX_POOLS);
	__type(key, __u32);
	__type(value, struct zp_size_hist);
} sizes SEC(".maps");

/*
 * When the current task's contiguous allocation started (zpooltop --cma),
 * in task storage as map_start is, and kept apart from it: an allocation
 * may come while the task holds an object mapped.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} cma_start SEC(".maps");

/*
 * Per CMA area, its contiguous allocations, per CPU (--cma only; readers
 * shrink the map to one entry otherwise).  Only cma_alloc_finish writes
 * them, so plain adds lose nothing, as with the counters.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, ZP_CMA_MAX_AREAS);
	__type(key, struct zp_cma_key);
	__type(value, struct zp_cma_stats);
} cma_areas SEC(".maps");

/*
 * Events for pool ids past ZP_MAX_POOLS, and allocations of CMA areas
 * past ZP_CMA_MAX_AREAS: rare, and shared.
 */
__u64 lost = 0;

/* floor(log2(v)) in five steps, as bcc's libbpf-tools do it (bits.bpf.h). */
static __always_inline __u32 log2_u32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4;
	v >>= r;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? log2_u32(hi) + 32 : log2_u32(v);
}

/* This CPU's histogram @h gets one value of @ns (slot n holds [2^n, 2^(n+1))). */
static void hist_add(struct zp_hist *h, __u64 ns)
{
	/* 0 and 1 share slot 0; the last slot holds everything longer */
	__u32 slot = ns > 1 ? log2_u64(ns) : 0;

	if (slot >= ZP_HIST_SLOTS)
		slot = ZP_HIST_SLOTS - 1;
	h->slots[slot]++;
}

static struct zp_pool_info *pool(__u32 id)
{
	if (id >= ZP_MAX_POOLS) {
		__sync_fetch_and_add(&lost, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&pools, &id);
}

/* This CPU's counters of pool @id (a valid id: pool() checked it). */
static struct zp_pool_counters *cpu_counters(__u32 id)
{
	return bpf_map_lookup_elem(&counters, &id);
}

struct zero_ctx {
	__u32 id;
};

/* What a fresh pool's copies start from (too big for the BPF stack). */
const struct zp_pool_counters zero_counters = {};
const struct zp_size_hist zero_sizes = {};
const struct zp_cma_stats zero_cma = {};

/*
 * Zero CPU @cpu's counters and sizes of a pool id; 1 (stop) past the last
 * CPU.  A new pool is in no other event until zpool_create returns, and
 * the id's previous pool had its last event before zpool_destroy, so no
 * CPU is adding to these copies meanwhile.
 */
static long zero_cpu(__u32 cpu, struct zero_ctx *ctx)
{
	struct zp_pool_counters *c;
	struct zp_size_hist *s;

	c = bpf_map_lookup_percpu_elem(&counters, &ctx->id, cpu);
	if (!c)
		return 1;
	bpf_probe_read_kernel(c, sizeof(*c), &zero_counters);
	if (!whatif)
		return 0;
	s = bpf_map_lookup_percpu_elem(&sizes, &ctx->id, cpu);
	if (s)
		bpf_probe_read_kernel(s, sizeof(*s), &zero_sizes);
	return 0;
}

/* More than any kernel's CPUs (NR_CPUS is at most 8192). */
#define ZP_MAX_CPUS	8192

SEC("tp_btf/zpool_create")
int BPF_PROG(zpool_create, unsigned int id, const char *type)
{
	struct zp_pool_info *p = pool(id);
	struct zero_ctx zero = { .id = id };

	if (!p)
		return 0;
	/* A new pool, maybe in an id a dead one used: start from zero. */
	bpf_loop(ZP_MAX_CPUS, zero_cpu, &zero, 0);
	bpf_probe_read_kernel_str(p->type, sizeof(p->type), type);
	p->pool_pages = 0;
	p->live = 1;
	__sync_fetch_and_add(&p->gen, 1);
	return 0;
}

SEC("tp_btf/zpool_destroy")
int BPF_PROG(zpool_destroy, unsigned int id, const char *type)
{
	struct zp_pool_info *p = pool(id);

	if (!p)
		return 0;
	p->live = 0;
	__sync_fetch_and_add(&p->gen, 1);
	return 0;
}

/*
 * A pool created before the program attached shows up by its events: the
 * first one makes it live, with @type as its backend.
 */
static void pool_seen(struct zp_pool_info *p, const char *type)
{
	if (p->live)
		return;
	if (!p->type[0])
		bpf_probe_read_kernel_str(p->type, sizeof(p->type), type);
	p->live = 1;
}

/*
 * An object came or went, and the pool has @pool_pages pages after it.
 * The shared entry is written only when something changed: a pool's
 * size changes by a page every few objects.
 */
static void pool_event(struct zp_pool_info *p, const char *type, u64 pool_pages)
{
	pool_seen(p, type);
	if (p->pool_pages != pool_pages)
		p->pool_pages = pool_pages;
}

/* An object of @size bytes came (+1) or went (-1): its bin, atomically. */
static void size_event(__u32 id, int sign, size_t size)
{
	__u64 bin = (size + (1 << ZP_SIZE_SHIFT) - 1) >> ZP_SIZE_SHIFT;
	struct zp_size_hist *h;

	h = bpf_map_lookup_elem(&sizes, &id);
	if (!h)
		return;
	if (bin >= ZP_SIZE_BINS)
		bin = ZP_SIZE_BINS - 1;
	__sync_fetch_and_add(&h->bins[bin], sign);
}

SEC("tp_btf/zpool_malloc")
int BPF_PROG(zpool_malloc, unsigned int id, const char *type, size_t size,
	     u64 pool_pages)
{
	struct zp_pool_info *p = pool(id);
	struct zp_pool_counters *c;

	if (!p)
		return 0;
	pool_event(p, type, pool_pages);
	c = cpu_counters(id);
	if (c)
		c->allocs++;
	if (whatif)
		size_event(id, 1, size);
	return 0;
}

SEC("tp_btf/zpool_free")
int BPF_PROG(zpool_free, unsigned int id, const char *type, size_t size,
	     u64 pool_pages)
{
	struct zp_pool_info *p = pool(id);
	struct zp_pool_counters *c;

	if (!p)
		return 0;
	pool_event(p, type, pool_pages);
	c = cpu_counters(id);
	if (c)
		c->frees++;
	if (whatif)
		size_event(id, -1, size);
	return 0;
}

SEC("tp_btf/zpool_shrink_end")
int BPF_PROG(zpool_shrink_end, unsigned int id, const char *type,
	     unsigned int pages, unsigned int reclaimed, int ret,
	     u64 duration_ns)
{
	struct zp_pool_counters *c;

	if (!pool(id))
		return 0;
	c = cpu_counters(id);
	if (c)
		hist_add(&c->hist[ZP_HIST_SHRINK], duration_ns);
	return 0;
}

SEC("tp_btf/zpool_evict")
int BPF_PROG(zpool_evict, unsigned int id, const char *type, int ret,
	     u64 duration_ns)
{
	struct zp_pool_counters *c;

	if (!pool(id))
		return 0;
	c = cpu_counters(id);
	if (!c)
		return 0;
	if (!ret)
		c->evicts++;
	hist_add(&c->hist[ZP_HIST_EVICT], duration_ns);
	return 0;
}

static bool memcg_wanted(__u64 id)
{
	return !target_memcg || id == target_memcg;
}

/* This CPU's flows of memory cgroup @id, if it is the target; else NULL. */
static struct zp_memcg_stats *memcg_stats(__u64 id)
{
	__u32 key = 0;

	if (!target_memcg || id != target_memcg)
		return NULL;
	return bpf_map_lookup_elem(&memcg, &key);
}

/*
 * With a target memory cgroup, the pools' writebacks and their latency
 * are that cgroup's, and so are its flows.
 */
SEC("tp_btf/zswap_writeback")
int BPF_PROG(zswap_writeback, unsigned int id, const char *type, u64 cg,
	     unsigned int compressed, int ret, u64 duration_ns)
{
	struct zp_pool_counters *c;
	struct zp_memcg_stats *m;

	if (ret || !memcg_wanted(cg) || !pool(id))
		return 0;
	c = cpu_counters(id);
	if (c) {
		c->writebacks++;
		hist_add(&c->hist[ZP_HIST_WRITEBACK], duration_ns);
	}
	m = memcg_stats(cg);
	if (m)
		m->writebacks++;
	return 0;
}

/*
 * A contiguous allocation from the GCMA area took @pages lent pages back
 * from gcma pool @id and dropped the @objects they held, after waiting
 * @wait_ns for reads and writes under way in them.  The pool is smaller
 * by those pages at once, with no zpool_free: the objects' zswap entries
 * are freed later, by their next load or invalidation.
 */
SEC("?tp_btf/gcma_discard")
int BPF_PROG(gcma_discard, unsigned int id, unsigned long pages,
	     unsigned long objects, u64 wait_ns)
{
	struct zp_pool_info *p = pool(id);
	struct zp_pool_counters *c;

	if (!p)
		return 0;
	/* Only gcma pools discard: that is the type of one not seen yet. */
	pool_seen(p, "gcma");
	p->pool_pages = p->pool_pages > pages ? p->pool_pages - pages : 0;
	c = cpu_counters(id);
	if (!c)
		return 0;
	c->discards++;
	c->discard_pages += pages;
	c->discard_objects += objects;
	c->discard_wait_ns += wait_ns;
	return 0;
}

/* Reads and writes of objects (zpooltop -w). */
SEC("?tp_btf/zpool_map")
int BPF_PROG(zpool_map, unsigned int id, const char *type, size_t size,
	     bool write, u64 wait_ns)
{
	struct zp_pool_counters *c;
	__u64 *start;

	if (!pool(id))
		return 0;
	c = cpu_counters(id);
	if (c && wait_ns) {
		c->map_waits++;
		c->map_wait_ns += wait_ns;
		hist_add(&c->hist[ZP_HIST_MAP_WAIT], wait_ns);
	}
	/* A write ends within the call; a read is held until zpool_unmap. */
	if (write)
		return 0;
	start = bpf_task_storage_get(&map_start, bpf_get_current_task_btf(), 0,
				     BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (start)
		*start = bpf_ktime_get_ns();
	return 0;
}

SEC("?tp_btf/zpool_unmap")
int BPF_PROG(zpool_unmap, unsigned int id, const char *type, size_t size)
{
	struct zp_pool_counters *c;
	__u64 *start;

	if (!pool(id))
		return 0;
	start = bpf_task_storage_get(&map_start, bpf_get_current_task_btf(), 0, 0);
	if (!start || !*start)
		return 0;
	c = cpu_counters(id);
	if (c)
		hist_add(&c->hist[ZP_HIST_MAP_HOLD], bpf_ktime_get_ns() - *start);
	*start = 0;
	return 0;
}

/* One memory cgroup's flows (zpooltop -c). */
SEC("?tp_btf/zswap_store")
int BPF_PROG(zswap_store, unsigned int id, const char *type, u64 cg,
	     unsigned int orig, unsigned int compressed, int ret)
{
	struct zp_memcg_stats *m = memcg_stats(cg);

	if (ret || !m)
		return 0;
	m->stores++;
	m->store_orig_bytes += orig;
	m->store_compressed_bytes += compressed;
	return 0;
}

SEC("?tp_btf/zswap_load")
int BPF_PROG(zswap_load, unsigned int id, const char *type, u64 cg,
	     unsigned int compressed, int ret)
{
	struct zp_memcg_stats *m = memcg_stats(cg);

	if (!ret && m)
		m->loads++;
	return 0;
}

/*
 * Contiguous allocations per CMA area (zpooltop --cma): start and finish
 * come in the allocating task, which may sleep in between.  An allocation
 * that started before the program attached has no start, and is left
 * out.
 */
SEC("?tp_btf/cma_alloc_start")
int BPF_PROG(cma_alloc_start, const char *name, unsigned long request_count,
	     unsigned long available_count, unsigned long total_count,
	     unsigned int align)
{
	__u64 *start;

	start = bpf_task_storage_get(&cma_start, bpf_get_current_task_btf(), 0,
				     BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (start)
		*start = bpf_ktime_get_ns();
	return 0;
}

/* This CPU's figures of the area @key, a new entry the first time. */
static struct zp_cma_stats *cma_stats(const struct zp_cma_key *key)
{
	struct zp_cma_stats *s = bpf_map_lookup_elem(&cma_areas, key);

	if (s)
		return s;
	/* Another CPU may add it meanwhile: look it up again either way. */
	bpf_map_update_elem(&cma_areas, key, &zero_cma, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&cma_areas, key);
	if (!s)
		__sync_fetch_and_add(&lost, 1);	/* more areas than the map holds */
	return s;
}

SEC("?tp_btf/cma_alloc_finish")
int BPF_PROG(cma_alloc_finish, const char *name, unsigned long pfn,
	     const struct page *page, unsigned long count, unsigned int align,
	     int errorno)
{
	struct zp_cma_key key = {};
	struct zp_cma_stats *s;
	__u64 *start, ns;

	start = bpf_task_storage_get(&cma_start, bpf_get_current_task_btf(), 0, 0);
	if (!start || !*start)
		return 0;
	ns = bpf_ktime_get_ns() - *start;
	*start = 0;
	bpf_probe_read_kernel_str(key.name, sizeof(key.name), name);
	s = cma_stats(&key);
	if (!s)
		return 0;
	if (errorno) {
		s->failures++;
		return 0;
	}
	s->allocs++;
	if (ns > s->max_ns)
		s->max_ns = ns;
	hist_add(&s->hist, ns);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
