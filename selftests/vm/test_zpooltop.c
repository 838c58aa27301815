// SPDX-License-Identifier: GPL-2.0
/*
 * zpooltop on the patched kernel: `zpooltop -j` runs through a zswap
 * workload, every line it prints is JSON, the ratio it shows while the
 * pages sit in zswap agrees with zswap's debugfs within 5%, a backend
 * switch shows the new pool, with -w every interval with loads shows how
 * long objects stayed mapped, with -c a cgroup's flows agree with its
 * memory.stat, and SIGINT ends it cleanly.  Its metrics (-o openmetrics,
 * --textfile) parse with prometheus_client's parsers.  It loads the BPF
 * programs of what it shows and no other: without -w, -c or --cma, one
 * program run per zswap store or load.
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
#include <bpf/bpf.h>

#include "zp_harness.h"
#include "zp_util.h"

#define LIMIT		(32UL << 20)
#define WORKLOAD	(64UL << 20)
#define HOLD_S		5
#define MAX_POOLS	8

struct json_pool {
	unsigned int id;
	char backend[16];
	long long stored;
	unsigned long long pages;
	double ratio, allocs_s, frees_s;
	bool timed;			/* map keys there (-w) */
	unsigned long long hold_p99_ns;
};

struct json_line {
	int schema;
	long long time;
	double interval_s;
	double zswpin_s;		/* the system's loads */
	bool memcg;			/* -c */
	double stores_s, loads_s;
	int npools;
	struct json_pool pools[MAX_POOLS];
};

/*
 * The fields a test needs from one line of zpooltop -j, whose layout is
 * zpooltop's own (zpt_print_json()); Python checks the syntax of every
 * line separately.  0, or -1 if the line is not what it should be.
 */
static int parse_line(const char *s, struct json_line *l)
{
	const char *p, *hold, *next, *mc;

	memset(l, 0, sizeof(*l));
	if (sscanf(s, "{\"schema\":%d,\"time\":%lld,\"interval_s\":%lf", &l->schema,
		   &l->time, &l->interval_s) != 3 || l->schema != 2)
		return -1;
	p = strstr(s, "\"zswpin_s\":");
	if (!p || sscanf(p, "\"zswpin_s\":%lf", &l->zswpin_s) != 1)
		return -1;
	mc = strstr(s, "\"memcg\":{");
	if (mc) {
		l->memcg = true;
		mc = strstr(mc, "\"stores_s\":");
		if (!mc || sscanf(mc, "\"stores_s\":%lf,\"loads_s\":%lf", &l->stores_s,
				  &l->loads_s) != 2)
			return -1;
	}
	for (p = strstr(s, "{\"id\":"); p && l->npools < MAX_POOLS; p = next) {
		struct json_pool *jp = &l->pools[l->npools++];

		next = strstr(p + 1, "{\"id\":");
		if (sscanf(p, "{\"id\":%u,\"backend\":\"%15[^\"]\",\"stored_pages\":%lld,"
			   "\"pool_pages\":%llu,\"pool_bytes\":%*u,\"ratio\":%lf,\"allocs_s\":%lf,"
			   "\"frees_s\":%lf",
			   &jp->id, jp->backend, &jp->stored, &jp->pages, &jp->ratio,
			   &jp->allocs_s, &jp->frees_s) != 7)
			return -1;
		/* This pool's hold figure, before the next pool's id; only with -w. */
		hold = strstr(p, "\"map_hold_p99_ns\":");
		if (hold && (!next || hold < next)) {
			jp->timed = true;
			if (sscanf(hold, "\"map_hold_p99_ns\":%llu", &jp->hold_p99_ns) != 1)
				return -1;
		}
	}
	return 0;
}

#define MAX_REPORTS	256

static bool all_lines_are_json(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json, sys\nfor l in sys.stdin: json.loads(l)' < %s", path);
	return system(cmd) == 0;
}

/*
 * Every report zpooltop wrote to @path, after Python's json module checked
 * the syntax of each line: how many, or -1 if a line is not JSON or not
 * zpooltop's layout.
 */
static int read_reports(const char *path, struct json_line *reports)
{
	char line[8192];
	int n = 0;
	FILE *f;

	if (!all_lines_are_json(path))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (n < MAX_REPORTS && fgets(line, sizeof(line), f)) {
		if (parse_line(line, &reports[n])) {
			fprintf(stderr, "# report %d: %.200s", n + 1, line);
			n = -1;
			break;
		}
		n++;
	}
	fclose(f);
	return n;
}


FIXTURE(zpooltop) {
	char saved[32], cg[256], out[64];
	const char *bin;
	pid_t pid;
};

FIXTURE_SETUP(zpooltop)
{
	self->pid = -1;
	self->bin = getenv("ZPOOLTOP");
	if (access("/sys/kernel/tracing/events/zpool", F_OK))
		SKIP(return, "kernel without the series' tracepoints");
	ASSERT_NE(NULL, self->bin) TH_LOG("ZPOOLTOP names the binary (vmtest/guest.sh sets it)");
	ASSERT_EQ(0, access(self->bin, X_OK)) TH_LOG("%s: %s", self->bin, strerror(errno));
	ASSERT_EQ(0, zp_zswap_param_get("zpool", self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, zp_cgroup_create("zp-top", LIMIT, self->cg, sizeof(self->cg)));
	/*
	 * Each entry is charged what it occupies in its backend: without a
	 * zswap limit, a backend at 2:1 fills the cgroup, which then makes
	 * room only by OOM.
	 */
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.zswap.max", LIMIT / 2));
	snprintf(self->out, sizeof(self->out), "/tmp/zpooltop-%d.jsonl", getpid());
}

FIXTURE_TEARDOWN(zpooltop)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	zp_cgroup_destroy(self->cg);
	zp_zswap_param_set("zpool", self->saved);
	unlink(self->out);
}

/*
 * zpooltop -j 1 with @opt (and @arg) if given, its output in @out, once
 * its first report is out (its programs attached); the pid, or -1.
 */
static pid_t start_zpooltop_with(const char *bin, const char *out, const char *opt,
				 const char *arg)
{
	char *argv[6] = { (char *)bin, "-j" };
	int n = 2;

	if (opt)
		argv[n++] = (char *)opt;
	if (arg)
		argv[n++] = (char *)arg;
	argv[n] = "1";
	return zp_spawn_until_output(argv, out, 10);
}

static pid_t start_zpooltop(const char *bin, const char *out)
{
	return start_zpooltop_with(bin, out, NULL, NULL);
}

/* SIGINT, as a user's Ctrl-C: zpooltop must exit 0. */
static int stop_zpooltop(pid_t pid)
{
	return zp_interrupt(pid);
}

TEST_F(zpooltop, json_ratio_agrees_with_debugfs)
{
	struct zp_hold h = { .seconds = HOLD_S };
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = zp_hold_pages,
		.arg = &h,
	};
	static struct json_line reports[MAX_REPORTS];
	double kernel, worst = 0;
	int lines, inside = 0, i, n;

	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	self->pid = start_zpooltop(self->bin, self->out);
	ASSERT_GT(self->pid, 0);
	sleep(2);		/* attached, with a first report */
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	ASSERT_EQ(0, stop_zpooltop(self->pid));
	self->pid = -1;
	ASSERT_EQ(0, h.err);
	ASSERT_EQ(0UL, w.bad_pages);
	ASSERT_GT(h.pool.pool_pages, 0);
	kernel = (double)h.pool.stored_pages / h.pool.pool_pages;

	lines = read_reports(self->out, reports);
	ASSERT_GT(lines, 0);
	for (n = 0; n < lines; n++) {
		struct json_line *l = &reports[n];

		/* Only reports whose whole interval fell in the hold compare. */
		if (l->time - l->interval_s - 1 < h.start || l->time + 1 > h.end)
			continue;
		for (i = 0; i < l->npools; i++) {
			double off;

			if (l->pools[i].id != h.pool.id)
				continue;
			inside++;
			/* the default view times no map: no map_* key */
			EXPECT_FALSE(l->pools[i].timed);
			off = l->pools[i].ratio / kernel - 1;
			if (off < 0)
				off = -off;
			if (off > worst)
				worst = off;
			EXPECT_STREQ("zsmalloc", l->pools[i].backend);
		}
	}
	TH_LOG("%d lines, %d within the hold; debugfs pool %u: %lld pages in %lld = %.3f:1; worst difference %.2f%%",
	       lines, inside, h.pool.id, h.pool.stored_pages, h.pool.pool_pages, kernel,
	       worst * 100);
	EXPECT_GE(lines, HOLD_S);
	EXPECT_GE(inside, 1);
	EXPECT_LE(worst, 0.05);
}

static void switch_to_zbud(void *arg)
{
	int *err = arg;

	*err = zp_zswap_param_set("zpool", "zbud");
	sleep(2);
}

TEST_F(zpooltop, backend_switch_shows_the_new_pool)
{
	int switch_err = -1, zbud_rows = 0, zbud_busy = 0, zsmalloc_rows = 0, i, n, lines;
	int reading = 0, reading_unheld = 0;
	static struct json_line reports[MAX_REPORTS];
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.between = switch_to_zbud,
		.arg = &switch_err,
	};
	struct zp_pool pools[MAX_POOLS];

	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	/* -w: reads and writes are timed, so that loads show their holds. */
	self->pid = start_zpooltop_with(self->bin, self->out, "-w", NULL);
	ASSERT_GT(self->pid, 0);
	sleep(2);
	/* Pages go to zsmalloc, the backend switches, they are read back. */
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	ASSERT_EQ(0, switch_err);
	/* New stores now go to the zbud pool. */
	w.between = NULL;
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	sleep(2);
	ASSERT_EQ(0, stop_zpooltop(self->pid));
	self->pid = -1;
	ASSERT_GE(zp_zswap_pools(pools, MAX_POOLS), 1);
	ASSERT_STREQ("zbud", pools[0].type);

	lines = read_reports(self->out, reports);
	ASSERT_GT(lines, 0);
	for (n = 0; n < lines; n++) {
		struct json_line *l = &reports[n];

		for (i = 0; i < l->npools; i++) {
			if (!strcmp(l->pools[i].backend, "zsmalloc"))
				zsmalloc_rows++;
			/*
			 * An entry is freed when its page is read back, and
			 * every read holds its object: frees while pages are
			 * loaded mean holds.  (The workload's exit frees the
			 * entries of pages it stored again, with no read.)
			 */
			if (l->pools[i].frees_s > 0 && l->zswpin_s > 0) {
				reading++;
				reading_unheld += !l->pools[i].timed || !l->pools[i].hold_p99_ns;
			}
			if (l->pools[i].id != pools[0].id)
				continue;
			EXPECT_STREQ("zbud", l->pools[i].backend);
			zbud_rows++;
			zbud_busy += l->pools[i].allocs_s > 0;
		}
	}
	TH_LOG("zbud pool %u: in %d reports, allocating in %d; zsmalloc rows %d; "
	       "%d rows freed objects while pages were loaded, %d of them without a map hold time",
	       pools[0].id, zbud_rows, zbud_busy, zsmalloc_rows, reading, reading_unheld);
	EXPECT_GT(reading, 0);
	EXPECT_EQ(0, reading_unheld);
	EXPECT_GT(zsmalloc_rows, 0);
	EXPECT_GT(zbud_rows, 0);
	EXPECT_GT(zbud_busy, 0);
}

/*
 * Each OpenMetrics exposition on stdout (argv[1]) and the textfile
 * (argv[2]) parse, those taken during the workload show a zsmalloc pool's
 * stored pages, and no temporary file is left beside the textfile.
 */
static const char metrics_check[] =
	"import sys, glob\n"
	"from prometheus_client.openmetrics.parser import text_string_to_metric_families as om\n"
	"from prometheus_client.parser import text_string_to_metric_families as prom\n"
	"out = open(sys.argv[1]).read()\n"
	"reps = [r + '# EOF\\n' for r in out.split('# EOF\\n') if r]\n"
	"assert len(reps) >= 3, len(reps)\n"
	"fams = [{f.name: f for f in om(r)} for r in reps]\n"
	"def stored(fam):\n"
	"    return [s for s in fam['zpooltop_pool_stored_pages'].samples\n"
	"            if s.labels['backend'] == 'zsmalloc' and s.value > 0]\n"
	"busy = [f for f in fams if 'zpooltop_pool_stored_pages' in f and stored(f)]\n"
	"assert busy, 'no exposition shows a zsmalloc pool with pages'\n"
	"assert busy[-1]['zpooltop_pool_writeback_seconds'].type == 'histogram'\n"
	"tf = {f.name: f for f in prom(open(sys.argv[2]).read())}\n"
	"assert 'zpooltop_pool_stored_pages' in tf\n"
	"assert tf['zpooltop_pool_allocations'].type == 'counter'\n"
	"assert not glob.glob(sys.argv[2] + '.*.tmp')\n";

TEST_F(zpooltop, metrics_parse)
{
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
	};
	char textfile[64];
	int status;

	if (system("/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null"))
		SKIP(return, "no python3-prometheus-client");
	snprintf(textfile, sizeof(textfile), "/tmp/zpooltop-%d.prom", getpid());
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	self->pid = fork();
	ASSERT_GE(self->pid, 0);
	if (self->pid == 0) {
		if (!freopen(self->out, "w", stdout))
			_exit(127);
		execl(self->bin, self->bin, "-o", "openmetrics", "--textfile", textfile,
		      "1", NULL);
		_exit(127);
	}
	sleep(2);
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	sleep(1);
	ASSERT_EQ(0, stop_zpooltop(self->pid));
	self->pid = -1;

	setenv("ZPT_METRICS_CHECK", metrics_check, 1);
	setenv("ZPT_OUT", self->out, 1);
	setenv("ZPT_TEXTFILE", textfile, 1);
	status = system("/usr/bin/python3 -c \"$ZPT_METRICS_CHECK\" \"$ZPT_OUT\" \"$ZPT_TEXTFILE\"");
	unlink(textfile);
	EXPECT_EQ(0, status);
}

/*
 * zpooltop -c: the cgroup's stores and loads per second, over the
 * reports, add up to what its memory.stat counted.
 */
TEST_F(zpooltop, cgroup_flows_agree_with_memory_stat)
{
	static struct json_line reports[MAX_REPORTS];
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
	};
	double stores = 0, loads = 0;
	long long out, in;
	char stat[300];
	int lines, n, with = 0;

	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	snprintf(stat, sizeof(stat), "%s/memory.stat", self->cg);
	self->pid = start_zpooltop_with(self->bin, self->out, "-c", self->cg);
	ASSERT_GT(self->pid, 0);
	sleep(1);
	/* From here every event falls into a report. */
	out = zp_stat_get(stat, "zswpout");
	in = zp_stat_get(stat, "zswpin");
	ASSERT_GE(out, 0);
	ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
	out = zp_stat_get(stat, "zswpout") - out;
	in = zp_stat_get(stat, "zswpin") - in;
	sleep(2);
	ASSERT_EQ(0, stop_zpooltop(self->pid));
	self->pid = -1;

	lines = read_reports(self->out, reports);
	ASSERT_GT(lines, 0);
	for (n = 0; n < lines; n++) {
		with += reports[n].memcg;
		stores += reports[n].stores_s * reports[n].interval_s;
		loads += reports[n].loads_s * reports[n].interval_s;
	}
	TH_LOG("%d reports, %d with the cgroup; memory.stat zswpout +%lld zswpin +%lld; zpooltop %.0f stores, %.0f loads",
	       lines, with, out, in, stores, loads);
	EXPECT_EQ(lines, with);
	EXPECT_GT(out, 0);
	/* Rates are printed to 0.1/s: a few pages either way per report. */
	EXPECT_LE(stores, out * 1.02 + lines);
	EXPECT_GE(stores, out * 0.98 - lines);
	EXPECT_LE(loads, in * 1.02 + lines);
	EXPECT_GE(loads, in * 0.98 - lines);
	EXPECT_EQ(0UL, w.bad_pages);
}

/* A BPF program the kernel has loaded since @after (ids only grow). */
struct prog {
	char name[BPF_OBJ_NAME_LEN];
	int fd;
};

/* The programs loaded since program id @after: how many, at most @max. */
static int progs_since(__u32 after, struct prog *progs, int max)
{
	struct bpf_prog_info info;
	__u32 id = after, len;
	int n = 0, fd;

	while (n < max && !bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* gone meanwhile */
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		memcpy(progs[n].name, info.name, sizeof(progs[n].name));
		progs[n++].fd = fd;
	}
	return n;
}

static void progs_close(struct prog *progs, int n)
{
	while (n-- > 0)
		close(progs[n].fd);
}

static __u32 last_prog_id(void)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id))
		;
	return id;
}

static long long progs_runs(const struct prog *progs, int n)
{
	struct bpf_prog_info info;
	long long runs = 0;
	__u32 len;

	while (n-- > 0) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(progs[n].fd, &info, &len))
			return -1;
		runs += info.run_cnt;
	}
	return runs;
}

/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of a name. */
static bool has_prog(const struct prog *progs, int n, const char *name)
{
	while (n-- > 0)
		if (!strncmp(progs[n].name, name, BPF_OBJ_NAME_LEN - 1))
			return true;
	return false;
}

#define MAX_PROGS	32

/*
 * Without -w, -c or --cma, the programs whose figures the default view
 * shows; the last, gcma_discard, only on a kernel with GCMA's tracepoints.
 */
static const char *const default_progs[] = {
	"zpool_create", "zpool_destroy", "zpool_malloc", "zpool_free",
	"zpool_shrink_end", "zpool_evict", "zswap_writeback", "gcma_discard",
};

/*
 * Each option loads the programs it needs and no other: by default those
 * of default_progs[], -w adds zpool_map and zpool_unmap, -c zswap_store
 * and zswap_load, --cma (on a kernel with CMA) cma_alloc_start and
 * cma_alloc_finish.  With the default view, a zswap store or load runs
 * one program (kernel.bpf_stats_enabled counts the runs): zpool_malloc
 * for a store, zpool_free for a load, which frees the entry.  The
 * workload stores each page once and loads it once, so that every entry
 * is freed by a load.
 */
TEST_F(zpooltop, loads_the_programs_of_what_it_shows)
{
	static const struct {
		const char *opt, *name;
		int extras;
		const char *extra[2];
	} views[] = {
		{ NULL, "(no option)", 0, { "", "" } },
		{ "-w", "-w", 2, { "zpool_map", "zpool_unmap" } },
		{ "-c", "-c", 2, { "zswap_store", "zswap_load" } },
		{ "--cma", "--cma", 2, { "cma_alloc_start", "cma_alloc_finish" } },
	};
	bool gcma = !access("/sys/kernel/tracing/events/gcma", F_OK);
	bool cma = !access("/sys/kernel/tracing/events/cma", F_OK);
	int defaults = sizeof(default_progs) / sizeof(default_progs[0]) - !gcma;
	/* Each page stored once and loaded once, as in test_bpf_stats. */
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
		.pageout = true,
	};
	struct prog progs[MAX_PROGS];
	long long runs = -1, out = 0, in = 0, wb = 0;
	int v, n, i, want, stats_fd;
	char missing[256];
	__u32 after;

	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	ASSERT_GE(stats_fd, 0) TH_LOG("BPF_ENABLE_STATS: %s", strerror(errno));
	ASSERT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	ASSERT_EQ(0, zp_cgroup_set(self->cg, "memory.max", 4 * WORKLOAD));
	for (v = 0; v < (int)(sizeof(views) / sizeof(views[0])); v++) {
		if (!strcmp(views[v].name, "--cma") && !cma) {
			TH_LOG("zpooltop --cma: not tried, the kernel has no CMA tracepoints");
			continue;
		}
		after = last_prog_id();
		self->pid = start_zpooltop_with(self->bin, self->out, views[v].opt,
						views[v].opt && !strcmp(views[v].opt, "-c") ?
						self->cg : NULL);
		ASSERT_GT(self->pid, 0);
		n = progs_since(after, progs, MAX_PROGS);
		want = defaults + views[v].extras;
		missing[0] = '\0';
		for (i = 0; i < want; i++) {
			const char *p = i < defaults ? default_progs[i] :
					views[v].extra[i - defaults];

			if (!has_prog(progs, n, p))
				snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
					 " %s", p);
		}
		TH_LOG("zpooltop %s: %d programs loaded, %d expected; missing:%s",
		       views[v].name, n, want, missing[0] ? missing : " none");
		EXPECT_EQ(want, n);
		EXPECT_STREQ("", missing);
		if (!views[v].opt) {
			/* The default view, through a workload. */
			runs = progs_runs(progs, n);
			out = zp_stat_get("/proc/vmstat", "zswpout");
			in = zp_stat_get("/proc/vmstat", "zswpin");
			wb = zp_stat_get("/proc/vmstat", "zswpwb");
			ASSERT_EQ(0, zp_run_in_cgroup(self->cg, &w));
			runs = progs_runs(progs, n) - runs;
			out = zp_stat_get("/proc/vmstat", "zswpout") - out;
			in = zp_stat_get("/proc/vmstat", "zswpin") - in;
			wb = zp_stat_get("/proc/vmstat", "zswpwb") - wb;
			EXPECT_EQ(0UL, w.bad_pages);
		}
		progs_close(progs, n);
		ASSERT_EQ(0, stop_zpooltop(self->pid));
		self->pid = -1;
	}
	close(stats_fd);

	ASSERT_GT(out + in, 0);
	TH_LOG("default view: %lld program runs for zswpout +%lld, zswpin +%lld (zswpwb +%lld): %.3f per store or load",
	       runs, out, in, wb, (double)runs / (double)(out + in));
	/* A writeback runs two (zswap_writeback, zpool_free): room for them, and 2%. */
	EXPECT_LE(runs, (out + in) * 102 / 100 + 2 * wb + 4);
	EXPECT_GE(runs, (out + in) * 90 / 100);
}

TEST_HARNESS_MAIN
