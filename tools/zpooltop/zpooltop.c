// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * zpooltop: a top for compressed memory.
 *
 * One row per zpool pool (zswap has one per backend in use): what it
 * stores, its size and compression ratio, allocation, free and eviction
 * rates and reclaim latency, and what contiguous allocations took back
 * from gcma pools; with -w, how often and how long reads and writes of
 * objects wait for the backend's locks.  Everything per pool comes from
 * the zpool, zswap and gcma tracepoints through bpf/zpool_stats.bpf.c,
 * whose programs are loaded only for what is shown: by default one
 * program run per zswap store and per load.  The header line is the
 * kernel's own counters.  With --whatif, each pool's objects are also
 * packed, on paper, into every backend zpooltop has a model of; with
 * --cma, contiguous allocations are timed per CMA area.
 */
#include <argp.h>
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "zpool_stats.h"
#include "zpool_stats.skel.h"
#include "zpooltop_core.h"
#include "zp_parse.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif

#define DEBUGFS_POOLS	"/sys/kernel/debug/zswap/pools"
#define VMLINUX_BTF	"/sys/kernel/btf/vmlinux"
#define ZSMALLOC_CLASSES "/sys/kernel/debug/zsmalloc/*/classes"
/* mm/Kconfig's default for CONFIG_ZSMALLOC_CHAIN_SIZE */
#define ZSMALLOC_CHAIN_DEFAULT	8

static struct env {
	bool verbose;
	bool noclear;
	bool batch;
	bool hist;
	bool whatif;
	bool waits;
	bool cma;
	int format;		/* enum zpt_format; -1: not given */
	const char *textfile;
	int sort;
	unsigned long rows;
	unsigned long interval;
	unsigned long count;	/* 0: until interrupted */
	const char *cgroup;
} env = {
	.sort = ZPT_SORT_STORED,
	.format = -1,
	.rows = 20,
	.interval = 1,
};

static volatile sig_atomic_t exiting;

const char *argp_program_version = "zpooltop 0.3 (zpool series for Linux 7.2)";
const char argp_program_doc[] =
"Show compressed-memory pools (zswap on zpool), refreshing like top.\n"
"\n"
"USAGE: zpooltop [-h] [-v] [-C] [-b | -j | -o FORMAT] [-w] [--cma] [--hist]\n"
"                [--whatif] [-s KEY] [-r ROWS] [-c CGROUP] [--textfile FILE]\n"
"                [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    zpooltop               # refresh every second until Ctrl-C\n"
"    zpooltop 5 3           # three 5-second reports\n"
"    zpooltop -b 1 10       # ten reports as plain text, 80 columns\n"
"    zpooltop -j            # one JSON object per second (see zpooltop(8))\n"
"    zpooltop -w -s waits -r 5  # the five pools whose maps wait most\n"
"    zpooltop --hist        # with the latency histograms\n"
"    zpooltop --cma --hist -b 10 1  # contiguous allocations per CMA area\n"
"    zpooltop --whatif -b 5 1  # each pool's size on every backend\n"
"    zpooltop -o openmetrics 15 1   # one report as OpenMetrics\n"
"    zpooltop --textfile /var/lib/prometheus/node-exporter/zpooltop.prom 15\n"
"                           # for node_exporter's textfile collector\n"
"    zpooltop -c /sys/fs/cgroup/app  # also this cgroup's zswap flows\n";

enum { OPT_HIST = 1000, OPT_TEXTFILE, OPT_WHATIF, OPT_CMA };

static const struct argp_option opts[] = {
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf's log)", 0 },
	{ "noclear", 'C', NULL, 0, "Don't clear the screen between reports", 0 },
	{ "batch", 'b', NULL, 0,
	  "Plain text without terminal control, 80 columns (the default when standard output is not a terminal)", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per interval, on one line (-o json)", 0 },
	{ "output", 'o', "FORMAT", 0, "Report as text (default), json or openmetrics", 0 },
	{ "textfile", OPT_TEXTFILE, "FILE", 0,
	  "Write each report to FILE, atomically, in Prometheus's text format (node_exporter's textfile collector); standard output gets reports too only with -o, -j, -b or -C", 0 },
	{ "waits", 'w', NULL, 0,
	  "Also time reads and writes of objects: lock waits (WAIT, WT99) and hold times; one more BPF program run per store, two per load", 0 },
	{ "cma", OPT_CMA, NULL, 0,
	  "Also time contiguous allocations, per CMA area: count, failures, p50, p99 and max since start (text and JSON); two BPF program runs per allocation", 0 },
	{ "hist", OPT_HIST, NULL, 0, "Add the latency histograms (writeback, evict, shrink; with -w map wait and map hold; with --cma each CMA area's)", 0 },
	{ "whatif", OPT_WHATIF, NULL, 0,
	  "Add each pool's predicted size and ratio on every backend, from the sizes of the objects it holds (text and JSON)", 0 },
	{ "sort", 's', "KEY", 0,
	  "Sort pools by KEY, largest first: stored (default), pool, ratio, allocs, evicts, waits (with -w), id", 0 },
	{ "rows", 'r', "ROWS", 0, "Show at most ROWS pools (default 20)", 0 },
	{ "cgroup", 'c', "CGROUP", 0,
	  "Show the zswap flows of this cgroup v2 directory, and count only its writebacks; one more BPF program run per store and per load", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	unsigned long v = 0;
	int fmt;

	switch (key) {
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'C':
		env.noclear = true;
		break;
	case 'b':
		env.batch = true;
		break;
	case 'j':
		if (env.format >= 0 && env.format != ZPT_FMT_JSON)
			argp_error(state, "two output formats given; choose one");
		env.format = ZPT_FMT_JSON;
		break;
	case 'o':
		fmt = zpt_parse_format(arg);
		if (fmt < 0)
			argp_error(state, "invalid output format '%s' (one of: text, json, openmetrics)",
				   arg);
		if (env.format >= 0 && env.format != fmt)
			argp_error(state, "two output formats given; choose one");
		env.format = fmt;
		break;
	case OPT_TEXTFILE:
		if (!*arg)
			argp_error(state, "--textfile needs a file name");
		env.textfile = arg;
		break;
	case OPT_HIST:
		env.hist = true;
		break;
	case OPT_WHATIF:
		env.whatif = true;
		break;
	case OPT_CMA:
		env.cma = true;
		break;
	case 'w':
		env.waits = true;
		break;
	case 's':
		env.sort = zpt_parse_sort_key(arg);
		if (env.sort < 0)
			argp_error(state, "invalid sort key '%s' (one of: %s)",
				   arg, zpt_sort_key_names());
		break;
	case 'r':
		if (zp_parse_ulong(arg, 1, ZP_MAX_POOLS, &env.rows))
			argp_error(state, "invalid row count '%s' (1 to %d)",
				   arg, ZP_MAX_POOLS);
		break;
	case 'c':
		env.cgroup = arg;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0) {
			if (zp_parse_ulong(arg, 1, 3600, &v))
				argp_error(state, "invalid interval '%s' (1 to 3600 seconds)", arg);
			env.interval = v;
		} else if (state->arg_num == 1) {
			if (zp_parse_ulong(arg, 1, 1000000000UL, &v))
				argp_error(state, "invalid count '%s' (a positive number)", arg);
			env.count = v;
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		break;
	case ARGP_KEY_END:
		if (env.batch && env.format == ZPT_FMT_JSON)
			argp_error(state, "-b and -j do not go together");
		if (env.batch && env.format > ZPT_FMT_TEXT)
			argp_error(state, "-b is for text; it does not go with -o");
		if (env.whatif && env.format == ZPT_FMT_OPENMETRICS)
			argp_error(state, "--whatif is for text and JSON; it does not go with -o openmetrics");
		if (env.cma && env.format == ZPT_FMT_OPENMETRICS)
			argp_error(state, "--cma is for text and JSON; it does not go with -o openmetrics");
		/* --textfile alone prints nothing on standard output */
		if (env.cma && env.format < 0 && env.textfile && !env.batch && !env.noclear)
			argp_error(state, "--cma is for text and JSON; with --textfile, add -b or -j to see it");
		if (env.sort == ZPT_SORT_WAITS && !env.waits)
			argp_error(state, "sorting by waits needs -w, which measures them");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int libbpf_print_fn(enum libbpf_print_level level, const char *format,
			   va_list args)
{
	(void)level;
	if (!env.verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

/* Root, CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON (effective). */
static bool have_privileges(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
#define HAS_CAP(c) (data[(c) / 32].effective & (1U << ((c) % 32)))
	return HAS_CAP(CAP_SYS_ADMIN) || (HAS_CAP(CAP_BPF) && HAS_CAP(CAP_PERFMON));
#undef HAS_CAP
}

/* Does the kernel whose BTF is @btf have the tracepoint @event? */
static bool have_event(const struct btf *btf, const char *event)
{
	char name[64];

	snprintf(name, sizeof(name), "btf_trace_%s", event);
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

/* What the running kernel has, from its BTF, for the programs to load. */
struct kernel_events {
	bool gcma;		/* gcma_discard */
};

/*
 * Whether the running kernel has the tracepoints of what was asked: the
 * series' always, CMA's with --cma; GCMA's are optional.  0, or 1 after
 * saying what is missing.
 */
static int probe_kernel(struct kernel_events *k)
{
	static const char *const series[] = { "zpool_map", "zpool_malloc", "zswap_store" };
	struct btf *btf = btf__load_vmlinux_btf();
	int err = 0;
	size_t i;

	if (!btf) {
		fprintf(stderr, "zpooltop: cannot read the kernel's BTF (%s): %s.\n", VMLINUX_BTF,
			strerror(errno));
		return 1;
	}
	for (i = 0; i < sizeof(series) / sizeof(series[0]); i++)
		if (!have_event(btf, series[i]))
			break;
	if (i < sizeof(series) / sizeof(series[0])) {
		fprintf(stderr, "zpooltop: this kernel has no zpool tracepoints; boot Linux 7.2 with the zpool patch series.\n");
		err = 1;
	} else if (env.cma && !(have_event(btf, "cma_alloc_start") &&
				have_event(btf, "cma_alloc_finish"))) {
		fprintf(stderr, "zpooltop: this kernel has no CMA tracepoints (cma_alloc_start, cma_alloc_finish), which --cma times; boot a kernel built with CONFIG_CMA.\n");
		err = 1;
	}
	k->gcma = have_event(btf, "gcma_discard");
	btf__free(btf);
	return err;
}

/* The id of a cgroup v2 directory (its inode), or 0 after saying why not. */
static __u64 cgroup_id(const char *path)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(path, &sfs) || stat(path, &st)) {
		fprintf(stderr, "zpooltop: cannot use cgroup '%s': %s.\n", path,
			strerror(errno));
		return 0;
	}
	if (sfs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "zpooltop: '%s' is not a cgroup v2 directory; give one under /sys/fs/cgroup.\n",
			path);
		return 0;
	}
	return st.st_ino;
}

static int read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

static void read_totals(struct zpt_totals *t)
{
	static char buf[16384];

	memset(t, 0, sizeof(*t));
	if (!read_text("/proc/meminfo", buf, sizeof(buf)))
		zpt_parse_totals(buf, t);
	if (!read_text("/proc/vmstat", buf, sizeof(buf)))
		zpt_parse_totals(buf, t);
}

/* The maps zpooltop reads, and room for one per-CPU value of any of them. */
static struct maps {
	int pools, counters, sizes, memcg, cma_areas;
	unsigned int ncpus;
	void *percpu;
} maps;

static int maps_init(struct zpool_stats_bpf *obj)
{
	size_t most = sizeof(struct zp_size_hist);
	int n = libbpf_num_possible_cpus();

	if (n <= 0)
		return n ? n : -EINVAL;
	if (sizeof(struct zp_pool_counters) > most)
		most = sizeof(struct zp_pool_counters);
	if (sizeof(struct zp_cma_stats) > most)
		most = sizeof(struct zp_cma_stats);
	maps.ncpus = (unsigned int)n;
	maps.percpu = calloc(maps.ncpus, (most + 7) / 8 * 8);
	if (!maps.percpu)
		return -ENOMEM;
	maps.pools = bpf_map__fd(obj->maps.pools);
	maps.counters = bpf_map__fd(obj->maps.counters);
	maps.sizes = bpf_map__fd(obj->maps.sizes);
	maps.memcg = bpf_map__fd(obj->maps.memcg);
	maps.cma_areas = bpf_map__fd(obj->maps.cma_areas);
	return 0;
}

/* The value of @key in the per-CPU map @fd, summed over the CPUs, in @sum. */
static int read_percpu(int fd, __u32 key, void *sum, size_t size)
{
	if (bpf_map_lookup_elem(fd, &key, maps.percpu))
		return -errno;
	zpt_sum_percpu(sum, maps.percpu, size, maps.ncpus);
	return 0;
}

/* --cma: every area seen so far, sorted by name; how many, or -errno. */
static int read_cma(struct zpt_cma_area *areas)
{
	struct zp_cma_key key, next;
	struct zp_cma_stats sum;
	int n = 0;

	/*
	 * Areas are only ever added: a walk sees each at most once, and one
	 * added meanwhile in a bucket already passed shows in the next report.
	 */
	while (n < ZP_CMA_MAX_AREAS &&
	       !bpf_map_get_next_key(maps.cma_areas, n ? &key : NULL, &next)) {
		key = next;
		if (bpf_map_lookup_elem(maps.cma_areas, &key, maps.percpu))
			return -errno;
		zpt_cma_sum_percpu(&sum, maps.percpu, maps.ncpus);
		zpt_cma_area_from_stats(&areas[n++], key.name, &sum);
	}
	zpt_sort_cma_areas(areas, n);
	return n;
}

/*
 * Every pool id's entry, and the counters of the live ones: an id that
 * had no event since the programs loaded, or whose pool is gone, has
 * none to show, and a per-CPU read copies every CPU's counters.
 */
static int read_pools(struct zpt_pool *pools)
{
	__u32 id;
	int err;

	for (id = 0; id < ZP_MAX_POOLS; id++) {
		if (bpf_map_lookup_elem(maps.pools, &id, &pools[id].info))
			return -errno;
		memset(&pools[id].c, 0, sizeof(pools[id].c));
		if (!pools[id].info.live)
			continue;
		err = read_percpu(maps.counters, id, &pools[id].c, sizeof(pools[id].c));
		if (err)
			return err;
	}
	return 0;
}

/*
 * What pools older than the programs held before they counted: debugfs,
 * less what the programs counted up to then.  The maps are read on both
 * sides of debugfs until no event fell in between (a few tries; then the
 * figures are off by what did).  @counted gets the last read.
 */
static int read_seeds(struct zpt_seed *seeds, struct zpt_pool *counted)
{
	static struct zpt_pool before[ZP_MAX_POOLS];
	static char buf[8192];
	bool again = true;
	int err, tries, id;

	for (tries = 0; tries < 5 && again; tries++) {
		err = read_pools(before);
		if (err)
			return err;
		err = read_text(DEBUGFS_POOLS, buf, sizeof(buf));
		if (err) {
			if (env.format != ZPT_FMT_JSON && env.format != ZPT_FMT_OPENMETRICS)
				fprintf(stderr, "zpooltop: %s is not readable (%s); mount debugfs to count what pools held before zpooltop started.\n",
					DEBUGFS_POOLS, strerror(-err));
			memset(seeds, 0, ZP_MAX_POOLS * sizeof(*seeds));
			return read_pools(counted);
		}
		err = read_pools(counted);
		if (err)
			return err;
		for (id = 0; id < ZP_MAX_POOLS; id++)
			if (zpt_pool_objects(&before[id]) != zpt_pool_objects(&counted[id]))
				break;
		again = id < ZP_MAX_POOLS;	/* events came in between */
	}
	zpt_parse_seeds(buf, counted, seeds);
	return 0;
}

/* A kernel configuration, gzipped or not, into @buf; 0 or -1. */
static int read_kconfig(const char *path, char *buf, size_t size)
{
	gzFile gz = gzopen(path, "rb");
	int n;

	if (!gz)
		return -1;
	n = gzread(gz, buf, size - 1);
	gzclose(gz);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * What --whatif knows of each backend's layout.  zsmalloc's classes come
 * from its debugfs (CONFIG_ZSMALLOC_STAT) if a pool exports them, or are
 * derived from CONFIG_ZSMALLOC_CHAIN_SIZE, read from the kernel's
 * configuration; mm/Kconfig's default if neither says.
 */
static int load_models(struct zpt_models *m, bool quiet)
{
	static char buf[1 << 20];
	long chain = ZSMALLOC_CHAIN_DEFAULT;
	char boot_config[300];
	struct utsname u;
	glob_t g = {};
	bool known;
	size_t i;

	m->page_size = (unsigned int)sysconf(_SC_PAGESIZE);
	if (m->page_size != ZP_SIZE_MAX) {
		fprintf(stderr, "zpooltop: --whatif models 4 KiB pages, and this system's are %u bytes.\n",
			m->page_size);
		return -1;
	}
	if (!glob(ZSMALLOC_CLASSES, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			if (!read_text(g.gl_pathv[i], buf, sizeof(buf)) &&
			    !zpt_zs_parse_classes(&m->zsmalloc, buf, m->page_size))
				break;
		known = i < g.gl_pathc;
		globfree(&g);
		if (known)
			return 0;
	}
	known = !read_kconfig("/proc/config.gz", buf, sizeof(buf)) &&
		!zpt_parse_kconfig_int(buf, "CONFIG_ZSMALLOC_CHAIN_SIZE", &chain);
	if (!known && !uname(&u)) {
		snprintf(boot_config, sizeof(boot_config), "/boot/config-%s", u.release);
		known = !read_kconfig(boot_config, buf, sizeof(buf)) &&
			!zpt_parse_kconfig_int(buf, "CONFIG_ZSMALLOC_CHAIN_SIZE", &chain);
	}
	if (!known && !quiet)
		fprintf(stderr, "zpooltop: the kernel's CONFIG_ZSMALLOC_CHAIN_SIZE is unknown (no /proc/config.gz or /boot/config-*); --whatif assumes %d, the default.\n",
			ZSMALLOC_CHAIN_DEFAULT);
	if (zpt_zs_derive(&m->zsmalloc, m->page_size, (unsigned int)chain)) {
		fprintf(stderr, "zpooltop: CONFIG_ZSMALLOC_CHAIN_SIZE=%ld is out of its range (4 to 16).\n",
			chain);
		return -1;
	}
	return 0;
}

/* --whatif: each row's pool packed into every backend, from its sizes. */
static void rows_whatif(struct zpt_row *rows, size_t n, const struct zpt_models *m)
{
	static struct zp_size_hist h;
	size_t i;

	for (i = 0; i < n; i++) {
		if (read_percpu(maps.sizes, rows[i].id, &h, sizeof(h)))
			memset(&h, 0, sizeof(h));
		zpt_row_whatif(&rows[i], &h, m);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This interval's rows: live pools, and pools older than us we know of. */
static size_t make_rows(struct zpt_row *rows, const struct zpt_pool *now,
			const struct zpt_pool *prev, const struct zpt_seed *seeds,
			double interval_s)
{
	static const struct zpt_pool zero;
	static struct zpt_pool cur;
	size_t n = 0;
	unsigned int id;

	for (id = 0; id < ZP_MAX_POOLS; id++) {
		bool old = now[id].info.gen == 0 && seeds[id].known;

		if (!now[id].info.live && !old)
			continue;
		cur = now[id];
		if (old) {
			if (!cur.info.type[0])
				memcpy(cur.info.type, seeds[id].type, sizeof(cur.info.type));
			if (!cur.info.pool_pages && !cur.c.allocs && !cur.c.frees)
				cur.info.pool_pages = seeds[id].pool_pages;
		}
		zpt_row_from_stats(&rows[n++], id, &cur,
				   prev[id].info.gen == now[id].info.gen ? &prev[id] : &zero,
				   old ? seeds[id].objects : 0, interval_s);
	}
	return n;
}

/*
 * What every report adds to its rows: their order and limit, the
 * predictions of --whatif, and the CMA areas of --cma.  0, or -errno.
 */
static int complete_view(struct zpt_view *view, struct zpt_row *rows,
			 struct zpt_cma_area *areas, const struct zpt_models *m)
{
	int n;

	zpt_sort_rows(rows, view->nrows, env.sort);
	if (view->nrows > env.rows)
		view->nrows = env.rows;
	if (env.whatif)
		rows_whatif(rows, view->nrows, m);
	if (!env.cma)
		return 0;
	n = read_cma(areas);
	if (n < 0)
		return n;
	view->nareas = (size_t)n;
	return 0;
}

/* One report, to standard output and, with --textfile, to the file. */
static int report(const struct zpt_view *view, bool clear, unsigned long i)
{
	int err;

	switch (env.format) {
	case ZPT_FMT_JSON:
		zpt_print_json(stdout, view, env.hist);
		break;
	case ZPT_FMT_OPENMETRICS:
		zpt_print_metrics(stdout, view, ZPT_METRICS_OPENMETRICS);
		break;
	case ZPT_FMT_TEXT:
		if (clear)
			fputs("\033[H\033[2J", stdout);
		else if (i)
			fputc('\n', stdout);
		zpt_print_text(stdout, view, env.hist);
		break;
	default:	/* --textfile alone */
		break;
	}
	fflush(stdout);
	if (!env.textfile || view->interval_s <= 0)
		return 0;
	err = zpt_write_metrics_file(env.textfile, view, ZPT_METRICS_PROMETHEUS);
	if (err)
		fprintf(stderr, "zpooltop: cannot write %s: %s.\n", env.textfile, strerror(-err));
	return err;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = argp_program_doc,
	};
	static struct zpt_pool stats[2][ZP_MAX_POOLS];
	struct zp_memcg_stats mc[2] = {};
	struct zpt_seed seeds[ZP_MAX_POOLS] = {};
	static struct zpt_cma_area areas[ZP_CMA_MAX_AREAS];
	struct zpt_row rows[ZP_MAX_POOLS];
	struct kernel_events kernel;
	struct zpool_stats_bpf *obj = NULL;
	static struct zpt_models models;
	struct zpt_memcg_row memcg_row;
	struct zpt_view view = {};
	__u64 memcg_id = 0, lost = 0;
	char warning[256];
	unsigned long i;
	int cur = 0, err;
	double t0, t1;
	bool clear;

	argp_err_exit_status = 2;
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 2;
	if (env.format < 0 && (!env.textfile || env.batch || env.noclear))
		env.format = ZPT_FMT_TEXT;
	clear = zpt_clear_screen(env.format, env.batch || env.noclear,
				 isatty(STDOUT_FILENO));

	if (env.cgroup) {
		memcg_id = cgroup_id(env.cgroup);
		if (!memcg_id)
			return 1;
	}
	if (!have_privileges()) {
		fprintf(stderr, "zpooltop: loading BPF programs needs root, or CAP_BPF and CAP_PERFMON; run it with sudo.\n");
		return 1;
	}
	if (access(VMLINUX_BTF, R_OK)) {
		fprintf(stderr, "zpooltop: this kernel has no BTF (%s); build it with CONFIG_DEBUG_INFO_BTF=y.\n",
			VMLINUX_BTF);
		return 1;
	}

	if (probe_kernel(&kernel))
		return 1;
	if (env.whatif && load_models(&models, env.format == ZPT_FMT_JSON))
		return 1;

	libbpf_set_print(libbpf_print_fn);
	obj = zpool_stats_bpf__open();
	if (!obj) {
		err = -errno;
		fprintf(stderr, "zpooltop: cannot open the BPF object: %s.\n", strerror(-err));
		goto cleanup;
	}
	/*
	 * The default view's programs load by default, with gcma_discard
	 * where the kernel has GCMA; the others only for what was asked: -w
	 * times reads and writes, -c counts a cgroup's stores and loads,
	 * --cma times contiguous allocations.
	 */
	bpf_program__set_autoload(obj->progs.gcma_discard, kernel.gcma);
	bpf_program__set_autoload(obj->progs.zpool_map, env.waits);
	bpf_program__set_autoload(obj->progs.zpool_unmap, env.waits);
	bpf_program__set_autoload(obj->progs.zswap_store, memcg_id != 0);
	bpf_program__set_autoload(obj->progs.zswap_load, memcg_id != 0);
	bpf_program__set_autoload(obj->progs.cma_alloc_start, env.cma);
	bpf_program__set_autoload(obj->progs.cma_alloc_finish, env.cma);
	obj->rodata->target_memcg = memcg_id;
	obj->rodata->whatif = env.whatif;
	/* Without --whatif, nothing uses the size histograms: one entry. */
	if (!env.whatif)
		bpf_map__set_max_entries(obj->maps.sizes, 1);
	/* Nor the CMA areas without --cma. */
	if (!env.cma)
		bpf_map__set_max_entries(obj->maps.cma_areas, 1);
	err = zpool_stats_bpf__load(obj);
	if (!err)
		err = zpool_stats_bpf__attach(obj);
	if (err) {
		fprintf(stderr, "zpooltop: cannot load and attach the BPF programs: %s (-v shows libbpf's log).\n",
			strerror(-err));
		goto cleanup;
	}

	if (signal(SIGINT, sig_handler) == SIG_ERR ||
	    signal(SIGTERM, sig_handler) == SIG_ERR) {
		err = -errno;
		fprintf(stderr, "zpooltop: cannot set signal handlers: %s.\n", strerror(errno));
		goto cleanup;
	}

	err = maps_init(obj);
	if (err)
		goto read_failed;
	/* The starting point: what older pools held, and what was counted. */
	err = read_seeds(seeds, stats[cur]);
	if (!err && memcg_id)
		err = read_percpu(maps.memcg, 0, &mc[cur], sizeof(mc[cur]));
	if (err)
		goto read_failed;
	read_totals(&view.prev);
	t0 = now_s();
	lost = obj->bss->lost;
	view.page_size = (unsigned long)sysconf(_SC_PAGESIZE);
	view.rows = rows;
	view.waits = env.waits;
	view.cma = env.cma;
	view.areas = areas;

	/* On a terminal, the pools at once; rates after the first interval. */
	if (clear) {
		view.now = view.prev;
		view.time = time(NULL);
		view.lost_events = lost;
		view.nrows = make_rows(rows, stats[cur], stats[cur], seeds, 0);
		err = complete_view(&view, rows, areas, &models);
		if (err)
			goto read_failed;
		report(&view, clear, 0);
	}

	for (i = 0; !env.count || i < env.count; i++) {
		sleep(env.interval);	/* a signal ends it early: report, then stop */
		err = read_pools(stats[!cur]);
		if (err)
			goto read_failed;
		read_totals(&view.now);
		t1 = now_s();
		view.time = time(NULL);
		view.interval_s = t1 - t0;
		view.nrows = make_rows(rows, stats[!cur], stats[cur], seeds, view.interval_s);
		err = complete_view(&view, rows, areas, &models);
		if (err)
			goto read_failed;
		if (memcg_id) {
			err = read_percpu(maps.memcg, 0, &mc[!cur], sizeof(mc[!cur]));
			if (err)
				goto read_failed;
			zpt_memcg_row_from_stats(&memcg_row, &mc[!cur], &mc[cur], view.interval_s);
			memcg_row.path = env.cgroup;
			memcg_row.id = memcg_id;
			view.memcg = &memcg_row;
		}
		view.lost_events = obj->bss->lost;
		if (zpt_lost_warning(warning, sizeof(warning), lost, view.lost_events))
			fputs(warning, stderr);
		lost = view.lost_events;

		report(&view, clear, i);

		cur = !cur;
		view.prev = view.now;
		t0 = t1;
		if (exiting)
			break;
	}
	err = 0;
	goto cleanup;

read_failed:
	fprintf(stderr, "zpooltop: cannot read the BPF maps: %s.\n", strerror(-err));
cleanup:
	zpool_stats_bpf__destroy(obj);
	free(maps.percpu);
	return err ? 1 : 0;
}
