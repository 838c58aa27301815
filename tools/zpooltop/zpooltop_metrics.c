// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * zpooltop's metrics (-o openmetrics, --textfile): the pools' gauges,
 * counters and latency histograms in the OpenMetrics or the Prometheus
 * text format, and the file node_exporter's textfile collector reads,
 * replaced atomically.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "zpooltop_priv.h"

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
		enum zp_hist_kind k = zpt_hist_order[j];

		if (!level_measured(v, k))
			continue;
		snprintf(name, sizeof(name), "pool_%s_seconds", zpt_hist_names[k].name);
		snprintf(help, sizeof(help), "%c%s.",
			 toupper((unsigned char)zpt_hist_names[k].what[0]),
			 zpt_hist_names[k].what + 1);
		metric_head(f, fmt, name, "histogram", "seconds", help);
		for (i = 0; i < v->nrows; i++) {
			const struct zpt_row *r = &v->rows[i];
			/* Only the map wait has its sum: the programs add up no other. */
			double sum_s = (double)r->total.map_wait_ns / 1e9;

			metric_hist(f, r, zpt_hist_names[k].name, &r->total.hist[k],
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
