// SPDX-License-Identifier: GPL-2.0
/*
 * zpooltop --whatif on the patched kernel, for each ordered pair of
 * backends: a workload's pages sit in a pool of one backend while
 * `zpooltop --whatif -j` reports what the other backend would need for
 * them; then zswap switches to the other backend, the same workload runs
 * again, and its pool's real density (zswap's debugfs) must be within 5%
 * of the prediction.  The prediction for the pool's own backend (the same
 * objects packed afresh) must be within 5% of that pool's real density.
 *
 * Two workloads: pages whose compressed sizes spread from a few bytes to
 * a page that does not compress (ZP_PATTERN_SPREAD), in no order, so that
 * zsmalloc's classes, zbud's pairing and the pages of their own all
 * count; and half-random pages (ZP_PATTERN_MIXED), about 2.2 KB
 * compressed, which zsmalloc packs nearly two to a page and zbud cannot
 * pair at all.  MADV_PAGEOUT stores every page once and nothing is freed
 * before the hold, so both runs store the same data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

/* No memory pressure: MADV_PAGEOUT alone pushes the pages out. */
#define CGROUP_LIMIT	(512UL << 20)
#define HOLD_S		6
#define MAX_POOLS	8
/* The goal, in hundredths of a percent (the harness compares integers). */
#define GOAL_BP		500

/* One pool of one zpooltop --whatif -j report. */
struct report {
	long long time;
	double interval_s;
	long long stored;
	unsigned long long pool_pages;
	double ratio;
	unsigned long long known;
	double coverage;
	/* whatif: this pool's own backend, and the other */
	unsigned long long own_bytes, other_bytes;
	double own_ratio, other_ratio;
};

/* The number after "@key": in [@s, @end), or -1 if there is none. */
static int json_number(const char *s, const char *end, const char *key, double *out)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "\"%s\":", key);
	p = strstr(s, want);
	if (!p || p >= end)
		return -1;
	return sscanf(p + strlen(want), "%lf", out) == 1 ? 0 : -1;
}

/* "whatif":{"@backend":{"pool_bytes":N,"ratio":R}} inside [@s, @end). */
static int json_whatif(const char *s, const char *end, const char *backend,
		       unsigned long long *bytes, double *ratio)
{
	char want[64];
	const char *w = strstr(s, "\"whatif\":{"), *p;
	double b;

	if (!w || w >= end)
		return -1;
	snprintf(want, sizeof(want), "\"%s\":{", backend);
	p = strstr(w, want);
	if (!p || p >= end || json_number(p, end, "pool_bytes", &b) ||
	    json_number(p, end, "ratio", ratio))
		return -1;
	*bytes = (unsigned long long)b;
	return 0;
}

/*
 * Pool @id of one line of zpooltop --whatif -j: 1 if the line has it, 0
 * if not, -1 if the line is not zpooltop's layout.
 */
static int parse_report(const char *line, unsigned int id, const char *own,
			const char *other, struct report *r)
{
	const char *p, *end;
	char want[32];
	double v[7];
	int schema;

	memset(r, 0, sizeof(*r));
	if (sscanf(line, "{\"schema\":%d,\"time\":%lld,\"interval_s\":%lf", &schema,
		   &r->time, &r->interval_s) != 3 || schema != 2)
		return -1;
	snprintf(want, sizeof(want), "{\"id\":%u,", id);
	p = strstr(line, want);
	if (!p)
		return 0;
	end = strstr(p + 1, "{\"id\":");
	if (!end)
		end = line + strlen(line);
	if (json_number(p, end, "stored_pages", &v[0]) ||
	    json_number(p, end, "pool_pages", &v[1]) ||
	    json_number(p, end, "ratio", &v[2]) ||
	    json_number(p, end, "whatif_known_pages", &v[3]) ||
	    json_number(p, end, "whatif_coverage", &v[4]) ||
	    json_whatif(p, end, own, &r->own_bytes, &r->own_ratio) ||
	    json_whatif(p, end, other, &r->other_bytes, &r->other_ratio))
		return -1;
	r->stored = (long long)v[0];
	r->pool_pages = (unsigned long long)v[1];
	r->ratio = v[2];
	r->known = (unsigned long long)v[3];
	r->coverage = v[4];
	return 1;
}

/* How far @x is from @want, in hundredths of a percent. */
static long off_bp(double x, double want)
{
	double d = want ? x / want - 1 : 1;

	return (long)((d < 0 ? -d : d) * 10000 + 0.5);
}

FIXTURE(whatif) {
	char saved[32], cg[256], out[64];
	const char *bin;
	pid_t pid;
};

/*
 * The backend the pages go to first, the one predicted, then switched to,
 * and the workload.
 */
FIXTURE_VARIANT(whatif) {
	const char *from, *to;
	enum zp_pattern pattern;
	size_t bytes;
};

FIXTURE_VARIANT_ADD(whatif, spread_zsmalloc_to_zbud) {
	.from = "zsmalloc",
	.to = "zbud",
	.pattern = ZP_PATTERN_SPREAD,
	.bytes = 64UL << 20,
};

FIXTURE_VARIANT_ADD(whatif, spread_zbud_to_zsmalloc) {
	.from = "zbud",
	.to = "zsmalloc",
	.pattern = ZP_PATTERN_SPREAD,
	.bytes = 64UL << 20,
};

FIXTURE_VARIANT_ADD(whatif, unpairable_zsmalloc_to_zbud) {
	.from = "zsmalloc",
	.to = "zbud",
	.pattern = ZP_PATTERN_MIXED,
	.bytes = 32UL << 20,
};

FIXTURE_VARIANT_ADD(whatif, unpairable_zbud_to_zsmalloc) {
	.from = "zbud",
	.to = "zsmalloc",
	.pattern = ZP_PATTERN_MIXED,
	.bytes = 32UL << 20,
};

FIXTURE_SETUP(whatif)
{
	self->pid = -1;
	self->bin = getenv("ZPOOLTOP");
	if (access("/sys/kernel/tracing/events/zpool", F_OK))
		SKIP(return, "kernel without the series' tracepoints");
	ASSERT_NE(NULL, self->bin) TH_LOG("ZPOOLTOP names the binary (vmtest/guest.sh sets it)");
	ASSERT_EQ(0, access(self->bin, X_OK)) TH_LOG("%s: %s", self->bin, strerror(errno));
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, zp_cgroup_create("zp-whatif", CGROUP_LIMIT, self->cg, sizeof(self->cg)));
	snprintf(self->out, sizeof(self->out), "/tmp/zpooltop-whatif-%d.jsonl", getpid());
}

FIXTURE_TEARDOWN(whatif)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	zp_cgroup_destroy(self->cg);
	zp_zswap_param_set("zpool", self->saved);
	unlink(self->out);
}

/* zpooltop --whatif -j 1, its output in @out, once it has reported. */
static pid_t start_zpooltop(const char *bin, const char *out)
{
	char *argv[] = { (char *)bin, "--whatif", "-j", "1", NULL };

	return zp_spawn_until_output(argv, out, 10);
}

static bool all_lines_are_json(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json, sys\nfor l in sys.stdin: json.loads(l)' < %s", path);
	return system(cmd) == 0;
}

/*
 * The last report of pool @id whose whole interval fell inside @h, in
 * @best: how many did, or -1 if a line is not zpooltop's JSON.
 */
static int report_in_hold(const char *path, unsigned int id, const char *own,
			  const char *other, const struct zp_hold *h, struct report *best)
{
	static char line[1 << 16];
	struct report r;
	int inside = 0, got;
	FILE *f;

	if (!all_lines_are_json(path))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		got = parse_report(line, id, own, other, &r);
		if (got < 0) {
			fprintf(stderr, "# not zpooltop --whatif's layout: %.300s", line);
			inside = -1;
			break;
		}
		/* "time" is in whole seconds: a second's slack each side. */
		if (!got || r.time - r.interval_s - 1 < h->start || r.time + 1 > h->end)
			continue;
		*best = r;
		inside++;
	}
	fclose(f);
	return inside;
}

TEST_F(whatif, prediction_matches_the_other_backend)
{
	struct zp_hold first = { .seconds = HOLD_S }, second = first;
	struct zp_workload w = {
		.bytes = variant->bytes,
		.pattern = variant->pattern,
		.pageout = true,
		.between = zp_hold_pages,
	};
	double real_from, real_to;
	long err_own, err_other;
	struct report r = {};
	int inside;

	/* The pages go to a pool of the first backend, zpooltop watching. */
	ASSERT_EQ(0, zp_zswap_param_set("zpool", variant->from));
	self->pid = start_zpooltop(self->bin, self->out);
	ASSERT_GT(self->pid, 0);
	sleep(2);		/* attached, with a first report */
	w.arg = &first;
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	ASSERT_EQ(0UL, w.bad_pages);
	ASSERT_EQ(0, zp_interrupt(self->pid));
	self->pid = -1;
	ASSERT_EQ(0, first.err);
	ASSERT_STREQ(variant->from, first.pool.type);
	ASSERT_GT(first.pool.pool_pages, 0);
	real_from = (double)first.pool.stored_pages / first.pool.pool_pages;

	inside = report_in_hold(self->out, first.pool.id, variant->from, variant->to,
				&first, &r);
	ASSERT_GE(inside, 1) TH_LOG("no report of pool %u fell within the hold", first.pool.id);

	/* The same workload on the other backend. */
	ASSERT_EQ(0, zp_zswap_param_set("zpool", variant->to));
	w.arg = &second;
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	ASSERT_EQ(0UL, w.bad_pages);
	ASSERT_EQ(0, second.err);
	ASSERT_STREQ(variant->to, second.pool.type);
	ASSERT_GT(second.pool.pool_pages, 0);
	real_to = (double)second.pool.stored_pages / second.pool.pool_pages;

	err_own = off_bp(r.own_ratio, real_from);
	err_other = off_bp(r.other_ratio, real_to);
	TH_LOG("%s pool %u: %lld pages stored in %lld (%.3f:1); zpooltop saw %lld in %llu (%.3f:1), sizes known for %llu (%.1f%%)",
	       variant->from, first.pool.id, first.pool.stored_pages, first.pool.pool_pages,
	       real_from, r.stored, r.pool_pages, r.ratio, r.known, r.coverage * 100);
	TH_LOG("%s packed afresh: %llu pages, %.3f:1 predicted, %.2f%% from the real %.3f:1",
	       variant->from, r.own_bytes / ZP_PAGE_SIZE, r.own_ratio, err_own / 100.0, real_from);
	TH_LOG("%s predicted: %llu pages, %.3f:1", variant->to, r.other_bytes / ZP_PAGE_SIZE,
	       r.other_ratio);
	TH_LOG("%s real: pool %u, %lld pages stored in %lld, %.3f:1; the prediction is %.2f%% off (goal %.0f%%)",
	       variant->to, second.pool.id, second.pool.stored_pages, second.pool.pool_pages,
	       real_to, err_other / 100.0, GOAL_BP / 100.0);
	EXPECT_GE((long)(r.coverage * 100 + 0.5), 90);
	EXPECT_LE(err_own, GOAL_BP);
	EXPECT_LE(err_other, GOAL_BP);
}

TEST_HARNESS_MAIN
