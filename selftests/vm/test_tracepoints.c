// SPDX-License-Identifier: GPL-2.0
/*
 * The series' tracepoints: every event exists with its documented fields,
 * no print format shows a pointer, and during a zswap workload the event
 * counts agree exactly with the kernel's own counters: every page offered
 * to zswap fires one zswap_store, stored (zswpout) or refused with its
 * reason (the refused ones, and the writebacks, are pswpout); gcma's
 * lends, returns and discards add up to its own counters; writebacks to
 * a swap device whose writes fail lose nothing, and zswap's count of
 * failed writebacks is the events'.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/swap.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

#define TRACING		"/sys/kernel/tracing"
#define LIMIT		(16UL << 20)
#define WORKLOAD	(48UL << 20)

struct event {
	const char *system;
	const char *name;
	const char *fields[8];
};

/* The contract users' scripts rely on (Documentation/trace/zpool.rst). */
static const struct event events[] = {
	{ "zpool", "zpool_create", { "id", "type" } },
	{ "zpool", "zpool_destroy", { "id", "type" } },
	{ "zpool", "zpool_malloc", { "id", "size", "pool_pages" } },
	{ "zpool", "zpool_free", { "id", "size", "pool_pages" } },
	{ "zpool", "zpool_map", { "id", "size", "write", "wait_ns" } },
	{ "zpool", "zpool_unmap", { "id", "size" } },
	{ "zpool", "zpool_shrink_begin", { "id", "pages" } },
	{ "zpool", "zpool_shrink_end",
	  { "id", "pages", "reclaimed", "ret", "duration_ns" } },
	{ "zpool", "zpool_evict", { "id", "ret", "duration_ns" } },
	{ "zswap", "zswap_store",
	  { "pool", "memcg", "orig", "compressed", "ret" } },
	{ "zswap", "zswap_load", { "pool", "memcg", "compressed", "ret" } },
	{ "zswap", "zswap_writeback",
	  { "pool", "memcg", "compressed", "ret", "duration_ns" } },
	{ "gcma", "gcma_lend", { "pool", "index" } },
	{ "gcma", "gcma_return", { "pool", "index" } },
	{ "gcma", "gcma_discard", { "pool", "pages", "objects", "wait_ns" } },
};

static bool have_events(void)
{
	return access(TRACING "/events/zpool/zpool_malloc/format", R_OK) == 0;
}

/* Events the ring buffer dropped: a count comparison means nothing then. */
static long long overruns(void)
{
	long long total = 0, n;
	char path[256];
	int cpu;

	for (cpu = 0; cpu < 64; cpu++) {
		snprintf(path, sizeof(path), TRACING "/per_cpu/cpu%d/stats", cpu);
		n = zp_stat_get(path, "overrun:");
		if (n < 0)
			break;
		total += n;
	}
	return total;
}

static int tracing_write(const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), TRACING "/%s", file);
	return zp_write_file(path, val);
}

TEST(events_have_documented_fields_and_no_pointers)
{
	char path[256], buf[8192], needle[64];
	unsigned int i, f;

	if (!have_events())
		SKIP(return, "kernel without the series' tracepoints");
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		const struct event *e = &events[i];
		char *fmt;

		snprintf(path, sizeof(path), TRACING "/events/%s/%s/format",
			 e->system, e->name);
		ASSERT_EQ(0, zp_read_file(path, buf, sizeof(buf)))
			TH_LOG("%s:%s does not exist", e->system, e->name);
		for (f = 0; f < 8 && e->fields[f]; f++) {
			/* "field:unsigned int id;" or "field:__data_loc char[] type;" */
			snprintf(needle, sizeof(needle), " %s;", e->fields[f]);
			EXPECT_NE(NULL, strstr(buf, needle))
				TH_LOG("%s:%s has no field %s", e->system, e->name,
				       e->fields[f]);
		}
		/* Only create and destroy record the backend's name. */
		if (strcmp(e->name, "zpool_create") && strcmp(e->name, "zpool_destroy"))
			EXPECT_EQ(NULL, strstr(buf, "__data_loc"))
				TH_LOG("%s:%s records a string", e->system, e->name);
		fmt = strstr(buf, "print fmt:");
		ASSERT_NE(NULL, fmt);
		EXPECT_EQ(NULL, strstr(fmt, "%p"))
			TH_LOG("%s:%s prints a pointer: %s", e->system, e->name, fmt);
	}
}

/* Counts of event lines read from trace_pipe while the workload runs. */
struct counts {
	long long store_ok, store_fail, load_ok, writeback_ok, writeback_fail,
		  malloc, free, map_read, map_write, unmap;
	long long gcma_lend, gcma_return, gcma_discards, gcma_pages, gcma_objects;
	long long refused[256];		/* zswap_store, by -ret */
	int fd;
	volatile bool stop;
};

static void count_line(struct counts *c, const char *l)
{
	const char *ret = strstr(l, " ret=");
	int err;

	if (strstr(l, "zswap_store:") && ret) {
		err = -atoi(ret + 5);
		if (!err) {
			c->store_ok++;
		} else {
			c->store_fail++;
			if (err > 0 && err < 256)
				c->refused[err]++;
		}
	} else if (strstr(l, "zswap_load:") && strstr(l, " ret=0"))
		c->load_ok++;
	else if (strstr(l, "zswap_writeback:") && ret && !atoi(ret + 5))
		c->writeback_ok++;
	else if (strstr(l, "zswap_writeback:") && ret)
		c->writeback_fail++;
	else if (strstr(l, "zpool_malloc:"))
		c->malloc++;
	else if (strstr(l, "zpool_free:"))
		c->free++;
	else if (strstr(l, "zpool_map:") && strstr(l, " write "))
		c->map_write++;
	else if (strstr(l, "zpool_map:"))
		c->map_read++;
	else if (strstr(l, "zpool_unmap:"))
		c->unmap++;
	else if (strstr(l, "gcma_lend:"))
		c->gcma_lend++;
	else if (strstr(l, "gcma_return:"))
		c->gcma_return++;
	else if (strstr(l, "gcma_discard:") && strstr(l, " pages=") && strstr(l, " objects=")) {
		c->gcma_discards++;
		c->gcma_pages += atoll(strstr(l, " pages=") + 7);
		c->gcma_objects += atoll(strstr(l, " objects=") + 9);
	}
}

static void *reader(void *arg)
{
	struct counts *c = arg;
	char buf[65536], line[512];
	size_t ll = 0;
	ssize_t n, i;

	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n <= 0) {
			if (c->stop)
				break;
			usleep(10000);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			count_line(c, line);
			ll = 0;
		}
	}
	return NULL;
}

/* The vmstat counters a traced run compares its events with. */
static const char * const vm_counters[] = { "zswpout", "zswpin", "zswpwb", "pswpout" };

struct traced_run {
	struct counts c;
	long long delta[4];	/* of vm_counters */
	long long overruns;
	size_t bad_pages;
};

/*
 * Run a workload in @cg with the zpool and zswap events traced into @r.
 * The guest is otherwise idle, so the counters and the events see the
 * same work.  0, or why the run could not be made.
 */
static int run_traced_between(const char *cg, struct traced_run *r,
			      void (*between)(void *), void *arg);

static int run_traced(const char *cg, struct traced_run *r)
{
	return run_traced_between(cg, r, NULL, NULL);
}

/* The same, with the gcma events too and @between() run mid-workload. */
static int run_traced_between(const char *cg, struct traced_run *r,
			      void (*between)(void *), void *arg)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = between,
		.arg = arg,
	};
	long long before[4];
	pthread_t thread;
	int i, err;

	memset(r, 0, sizeof(*r));
	if (tracing_write("tracing_on", "0") || tracing_write("trace", "") ||
	    tracing_write("buffer_size_kb", "16384") ||
	    tracing_write("events/zpool/enable", "1") ||
	    tracing_write("events/zswap/enable", "1") ||
	    (between && tracing_write("events/gcma/enable", "1")))
		return -EIO;
	r->c.fd = open(TRACING "/trace_pipe", O_RDONLY | O_NONBLOCK);
	if (r->c.fd < 0)
		return -errno;
	if (pthread_create(&thread, NULL, reader, &r->c)) {
		close(r->c.fd);
		return -EAGAIN;
	}

	tracing_write("tracing_on", "1");
	for (i = 0; i < 4; i++)
		before[i] = zp_stat_get("/proc/vmstat", vm_counters[i]);
	err = zp_run_in_cgroup(cg, &w);
	for (i = 0; i < 4; i++)
		r->delta[i] = zp_stat_get("/proc/vmstat", vm_counters[i]) - before[i];
	tracing_write("tracing_on", "0");

	/* Drain what is buffered, then stop the reader. */
	usleep(500000);
	r->c.stop = true;
	pthread_join(thread, NULL);
	close(r->c.fd);
	tracing_write("events/zswap/enable", "0");
	tracing_write("events/zpool/enable", "0");
	tracing_write("events/gcma/enable", "0");
	r->overruns = overruns();
	r->bad_pages = w.bad_pages;
	return err;
}

static void log_run(struct __test_metadata *_metadata, const struct traced_run *r)
{
	TH_LOG("zswpout +%lld zswpin +%lld zswpwb +%lld pswpout +%lld; events: store %lld (+%lld refused) load %lld writeback %lld malloc %lld free %lld map %lld read + %lld write, unmap %lld",
	       r->delta[0], r->delta[1], r->delta[2], r->delta[3], r->c.store_ok,
	       r->c.store_fail, r->c.load_ok, r->c.writeback_ok, r->c.malloc,
	       r->c.free, r->c.map_read, r->c.map_write, r->c.unmap);
}

TEST(event_counts_match_kernel_counters)
{
	struct traced_run r;
	char cg[256], saved[32];

	if (!have_events())
		SKIP(return, "kernel without the series' tracepoints");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	ASSERT_EQ(0, zp_cgroup_create("zp-trace", LIMIT, cg, sizeof(cg)));
	EXPECT_EQ(0, run_traced(cg, &r));
	zp_cgroup_destroy(cg);
	zp_zswap_param_set("zpool", saved);

	log_run(_metadata, &r);
	ASSERT_GT(r.delta[0], 0);
	ASSERT_EQ(0, r.overruns) TH_LOG("the trace buffer overflowed; counts are incomplete");
	EXPECT_EQ(0UL, r.bad_pages);
	EXPECT_EQ(r.delta[0], r.c.store_ok);
	EXPECT_EQ(r.delta[1], r.c.load_ok);
	EXPECT_EQ(r.delta[2], r.c.writeback_ok);
	/* What zswap refused or wrote back went to the swap device. */
	EXPECT_EQ(r.delta[3], r.c.store_fail + r.delta[2]);
	/*
	 * One allocation per stored page, written once; every read ends, and
	 * every load reads.
	 */
	EXPECT_EQ(r.c.store_ok, r.c.malloc);
	EXPECT_EQ(r.c.malloc, r.c.map_write);
	EXPECT_EQ(r.c.map_read, r.c.unmap);
	EXPECT_GE(r.c.map_read, r.c.load_ok);
}

/* Claims the whole GCMA area and frees it, mid-workload. */
static void claim_area(void *arg)
{
	int *err = arg;
	long long pages = zp_cma_stat("gcma", "count");

	*err = zp_cma_write("gcma", "alloc", pages) ?: zp_cma_write("gcma", "free", pages);
}

/*
 * gcma's events against its own counters, over a workload on the gcma
 * backend whose pages a claim of the whole area takes back mid-way: the
 * pages lent, less those returned and those a claim took back, are the
 * change in lent_pages, and the discards add up to what debugfs counts.
 */
TEST(gcma_events_match_its_counters)
{
	long long lent0, pages0, objects0, lent, pages, objects;
	struct traced_run r;
	char cg[256], saved[32];
	int claim_err = -1;

	if (!have_events())
		SKIP(return, "kernel without the series' tracepoints");
	if (zp_cma_stat("gcma", "count") <= 0 || zp_gcma_stat("lent_pages") < 0)
		SKIP(return, "no GCMA area: a kernel with CONFIG_GCMA and CONFIG_CMA_DEBUGFS, booted with gcma=SIZE");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "gcma"));
	ASSERT_EQ(0, zp_cgroup_create("zp-trace-gcma", LIMIT, cg, sizeof(cg)));
	lent0 = zp_gcma_stat("lent_pages");
	pages0 = zp_gcma_stat("discarded_pages");
	objects0 = zp_gcma_stat("discarded_objects");
	EXPECT_EQ(0, run_traced_between(cg, &r, claim_area, &claim_err));
	lent = zp_gcma_stat("lent_pages");
	pages = zp_gcma_stat("discarded_pages") - pages0;
	objects = zp_gcma_stat("discarded_objects") - objects0;
	zp_cgroup_destroy(cg);
	zp_zswap_param_set("zpool", saved);

	TH_LOG("gcma: %lld lent, %lld returned, %lld discards of %lld pages and %lld objects; debugfs: lent_pages %lld -> %lld, %lld pages and %lld objects discarded",
	       r.c.gcma_lend, r.c.gcma_return, r.c.gcma_discards, r.c.gcma_pages,
	       r.c.gcma_objects, lent0, lent, pages, objects);
	ASSERT_EQ(0, r.overruns) TH_LOG("the trace buffer overflowed; counts are incomplete");
	EXPECT_EQ(0, claim_err);
	EXPECT_EQ(0UL, r.bad_pages);
	EXPECT_GT(r.c.gcma_lend, 0);
	EXPECT_GT(r.c.gcma_discards, 0);
	EXPECT_EQ(pages, r.c.gcma_pages);
	EXPECT_EQ(objects, r.c.gcma_objects);
	EXPECT_EQ(lent - lent0, r.c.gcma_lend - r.c.gcma_return - r.c.gcma_pages);
}

/*
 * Writeback to a swap device whose writes fail: the first BIO_FAILURES
 * bios sent to /dev/vdb, the preferred swap device for the test, end in
 * -EIO (fail_make_request).  A page whose write failed stays in the swap
 * cache, dirty, to be stored or written again: every byte reads back.
 * zswpwb counts the writebacks whose event has no error.  zswap counts
 * every entry it chose for writeback and did not write in
 * reject_reclaim_fail, and each of those fires a failed event, whether
 * it failed once its data was read or was refused before (-EEXIST for a
 * slot whose folio is already in the swap cache, -ENOMEM, -EPERM).
 */
#define SWAP2		"/dev/vdb"
#define FAIL_BIO	"/sys/kernel/debug/fail_make_request"
#define SWAP2_FAIL	"/sys/block/vdb/make-it-fail"
#define BIO_FAILURES	100

static int fail_bios(int times)
{
	char n[16];

	snprintf(n, sizeof(n), "%d", times);
	return zp_write_file(FAIL_BIO "/probability", "100") ?:
	       zp_write_file(FAIL_BIO "/interval", "1") ?:
	       zp_write_file(FAIL_BIO "/space", "0") ?:
	       zp_write_file(FAIL_BIO "/verbose", "0") ?:
	       zp_write_file(FAIL_BIO "/times", n) ?:
	       zp_write_file(SWAP2_FAIL, times ? "1" : "0");
}

FIXTURE(eio) {
	char cg[256];
	char saved[32], shrinker[8];
	bool swap2_on;
};

FIXTURE_VARIANT(eio) {
	const char *zpool;
};

FIXTURE_VARIANT_ADD(eio, zsmalloc) {
	.zpool = "zsmalloc",
};

FIXTURE_VARIANT_ADD(eio, zbud) {
	.zpool = "zbud",
};

FIXTURE_SETUP(eio)
{
	if (!have_events())
		SKIP(return, "kernel without the series' tracepoints");
	if (access(FAIL_BIO "/times", W_OK) || access(SWAP2_FAIL, W_OK))
		SKIP(return, "kernel without CONFIG_FAIL_MAKE_REQUEST, or no %s", SWAP2);
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, zp_zswap_param_get("shrinker_enabled", self->shrinker,
					sizeof(self->shrinker)));
	ASSERT_EQ(0, system("mkswap " SWAP2 " > /dev/null"));
	ASSERT_EQ(0, swapon(SWAP2, SWAP_FLAG_PREFER | 20));
	self->swap2_on = true;
	ASSERT_EQ(0, zp_zswap_param_set("zpool", variant->zpool));
	ASSERT_EQ(0, zp_cgroup_create("zp-trace-eio", LIMIT, self->cg, sizeof(self->cg)));
	/*
	 * The shrinker writes the cgroup's entries back under its reclaim,
	 * on every backend; the zswap share is small.
	 */
	ASSERT_EQ(0, zp_zswap_param_set("shrinker_enabled", "Y"));
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", LIMIT / 4));
}

FIXTURE_TEARDOWN(eio)
{
	if (!self->swap2_on)
		return;
	fail_bios(0);
	zp_cgroup_destroy(self->cg);
	zp_zswap_param_set("zpool", self->saved);
	zp_zswap_param_set("shrinker_enabled", self->shrinker);
	if (swapoff(SWAP2))
		TH_LOG("swapoff %s: %s", SWAP2, strerror(errno));
}

TEST_F(eio, writeback_io_errors_lose_nothing)
{
	long long rrf, left;
	struct traced_run r;
	int err;

	rrf = zp_zswap_stat("reject_reclaim_fail");
	ASSERT_EQ(0, fail_bios(BIO_FAILURES));
	err = run_traced(self->cg, &r);
	left = zp_read_ll(FAIL_BIO "/times");
	EXPECT_EQ(0, fail_bios(0));
	rrf = zp_zswap_stat("reject_reclaim_fail") - rrf;

	log_run(_metadata, &r);
	TH_LOG("%s: %lld of %d writes to %s failed; %lld writebacks failed (reject_reclaim_fail +%lld)",
	       variant->zpool, BIO_FAILURES - left, BIO_FAILURES, SWAP2,
	       r.c.writeback_fail, rrf);
	EXPECT_EQ(0, err);
	ASSERT_EQ(0, r.overruns) TH_LOG("the trace buffer overflowed; counts are incomplete");
	EXPECT_EQ(0UL, r.bad_pages);
	/* Every failure was used: writes failed while pages went out. */
	EXPECT_EQ(0, left);
	EXPECT_GT(r.delta[2], 0);
	EXPECT_EQ(r.delta[2], r.c.writeback_ok);
	EXPECT_EQ(rrf, r.c.writeback_fail);
}

/*
 * Stores refused before zswap compresses anything fire their event too,
 * with the reason: a cgroup at memory.zswap.max (-EDQUOT), zswap disabled
 * (-ENODEV).  Each refused page is one written to the swap device.
 */
FIXTURE(refusal) {
	char cg[256];
	char enabled[8];
};

FIXTURE_VARIANT(refusal) {
	bool disable_zswap;
	int err;
};

FIXTURE_VARIANT_ADD(refusal, cgroup_at_zswap_max) {
	.disable_zswap = false,
	.err = EDQUOT,
};

FIXTURE_VARIANT_ADD(refusal, zswap_disabled) {
	.disable_zswap = true,
	.err = ENODEV,
};

FIXTURE_SETUP(refusal)
{
	if (!have_events())
		SKIP(return, "kernel without the series' tracepoints");
	ASSERT_EQ(0, zp_zswap_param_get("enabled", self->enabled, sizeof(self->enabled)));
	ASSERT_EQ(0, zp_cgroup_create("zp-refuse", LIMIT, self->cg, sizeof(self->cg)));
	if (variant->disable_zswap) {
		ASSERT_EQ(0, zp_zswap_param_set("enabled", "N"));
	} else {
		ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", 0));
	}
}

FIXTURE_TEARDOWN(refusal)
{
	if (!have_events())
		return;
	zp_zswap_param_set("enabled", self->enabled);
	zp_cgroup_destroy(self->cg);
}

TEST_F(refusal, every_refused_page_fires_its_reason)
{
	struct traced_run r;

	EXPECT_EQ(0, run_traced(self->cg, &r));
	log_run(_metadata, &r);
	ASSERT_EQ(0, r.overruns) TH_LOG("the trace buffer overflowed; counts are incomplete");
	EXPECT_EQ(0UL, r.bad_pages);
	EXPECT_EQ(0, r.delta[0]);
	EXPECT_EQ(0, r.c.store_ok);
	ASSERT_GT(r.delta[3], 0);
	EXPECT_EQ(r.delta[3], r.c.store_fail);
	EXPECT_EQ(r.c.store_fail, r.c.refused[variant->err]);
}

TEST_HARNESS_MAIN
