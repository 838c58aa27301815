// SPDX-License-Identifier: GPL-2.0
/*
 * zp_bench: zswap store and load throughput and density, per backend and
 * data set, with tracing off and with the zpool_stats BPF programs
 * attached (every zpool and zswap event enabled and counted).
 *
 *   zp_bench SIZE_MIB RUNS
 *   zp_bench --baseline SIZE_MIB RUNS
 *
 * A run fills SIZE_MIB in a memory cgroup, pushes all of it out with
 * memory.reclaim (zswap stores: compression and the backend's malloc and
 * write), then reads it back (zswap loads, and the check of every page).
 * Throughput counts the pages zswap stored or loaded over the time of
 * that phase.  The modes take turns within every repetition, and the best
 * run of each is shown: on a shared or emulated machine noise only adds
 * time.  Prints a table; exit status 0 if every page read back intact.
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
#include <bpf/libbpf.h>

#include "zp_util.h"
#include "zpool_stats.h"
#include "zpool_stats.skel.h"

enum { MODE_OFF, MODE_BPF, NR_MODES };
static const char *const mode_names[] = { "off", "bpf" };

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

static void print_mode(const char *backend, const char *set, int mode,
		       const struct run *r)
{
	printf("%-8s %-12s %-7s ", backend, set, mode_names[mode]);
	/* Nothing stored or loaded (all sent to the swap device): no figure. */
	if (!r->stored || !r->loaded) {
		printf("%10s %10s %8s\n", "-", "-", "-");
		return;
	}
	printf("%10.1f %10.1f %8.2f\n", mbps(r->stored, r->store_s),
	       mbps(r->loaded, r->load_s), r->density);
}

/* How much slower with BPF attached, best run against best run: + is a cost. */
static void print_cost(const struct run *off, const struct run *bpf)
{
	double so = mbps(off->stored, off->store_s), sb = mbps(bpf->stored, bpf->store_s);
	double lo = mbps(off->loaded, off->load_s), lb = mbps(bpf->loaded, bpf->load_s);

	if (!so || !sb || !lo || !lb)
		return;
	printf("%-8s %-12s %-7s %9.1f%% %9.1f%%\n", "", "", "cost",
	       100.0 * so / sb - 100, 100.0 * lo / lb - 100);
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
	if (err)
		fprintf(stderr, "zp_bench: a run failed: %s\n", strerror(err < 0 ? -err : EIO));
	if (bad)
		fprintf(stderr, "zp_bench: %zu pages did not read back intact\n", bad);
	return err || bad;
}

int main(int argc, char **argv)
{
	static const char *const backends[] = { "zsmalloc", "zbud" };
	struct run best[NR_MODES], r;
	size_t b, s, bad = 0;
	unsigned long runs, mib;
	char saved[32], cg[256];
	int rep, m, err = 0;

	bool base = argc == 4 && !strcmp(argv[1], "--baseline");

	if (argc != 3 + base || !(mib = strtoul(argv[1 + base], NULL, 10)) ||
	    !(runs = strtoul(argv[2 + base], NULL, 10))) {
		fprintf(stderr, "usage: %s [--baseline] SIZE_MIB RUNS\n", argv[0]);
		return 2;
	}
	if (base)
		return baseline(mib, runs);
	libbpf_set_print(libbpf_quiet);
	if (zp_zswap_param_get("zpool", saved, sizeof(saved)) ||
	    zp_cgroup_create("zp-bench", (mib + 64) << 20, cg, sizeof(cg))) {
		fprintf(stderr, "zp_bench: needs root, zswap with zswap.zpool and cgroup2 at /sys/fs/cgroup\n");
		return 1;
	}

	printf("zswap: %lu MiB per run, best of %lu runs per mode\n", mib, runs);
	printf("%-8s %-12s %-7s %10s %10s %8s\n", "backend", "data", "tracing",
	       "store MB/s", "load MB/s", "density");
	for (b = 0; b < sizeof(backends) / sizeof(backends[0]) && !err; b++) {
		err = zp_zswap_param_set("zpool", backends[b]);
		for (s = 0; s < sizeof(sets) / sizeof(sets[0]) && !err; s++) {
			memset(best, 0, sizeof(best));
			for (rep = 0; rep < (int)runs && !err; rep++) {
				for (m = 0; m < NR_MODES && !err; m++) {
					/* Alternate which mode goes first. */
					int mode = rep & 1 ? NR_MODES - 1 - m : m;
					struct zpool_stats_bpf *skel = NULL;

					if (mode == MODE_BPF) {
						skel = zpool_stats_bpf__open_and_load();
						if (!skel || zpool_stats_bpf__attach(skel)) {
							fprintf(stderr, "zp_bench: cannot attach the BPF programs\n");
							zpool_stats_bpf__destroy(skel);
							err = 1;
							break;
						}
					}
					memset(&r, 0, sizeof(r));
					r.cg = cg;
					r.bytes = mib << 20;
					err = one_run(&r, sets[s].p, &bad);
					zpool_stats_bpf__destroy(skel);
					if (!best[mode].stored ||
					    mbps(r.stored, r.store_s) > mbps(best[mode].stored, best[mode].store_s)) {
						best[mode].stored = r.stored;
						best[mode].store_s = r.store_s;
					}
					if (!best[mode].loaded ||
					    mbps(r.loaded, r.load_s) > mbps(best[mode].loaded, best[mode].load_s)) {
						best[mode].loaded = r.loaded;
						best[mode].load_s = r.load_s;
					}
					best[mode].density = r.density;
				}
			}
			for (m = 0; m < NR_MODES; m++)
				print_mode(backends[b], sets[s].name, m, &best[m]);
			print_cost(&best[MODE_OFF], &best[MODE_BPF]);
			fflush(stdout);
		}
	}
	zp_zswap_param_set("zpool", saved);
	zp_cgroup_destroy(cg);
	if (err)
		fprintf(stderr, "zp_bench: a run failed: %s\n", strerror(err < 0 ? -err : EIO));
	if (bad)
		fprintf(stderr, "zp_bench: %zu pages did not read back intact\n", bad);
	return err || bad;
}
