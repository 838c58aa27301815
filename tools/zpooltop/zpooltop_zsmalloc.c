// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The --whatif model of zsmalloc: its size classes, derived as
 * zs_create_pool() sets them up or read from a pool's debugfs "classes"
 * file, the class each object size goes to, and the full zspages a pool
 * needs per class.
 */
#include <string.h>

#include "zpooltop_priv.h"

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

static __u64 zsmalloc_model_pages(const struct zpt_models *m, const struct zpt_sizes *s)
{
	return zpt_zsmalloc_pages(&m->zsmalloc, s);
}

const struct zpt_model zpt_zsmalloc_model = {
	.name = "zsmalloc",
	.zswap_header = 0,
	.pages = zsmalloc_model_pages,
};
