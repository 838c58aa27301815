/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the VM selftests: reading kernel counters, running a
 * workload in a memory cgroup, and a page pattern whose every byte can be
 * checked after a round trip through swap.
 */
#ifndef ZP_UTIL_H
#define ZP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define ZP_PAGE_SIZE 4096UL

/* Read a whole small file into buf (NUL-terminated); -errno on failure. */
int zp_read_file(const char *path, char *buf, size_t size);
/* Write a string to a sysfs/cgroup file; -errno on failure. */
int zp_write_file(const char *path, const char *val);
/* "key value" lines (vmstat, memory.stat): the value, or -1 if absent. */
long long zp_stat_get(const char *path, const char *key);
/* A single-number file (debugfs counters): the value, or -1. */
long long zp_read_ll(const char *path);

enum zp_pattern {
	ZP_PATTERN_COMPRESSIBLE,	/* roughly 4:1 with lzo */
	ZP_PATTERN_RANDOM,		/* does not compress */
	ZP_PATTERN_MIXED,		/* half random: somewhat under 2:1 */
	/*
	 * A random part of 0 to 16 sixteenths of the page, chosen by a hash
	 * of the page's index: compressed sizes from a few bytes to a page
	 * that does not compress, evenly spread and in no order.
	 */
	ZP_PATTERN_SPREAD,
};

/* Fill/check page number idx of a buffer with a pattern unique to idx. */
void zp_fill_page(void *page, size_t idx, enum zp_pattern pattern);
bool zp_check_page(const void *page, size_t idx, enum zp_pattern pattern);

/*
 * A child memory cgroup of the root with memory.max = limit bytes.
 * Returns 0 and the cgroup's path in path, or -errno.
 */
int zp_cgroup_create(const char *name, size_t limit, char *path, size_t size);
void zp_cgroup_destroy(const char *path);
/* Write a number to a cgroup's control file, e.g. memory.zswap.max. */
int zp_cgroup_set(const char *path, const char *file, unsigned long long val);

struct zp_workload {
	size_t bytes;			/* how much to touch */
	enum zp_pattern pattern;
	/*
	 * If set, called in the parent once the child has filled its
	 * memory and before it reads it back, so that a test can look at
	 * (or change) zswap while the pages are stored.
	 */
	void (*between)(void *arg);
	/* If set, called in the parent every 10 ms while the child runs. */
	void (*during)(void *arg);
	void *arg;
	/*
	 * Free every other page once filled (MADV_DONTNEED): their zswap
	 * objects are freed all over the pool, which leaves the backend
	 * fragmented.  Only the kept pages are read back and checked.
	 */
	bool fragment;
	/*
	 * Ask fault injection to fail the child's own allocations while it
	 * fills its memory (/proc/self/make-it-fail): the stores zswap makes
	 * in its reclaim.  The first page is touched before, so that the
	 * mapping itself is in place.
	 */
	bool make_it_fail;
	/*
	 * The same during the MADV_PAGEOUT of @pageout instead: the stores
	 * zswap makes of the pages pushed out, and nothing else.
	 */
	bool make_pageout_fail;
	/*
	 * Once filled, push every page out with MADV_PAGEOUT, whatever the
	 * cgroup's limit: zswap stores each page once, in the order of the
	 * pages, and frees nothing until they are read back.
	 */
	bool pageout;
	size_t bad_pages;		/* out: pages that did not read back */
};

/*
 * Run the workload in a forked child moved into the cgroup: fill bytes
 * with the pattern, [call between()], then read every page back and check
 * it.  Returns 0 if the child ran to the end (bad_pages says whether data
 * survived), or -errno.
 */
int zp_run_in_cgroup(const char *cgroup, struct zp_workload *w);

/* zswap's module parameters and debugfs counters. */
int zp_zswap_param_get(const char *param, char *buf, size_t size);
int zp_zswap_param_set(const char *param, const char *val);
long long zp_zswap_stat(const char *name);

/* One line of /sys/kernel/debug/zswap/pools (added by the series). */
struct zp_pool {
	unsigned int id;
	char type[32];
	char compressor[32];
	long long stored_pages;
	long long pool_pages;
};

/* The pools, current first: how many were read (at most max), or -errno. */
int zp_zswap_pools(struct zp_pool *pools, int max);

/*
 * Fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS): @dir is
 * /sys/kernel/debug/fail_page_alloc or /sys/kernel/debug/failslab.
 * zp_fault_arm() fails one in ten allocations, sleeping or not, of the
 * tasks that ask for it (/proc/self/make-it-fail), quietly: 0 or -errno.
 * zp_fault_disarm() stops it and returns how many it failed, or -1.
 */
#define ZP_FAIL_PAGE	"/sys/kernel/debug/fail_page_alloc"
#define ZP_FAILSLAB	"/sys/kernel/debug/failslab"
int zp_fault_arm(const char *dir);
long long zp_fault_disarm(const char *dir);

/* The wall clock, in seconds. */
double zp_wall_s(void);
/* A name for one directory entry (a cgroup, a CMA area), not a path. */
bool zp_is_file_name(const char *s);
/* qsort(3)'s comparison of two doubles, ascending. */
int zp_cmp_double(const void *a, const void *b);

/*
 * A workload's between(): its pages sit in zswap, unchanged, for
 * @seconds while a tool watches them; debugfs's current pool is read
 * halfway through.
 */
struct zp_hold {
	unsigned int seconds;
	double start, end;	/* out: the wall clock */
	struct zp_pool pool;	/* out: the current pool, mid-hold */
	int err;		/* out: 1 if the pools could not be read */
};
void zp_hold_pages(void *arg);

/*
 * A CMA area's debugfs (CONFIG_CMA_DEBUGFS), /sys/kernel/debug/cma/AREA:
 * the number a file of it shows ("count", "used"), or -1.
 */
long long zp_cma_stat(const char *area, const char *file);
/* Allocate ("alloc") or free ("free") @pages of @area there: 0 or -errno. */
int zp_cma_write(const char *area, const char *file, long long pages);
/* GCMA's counters, /sys/kernel/debug/gcma/NAME: the value, or -1. */
long long zp_gcma_stat(const char *name);

/*
 * Run @argv (argv[0] the program's path) with its standard output in
 * @out, and wait up to @timeout_s seconds until it has written something
 * there (zpooltop: its first report, once its programs are attached).
 * The child's pid (which may have written nothing yet), or -1.
 */
pid_t zp_spawn_until_output(char *const argv[], const char *out, int timeout_s);
/*
 * SIGINT to @pid, as a user's Ctrl-C, then its exit status, 128 + the
 * signal that killed it, or -1.
 */
int zp_interrupt(pid_t pid);

#endif
