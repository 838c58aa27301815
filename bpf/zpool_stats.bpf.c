// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-pool compressed-memory statistics from the series' zpool and zswap
 * tracepoints: objects, bytes and pages (the compression ratio), reclaim
 * latency histograms (evict, writeback, shrink) and mapping contention
 * (how often and how long maps wait, how long objects stay mapped), plus
 * per-memcg zswap flows; with whatif set, the sizes of the objects each
 * pool holds (zpooltop --whatif).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "zpool_stats.h"

/* Only count events of the memory cgroup with this id (0: all). */
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
	__type(value, struct zp_pool_stats);
} pools SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct zp_memcg_stats);
} memcgs SEC(".maps");

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
 * Per pool id, the sizes of the objects it holds (whatif only; zpooltop
 * shrinks the map to one entry otherwise).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ZP_MAX_POOLS);
	__type(key, __u32);
	__type(value, struct zp_size_hist);
} sizes SEC(".maps");

/* Too big for the BPF stack; the source of a fresh pool entry. */
struct zp_pool_stats zero_pool = {};
struct zp_size_hist zero_sizes = {};

/* Events for pool ids past ZP_MAX_POOLS, or memcgs past the table. */
__u64 lost = 0;

static struct zp_pool_stats *pool(unsigned int id)
{
	__u32 key = id;

	if (id >= ZP_MAX_POOLS) {
		__sync_fetch_and_add(&lost, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&pools, &key);
}

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

static void hist_add(struct zp_hist *h, __u64 ns)
{
	/* slot n holds [2^n, 2^(n+1)); 0 and 1 share slot 0; clamped */
	__u32 slot = ns > 1 ? log2_u64(ns) : 0;

	if (slot >= ZP_HIST_SLOTS)
		slot = ZP_HIST_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
}

static struct zp_memcg_stats *memcg(__u64 id)
{
	struct zp_memcg_stats zero = {}, *m;

	m = bpf_map_lookup_elem(&memcgs, &id);
	if (m)
		return m;
	if (bpf_map_update_elem(&memcgs, &id, &zero, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&memcgs, &id)) {
		__sync_fetch_and_add(&lost, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&memcgs, &id);
}

static bool memcg_wanted(__u64 id)
{
	return !target_memcg || id == target_memcg;
}

SEC("tp_btf/zpool_create")
int BPF_PROG(zpool_create, unsigned int id, const char *type)
{
	struct zp_pool_stats *p = pool(id);
	__u32 key = id;
	__u64 gen;

	if (!p)
		return 0;
	/* A new pool, maybe in an id a dead one used: start from zero. */
	gen = p->gen + 1;
	if (bpf_map_update_elem(&pools, &key, &zero_pool, BPF_ANY))
		return 0;
	bpf_probe_read_kernel_str(p->type, sizeof(p->type), type);
	p->gen = gen;
	p->live = 1;
	if (whatif)
		bpf_map_update_elem(&sizes, &key, &zero_sizes, BPF_ANY);
	return 0;
}

SEC("tp_btf/zpool_destroy")
int BPF_PROG(zpool_destroy, unsigned int id, const char *type)
{
	struct zp_pool_stats *p = pool(id);

	if (!p)
		return 0;
	p->live = 0;
	__sync_fetch_and_add(&p->gen, 1);
	return 0;
}

/* A pool created before the program attached shows up by its events. */
static void seen(struct zp_pool_stats *p, const char *type)
{
	if (!p->type[0])
		bpf_probe_read_kernel_str(p->type, sizeof(p->type), type);
	p->live = 1;
}

/* An object came (+1) or went (-1); pool_pages is the pool's size after. */
static void object_event(struct zp_pool_stats *p, int sign, size_t size,
			 u64 pool_pages)
{
	p->pool_pages = pool_pages;
	__sync_fetch_and_add(&p->objects, sign);
	__sync_fetch_and_add(&p->bytes, sign * (__s64)size);
	__sync_fetch_and_add(sign > 0 ? &p->allocs : &p->frees, 1);
}

/* An object of @size bytes came (+1) or went (-1): its bin, atomically. */
static void size_event(unsigned int id, int sign, size_t size)
{
	__u64 bin = (size + (1 << ZP_SIZE_SHIFT) - 1) >> ZP_SIZE_SHIFT;
	struct zp_size_hist *h;
	__u32 key = id;

	h = bpf_map_lookup_elem(&sizes, &key);
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
	struct zp_pool_stats *p = pool(id);

	if (!p)
		return 0;
	seen(p, type);
	object_event(p, 1, size, pool_pages);
	if (whatif)
		size_event(id, 1, size);
	return 0;
}

SEC("tp_btf/zpool_free")
int BPF_PROG(zpool_free, unsigned int id, const char *type, size_t size,
	     u64 pool_pages)
{
	struct zp_pool_stats *p = pool(id);

	if (!p)
		return 0;
	seen(p, type);
	object_event(p, -1, size, pool_pages);
	if (whatif)
		size_event(id, -1, size);
	return 0;
}

static void map_wait(struct zp_pool_stats *p, u64 wait_ns)
{
	if (!wait_ns)
		return;
	__sync_fetch_and_add(&p->map_waits, 1);
	__sync_fetch_and_add(&p->map_wait_ns, wait_ns);
	hist_add(&p->hist[ZP_HIST_MAP_WAIT], wait_ns);
}

SEC("tp_btf/zpool_map")
int BPF_PROG(zpool_map, unsigned int id, const char *type, size_t size,
	     bool write, u64 wait_ns)
{
	struct zp_pool_stats *p = pool(id);
	__u64 *start;

	if (!p)
		return 0;
	__sync_fetch_and_add(&p->maps, 1);
	map_wait(p, wait_ns);
	/* A write ends within the call; a read is held until zpool_unmap. */
	if (write)
		return 0;
	start = bpf_task_storage_get(&map_start, bpf_get_current_task_btf(), 0,
				     BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (start)
		*start = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/zpool_unmap")
int BPF_PROG(zpool_unmap, unsigned int id, const char *type, size_t size)
{
	struct zp_pool_stats *p = pool(id);
	__u64 *start;

	if (!p)
		return 0;
	start = bpf_task_storage_get(&map_start, bpf_get_current_task_btf(), 0, 0);
	if (start && *start) {
		hist_add(&p->hist[ZP_HIST_MAP_HOLD], bpf_ktime_get_ns() - *start);
		*start = 0;
	}
	return 0;
}

SEC("tp_btf/zpool_shrink_end")
int BPF_PROG(zpool_shrink_end, unsigned int id, const char *type,
	     unsigned int pages, unsigned int reclaimed, int ret,
	     u64 duration_ns)
{
	struct zp_pool_stats *p = pool(id);

	if (!p)
		return 0;
	__sync_fetch_and_add(&p->shrinks, 1);
	__sync_fetch_and_add(&p->shrink_pages, reclaimed);
	hist_add(&p->hist[ZP_HIST_SHRINK], duration_ns);
	return 0;
}

SEC("tp_btf/zpool_evict")
int BPF_PROG(zpool_evict, unsigned int id, const char *type, int ret,
	     u64 duration_ns)
{
	struct zp_pool_stats *p = pool(id);

	if (!p)
		return 0;
	if (ret)
		__sync_fetch_and_add(&p->evict_fails, 1);
	else
		__sync_fetch_and_add(&p->evicts, 1);
	hist_add(&p->hist[ZP_HIST_EVICT], duration_ns);
	return 0;
}

SEC("tp_btf/zswap_store")
int BPF_PROG(zswap_store, unsigned int id, const char *type, u64 cg,
	     unsigned int orig, unsigned int compressed, int ret)
{
	struct zp_pool_stats *p;
	struct zp_memcg_stats *m;

	/* Refused while zswap had no pool: nothing to count, nothing lost. */
	if (id == (unsigned int)-1)
		return 0;
	p = pool(id);
	if (!p || !memcg_wanted(cg))
		return 0;
	if (ret) {
		__sync_fetch_and_add(&p->store_fails, 1);
		return 0;
	}
	__sync_fetch_and_add(&p->stores, 1);
	m = memcg(cg);
	if (m) {
		__sync_fetch_and_add(&m->stores, 1);
		__sync_fetch_and_add(&m->store_orig_bytes, orig);
		__sync_fetch_and_add(&m->store_compressed_bytes, compressed);
	}
	return 0;
}

SEC("tp_btf/zswap_load")
int BPF_PROG(zswap_load, unsigned int id, const char *type, u64 cg,
	     unsigned int compressed, int ret)
{
	struct zp_pool_stats *p = pool(id);
	struct zp_memcg_stats *m;

	if (!p || ret || !memcg_wanted(cg))
		return 0;
	__sync_fetch_and_add(&p->loads, 1);
	m = memcg(cg);
	if (m)
		__sync_fetch_and_add(&m->loads, 1);
	return 0;
}

SEC("tp_btf/zswap_writeback")
int BPF_PROG(zswap_writeback, unsigned int id, const char *type, u64 cg,
	     unsigned int compressed, int ret, u64 duration_ns)
{
	struct zp_pool_stats *p = pool(id);
	struct zp_memcg_stats *m;

	if (!p || ret || !memcg_wanted(cg))
		return 0;
	__sync_fetch_and_add(&p->writebacks, 1);
	hist_add(&p->hist[ZP_HIST_WRITEBACK], duration_ns);
	m = memcg(cg);
	if (m)
		__sync_fetch_and_add(&m->writebacks, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
