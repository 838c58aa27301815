// SPDX-License-Identifier: GPL-2.0
/*
 * zp_cma_bench: the latency of contiguous allocations from CMA areas, as
 * the kernel's cma_alloc_start and cma_alloc_finish events time them.
 * Each round allocates 1, 16, 256, 2048 and 4096 pages (at most the
 * area) from every area named, in turn, through CMA's debugfs, and frees
 * them again.  Run it while a workload keeps memory busy: a CMA area then
 * holds movable pages that an allocation must migrate, and a GCMA area
 * holds zswap data that an allocation drops.
 *
 *   zp_cma_bench ROUNDS AREA...
 *
 * Prints, per area and size, the allocations, failures and the p50, p99
 * and max latency in microseconds (the resolution of the trace clock),
 * then each area's p99 over all sizes.  Exit status 0 if it measured
 * every allocation, whether or not some failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zp_parse.h"
#include "zp_util.h"

#define MAX_AREAS	4
#define MAX_ROUNDS	1000
#define CMA_DEBUGFS	"/sys/kernel/debug/cma"

static const long sizes[] = { 1, 16, 256, 2048, 4096 };
#define NR_SIZES	(sizeof(sizes) / sizeof(sizes[0]))

struct cell {
	long pages;		/* what was asked, clipped to the area */
	int n, failed;
	double us[MAX_ROUNDS];
};

struct area {
	const char *name;
	long count;		/* pages */
	struct cell cells[NR_SIZES];
	double all[MAX_ROUNDS * NR_SIZES];
	int nall;
};

static const char *tracefs;

static int trace_set(const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	return zp_write_file(path, val);
}

/* The nearest-rank percentile of n sorted values. */
static double percentile(const double *v, int n, int pct)
{
	int rank = (pct * n + 99) / 100;

	return n ? v[rank ? rank - 1 : 0] : 0;
}

static struct area *area_named(struct area *areas, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(areas[i].name, name))
			return &areas[i];
	return NULL;
}

static struct cell *cell_of(struct area *a, long pages)
{
	size_t i;

	for (i = 0; i < NR_SIZES; i++)
		if (a->cells[i].pages == pages)
			return &a->cells[i];
	return NULL;
}

/*
 * Pair each cma_alloc_start of this process with its cma_alloc_finish
 * (the same task, one allocation at a time) and file the latency.
 */
static int parse_trace(struct area *areas, int nareas, pid_t pid)
{
	char path[256], line[512], name[64], pidtag[32];
	double start = -1, ts;
	struct area *a;
	struct cell *c;
	long pages;
	int err, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	snprintf(pidtag, sizeof(pidtag), "-%d ", pid);
	while (fgets(line, sizeof(line), f)) {
		char *ev = strstr(line, ": cma_alloc_");
		char *p;

		if (!ev || !strstr(line, pidtag))
			continue;
		/* The timestamp ends where the event's name begins. */
		for (p = ev; p > line && p[-1] != ' '; p--)
			;
		ts = strtod(p, NULL);
		if (!strncmp(ev, ": cma_alloc_start:", 18)) {
			start = ts;
			continue;
		}
		if (strncmp(ev, ": cma_alloc_finish:", 19) || start < 0)
			continue;
		if (sscanf(ev, ": cma_alloc_finish: name=%63s pfn=%*s page=%*s count=%ld align=%*u errorno=%d",
			   name, &pages, &err) != 3)
			continue;
		a = area_named(areas, nareas, name);
		c = a ? cell_of(a, pages) : NULL;
		if (c && c->n < MAX_ROUNDS) {
			c->us[c->n++] = (ts - start) * 1e6;
			c->failed += err != 0;
			a->all[a->nall++] = (ts - start) * 1e6;
			n++;
		}
		start = -1;
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	struct area areas[MAX_AREAS] = { };
	int nareas, i, r, measured, asked = 0;
	unsigned long rounds;
	size_t s;

	nareas = argc - 2;
	if (nareas < 1 || nareas > MAX_AREAS) {
		fprintf(stderr, "usage: %s ROUNDS AREA... (1 to %d rounds, 1 to %d areas)\n",
			argv[0], MAX_ROUNDS, MAX_AREAS);
		return 2;
	}
	if (zp_parse_ulong(argv[1], 1, MAX_ROUNDS, &rounds)) {
		fprintf(stderr, "%s: ROUNDS must be a number from 1 to %d, not '%s'\n",
			argv[0], MAX_ROUNDS, argv[1]);
		return 2;
	}
	for (i = 0; i < nareas; i++) {
		areas[i].name = argv[i + 2];
		/* A name, not a path: it is joined to CMA's debugfs directory. */
		if (!zp_is_file_name(areas[i].name) || area_named(areas, i, areas[i].name)) {
			fprintf(stderr, "%s: '%s' is no area name, or is named twice\n",
				argv[0], areas[i].name);
			return 2;
		}
		areas[i].count = zp_cma_stat(areas[i].name, "count");
		if (areas[i].count <= 0) {
			fprintf(stderr, "%s: no CMA area %s in " CMA_DEBUGFS "\n",
				argv[0], areas[i].name);
			return 1;
		}
		for (s = 0; s < NR_SIZES; s++)
			areas[i].cells[s].pages = sizes[s] < areas[i].count ?
						  sizes[s] : areas[i].count;
	}
	tracefs = access("/sys/kernel/tracing/trace", R_OK) ?
		  "/sys/kernel/debug/tracing" : "/sys/kernel/tracing";
	if (trace_set("buffer_size_kb", "8192") || trace_set("trace", "") ||
	    trace_set("events/cma/cma_alloc_start/enable", "1") ||
	    trace_set("events/cma/cma_alloc_finish/enable", "1")) {
		fprintf(stderr, "%s: cannot enable the cma events in %s\n",
			argv[0], tracefs);
		return 1;
	}
	for (r = 0; r < (int)rounds; r++) {
		for (s = 0; s < NR_SIZES; s++) {
			for (i = 0; i < nareas; i++) {
				long pages = areas[i].cells[s].pages;

				asked++;
				if (!zp_cma_write(areas[i].name, "alloc", pages))
					zp_cma_write(areas[i].name, "free", pages);
			}
		}
	}
	trace_set("events/cma/cma_alloc_start/enable", "0");
	trace_set("events/cma/cma_alloc_finish/enable", "0");
	measured = parse_trace(areas, nareas, getpid());
	if (measured < 0) {
		fprintf(stderr, "%s: cannot read the trace: %s\n", argv[0],
			strerror(-measured));
		return 1;
	}

	printf("cma_alloc latency, us (cma_alloc_start to cma_alloc_finish), %lu rounds\n",
	       rounds);
	printf("%-10s %6s %5s %6s %12s %12s %12s\n", "area", "pages", "n", "failed",
	       "p50", "p99", "max");
	for (s = 0; s < NR_SIZES; s++) {
		for (i = 0; i < nareas; i++) {
			struct cell *c = &areas[i].cells[s];

			qsort(c->us, c->n, sizeof(c->us[0]), zp_cmp_double);
			printf("%-10s %6ld %5d %6d %12.0f %12.0f %12.0f\n",
			       areas[i].name, c->pages, c->n, c->failed,
			       percentile(c->us, c->n, 50), percentile(c->us, c->n, 99),
			       c->n ? c->us[c->n - 1] : 0);
		}
	}
	for (i = 0; i < nareas; i++) {
		struct area *a = &areas[i];
		int failed = 0;

		for (s = 0; s < NR_SIZES; s++)
			failed += a->cells[s].failed;
		qsort(a->all, a->nall, sizeof(a->all[0]), zp_cmp_double);
		printf("all sizes: %-10s n %d failed %d p50 %.0f us p99 %.0f us max %.0f us\n",
		       a->name, a->nall, failed, percentile(a->all, a->nall, 50),
		       percentile(a->all, a->nall, 99),
		       a->nall ? a->all[a->nall - 1] : 0);
	}
	if (measured != asked) {
		fprintf(stderr, "%s: %d allocations asked, %d traced (trace buffer too small?)\n",
			argv[0], asked, measured);
		return 1;
	}
	return 0;
}
