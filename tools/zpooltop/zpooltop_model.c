// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --whatif: the pool each modelled backend would need for the objects a
 * pool holds now.  The objects' sizes are converted from the pool's own
 * backend to each other's (zswap's header off or on), then handed to the
 * backend's model, one entry of the table below; each model is in a file
 * of its own (zpooltop_zsmalloc.c, zpooltop_zbud.c).  The kernel
 * configuration, which a model may need (CONFIG_ZSMALLOC_CHAIN_SIZE), is
 * read here too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zpooltop_priv.h"

/*
 * The models, by enum zpt_backend.  A new backend is a file that exports
 * its struct zpt_model, its value in the enum, and a line here.
 */
static const struct zpt_model *const models[ZPT_NR_BACKENDS] = {
	[ZPT_BACKEND_ZSMALLOC] = &zpt_zsmalloc_model,
	[ZPT_BACKEND_ZBUD] = &zpt_zbud_model,
};

int zpt_backend_by_name(const char *name)
{
	int b;

	for (b = 0; name && b < ZPT_NR_BACKENDS; b++)
		if (!strcmp(name, models[b]->name))
			return b;
	return -1;
}

const char *zpt_backend_name(enum zpt_backend b)
{
	return b < ZPT_NR_BACKENDS ? models[b]->name : "?";
}

unsigned int zpt_backend_zswap_header(enum zpt_backend b)
{
	return b < ZPT_NR_BACKENDS ? models[b]->zswap_header : 0;
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
	return models[to]->pages(m, &s);
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
