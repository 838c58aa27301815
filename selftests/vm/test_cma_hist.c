// SPDX-License-Identifier: GPL-2.0
/*
 * zpooltop and the GCMA area (gcma=SIZE at boot):
 *  - with --cma, N contiguous allocations of the area through CMA's
 *    debugfs, each freed again, and one larger than the area, which
 *    fails: zpooltop's JSON counts exactly N allocations that succeeded
 *    for area "gcma" and one failure, with max >= p99 >= p50 > 0 and a
 *    histogram that holds the N;
 *  - by default, with zswap on the gcma backend, an allocation of the
 *    whole area while a workload's pages sit in the pool: the gcma pool's
 *    discards in zpooltop's JSON are GCMA's own debugfs counts, and every
 *    page reads back intact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

#define AREA		"gcma"
#define ALLOCS		16
#define ALLOC_PAGES	64L
#define LIMIT		(32UL << 20)
#define WORKLOAD	(64UL << 20)
#define MAX_FIGURES	8

FIXTURE(cma_hist) {
	const char *bin;
	char out[64], saved[32], cg[256];
	long long area;		/* pages */
	pid_t pid;
};

FIXTURE_SETUP(cma_hist)
{
	self->pid = -1;
	self->bin = NULL;
	self->cg[0] = '\0';
	if (access("/sys/kernel/tracing/events/zpool", F_OK))
		SKIP(return, "kernel without the series' tracepoints");
	if (access("/sys/kernel/tracing/events/cma", F_OK))
		SKIP(return, "kernel without CMA's tracepoints (CONFIG_CMA)");
	if (access("/sys/kernel/debug/cma/" AREA "/alloc", W_OK) ||
	    access("/sys/kernel/debug/gcma", R_OK))
		SKIP(return, "no GCMA area: a kernel with CONFIG_GCMA and CONFIG_CMA_DEBUGFS, booted with gcma=SIZE");
	self->bin = getenv("ZPOOLTOP");
	ASSERT_NE(NULL, self->bin) TH_LOG("ZPOOLTOP names the binary (vmtest/guest.sh sets it)");
	ASSERT_EQ(0, access(self->bin, X_OK)) TH_LOG("%s: %s", self->bin, strerror(errno));
	self->area = zp_cma_stat(AREA, "count");
	ASSERT_GE(self->area, 2 * ALLOC_PAGES);
	ASSERT_EQ(0, zp_cma_stat(AREA, "used")) TH_LOG("the area must be free to begin with");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->saved, sizeof(self->saved)));
	snprintf(self->out, sizeof(self->out), "/tmp/zpooltop-cma-%d.jsonl", getpid());
}

FIXTURE_TEARDOWN(cma_hist)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (!self->bin)
		return;		/* skipped before anything changed */
	/* Whatever a failed test left allocated through debugfs. */
	zp_cma_write(AREA, "free", self->area);
	if (self->cg[0])
		zp_cgroup_destroy(self->cg);
	zp_zswap_param_set("zpool", self->saved);
	unlink(self->out);
}

/* zpooltop -j with @opts (at most 3, NULL-terminated), every second. */
static pid_t start_zpooltop(FIXTURE_DATA(cma_hist) *self, const char *const *opts)
{
	char *argv[7] = { (char *)self->bin, "-j" };
	int n = 2;

	while (*opts && n < 5)
		argv[n++] = (char *)*opts++;
	argv[n] = "1";
	return zp_spawn_until_output(argv, self->out, 10);
}

/*
 * Run the Python @script on zpooltop's reports in @out: it checks that
 * every line is JSON and prints up to MAX_FIGURES numbers, read into
 * @fig.  How many were read; fewer than the script prints if it failed.
 */
static int report_figures(const char *script, const char *out, long long *fig)
{
	int n = 0;
	FILE *py;

	setenv("ZP_CMA_CHECK", script, 1);
	setenv("ZP_CMA_OUT", out, 1);
	py = popen("python3 -c \"$ZP_CMA_CHECK\" \"$ZP_CMA_OUT\"", "r");
	if (!py)
		return 0;
	while (n < MAX_FIGURES && fscanf(py, "%lld", &fig[n]) == 1)
		n++;
	pclose(py);
	return n;
}

/*
 * Stop zpooltop as a user would, with SIGINT once a last interval has
 * passed, then read @script's figures from its reports into @fig: how
 * many, or -1 if zpooltop did not exit 0.
 */
static int stop_and_read(FIXTURE_DATA(cma_hist) *self, const char *script,
			 long long *fig)
{
	int status;

	sleep(2);
	status = zp_interrupt(self->pid);
	self->pid = -1;
	if (status) {
		fprintf(stderr, "# zpooltop exited with status %d\n", status);
		return -1;
	}
	return report_figures(script, self->out, fig);
}

/*
 * The last report's figures of area "gcma": reports, allocations,
 * failures, p50, p99, max, and the sum of its histogram; -1 for each if
 * the area is not there.
 */
static const char area_figures[] =
	"import json, sys\n"
	"reps = [json.loads(l) for l in open(sys.argv[1])]\n"
	"a = [x for x in reps[-1].get('cma', []) if x['area'] == 'gcma']\n"
	"f = [a[0][k] for k in ('allocs', 'failures', 'alloc_p50_ns', 'alloc_p99_ns',\n"
	"                       'alloc_max_ns')] + [sum(a[0]['alloc_hist'])] if a else [-1] * 6\n"
	"print(len(reps), *f)\n";

TEST_F(cma_hist, allocations_and_failures_per_area)
{
	static const char *const opts[] = { "--cma", "--hist", NULL };
	long long fig[MAX_FIGURES];
	int i, ok = 0, fail_err;

	self->pid = start_zpooltop(self, opts);
	ASSERT_GT(self->pid, 0);
	for (i = 0; i < ALLOCS; i++) {
		if (zp_cma_write(AREA, "alloc", ALLOC_PAGES))
			continue;
		ok++;
		EXPECT_EQ(0, zp_cma_write(AREA, "free", ALLOC_PAGES));
	}
	/* More than the area holds: refused, and counted as a failure. */
	fail_err = zp_cma_write(AREA, "alloc", self->area + 1);
	EXPECT_EQ(0, zp_cma_stat(AREA, "used"));

	ASSERT_EQ(7, stop_and_read(self, area_figures, fig))
		TH_LOG("zpooltop failed, or its output is not JSON lines with the cma key");
	TH_LOG("%d of %d allocations of %ld pages succeeded; one of %lld pages: %s; %lld reports, "
	       "area gcma: %lld allocations, %lld failures, p50 %lld ns, p99 %lld ns, max %lld ns, "
	       "%lld in the histogram",
	       ok, ALLOCS, ALLOC_PAGES, self->area + 1, strerror(-fail_err), fig[0], fig[1],
	       fig[2], fig[3], fig[4], fig[5], fig[6]);
	ASSERT_EQ(ALLOCS, ok);
	EXPECT_EQ(-ENOMEM, fail_err);
	EXPECT_EQ(ALLOCS, fig[1]);
	EXPECT_EQ(1, fig[2]);
	EXPECT_GT(fig[3], 0);
	EXPECT_GE(fig[4], fig[3]);
	EXPECT_GE(fig[5], fig[4]);
	EXPECT_EQ(ALLOCS, fig[6]);
}

/*
 * The discards of the gcma pools, over every report and as the last
 * report's totals: reports, then pages, objects, events and wait in all
 * intervals, then pages, objects and wait since counting began.
 */
static const char discard_figures[] =
	"import json, sys\n"
	"reps = [json.loads(l) for l in open(sys.argv[1])]\n"
	"def gcma(r):\n"
	"    return [p['discards'] for p in r['pools'] if p['backend'] == 'gcma']\n"
	"sums = [sum(d[k] for r in reps for d in gcma(r))\n"
	"        for k in ('pages', 'objects', 'events', 'wait_ns')]\n"
	"last = [r for r in reps if gcma(r)]\n"
	"tot = [sum(d[k] for d in gcma(last[-1])) if last else -1\n"
	"       for k in ('total_pages', 'total_objects', 'total_wait_ns')]\n"
	"print(len(reps), *sums, *tot)\n";

struct claim {
	long long area;
	long long lent;		/* pages lent to the pool before the claim */
	long long pages, objects, wait_ns;	/* GCMA's debugfs, their growth */
	int err;
};

/* The pages sit in the gcma pool: take the whole area, then give it back. */
static void claim_area(void *arg)
{
	struct claim *c = arg;

	c->lent = zp_gcma_stat("lent_pages");
	c->pages = zp_gcma_stat("discarded_pages");
	c->objects = zp_gcma_stat("discarded_objects");
	c->wait_ns = zp_gcma_stat("pin_wait_ns");
	c->err = zp_cma_write(AREA, "alloc", c->area);
	c->pages = zp_gcma_stat("discarded_pages") - c->pages;
	c->objects = zp_gcma_stat("discarded_objects") - c->objects;
	c->wait_ns = zp_gcma_stat("pin_wait_ns") - c->wait_ns;
	if (!c->err)
		c->err = zp_cma_write(AREA, "free", c->area);
}

TEST_F(cma_hist, discards_agree_with_gcma_debugfs)
{
	static const char *const opts[] = { NULL };
	struct claim c = { .area = self->area, .err = -1 };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = claim_area,
		.arg = &c,
	};
	long long fig[MAX_FIGURES];

	ASSERT_EQ(0, zp_zswap_param_set("zpool", "gcma"));
	ASSERT_EQ(0, zp_cgroup_create("zp-cma-hist", LIMIT, self->cg, sizeof(self->cg)));
	self->pid = start_zpooltop(self, opts);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));

	ASSERT_EQ(8, stop_and_read(self, discard_figures, fig))
		TH_LOG("zpooltop failed, or its output is not JSON lines with a gcma pool's discards");
	TH_LOG("%lld pages lent before the claim; GCMA's debugfs: %lld pages, %lld objects "
	       "dropped, %lld ns waited; zpooltop over %lld reports: %lld pages, %lld objects "
	       "in %lld events, %lld ns; in all %lld pages, %lld objects, %lld ns",
	       c.lent, c.pages, c.objects, c.wait_ns, fig[0], fig[1], fig[2], fig[3],
	       fig[4], fig[5], fig[6], fig[7]);
	ASSERT_EQ(0, c.err);
	ASSERT_GT(c.lent, 0) TH_LOG("the workload's pages did not reach the gcma pool");
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_GT(c.pages, 0);
	EXPECT_EQ(c.pages, fig[1]);
	EXPECT_EQ(c.objects, fig[2]);
	EXPECT_GE(fig[3], 1);
	EXPECT_EQ(c.wait_ns, fig[4]);
	EXPECT_EQ(c.pages, fig[5]);
	EXPECT_EQ(c.objects, fig[6]);
	EXPECT_EQ(c.wait_ns, fig[7]);
}

TEST_HARNESS_MAIN
