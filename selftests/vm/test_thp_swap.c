// SPDX-License-Identifier: GPL-2.0
/*
 * Large folios swapped out through zswap, on each backend.  zswap_store()
 * takes a whole folio and stores each of its pages as an entry, or none:
 * if one page is refused, the entries of the pages before it are dropped
 * (their zswap_store events say -ECANCELED) and the folio goes to the
 * swap device.  The workload's pages are 64 KiB mTHP folios or PMD-size
 * THPs, pushed out with MADV_PAGEOUT in a memory cgroup with a
 * memory.zswap.max, then read back.  Checked: every byte, the per-size
 * counters under /sys/kernel/mm/transparent_hugepage/, zswpout in
 * /proc/vmstat and in the cgroup's memory.stat, and the zswap_store
 * events, which must all agree.  The cgroup is charged the compressed
 * lengths the events report on zsmalloc, as in 7.2, at least that on
 * zbud (its footprint), and nothing on gcma, whose area is not the
 * cgroup's memory; gcma writes every folio it stores through to the swap
 * device as well.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

#define WORKLOAD	(16UL << 20)
#define CG_LIMIT	(256UL << 20)
#define ZSWAP_LIMIT	(12UL << 20)
#define THP		"/sys/kernel/mm/transparent_hugepage"
#define TRACING		"/sys/kernel/tracing"
#define INSTANCE	TRACING "/instances/zp-thp"

FIXTURE(thp) {
	char cg[256];
	char zpool[32];
	char saved_64k[32], saved_pmd[32];
	bool traced;
};

FIXTURE_VARIANT(thp) {
	const char *zpool;
	bool writes_through;
};

FIXTURE_VARIANT_ADD(thp, zsmalloc) {
	.zpool = "zsmalloc",
};

FIXTURE_VARIANT_ADD(thp, zbud) {
	.zpool = "zbud",
};

FIXTURE_VARIANT_ADD(thp, gcma) {
	.zpool = "gcma",
	.writes_through = true,
};

/* The mode of one size, "always [madvise] never": the bracketed word. */
static int thp_mode_get(const char *size, char *mode, size_t len)
{
	char path[128], buf[128], *open, *close;
	int err;

	snprintf(path, sizeof(path), THP "/hugepages-%s/enabled", size);
	err = zp_read_file(path, buf, sizeof(buf));
	if (err)
		return err;
	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close || (size_t)(close - open) > len)
		return -EINVAL;
	snprintf(mode, len, "%.*s", (int)(close - open - 1), open + 1);
	return 0;
}

static int thp_mode_set(const char *size, const char *mode)
{
	char path[128];

	snprintf(path, sizeof(path), THP "/hugepages-%s/enabled", size);
	return zp_write_file(path, mode);
}

static long long thp_stat(const char *size, const char *stat)
{
	char path[160];

	snprintf(path, sizeof(path), THP "/hugepages-%s/stats/%s", size, stat);
	return zp_read_ll(path);
}

FIXTURE_SETUP(thp)
{
	if (access("/sys/kernel/debug/zswap/pools", R_OK))
		SKIP(return, "kernel without the zpool series");
	if (access(THP "/hugepages-64kB/stats/zswpout", R_OK))
		SKIP(return, "kernel without CONFIG_TRANSPARENT_HUGEPAGE");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->zpool, sizeof(self->zpool)));
	ASSERT_EQ(0, thp_mode_get("64kB", self->saved_64k, sizeof(self->saved_64k)));
	ASSERT_EQ(0, thp_mode_get("2048kB", self->saved_pmd, sizeof(self->saved_pmd)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", variant->zpool))
		TH_LOG("the VM boots with gcma=32M, so every backend is there");
	ASSERT_EQ(0, zp_cgroup_create("zp-thp", CG_LIMIT, self->cg, sizeof(self->cg)));
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", ZSWAP_LIMIT));

	/* Every zswap_store event, in a buffer of its own. */
	if (mkdir(INSTANCE, 0755) && errno != EEXIST)
		ASSERT_EQ(0, -errno);
	self->traced = true;
	ASSERT_EQ(0, zp_write_file(INSTANCE "/buffer_size_kb", "8192"));
	ASSERT_EQ(0, zp_write_file(INSTANCE "/events/zswap/zswap_store/enable", "1"));
}

FIXTURE_TEARDOWN(thp)
{
	if (self->traced) {
		zp_write_file(INSTANCE "/events/zswap/zswap_store/enable", "0");
		rmdir(INSTANCE);
	}
	if (!self->cg[0])
		return;
	zp_cgroup_destroy(self->cg);
	thp_mode_set("64kB", self->saved_64k);
	thp_mode_set("2048kB", self->saved_pmd);
	zp_zswap_param_set("zpool", self->zpool);
}

/* The counters the test compares, before and after the pageout. */
struct counts {
	long long mthp_zswpout, mthp_swpout, mthp_fallback;
	long long zswpout, pswpout, cg_zswpout, cg_zswap, stored;
};

static void counts_read(struct counts *c, const char *size, const char *cg)
{
	char path[300];

	c->mthp_zswpout = thp_stat(size, "zswpout");
	c->mthp_swpout = thp_stat(size, "swpout");
	c->mthp_fallback = thp_stat(size, "swpout_fallback");
	c->zswpout = zp_stat_get("/proc/vmstat", "zswpout");
	c->pswpout = zp_stat_get("/proc/vmstat", "pswpout");
	snprintf(path, sizeof(path), "%.250s/memory.stat", cg);
	c->cg_zswpout = zp_stat_get(path, "zswpout");
	snprintf(path, sizeof(path), "%.250s/memory.zswap.current", cg);
	c->cg_zswap = zp_read_ll(path);
	c->stored = zp_read_ll("/sys/kernel/debug/zswap/stored_pages");
}

/* The zswap_store events of the buffer, by their ret= field. */
struct events {
	long long ok, cancelled, failed;
	long long compressed;		/* the ok events' compressed= */
	bool lost;			/* the buffer overflowed */
	int err;
};

static void events_read(struct events *e)
{
	char line[512];
	long long in_buf, written;
	FILE *f;
	unsigned int len;
	int ret;

	memset(e, 0, sizeof(*e));
	f = fopen(INSTANCE "/trace", "r");
	if (!f) {
		e->err = -errno;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *r = strstr(line, " ret=");

		if (sscanf(line, "# entries-in-buffer/entries-written: %lld/%lld",
			   &in_buf, &written) == 2)
			e->lost = in_buf != written;
		if (!strstr(line, "zswap_store:") || !r || sscanf(r, " ret=%d", &ret) != 1)
			continue;
		if (!ret) {
			char *c = strstr(line, " compressed=");

			e->ok++;
			if (!c || sscanf(c, " compressed=%u", &len) != 1)
				e->err = -EINVAL;
			else
				e->compressed += len;
		} else if (ret == -ECANCELED)
			e->cancelled++;
		else
			e->failed++;
	}
	fclose(f);
}

/* What the workload's between() saw: its pages are out, none read back. */
struct seen {
	const char *size, *cg;
	struct counts after;
	struct events ev;
};

static void pages_out(void *arg)
{
	struct seen *s = arg;

	/*
	 * A memory cgroup's counters reach memory.stat and
	 * memory.zswap.current when its per-CPU updates are flushed: at
	 * once past a threshold, else by the flush every 2 s.  Wait for it,
	 * or a 64 KiB folio's worth can be missing.
	 */
	sleep(3);
	counts_read(&s->after, s->size, s->cg);
	events_read(&s->ev);
}

/* Swap the workload out in folios of @size (and only those) and back. */
static void round_trip(struct __test_metadata *_metadata, const char *cg,
		       const char *size, struct counts *before, struct seen *s,
		       struct zp_workload *w)
{
	ASSERT_EQ(0, thp_mode_set("64kB", strcmp(size, "64kB") ? "never" : "always"));
	ASSERT_EQ(0, thp_mode_set("2048kB", strcmp(size, "2048kB") ? "never" : "always"));
	ASSERT_EQ(0, zp_write_file(INSTANCE "/trace", ""));
	s->size = size;
	s->cg = cg;
	w->bytes = WORKLOAD;
	w->pattern = ZP_PATTERN_COMPRESSIBLE;
	w->pageout = true;
	w->between = pages_out;
	w->arg = s;
	counts_read(before, size, cg);
	ASSERT_EQ(0, zp_run_in_cgroup(cg, w));
	ASSERT_EQ(0, s->ev.err);
	EXPECT_FALSE(s->ev.lost) TH_LOG("zswap_store events were lost: a larger buffer_size_kb");
}

static void check_round_trip(struct __test_metadata *_metadata,
			     const FIXTURE_VARIANT(thp) *variant, const char *size,
			     long long nr, struct counts *b, struct seen *s,
			     struct zp_workload *w)
{
	struct counts *a = &s->after;
	long long zswpout = a->zswpout - b->zswpout, pswpout = a->pswpout - b->pswpout;
	long long folios = a->mthp_zswpout - b->mthp_zswpout;
	long long swpout = a->mthp_swpout - b->mthp_swpout;
	long long charged = a->cg_zswap - b->cg_zswap;

	TH_LOG("%s, %s folios: %lld stored whole (zswpout of the size), %lld to the swap device, %lld split; "
	       "zswpout %lld, cgroup's %lld, stored_pages +%lld, pswpout %lld; zswap_store events: %lld ok, %lld -ECANCELED, %lld refused; "
	       "%lld bytes compressed, %lld charged",
	       variant->zpool, size, folios, swpout, a->mthp_fallback - b->mthp_fallback,
	       zswpout, a->cg_zswpout - b->cg_zswpout, a->stored - b->stored, pswpout,
	       s->ev.ok, s->ev.cancelled, s->ev.failed, s->ev.compressed, charged);
	EXPECT_EQ(0UL, w->bad_pages);
	/* zswap's three counts of stored pages are one count. */
	EXPECT_GT(zswpout, 0);
	EXPECT_EQ(zswpout, a->cg_zswpout - b->cg_zswpout);
	EXPECT_EQ(zswpout, s->ev.ok);
	EXPECT_EQ(zswpout, a->stored - b->stored);
	/* What the cgroup is charged for them. */
	if (variant->writes_through) {
		EXPECT_EQ(0, charged);
	} else if (!strcmp(variant->zpool, "zsmalloc")) {
		EXPECT_EQ(s->ev.compressed, charged);
	} else {
		EXPECT_GE(charged, s->ev.compressed);
	}
	EXPECT_LE(charged, zswpout * (long long)ZP_PAGE_SIZE);
	if (variant->writes_through) {
		/* Stored and written through: the swap device has every page. */
		EXPECT_GE(pswpout, zswpout);
		EXPECT_GT(swpout, 0);
		EXPECT_GE(swpout * nr, zswpout);
	} else {
		/* Most of the workload went out as whole folios of the size. */
		EXPECT_GT(folios, 0);
		EXPECT_GE(folios * nr, zswpout / 2);
		EXPECT_LE(folios * nr, zswpout);
	}
}

TEST_F(thp, mthp_64k_folios_round_trip)
{
	struct zp_workload w = { };
	struct counts before;
	struct seen s;

	round_trip(_metadata, self->cg, "64kB", &before, &s, &w);
	check_round_trip(_metadata, variant, "64kB", 16, &before, &s, &w);
}

TEST_F(thp, pmd_folios_round_trip)
{
	struct zp_workload w = { };
	struct counts before;
	struct seen s;

	round_trip(_metadata, self->cg, "2048kB", &before, &s, &w);
	check_round_trip(_metadata, variant, "2048kB", 512, &before, &s, &w);
}

/*
 * Allocations fail at random while the folios are stored: a folio whose
 * later page is refused keeps no entry for its earlier pages.  Each ok
 * event is an entry that stays, and nothing else is.
 */
TEST_F(thp, refused_page_drops_the_whole_folio)
{
	struct zp_workload w = { .make_pageout_fail = true };
	long long page_faults, slab_faults;
	struct counts before;
	struct seen s;

	if (access(ZP_FAIL_PAGE "/probability", W_OK) || access(ZP_FAILSLAB "/probability", W_OK))
		SKIP(return, "kernel without CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAILSLAB and their debugfs");
	ASSERT_EQ(0, zp_fault_arm(ZP_FAIL_PAGE));
	ASSERT_EQ(0, zp_fault_arm(ZP_FAILSLAB));
	round_trip(_metadata, self->cg, "64kB", &before, &s, &w);
	page_faults = zp_fault_disarm(ZP_FAIL_PAGE);
	slab_faults = zp_fault_disarm(ZP_FAILSLAB);
	TH_LOG("%s: %lld page and %lld slab allocations failed; events: %lld ok, %lld -ECANCELED, %lld refused; stored_pages +%lld",
	       variant->zpool, page_faults, slab_faults, s.ev.ok, s.ev.cancelled,
	       s.ev.failed, s.after.stored - before.stored);
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_GT(s.ev.failed, 0);
	/* 15 pages of a 64 KiB folio go with each of its refused pages. */
	EXPECT_GT(s.ev.cancelled, 0);
	EXPECT_EQ(0, s.ev.cancelled % 15);
	EXPECT_LE(s.ev.cancelled, 15 * s.ev.failed);
	EXPECT_EQ(s.ev.ok, s.after.stored - before.stored);
	EXPECT_EQ(s.ev.ok, s.after.zswpout - before.zswpout);
}

TEST_HARNESS_MAIN
