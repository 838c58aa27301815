// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * zpooltop's JSON output (-o json): one object a line for each interval,
 * with the keys zpooltop.8 documents and the layout version
 * ZPT_JSON_SCHEMA names.
 */
#include "zpooltop_priv.h"

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
			if (level_measured(v, zpt_hist_order[j]))
				fprintf(f, ",\"%s_p50_ns\":%llu,\"%s_p99_ns\":%llu",
					zpt_hist_names[zpt_hist_order[j]].name,
					(unsigned long long)r->p50_ns[zpt_hist_order[j]],
					zpt_hist_names[zpt_hist_order[j]].name,
					(unsigned long long)r->p99_ns[zpt_hist_order[j]]);
		for (j = 0; hist && j < ZP_NR_HISTS; j++)
			if (level_measured(v, zpt_hist_order[j]))
				json_hist(f, zpt_hist_names[zpt_hist_order[j]].name,
					  &r->hist[zpt_hist_order[j]]);
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
