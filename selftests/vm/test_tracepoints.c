// SPDX-License-Identifier: GPL-2.0
/*
 * The series' tracepoints: every event exists with its documented fields,
 * no print format shows a pointer, and during a zswap workload the event
 * counts agree exactly with the kernel's own counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	{ "zpool", "zpool_malloc", { "id", "type", "size", "pool_pages" } },
	{ "zpool", "zpool_free", { "id", "type", "size", "pool_pages" } },
	{ "zpool", "zpool_map", { "id", "type", "size", "mode", "wait_ns" } },
	{ "zpool", "zpool_unmap", { "id", "type", "size", "mode", "wait_ns" } },
	{ "zpool", "zpool_shrink_begin", { "id", "type", "pages" } },
	{ "zpool", "zpool_shrink_end",
	  { "id", "type", "pages", "reclaimed", "ret", "duration_ns" } },
	{ "zpool", "zpool_evict", { "id", "type", "ret", "duration_ns" } },
	{ "zswap", "zswap_store",
	  { "pool", "type", "memcg", "orig", "compressed", "ret" } },
	{ "zswap", "zswap_load", { "pool", "type", "memcg", "compressed", "ret" } },
	{ "zswap", "zswap_writeback",
	  { "pool", "type", "memcg", "compressed", "ret", "duration_ns" } },
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
		fmt = strstr(buf, "print fmt:");
		ASSERT_NE(NULL, fmt);
		EXPECT_EQ(NULL, strstr(fmt, "%p"))
			TH_LOG("%s:%s prints a pointer: %s", e->system, e->name, fmt);
	}
}

/* Counts of event lines read from trace_pipe while the workload runs. */
struct counts {
	long long store_ok, store_fail, load_ok, writeback_ok, malloc, free,
		  map, unmap;
	int fd;
	volatile bool stop;
};

static void count_line(struct counts *c, const char *l)
{
	if (strstr(l, "zswap_store:"))
		strstr(l, " ret=0") ? c->store_ok++ : c->store_fail++;
	else if (strstr(l, "zswap_load:") && strstr(l, " ret=0"))
		c->load_ok++;
	else if (strstr(l, "zswap_writeback:") && strstr(l, " ret=0"))
		c->writeback_ok++;
	else if (strstr(l, "zpool_malloc:"))
		c->malloc++;
	else if (strstr(l, "zpool_free:"))
		c->free++;
	else if (strstr(l, "zpool_map:"))
		c->map++;
	else if (strstr(l, "zpool_unmap:"))
		c->unmap++;
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

TEST(event_counts_match_kernel_counters)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
	};
	long long out0, in0, wb0, out1, in1, wb1;
	struct counts c = { };
	char cg[256], saved[32];
	pthread_t thread;

	if (!have_events())
		SKIP(return, "kernel without the series' tracepoints");
	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved, sizeof(saved)));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	ASSERT_EQ(0, zp_cgroup_create("zp-trace", LIMIT, cg, sizeof(cg)));

	ASSERT_EQ(0, tracing_write("tracing_on", "0"));
	ASSERT_EQ(0, tracing_write("trace", ""));
	ASSERT_EQ(0, tracing_write("buffer_size_kb", "16384"));
	ASSERT_EQ(0, tracing_write("events/zpool/enable", "1"));
	ASSERT_EQ(0, tracing_write("events/zswap/enable", "1"));
	c.fd = open(TRACING "/trace_pipe", O_RDONLY | O_NONBLOCK);
	ASSERT_GE(c.fd, 0);
	ASSERT_EQ(0, pthread_create(&thread, NULL, reader, &c));

	/* The guest is otherwise idle: both windows see the same work. */
	ASSERT_EQ(0, tracing_write("tracing_on", "1"));
	out0 = zp_stat_get("/proc/vmstat", "zswpout");
	in0 = zp_stat_get("/proc/vmstat", "zswpin");
	wb0 = zp_stat_get("/proc/vmstat", "zswpwb");
	ASSERT_EQ(0, zp_run_in_cgroup(cg, &w));
	out1 = zp_stat_get("/proc/vmstat", "zswpout");
	in1 = zp_stat_get("/proc/vmstat", "zswpin");
	wb1 = zp_stat_get("/proc/vmstat", "zswpwb");
	ASSERT_EQ(0, tracing_write("tracing_on", "0"));

	/* Drain what is buffered, then stop the reader. */
	usleep(500000);
	c.stop = true;
	pthread_join(thread, NULL);
	close(c.fd);
	tracing_write("events/zswap/enable", "0");
	tracing_write("events/zpool/enable", "0");
	zp_cgroup_destroy(cg);
	zp_zswap_param_set("zpool", saved);

	TH_LOG("zswpout +%lld zswpin +%lld zswpwb +%lld; events: store %lld (+%lld failed) load %lld writeback %lld malloc %lld free %lld map %lld unmap %lld",
	       out1 - out0, in1 - in0, wb1 - wb0, c.store_ok, c.store_fail,
	       c.load_ok, c.writeback_ok, c.malloc, c.free, c.map, c.unmap);
	ASSERT_GT(out1 - out0, 0);
	ASSERT_EQ(0, overruns()) TH_LOG("the trace buffer overflowed; counts are incomplete");
	EXPECT_EQ(0UL, w.bad_pages);
	EXPECT_EQ(out1 - out0, c.store_ok);
	EXPECT_EQ(in1 - in0, c.load_ok);
	EXPECT_EQ(wb1 - wb0, c.writeback_ok);
	/* One allocation per stored page, and maps always end. */
	EXPECT_EQ(c.store_ok, c.malloc);
	EXPECT_EQ(c.map, c.unmap);
}

TEST_HARNESS_MAIN
