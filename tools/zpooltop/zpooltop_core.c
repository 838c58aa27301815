// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zpooltop_core.h"

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

static double rate(__u64 now, __u64 prev, double interval_s)
{
	if (interval_s <= 0 || now < prev)
		return 0;
	return (double)(now - prev) / interval_s;
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

static const struct {
	const char *name;
	unsigned int zswap_header;
} backends[ZPT_NR_BACKENDS] = {
	[ZPT_BACKEND_ZSMALLOC] = { "zsmalloc", 0 },
	/* struct zswap_obj_header: the swp_entry_t that evict needs */
	[ZPT_BACKEND_ZBUD] = { "zbud", 8 },
};

int zpt_backend_by_name(const char *name)
{
	int b;

	for (b = 0; name && b < ZPT_NR_BACKENDS; b++)
		if (!strcmp(name, backends[b].name))
			return b;
	return -1;
}

const char *zpt_backend_name(enum zpt_backend b)
{
	return b < ZPT_NR_BACKENDS ? backends[b].name : "?";
}

unsigned int zpt_backend_zswap_header(enum zpt_backend b)
{
	return b < ZPT_NR_BACKENDS ? backends[b].zswap_header : 0;
}

/* mm/zsmalloc.c: calculate_zspage_chain_size() */
static unsigned int zs_chain_size(unsigned int class_size, unsigned int page_size,
				  unsigned int max_pages)
{
	unsigned int i, waste, min_waste = ~0U, chain = 1;

	if (!(class_size & (class_size - 1)))	/* a power of 2 */
		return 1;
	for (i = 1; i <= max_pages; i++) {
		waste = (i * page_size) % class_size;
		if (waste < min_waste) {
			min_waste = waste;
			chain = i;
		}
	}
	return chain;
}

/* The slot size of class @i: ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA, at most a page. */
static unsigned int zs_class_size(const struct zpt_zsmalloc *zs, unsigned int i)
{
	unsigned int size = zs->min_alloc + i * zs->delta;

	return size > zs->page_size ? zs->page_size : size;
}

/* The constants of mm/zsmalloc.c for @page_size pages on a 64-bit kernel. */
static int zs_init(struct zpt_zsmalloc *zs, unsigned int page_size)
{
	memset(zs, 0, sizeof(*zs));
	if (page_size < 4096 || page_size > 65536 || (page_size & (page_size - 1)))
		return -1;
	zs->page_size = page_size;
	/*
	 * ZS_MIN_ALLOC_SIZE is MAX(32, chain << PAGE_SHIFT >> OBJ_INDEX_BITS),
	 * and OBJ_INDEX_BITS leaves the second term 0 on 64-bit kernels.
	 */
	zs->min_alloc = 32;
	zs->delta = page_size >> 8;			/* CLASS_BITS */
	zs->nr_classes = (page_size - zs->min_alloc + zs->delta - 1) / zs->delta + 1;
	return zs->nr_classes <= ZPT_ZS_MAX_CLASSES ? 0 : -1;
}

int zpt_zs_derive(struct zpt_zsmalloc *zs, unsigned int page_size,
		  unsigned int chain_size)
{
	struct zpt_zs_class *prev = NULL, *c;
	int i;

	if (zs_init(zs, page_size) || chain_size < 4 || chain_size > 16)
		return -1;
	/* From the biggest class down, as zs_create_pool() merges them. */
	for (i = (int)zs->nr_classes - 1; i >= 0; i--) {
		c = &zs->class[i];
		c->size = zs_class_size(zs, i);
		c->pages_per_zspage = zs_chain_size(c->size, page_size, chain_size);
		c->objs_per_zspage = c->pages_per_zspage * page_size / c->size;
		c->owner = i;
		if (prev && prev->pages_per_zspage == c->pages_per_zspage &&
		    prev->objs_per_zspage == c->objs_per_zspage) {
			*c = *prev;
			continue;
		}
		prev = c;
	}
	return 0;
}

int zpt_zs_parse_classes(struct zpt_zsmalloc *zs, const char *text,
			 unsigned int page_size)
{
	unsigned int idx, size, pages, seen = 0, i;
	struct zpt_zs_class *owner = NULL;
	const char *line = text;
	unsigned long f[16];
	bool listed[ZPT_ZS_MAX_CLASSES] = {};

	if (zs_init(zs, page_size))
		return -1;
	/* " class size 10% .. 100% obj_allocated obj_used pages_used pages_per_zspage freeable" */
	while (line && *line) {
		if (sscanf(line, " %u %u %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu",
			   &idx, &size, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7],
			   &f[8], &f[9], &f[10], &f[11], &f[12], &f[13], &f[14], &f[15]) == 18) {
			pages = (unsigned int)f[14];
			if (idx >= zs->nr_classes || size != zs_class_size(zs, idx) ||
			    !pages || pages > 16 || listed[idx])
				return -1;
			zs->class[idx] = (struct zpt_zs_class){
				.size = size,
				.pages_per_zspage = pages,
				.objs_per_zspage = pages * page_size / size,
				.owner = idx,
			};
			listed[idx] = true;
			seen++;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	/* The biggest class is never merged; the unlisted go to the next listed. */
	if (!seen || !listed[zs->nr_classes - 1])
		return -1;
	for (i = zs->nr_classes; i-- > 0;) {
		if (listed[i])
			owner = &zs->class[i];
		else
			zs->class[i] = *owner;
	}
	return 0;
}

const struct zpt_zs_class *zpt_zs_class_of(const struct zpt_zsmalloc *zs, size_t size)
{
	/* lookup_size_class(): the handle is part of the object */
	size_t with_handle = size + sizeof(__u64);
	unsigned int idx = 0;

	if (with_handle > zs->min_alloc)
		idx = (with_handle - zs->min_alloc + zs->delta - 1) / zs->delta;
	if (idx >= zs->nr_classes)
		idx = zs->nr_classes - 1;
	return &zs->class[idx];
}

void zpt_sizes_convert(struct zpt_sizes *out, const struct zp_size_hist *h,
		       enum zpt_backend from, enum zpt_backend to)
{
	long long shift = (long long)zpt_backend_zswap_header(to) -
			  (long long)zpt_backend_zswap_header(from);
	const long long page = ZP_SIZE_MAX, last = ZP_SIZE_BINS - 1;
	long long b, size;

	memset(out, 0, sizeof(*out));
	for (b = 1; b <= last; b++) {
		if (h->bins[b] <= 0)
			continue;
		/*
		 * Bin b holds sizes up to 8 * b, and every boundary a model
		 * needs is a multiple of 8, so the bound stands for the bin.
		 * The last bin holds pages stored as they are (and compressed
		 * data that fills a page within a few bytes): a page of its
		 * own in every backend.
		 */
		size = b == last ? page : (b << ZP_SIZE_SHIFT) + shift;
		if (size < 1 << ZP_SIZE_SHIFT)
			size = 1 << ZP_SIZE_SHIFT;
		/* zswap stores compressed data only if it leaves room: data + header < page */
		if (size >= page)
			size = page;
		out->n[(size + (1 << ZP_SIZE_SHIFT) - 1) >> ZP_SIZE_SHIFT] += (__u64)h->bins[b];
	}
	/* Bin 0 (size 0) never comes from zpool_malloc(); keep it if it did. */
	if (h->bins[0] > 0)
		out->n[0] += (__u64)h->bins[0];
}

__u64 zpt_sizes_count(const struct zpt_sizes *s)
{
	__u64 n = 0;
	int b;

	for (b = 0; b < ZP_SIZE_BINS; b++)
		n += s->n[b];
	return n;
}

__u64 zpt_zsmalloc_pages(const struct zpt_zsmalloc *zs, const struct zpt_sizes *s)
{
	__u64 objs[ZPT_ZS_MAX_CLASSES] = {}, pages = 0;
	const struct zpt_zs_class *c;
	unsigned int b, i;

	for (b = 0; b < ZP_SIZE_BINS; b++) {
		if (!s->n[b])
			continue;
		c = zpt_zs_class_of(zs, (size_t)b << ZP_SIZE_SHIFT);
		objs[c->owner] += s->n[b];
	}
	for (i = 0; i < zs->nr_classes; i++) {
		c = &zs->class[i];
		if (objs[i])
			pages += (objs[i] + c->objs_per_zspage - 1) / c->objs_per_zspage *
				 c->pages_per_zspage;
	}
	return pages;
}

/* xorshift64*: a fixed sequence, so that a model gives one answer. */
static __u64 next_random(__u64 *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/* mm/zbud.c: 64 chunks a page, the first the page's header */
#define ZBUD_NCHUNKS_ORDER	6
#define ZBUD_MAX_CHUNKS		(1U << ZBUD_NCHUNKS_ORDER)
#define ZBUD_NCHUNKS		(ZBUD_MAX_CHUNKS - 1)

/* A zbud pool on paper: its pages with one buddy, by free chunks. */
struct zbud_paper {
	unsigned int chunk;		/* ZBUD_CHUNK_SIZE */
	size_t max_size;		/* ZBUD_MAX_SIZE */
	__u64 lonely[ZBUD_MAX_CHUNKS];
	__u64 pages;
};

static int zbud_paper_init(struct zbud_paper *z, unsigned int page_size)
{
	memset(z, 0, sizeof(*z));
	z->chunk = page_size >> ZBUD_NCHUNKS_ORDER;
	z->max_size = page_size - 2 * z->chunk;
	return z->chunk ? 0 : -1;
}

/* The chunks an object of @size takes; 0 if it gets a page of its own. */
static unsigned int zbud_chunks(const struct zbud_paper *z, size_t size)
{
	if (size > z->max_size)
		return 0;
	return size ? (unsigned int)((size + z->chunk - 1) / z->chunk) : 1;
}

/*
 * zbud_alloc() of @chunks: the page with one buddy whose free chunks fit
 * it most closely (the lowest unbuddied list that has a page), or a new
 * page, where it is the first buddy.
 */
static void zbud_place(struct zbud_paper *z, unsigned int chunks)
{
	unsigned int f;

	for (f = chunks; f < ZBUD_NCHUNKS && !z->lonely[f]; f++)
		;
	if (f < ZBUD_NCHUNKS) {
		z->lonely[f]--;
		return;
	}
	z->pages++;
	z->lonely[ZBUD_NCHUNKS - chunks]++;
}

__u64 zpt_zbud_pages_in_order(const size_t *sizes, size_t n, unsigned int page_size)
{
	struct zbud_paper z;
	unsigned int c;
	size_t i;

	if (zbud_paper_init(&z, page_size))
		return 0;
	for (i = 0; i < n; i++) {
		c = zbud_chunks(&z, sizes[i]);
		if (c)
			zbud_place(&z, c);
		else
			z.pages++;
	}
	return z.pages;
}

__u64 zpt_zbud_pages(const struct zpt_sizes *s, unsigned int page_size)
{
	__u64 left[ZBUD_MAX_CHUNKS] = {}, own = 0, all = 0, sample, total, r;
	__u64 state = 0x7a627564ULL;
	struct zbud_paper z;
	unsigned int b, c;

	if (zbud_paper_init(&z, page_size))
		return 0;
	/* left[c]: the objects of c chunks still to place */
	for (b = 0; b < ZP_SIZE_BINS; b++) {
		if (!s->n[b])
			continue;
		c = zbud_chunks(&z, (size_t)b << ZP_SIZE_SHIFT);
		if (!c) {
			own += s->n[b];
			continue;
		}
		left[c] += s->n[b];
		all += s->n[b];
	}
	sample = all;
	if (all > ZPT_ZBUD_SAMPLE) {
		for (c = 1, sample = 0; c < ZBUD_NCHUNKS; c++) {
			left[c] = (left[c] * ZPT_ZBUD_SAMPLE + all / 2) / all;
			sample += left[c];
		}
	}
	for (total = sample; total; total--) {
		/* One of the objects left, each as likely as any other. */
		r = next_random(&state) % total;
		for (c = 1; r >= left[c]; c++)
			r -= left[c];
		left[c]--;
		zbud_place(&z, c);
	}
	if (sample && sample != all)
		z.pages = (z.pages * all + sample / 2) / sample;
	return own + z.pages;
}

int zpt_parse_kconfig_int(const char *text, const char *name, long *out)
{
	size_t len = strlen(name);
	const char *line = text;
	char *end;
	long v;

	while (line && *line) {
		if (!strncmp(line, name, len) && line[len] == '=') {
			errno = 0;
			v = strtol(line + len + 1, &end, 0);
			if (errno || end == line + len + 1 || (*end && *end != '\n'))
				return -1;
			*out = v;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

/* The pages backend @to needs for @sizes, the histogram of a pool on @from. */
static __u64 model_pages(const struct zpt_models *m, const struct zp_size_hist *sizes,
			 enum zpt_backend from, enum zpt_backend to, __u64 *objects)
{
	struct zpt_sizes s;

	zpt_sizes_convert(&s, sizes, from, to);
	*objects = zpt_sizes_count(&s);
	switch (to) {
	case ZPT_BACKEND_ZSMALLOC:
		return zpt_zsmalloc_pages(&m->zsmalloc, &s);
	case ZPT_BACKEND_ZBUD:
		return zpt_zbud_pages(&s, m->page_size);
	default:
		return 0;
	}
}

void zpt_row_whatif(struct zpt_row *row, const struct zp_size_hist *sizes,
		    const struct zpt_models *m)
{
	int from = zpt_backend_by_name(row->type), to;
	__u64 known = 0, pages;
	double scale = 1;

	row->has_whatif = false;
	if (from < 0 || m->page_size != ZP_SIZE_MAX ||
	    m->zsmalloc.page_size != m->page_size)
		return;
	row->has_whatif = true;
	for (to = 0; to < ZPT_NR_BACKENDS; to++) {
		pages = model_pages(m, sizes, from, to, &known);
		row->known_pages = known;
		/*
		 * Pages stored before the program attached have no size: the
		 * known ones stand for them, at the same density.
		 */
		if (row->stored_pages > 0 && (__u64)row->stored_pages > known && known)
			scale = (double)row->stored_pages / (double)known;
		row->whatif[to].pool_pages = (__u64)((double)pages * scale + 0.5);
		row->whatif[to].ratio = pages ? (double)known / (double)pages : 0;
	}
	row->coverage = row->stored_pages > 0 ?
			(double)row->known_pages / (double)row->stored_pages : 0;
	if (row->coverage > 1)
		row->coverage = 1;
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

static double system_ratio(const struct zpt_totals *t)
{
	return t->zswap_bytes ? (double)t->zswapped_bytes / (double)t->zswap_bytes : 0;
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

/* Each latency level: its name in JSON, metrics and --hist, and what it is. */
static const struct {
	const char *name;
	const char *what;
} hist_names[ZP_NR_HISTS] = {
	[ZP_HIST_WRITEBACK] = { "writeback", "writeback latency (zswap writing one entry back to swap)" },
	[ZP_HIST_EVICT] = { "evict", "evict latency (the backend evicting one object; a zbud eviction includes its writeback)" },
	[ZP_HIST_SHRINK] = { "shrink", "shrink latency (one zpool_shrink call; it wraps evictions)" },
	[ZP_HIST_MAP_WAIT] = { "map_wait", "map lock wait (object reads and writes that waited)" },
	[ZP_HIST_MAP_HOLD] = { "map_hold", "time mapped (map to unmap)" },
};

/* The order in which --hist, JSON and the metrics list the levels. */
static const enum zp_hist_kind hist_order[ZP_NR_HISTS] = {
	ZP_HIST_WRITEBACK, ZP_HIST_EVICT, ZP_HIST_SHRINK, ZP_HIST_MAP_WAIT,
	ZP_HIST_MAP_HOLD,
};

/* Whether a latency level was measured: the map levels only with -w. */
static bool level_measured(const struct zpt_view *v, enum zp_hist_kind k)
{
	return v->waits || (k != ZP_HIST_MAP_WAIT && k != ZP_HIST_MAP_HOLD);
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
	char a[16], b[16], c[16], w[16];

	if (interval) {
		fmt_rate(a, sizeof(a), (double)d->events, v);
		fmt_rate(b, sizeof(b), (double)d->pages, v);
		fmt_rate(c, sizeof(c), (double)d->objects, v);
		fmt_interval_ns(w, sizeof(w), d->wait_ns, v);
	} else {
		zpt_fmt_count(a, sizeof(a), (double)d->events);
		zpt_fmt_count(b, sizeof(b), (double)d->pages);
		zpt_fmt_count(c, sizeof(c), (double)d->objects);
		zpt_fmt_ns(w, sizeof(w), d->wait_ns);
	}
	fprintf(f, " %6s %5s %5s %5s", a, b, c, w);
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
	char a[16], b[16], c[16], d[16], e[16];
	size_t i;

	fprintf(f, "\n%-16s %6s %5s %5s %5s %5s  since zpooltop started\n", "CMA AREA",
		"ALLOCS", "FAIL", "P50", "P99", "MAX");
	for (i = 0; i < v->nareas; i++) {
		const struct zpt_cma_area *ar = &v->areas[i];

		zpt_fmt_count(a, sizeof(a), (double)ar->allocs);
		zpt_fmt_count(b, sizeof(b), (double)ar->failures);
		zpt_fmt_ns(c, sizeof(c), ar->p50_ns);
		zpt_fmt_ns(d, sizeof(d), ar->p99_ns);
		zpt_fmt_ns(e, sizeof(e), ar->max_ns);
		fprintf(f, "%-16.16s %6s %5s %5s %5s %5s\n", ar->name, a, b, c, d, e);
	}
	if (!v->nareas)
		fprintf(f, "   (no contiguous allocation yet)\n");
}

void zpt_print_text(FILE *f, const struct zpt_view *v, bool hist)
{
	char tbuf[16], a[16], b[16], c[16], d[16], e[16], g[16], h[16], k[16], w[16];
	const struct zpt_totals *t = &v->now;
	time_t when = (time_t)v->time;
	struct tm tm;
	size_t i;
	int j;

	localtime_r(&when, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	zpt_fmt_bytes(a, sizeof(a), (double)t->zswap_bytes);
	zpt_fmt_bytes(b, sizeof(b), (double)t->zswapped_bytes);
	zpt_fmt_count(c, sizeof(c), (double)(t->zswapped_bytes / v->page_size));
	zpt_fmt_count(d, sizeof(d), (double)t->zswpwb);
	fmt_ratio(w, sizeof(w), system_ratio(t));
	fprintf(f, "%s zswap %s holds %s (%s%s), %s pages, %s written back\n",
		tbuf, a, b, w, system_ratio(t) > 0 ? ":1" : "", c, d);
	fmt_rate(a, sizeof(a), rate(t->zswpout, v->prev.zswpout, v->interval_s), v);
	fmt_rate(b, sizeof(b), rate(t->zswpin, v->prev.zswpin, v->interval_s), v);
	fmt_rate(c, sizeof(c), rate(t->zswpwb, v->prev.zswpwb, v->interval_s), v);
	fmt_rate(d, sizeof(d), rate(t->pswpout, v->prev.pswpout, v->interval_s), v);
	fmt_rate(e, sizeof(e), rate(t->pswpin, v->prev.pswpin, v->interval_s), v);
	fprintf(f, "pages/s: zswap out %s in %s written back %s; swap out %s in %s\n",
		a, b, c, d, e);
	if (v->memcg) {
		const struct zpt_memcg_row *m = v->memcg;
		size_t len = strlen(m->path);

		fmt_rate(a, sizeof(a), m->stores_s, v);
		fmt_rate(b, sizeof(b), m->loads_s, v);
		fmt_rate(c, sizeof(c), m->writebacks_s, v);
		/* A long path keeps its end, which names the cgroup. */
		if (len > 72)
			fprintf(f, "cgroup ...%s\n", m->path + len - 69);
		else
			fprintf(f, "cgroup %s\n", m->path);
		fprintf(f, "  zswap pages/s: stored %s loaded %s written back %s; stored at %.2f:1\n",
			a, b, c, m->store_ratio);
	}
	/* WAIT and WT99 only when measured (-w), not as zeros. */
	fprintf(f, "\n%2s %-8s %6s %5s %5s %5s %5s %5s %5s %5s", "ID", "BACKEND",
		"STORED", "POOL", "RATIO", "ALLOC", "FREE", "EVICT", "RCL50", "RCL99");
	if (v->waits)
		fprintf(f, " %5s %5s", "WAIT", "WT99");
	fputc('\n', f);
	for (i = 0; i < v->nrows; i++) {
		const struct zpt_row *r = &v->rows[i];

		zpt_fmt_count(a, sizeof(a), (double)r->stored_pages);
		zpt_fmt_bytes(b, sizeof(b), (double)r->pool_pages * v->page_size);
		fmt_rate(c, sizeof(c), r->allocs_s, v);
		fmt_rate(d, sizeof(d), r->frees_s, v);
		fmt_rate(e, sizeof(e), r->evicts_s, v);
		zpt_fmt_ns(g, sizeof(g), r->p50_ns[ZPT_RECLAIM_HIST]);
		zpt_fmt_ns(h, sizeof(h), r->p99_ns[ZPT_RECLAIM_HIST]);
		fmt_ratio(k, sizeof(k), r->ratio);
		fprintf(f, "%2u %-8.8s %6s %5s %5s %5s %5s %5s %5s %5s",
			r->id, r->type, a, b, k, c, d, e, g, h);
		if (v->waits) {
			fmt_rate(k, sizeof(k), r->map_waits_s, v);
			zpt_fmt_ns(w, sizeof(w), r->p99_ns[ZP_HIST_MAP_WAIT]);
			fprintf(f, " %5s %5s", k, w);
		}
		fputc('\n', f);
	}
	if (!v->nrows)
		fprintf(f, "   (no pools)\n");
	print_discards(f, v);
	for (i = 0; i < v->nrows; i++)
		print_whatif(f, &v->rows[i], v->page_size);
	if (v->cma)
		print_cma(f, v);
	for (i = 0; hist && v->interval_s > 0 && i < v->nrows; i++) {
		for (j = 0; j < ZP_NR_HISTS; j++) {
			if (!level_measured(v, hist_order[j]))
				continue;
			fprintf(f, "%spool %u (%s) %s:\n", j ? "" : "\n", v->rows[i].id,
				v->rows[i].type, hist_names[hist_order[j]].what);
			zpt_print_log2_hist(f, &v->rows[i].hist[hist_order[j]]);
		}
	}
	for (i = 0; hist && v->cma && i < v->nareas; i++) {
		fprintf(f, "\ncma area %s: latency of the allocations that succeeded:\n",
			v->areas[i].name);
		zpt_print_log2_hist(f, &v->areas[i].hist);
	}
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_hist(FILE *f, const char *name, const struct zp_hist *h)
{
	int i;

	fprintf(f, ",\"%s_hist\":[", name);
	for (i = 0; i < ZP_HIST_SLOTS; i++)
		fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)h->slots[i]);
	fputc(']', f);
}

static void json_whatif(FILE *f, const struct zpt_row *r, unsigned long page_size)
{
	int b;

	fprintf(f, ",\"whatif_known_pages\":%llu,\"whatif_coverage\":%.4f,\"whatif\":{",
		(unsigned long long)r->known_pages, r->coverage);
	for (b = 0; b < ZPT_NR_BACKENDS; b++)
		fprintf(f, "%s\"%s\":{\"pool_bytes\":%llu,\"ratio\":%.4f}", b ? "," : "",
			zpt_backend_name(b),
			(unsigned long long)r->whatif[b].pool_pages * page_size,
			r->whatif[b].ratio);
	fputc('}', f);
}

/* A row's discards: the interval's, then the totals since counting began. */
static void json_discards(FILE *f, const struct zpt_row *r)
{
	struct zpt_discards t;

	zpt_discards_from_counters(&t, &r->total);
	fprintf(f, ",\"discards\":{\"events\":%llu,\"pages\":%llu,\"objects\":%llu,"
		"\"wait_ns\":%llu,\"total_events\":%llu,\"total_pages\":%llu,"
		"\"total_objects\":%llu,\"total_wait_ns\":%llu}",
		(unsigned long long)r->discards.events, (unsigned long long)r->discards.pages,
		(unsigned long long)r->discards.objects, (unsigned long long)r->discards.wait_ns,
		(unsigned long long)t.events, (unsigned long long)t.pages,
		(unsigned long long)t.objects, (unsigned long long)t.wait_ns);
}

/* --cma: the areas, each with its histogram too with --hist. */
static void json_cma(FILE *f, const struct zpt_view *v, bool hist)
{
	size_t i;

	fputs(",\"cma\":[", f);
	for (i = 0; i < v->nareas; i++) {
		const struct zpt_cma_area *a = &v->areas[i];

		fprintf(f, "%s{\"area\":", i ? "," : "");
		json_string(f, a->name);
		fprintf(f, ",\"allocs\":%llu,\"failures\":%llu,\"alloc_p50_ns\":%llu,"
			"\"alloc_p99_ns\":%llu,\"alloc_max_ns\":%llu",
			(unsigned long long)a->allocs, (unsigned long long)a->failures,
			(unsigned long long)a->p50_ns, (unsigned long long)a->p99_ns,
			(unsigned long long)a->max_ns);
		if (hist)
			json_hist(f, "alloc", &a->hist);
		fputc('}', f);
	}
	fputc(']', f);
}

void zpt_print_json(FILE *f, const struct zpt_view *v, bool hist)
{
	const struct zpt_totals *t = &v->now, *p = &v->prev;
	size_t i;
	int j;

	fprintf(f, "{\"schema\":%d,\"time\":%lld,\"interval_s\":%.3f,\"lost_events\":%llu,"
		"\"system\":{", ZPT_JSON_SCHEMA, v->time, v->interval_s,
		(unsigned long long)v->lost_events);
	fprintf(f, "\"zswap_bytes\":%llu,\"zswapped_bytes\":%llu,\"ratio\":%.4f,"
		"\"stored_pages\":%llu,\"written_back_pages\":%llu,",
		(unsigned long long)t->zswap_bytes, (unsigned long long)t->zswapped_bytes,
		system_ratio(t), (unsigned long long)(t->zswapped_bytes / v->page_size),
		(unsigned long long)t->zswpwb);
	fprintf(f, "\"zswpout_s\":%.1f,\"zswpin_s\":%.1f,\"zswpwb_s\":%.1f,"
		"\"pswpout_s\":%.1f,\"pswpin_s\":%.1f}",
		rate(t->zswpout, p->zswpout, v->interval_s),
		rate(t->zswpin, p->zswpin, v->interval_s),
		rate(t->zswpwb, p->zswpwb, v->interval_s),
		rate(t->pswpout, p->pswpout, v->interval_s),
		rate(t->pswpin, p->pswpin, v->interval_s));
	if (v->memcg) {
		fputs(",\"memcg\":{\"path\":", f);
		json_string(f, v->memcg->path);
		fprintf(f, ",\"id\":%llu,\"stores_s\":%.1f,\"loads_s\":%.1f,"
			"\"writebacks_s\":%.1f,\"store_ratio\":%.4f}",
			(unsigned long long)v->memcg->id, v->memcg->stores_s,
			v->memcg->loads_s, v->memcg->writebacks_s,
			v->memcg->store_ratio);
	}
	fputs(",\"pools\":[", f);
	for (i = 0; i < v->nrows; i++) {
		const struct zpt_row *r = &v->rows[i];

		fprintf(f, "%s{\"id\":%u,\"backend\":", i ? "," : "", r->id);
		json_string(f, r->type);
		fprintf(f, ",\"stored_pages\":%lld,\"pool_pages\":%llu,\"pool_bytes\":%llu,"
			"\"ratio\":%.4f,\"allocs_s\":%.1f,\"frees_s\":%.1f,\"evicts_s\":%.1f",
			(long long)r->stored_pages, (unsigned long long)r->pool_pages,
			(unsigned long long)r->pool_pages * v->page_size, r->ratio,
			r->allocs_s, r->frees_s, r->evicts_s);
		if (v->waits)
			fprintf(f, ",\"map_waits_s\":%.1f", r->map_waits_s);
		for (j = 0; j < ZP_NR_HISTS; j++)
			if (level_measured(v, hist_order[j]))
				fprintf(f, ",\"%s_p50_ns\":%llu,\"%s_p99_ns\":%llu",
					hist_names[hist_order[j]].name,
					(unsigned long long)r->p50_ns[hist_order[j]],
					hist_names[hist_order[j]].name,
					(unsigned long long)r->p99_ns[hist_order[j]]);
		for (j = 0; hist && j < ZP_NR_HISTS; j++)
			if (level_measured(v, hist_order[j]))
				json_hist(f, hist_names[hist_order[j]].name,
					  &r->hist[hist_order[j]]);
		if (zpt_row_shows_discards(r))
			json_discards(f, r);
		if (r->has_whatif)
			json_whatif(f, r, v->page_size);
		fputc('}', f);
	}
	fputc(']', f);
	if (v->cma)
		json_cma(f, v, hist);
	fputs("}\n", f);
}

/* A label value: backslash, double quote and newline escaped. */
static void metric_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void metric_labels(FILE *f, const struct zpt_row *r, const char *le)
{
	fprintf(f, "{pool=\"%u\",backend=", r->id);
	metric_label(f, r->type);
	if (le)
		fprintf(f, ",le=\"%s\"", le);
	fputc('}', f);
}

/*
 * # HELP and # TYPE (and # UNIT in OpenMetrics) of a family.  A counter's
 * family is named without _total in OpenMetrics, with it in Prometheus's
 * format, where the TYPE names the samples.
 */
static void metric_head(FILE *f, enum zpt_metrics_format fmt, const char *name,
			const char *type, const char *unit, const char *help)
{
	bool counter = !strcmp(type, "counter");
	const char *suffix = counter && fmt == ZPT_METRICS_PROMETHEUS ? "_total" : "";

	fprintf(f, "# HELP zpooltop_%s%s %s\n", name, suffix, help);
	fprintf(f, "# TYPE zpooltop_%s%s %s\n", name, suffix, type);
	if (unit && fmt == ZPT_METRICS_OPENMETRICS)
		fprintf(f, "# UNIT zpooltop_%s %s\n", name, unit);
}

enum metric_field {
	MF_STORED, MF_PAGES, MF_BYTES, MF_RATIO, MF_ALLOCS, MF_FREES, MF_EVICTS,
	MF_WRITEBACKS, MF_MAP_WAITS,
};

static const struct {
	const char *name, *type, *unit, *help;
} metric_fields[] = {
	[MF_STORED] = { "pool_stored_pages", "gauge", NULL,
			"Pages stored in the pool (zswap stores one page per object)." },
	[MF_PAGES] = { "pool_pages", "gauge", NULL, "Pages the pool uses." },
	[MF_BYTES] = { "pool_size_bytes", "gauge", "bytes", "Memory the pool uses." },
	[MF_RATIO] = { "pool_compression_ratio", "gauge", NULL,
		       "Stored pages over pool pages." },
	[MF_ALLOCS] = { "pool_allocations", "counter", NULL, "Objects allocated." },
	[MF_FREES] = { "pool_frees", "counter", NULL, "Objects freed." },
	[MF_EVICTS] = { "pool_evictions", "counter", NULL,
			"Objects the backend evicted (zbud reclaim)." },
	[MF_WRITEBACKS] = { "pool_writebacks", "counter", NULL,
			    "Entries zswap wrote back to swap." },
	[MF_MAP_WAITS] = { "pool_map_waits", "counter", NULL,
			   "Object reads and writes that waited for a backend lock." },
};

static void metric_value(FILE *f, const struct zpt_view *v, const struct zpt_row *r,
			 enum metric_field m)
{
	switch (m) {
	case MF_STORED:
		fprintf(f, "%lld", (long long)r->stored_pages);
		break;
	case MF_PAGES:
		fprintf(f, "%llu", (unsigned long long)r->pool_pages);
		break;
	case MF_BYTES:
		fprintf(f, "%llu", (unsigned long long)r->pool_pages * v->page_size);
		break;
	case MF_RATIO:
		fprintf(f, "%.4f", r->ratio);
		break;
	case MF_ALLOCS:
		fprintf(f, "%llu", (unsigned long long)r->total.allocs);
		break;
	case MF_FREES:
		fprintf(f, "%llu", (unsigned long long)r->total.frees);
		break;
	case MF_EVICTS:
		fprintf(f, "%llu", (unsigned long long)r->total.evicts);
		break;
	case MF_WRITEBACKS:
		fprintf(f, "%llu", (unsigned long long)r->total.writebacks);
		break;
	case MF_MAP_WAITS:
		fprintf(f, "%llu", (unsigned long long)r->total.map_waits);
		break;
	}
}

/*
 * One pool's histogram: slot n holds integer nanoseconds up to
 * 2^(n+1) - 1, the bucket's bound; the last slot, which also holds
 * everything beyond, is counted in +Inf only.
 */
static void metric_hist(FILE *f, const struct zpt_row *r, const char *name,
			const struct zp_hist *h, const double *sum_s)
{
	__u64 cum = 0;
	char le[32];
	int i;

	for (i = 0; i < ZP_HIST_SLOTS - 1; i++) {
		cum += h->slots[i];
		snprintf(le, sizeof(le), "%.10g", (double)((2ULL << i) - 1) / 1e9);
		fprintf(f, "zpooltop_pool_%s_seconds_bucket", name);
		metric_labels(f, r, le);
		fprintf(f, " %llu\n", (unsigned long long)cum);
	}
	cum += h->slots[ZP_HIST_SLOTS - 1];
	fprintf(f, "zpooltop_pool_%s_seconds_bucket", name);
	metric_labels(f, r, "+Inf");
	fprintf(f, " %llu\n", (unsigned long long)cum);
	if (!sum_s)
		return;
	fprintf(f, "zpooltop_pool_%s_seconds_count", name);
	metric_labels(f, r, NULL);
	fprintf(f, " %llu\n", (unsigned long long)cum);
	fprintf(f, "zpooltop_pool_%s_seconds_sum", name);
	metric_labels(f, r, NULL);
	fprintf(f, " %.9f\n", *sum_s);
}

void zpt_print_metrics(FILE *f, const struct zpt_view *v, enum zpt_metrics_format fmt)
{
	char name[64], help[160];
	size_t i, m;
	int j;

	for (m = 0; m < sizeof(metric_fields) / sizeof(metric_fields[0]); m++) {
		bool counter = !strcmp(metric_fields[m].type, "counter");

		if (m == MF_MAP_WAITS && !v->waits)
			continue;	/* not measured: no series, rather than 0 */
		metric_head(f, fmt, metric_fields[m].name, metric_fields[m].type,
			    metric_fields[m].unit, metric_fields[m].help);
		for (i = 0; i < v->nrows; i++) {
			fprintf(f, "zpooltop_%s%s", metric_fields[m].name,
				counter ? "_total" : "");
			metric_labels(f, &v->rows[i], NULL);
			fputc(' ', f);
			metric_value(f, v, &v->rows[i], (enum metric_field)m);
			fputc('\n', f);
		}
	}
	for (j = 0; j < ZP_NR_HISTS; j++) {
		enum zp_hist_kind k = hist_order[j];

		if (!level_measured(v, k))
			continue;
		snprintf(name, sizeof(name), "pool_%s_seconds", hist_names[k].name);
		snprintf(help, sizeof(help), "%c%s.", toupper((unsigned char)hist_names[k].what[0]),
			 hist_names[k].what + 1);
		metric_head(f, fmt, name, "histogram", "seconds", help);
		for (i = 0; i < v->nrows; i++) {
			const struct zpt_row *r = &v->rows[i];
			/* Only the map wait has its sum: the programs add up no other. */
			double sum_s = (double)r->total.map_wait_ns / 1e9;

			metric_hist(f, r, hist_names[k].name, &r->total.hist[k],
				    k == ZP_HIST_MAP_WAIT ? &sum_s : NULL);
		}
	}
	metric_head(f, fmt, "lost_events", "counter", NULL,
		    "Events the BPF program could not count (pool ids or CMA areas past its tables).");
	fprintf(f, "zpooltop_lost_events_total %llu\n", (unsigned long long)v->lost_events);
	if (fmt == ZPT_METRICS_OPENMETRICS)
		fputs("# EOF\n", f);
}

int zpt_write_metrics_file(const char *path, const struct zpt_view *v,
			   enum zpt_metrics_format fmt)
{
	char tmp[4096];
	int err = 0;
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	zpt_print_metrics(f, v, fmt);
	if (fflush(f) || ferror(f))
		err = errno ? -errno : -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
