// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The --whatif model of zbud: a pool on paper, into which the objects are
 * placed one at a time as zbud_alloc() places them (two buddies a page at
 * most, the best fit first), in a fixed random order, since the pages it
 * ends with depend on the order.
 */
#include <string.h>

#include "zpooltop_priv.h"

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

static __u64 zbud_model_pages(const struct zpt_models *m, const struct zpt_sizes *s)
{
	return zpt_zbud_pages(s, m->page_size);
}

const struct zpt_model zpt_zbud_model = {
	.name = "zbud",
	/* struct zswap_obj_header: the swp_entry_t that evict needs */
	.zswap_header = 8,
	.pages = zbud_model_pages,
};
