// SPDX-License-Identifier: GPL-2.0
/*
 * zp_bench: zswap store and load throughput and density, per backend and
 * data set, in three modes: tracing off; empty programs (each returns at
 * once) on the tracepoints of zpooltop's default view, which is what
 * enabling those tracepoints costs the kernel; and the zpool_stats BPF
 * programs of that view, as zpooltop loads them.  Their differences
 * separate the kernel's side of the cost from the programs' own.
 *
 *   zp_bench SIZE_MIB RUNS
 *   zp_bench --baseline SIZE_MIB RUNS
 *
 * A run fills SIZE_MIB in a memory cgroup, pushes all of it out with
 * memory.reclaim (zswap stores: compression and the backend's malloc and
 * write), then reads it back (zswap loads, and the check of every page).
 * Throughput counts the pages zswap stored or loaded over the time of
 * that phase.  The modes take turns within every repetition, each first
 * in turn, and the best run of each is shown: on a shared or emulated
 * machine noise only adds time.  How far a mode's median run is from its
 * best is printed as its noise; a cost smaller than the noise is not a
 * result.  Prints a table; exit status 0 if every page read back intact.
 *
 * --baseline measures zswap as it is, whatever its pool, with tracing off
 * and no zswap.zpool parameter needed, so that it runs on stock Linux
 * too: every run of every data set prints a line "baseline SET STORE
 * LOAD" (MB/s), for make bench to compare two kernels on the same data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "zp_parse.h"
#include "zp_util.h"
#include "zpool_stats.h"
#include "zpool_stats.skel.h"

enum { MODE_OFF, MODE_EMPTY, MODE_BPF, NR_MODES };
static const char *const mode_names[] = { "off", "empty", "bpf" };

#define MAX_RUNS	64

struct run {
	const char *cg;
	size_t bytes;
	double store_s, load_s;
	long long stored, loaded;
	double density;
	/* where the load phase starts: the clock and zswpin */
	double load_start;
	long long zswpin0;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The child filled its memory: push it all into zswap, timed. */
static void store_phase(void *arg)
{
	struct run *r = arg;
	long long out0 = zp_stat_get("/proc/vmstat", "zswpout");
	struct zp_pool pools[8];
	double t0 = now_s();

	/* Reclaim may stop short of the target (-EAGAIN); what it did counts. */
	zp_cgroup_set(r->cg, "memory.reclaim", r->bytes);
	r->store_s = now_s() - t0;
	r->stored = zp_stat_get("/proc/vmstat", "zswpout") - out0;
	if (zp_zswap_pools(pools, 8) > 0 && pools[0].pool_pages > 0)
		r->density = (double)pools[0].stored_pages / pools[0].pool_pages;
	r->zswpin0 = zp_stat_get("/proc/vmstat", "zswpin");
	r->load_start = now_s();	/* the load phase starts when this returns */
}

static int one_run(struct run *r, enum zp_pattern pattern, size_t *bad)
{
	struct zp_workload w = {
		.bytes = r->bytes, .pattern = pattern,
		.between = store_phase, .arg = r,
	};
	int err = zp_run_in_cgroup(r->cg, &w);

	r->load_s = now_s() - r->load_start;
	r->loaded = zp_stat_get("/proc/vmstat", "zswpin") - r->zswpin0;
	*bad += w.bad_pages;
	return err;
}

static double mbps(long long pages, double s)
{
	return s > 0 ? pages * (double)ZP_PAGE_SIZE / s / 1e6 : 0;
}

/* Every run of one mode, on one backend and data set, and the best. */
struct mode_runs {
	int n;
	double store_mbps[MAX_RUNS], load_mbps[MAX_RUNS];
	struct run best;	/* the best store and the best load, maybe of two runs */
};

static void add_run(struct mode_runs *m, const struct run *r)
{
	struct run *b = &m->best;

	if (m->n < MAX_RUNS) {
		m->store_mbps[m->n] = mbps(r->stored, r->store_s);
		m->load_mbps[m->n++] = mbps(r->loaded, r->load_s);
	}
	if (!b->stored || mbps(r->stored, r->store_s) > mbps(b->stored, b->store_s)) {
		b->stored = r->stored;
		b->store_s = r->store_s;
	}
	if (!b->loaded || mbps(r->loaded, r->load_s) > mbps(b->loaded, b->load_s)) {
		b->loaded = r->loaded;
		b->load_s = r->load_s;
	}
	b->density = r->density;
}

/* How much longer the median run took than the best, in %: the noise. */
static double noise(const double *mbps_runs, int n)
{
	double v[MAX_RUNS], best, median;
	int i;

	for (i = 0; i < n; i++)
		v[i] = mbps_runs[i];
	qsort(v, n, sizeof(v[0]), zp_cmp_double);
	best = v[n - 1];
	median = v[(n - 1) / 2];	/* of an even count, the slower middle */
	return median > 0 ? 100.0 * best / median - 100 : 0;
}

static void print_mode(const char *backend, const char *set, int mode,
		       const struct mode_runs *m)
{
	const struct run *r = &m->best;

	printf("%-8s %-12s %-8s ", backend, set, mode_names[mode]);
	/* Nothing stored or loaded (all sent to the swap device): no figure. */
	if (!r->stored || !r->loaded) {
		printf("%10s %10s %8s\n", "-", "-", "-");
		return;
	}
	printf("%10.1f %10.1f %8.2f %7.1f%% %7.1f%%\n", mbps(r->stored, r->store_s),
	       mbps(r->loaded, r->load_s), r->density,
	       noise(m->store_mbps, m->n), noise(m->load_mbps, m->n));
}

/*
 * How much longer @with took than @without, best run against best run,
 * in % of @without's time: + is a cost.  0 if either has no figure.
 */
static double cost(long long pages_without, double s_without,
		   long long pages_with, double s_with)
{
	double a = mbps(pages_without, s_without), b = mbps(pages_with, s_with);

	return a && b ? 100.0 * a / b - 100 : 0;
}

static void print_cost(const char *what, const struct run *without, const struct run *with)
{
	if (!without->stored || !with->stored || !without->loaded || !with->loaded)
		return;
	printf("%-8s %-12s %-8s %9.1f%% %9.1f%%\n", "", "", what,
	       cost(without->stored, without->store_s, with->stored, with->store_s),
	       cost(without->loaded, without->load_s, with->loaded, with->load_s));
}

/*
 * Empty programs (r0 = 0; exit) on the tracepoints whose programs @skel
 * would load: what attaching costs the kernel (the tracepoints' static
 * keys on, their argument packing and the BPF dispatch), without the
 * programs' own work.  Their fds go to @fds; how many, or -errno.
 */
static int attach_empty(struct zpool_stats_bpf *skel, int *fds, int max)
{
	static const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *prog;
	const char *sec, *tp;
	char name[128];
	int n = 0, fd, link, id, err = 0;

	if (!vmlinux)
		return -errno;
	bpf_object__for_each_program(prog, skel->obj) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts,
			.expected_attach_type = BPF_TRACE_RAW_TP);

		if (!bpf_program__autoload(prog))
			continue;
		sec = bpf_program__section_name(prog);
		tp = strchr(sec, '/');
		if (strncmp(sec, "tp_btf/", 7) || !tp || n + 2 > max) {
			err = -EINVAL;
			break;
		}
		snprintf(name, sizeof(name), "btf_trace_%s", tp + 1);
		id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF);
		if (id <= 0) {
			err = -ENOENT;
			break;
		}
		opts.attach_btf_id = id;
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "zp_empty", "GPL", ret0, 2, &opts);
		if (fd < 0) {
			err = -errno;
			break;
		}
		fds[n++] = fd;
		link = bpf_raw_tracepoint_open(NULL, fd);
		if (link < 0) {
			err = -errno;
			break;
		}
		fds[n++] = link;
	}
	btf__free(vmlinux);
	if (err) {
		while (n--)
			close(fds[n]);
		return err;
	}
	return n;
}

/* What a mode has attached, to take off after the run. */
struct attached {
	struct zpool_stats_bpf *skel;
	int fds[32], nfds;
};

/*
 * Attach what @mode runs with: nothing, empty programs, or the programs
 * of zpooltop's default view, loaded as zpooltop loads them (no size
 * histograms).  0 or -errno.
 */
static int attach_mode(int mode, struct attached *a)
{
	int n, err;

	memset(a, 0, sizeof(*a));
	if (mode == MODE_OFF)
		return 0;
	a->skel = zpool_stats_bpf__open();
	if (!a->skel)
		return -errno;
	if (mode == MODE_EMPTY) {
		n = attach_empty(a->skel, a->fds, sizeof(a->fds) / sizeof(a->fds[0]));
		if (n < 0)
			return n;
		a->nfds = n;
		return 0;
	}
	bpf_map__set_max_entries(a->skel->maps.sizes, 1);
	err = zpool_stats_bpf__load(a->skel);
	return err ? err : zpool_stats_bpf__attach(a->skel);
}

static void detach_mode(struct attached *a)
{
	while (a->nfds > 0)
		close(a->fds[--a->nfds]);
	zpool_stats_bpf__destroy(a->skel);
	a->skel = NULL;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static const struct { const char *name; enum zp_pattern p; } sets[] = {
	{ "compressible", ZP_PATTERN_COMPRESSIBLE },
	{ "mixed", ZP_PATTERN_MIXED },
	{ "random", ZP_PATTERN_RANDOM },
};

/* The exit status, and why a run has no figures or failed its check. */
static int verdict(int err, size_t bad)
{
	if (err)
		fprintf(stderr, "zp_bench: a run failed: %s\n", strerror(err < 0 ? -err : EIO));
	if (bad)
		fprintf(stderr, "zp_bench: %zu pages did not read back intact\n", bad);
	return err || bad;
}

/* zswap as it is, run after run, one line each; see the top comment. */
static int baseline(unsigned long mib, unsigned long runs)
{
	size_t s, bad = 0;
	unsigned long rep;
	struct run r;
	char cg[256];
	int err = 0;

	if (zp_cgroup_create("zp-baseline", (mib + 64) << 20, cg, sizeof(cg))) {
		fprintf(stderr, "zp_bench: needs root and cgroup2 at /sys/fs/cgroup\n");
		return 1;
	}
	for (rep = 0; rep < runs && !err; rep++) {
		for (s = 0; s < sizeof(sets) / sizeof(sets[0]) && !err; s++) {
			memset(&r, 0, sizeof(r));
			r.cg = cg;
			r.bytes = mib << 20;
			err = one_run(&r, sets[s].p, &bad);
			if (!err && (!r.stored || !r.loaded))
				err = -ENODATA;	/* zswap took nothing: no figure */
			if (!err)
				printf("baseline %s %.2f %.2f\n", sets[s].name,
				       mbps(r.stored, r.store_s), mbps(r.loaded, r.load_s));
			fflush(stdout);
		}
	}
	zp_cgroup_destroy(cg);
	return verdict(err, bad);
}

/* The best runs of every row, added up per mode: pages and seconds. */
struct totals {
	long long stored, loaded;
	double store_s, load_s;
	double store_noise_max, load_noise_max;
};

int main(int argc, char **argv)
{
	static const char *const backends[] = { "zsmalloc", "zbud" };
	static struct mode_runs runs[NR_MODES];
	struct totals tot[NR_MODES] = {};
	size_t b, s, bad = 0;
	unsigned long nruns, mib;
	char saved[32], cg[256];
	struct attached att;
	int rep, m, err = 0;
	bool complete;
	struct run r;

	bool base = argc == 4 && !strcmp(argv[1], "--baseline");
	/* A run's data stays in memory until pushed out: no more than RAM. */
	long long mem_mib = zp_stat_get("/proc/meminfo", "MemTotal:") >> 10;

	if (argc != 3 + base) {
		fprintf(stderr, "usage: %s [--baseline] SIZE_MIB RUNS\n", argv[0]);
		return 2;
	}
	if (zp_parse_ulong(argv[1 + base], 1, mem_mib > 0 ? mem_mib : 1, &mib)) {
		fprintf(stderr, "zp_bench: SIZE_MIB must be a number of MiB from 1 to %lld (this machine's memory), not '%s'\n",
			mem_mib, argv[1 + base]);
		return 2;
	}
	if (zp_parse_ulong(argv[2 + base], 1, MAX_RUNS, &nruns)) {
		fprintf(stderr, "zp_bench: RUNS must be a number from 1 to %d, not '%s'\n",
			MAX_RUNS, argv[2 + base]);
		return 2;
	}
	if (base)
		return baseline(mib, nruns);
	libbpf_set_print(libbpf_quiet);
	if (zp_zswap_param_get("zpool", saved, sizeof(saved)) ||
	    zp_cgroup_create("zp-bench", (mib + 64) << 20, cg, sizeof(cg))) {
		fprintf(stderr, "zp_bench: needs root, zswap with zswap.zpool and cgroup2 at /sys/fs/cgroup\n");
		return 1;
	}

	printf("zswap: %lu MiB per run, best of %lu runs per mode; noise: how much longer\n"
	       "the median run took than the best.  Modes: off, no program attached; empty,\n"
	       "programs that return at once on the tracepoints of zpooltop's default view;\n"
	       "bpf, that view's programs.  Cost, + is slower: kernel, empty over off (the\n"
	       "enabled tracepoints); programs, bpf over empty; total, bpf over off.\n",
	       mib, nruns);
	printf("%-8s %-12s %-8s %10s %10s %8s %8s %8s\n", "backend", "data", "tracing",
	       "store MB/s", "load MB/s", "density", "st noise", "ld noise");
	for (b = 0; b < sizeof(backends) / sizeof(backends[0]) && !err; b++) {
		err = zp_zswap_param_set("zpool", backends[b]);
		for (s = 0; s < sizeof(sets) / sizeof(sets[0]) && !err; s++) {
			memset(runs, 0, sizeof(runs));
			for (rep = 0; rep < (int)nruns && !err; rep++) {
				for (m = 0; m < NR_MODES && !err; m++) {
					/* Each mode goes first in turn. */
					int mode = (m + rep) % NR_MODES;

					err = attach_mode(mode, &att);
					if (err) {
						fprintf(stderr, "zp_bench: cannot attach the %s programs: %s\n",
							mode_names[mode], strerror(-err));
						detach_mode(&att);
						break;
					}
					memset(&r, 0, sizeof(r));
					r.cg = cg;
					r.bytes = mib << 20;
					err = one_run(&r, sets[s].p, &bad);
					detach_mode(&att);
					add_run(&runs[mode], &r);
				}
			}
			for (m = 0; m < NR_MODES; m++)
				print_mode(backends[b], sets[s].name, m, &runs[m]);
			print_cost("kernel", &runs[MODE_OFF].best, &runs[MODE_EMPTY].best);
			print_cost("programs", &runs[MODE_EMPTY].best, &runs[MODE_BPF].best);
			print_cost("total", &runs[MODE_OFF].best, &runs[MODE_BPF].best);
			fflush(stdout);
			/* Rows with every figure add to the totals. */
			complete = true;
			for (m = 0; m < NR_MODES; m++)
				complete &= runs[m].best.stored && runs[m].best.loaded;
			for (m = 0; complete && m < NR_MODES; m++) {
				double sn = noise(runs[m].store_mbps, runs[m].n);
				double ln = noise(runs[m].load_mbps, runs[m].n);

				tot[m].stored += runs[m].best.stored;
				tot[m].store_s += runs[m].best.store_s;
				tot[m].loaded += runs[m].best.loaded;
				tot[m].load_s += runs[m].best.load_s;
				if (sn > tot[m].store_noise_max)
					tot[m].store_noise_max = sn;
				if (ln > tot[m].load_noise_max)
					tot[m].load_noise_max = ln;
			}
		}
	}
	if (!err && tot[MODE_OFF].stored) {
		printf("all rows, their best runs added up (pages over seconds):\n");
		printf("  kernel   (empty over off): store %+.1f%% load %+.1f%%\n",
		       cost(tot[MODE_OFF].stored, tot[MODE_OFF].store_s,
			    tot[MODE_EMPTY].stored, tot[MODE_EMPTY].store_s),
		       cost(tot[MODE_OFF].loaded, tot[MODE_OFF].load_s,
			    tot[MODE_EMPTY].loaded, tot[MODE_EMPTY].load_s));
		printf("  programs (bpf over empty): store %+.1f%% load %+.1f%%\n",
		       cost(tot[MODE_EMPTY].stored, tot[MODE_EMPTY].store_s,
			    tot[MODE_BPF].stored, tot[MODE_BPF].store_s),
		       cost(tot[MODE_EMPTY].loaded, tot[MODE_EMPTY].load_s,
			    tot[MODE_BPF].loaded, tot[MODE_BPF].load_s));
		printf("  total    (bpf over off):   store %+.1f%% load %+.1f%% (the goal: under 2%%)\n",
		       cost(tot[MODE_OFF].stored, tot[MODE_OFF].store_s,
			    tot[MODE_BPF].stored, tot[MODE_BPF].store_s),
		       cost(tot[MODE_OFF].loaded, tot[MODE_OFF].load_s,
			    tot[MODE_BPF].loaded, tot[MODE_BPF].load_s));
		printf("  noise, the largest of any row: off store %.1f%% load %.1f%%, empty %.1f%% %.1f%%, bpf %.1f%% %.1f%%\n",
		       tot[MODE_OFF].store_noise_max, tot[MODE_OFF].load_noise_max,
		       tot[MODE_EMPTY].store_noise_max, tot[MODE_EMPTY].load_noise_max,
		       tot[MODE_BPF].store_noise_max, tot[MODE_BPF].load_noise_max);
	}
	zp_zswap_param_set("zpool", saved);
	zp_cgroup_destroy(cg);
	return verdict(err, bad);
}
