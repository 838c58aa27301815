// SPDX-License-Identifier: GPL-2.0
/*
 * Everything at once, for ZP_STRESS_SECONDS (30 by default; make stress
 * runs longer): three memory cgroups fill and read back their pages,
 * each round with new data, while zswap's backend is switched between
 * every backend, memory is compacted and reclaimed, CPU 1 goes offline
 * and online, a second swap device (/dev/vdb, preferred) is swapped off
 * and on with entries on it, zswap is disabled and enabled,
 * max_pool_percent changes, and, with a GCMA area, the whole area is
 * allocated and freed.  Every byte reads back intact, every old pool
 * drains and goes away, and afterwards zswap holds nothing.  The kernel
 * log is checked after all tests.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/swap.h>
#include <unistd.h>

#include "zp_harness.h"
#include "zp_util.h"

#define GROUPS		3
#define LIMIT		(32UL << 20)
#define WORKLOAD	(48UL << 20)
#define SWAP2		"/dev/vdb"
#define CPU1		"/sys/devices/system/cpu/cpu1/online"
#define ZSWAP_DEBUGFS	"/sys/kernel/debug/zswap"

static double deadline;

static bool running(void)
{
	return zp_wall_s() < deadline;
}

struct group {
	char cg[256];
	long rounds;
	long failed;		/* killed by the memcg's OOM killer, or not */
	long long oom_kills;	/* memory.events */
	unsigned long bad_pages;
	unsigned long long bytes;
};

static void *fill_and_check(void *arg)
{
	struct group *g = arg;
	static const enum zp_pattern patterns[] = {
		ZP_PATTERN_COMPRESSIBLE, ZP_PATTERN_SPREAD, ZP_PATTERN_MIXED,
	};

	while (running()) {
		struct zp_workload w = {
			.bytes = WORKLOAD,
			.pattern = patterns[g->rounds % 3],
		};

		if (zp_run_in_cgroup(g->cg, &w))
			g->failed++;
		g->bad_pages += w.bad_pages;
		g->bytes += WORKLOAD;
		g->rounds++;
	}
	return NULL;
}

/*
 * One disturbance: what it does, every how many ms, and its count.  Its
 * failures must all be of the errnos it may meet under memory pressure
 * (allowed, 0-terminated); any other is a bug.
 */
struct agitator {
	const char *what;
	unsigned int every_ms;
	int (*act)(struct agitator *a);
	int allowed[3];
	long done, failed, unexpected;
	int last_err, unexpected_err;
	unsigned int turn;
	const char *backends[3];
	int nbackends;
};

static bool allowed(const struct agitator *a, int err)
{
	int i;

	for (i = 0; i < 3 && a->allowed[i]; i++)
		if (err == -a->allowed[i])
			return true;
	return false;
}

static int switch_backend(struct agitator *a)
{
	return zp_zswap_param_set("zpool", a->backends[a->turn % a->nbackends]);
}

static int compact(struct agitator *a)
{
	(void)a;
	return zp_write_file("/proc/sys/vm/compact_memory", "1");
}

static int cpu1_off_and_on(struct agitator *a)
{
	(void)a;
	return zp_write_file(CPU1, "0") ?: zp_write_file(CPU1, "1");
}

static int swap2_off_and_on(struct agitator *a)
{
	(void)a;
	if (swapoff(SWAP2))
		return -errno;
	return swapon(SWAP2, SWAP_FLAG_PREFER | 10) ? -errno : 0;
}

static int zswap_off_and_on(struct agitator *a)
{
	(void)a;
	return zp_zswap_param_set("enabled", "N") ?:
	       zp_zswap_param_set("enabled", "Y");
}

static int pool_percent(struct agitator *a)
{
	return zp_zswap_param_set("max_pool_percent", a->turn % 2 ? "5" : "20");
}

static int claim_gcma(struct agitator *a)
{
	long long pages = zp_cma_stat("gcma", "count");

	(void)a;
	return zp_cma_write("gcma", "alloc", pages) ?:
	       zp_cma_write("gcma", "free", pages);
}

static void *agitate(void *arg)
{
	struct agitator *a = arg;
	int err;

	while (running()) {
		err = a->act(a);
		a->turn++;
		if (err) {
			a->failed++;
			a->last_err = err;
			if (!allowed(a, err)) {
				a->unexpected++;
				a->unexpected_err = err;
			}
		} else {
			a->done++;
		}
		usleep(a->every_ms * 1000);
	}
	return NULL;
}

/* memory.reclaim of the groups, as another agitator would. */
static struct group groups[GROUPS];

static int reclaim_groups(struct agitator *a)
{
	int i, err = 0;

	(void)a;
	for (i = 0; i < GROUPS && !err; i++) {
		err = zp_cgroup_set(groups[i].cg, "memory.reclaim", 4UL << 20);
		/* EAGAIN: less than that left to reclaim, which is fine. */
		if (err == -EAGAIN)
			err = 0;
	}
	return err;
}

/* Only the current pool is left, and it holds nothing. */
static bool drained(struct zp_pool *pools, int *npools)
{
	int tries;

	for (tries = 0; tries < 300; tries++) {
		*npools = zp_zswap_pools(pools, 8);
		if (*npools == 1 && !pools[0].stored_pages &&
		    !zp_read_ll(ZSWAP_DEBUGFS "/stored_pages") &&
		    !zp_read_ll(ZSWAP_DEBUGFS "/pool_total_size"))
			return true;
		usleep(100000);
	}
	return false;
}

TEST(everything_at_once)
{
	struct agitator agitators[] = {
		{ .what = "backend switches", .every_ms = 200, .act = switch_backend,
		  .backends = { "zsmalloc", "zbud" }, .nbackends = 2 },
		{ .what = "compactions", .every_ms = 100, .act = compact },
		{ .what = "memory.reclaim rounds", .every_ms = 100, .act = reclaim_groups },
		/* EBUSY: the hotplug lock is taken, another offline is under way */
		{ .what = "CPU 1 offline and online", .every_ms = 700, .act = cpu1_off_and_on,
		  .allowed = { EBUSY } },
		/* ENOMEM: swapoff cannot bring every page in (the OOM killer ran) */
		{ .what = "swapoff and swapon of " SWAP2, .every_ms = 1500, .act = swap2_off_and_on,
		  .allowed = { ENOMEM } },
		{ .what = "zswap disabled and enabled", .every_ms = 900, .act = zswap_off_and_on },
		{ .what = "max_pool_percent changes", .every_ms = 600, .act = pool_percent },
		{ .what = "GCMA area claims", .every_ms = 300, .act = claim_gcma },
	};
	const int nagitators = sizeof(agitators) / sizeof(agitators[0]);
	pthread_t workers[GROUPS], agitator_threads[8];
	char saved_zpool[32], saved_percent[16], name[32];
	long long seconds = 30, rounds = 0, failed = 0, oom_kills = 0;
	unsigned long long bytes = 0;
	unsigned long bad = 0;
	struct zp_pool pools[8];
	bool gcma, drained_ok;
	int i, n, npools;
	double start;

	if (access(ZSWAP_DEBUGFS "/pools", R_OK))
		SKIP(return, "kernel without the zpool series");
	if (access(SWAP2, W_OK) || access(CPU1, W_OK))
		SKIP(return, "no second swap disk at %s or no CPU 1 to take offline", SWAP2);
	if (getenv("ZP_STRESS_SECONDS") && *getenv("ZP_STRESS_SECONDS"))
		seconds = atoll(getenv("ZP_STRESS_SECONDS"));
	ASSERT_GT(seconds, 0);
	gcma = zp_cma_stat("gcma", "count") > 0;
	if (gcma)
		agitators[0].backends[agitators[0].nbackends++] = "gcma";
	n = gcma ? nagitators : nagitators - 1;

	ASSERT_EQ(0, zp_zswap_param_get("zpool", saved_zpool, sizeof(saved_zpool)));
	ASSERT_EQ(0, zp_zswap_param_get("max_pool_percent", saved_percent,
					sizeof(saved_percent)));
	ASSERT_EQ(0, system("mkswap " SWAP2 " > /dev/null"));
	ASSERT_EQ(0, swapon(SWAP2, SWAP_FLAG_PREFER | 10));
	for (i = 0; i < GROUPS; i++) {
		snprintf(name, sizeof(name), "zp-stress-%d", i);
		ASSERT_EQ(0, zp_cgroup_create(name, LIMIT, groups[i].cg,
					      sizeof(groups[i].cg)));
		/*
		 * zswap's charges alone must not fill the cgroup: swapoff
		 * brings pages back into it, which needs room to reclaim.
		 */
		ASSERT_EQ(0, zp_cgroup_set(groups[i].cg, "memory.zswap.max", LIMIT / 2));
	}

	start = zp_wall_s();
	deadline = start + seconds;
	for (i = 0; i < GROUPS; i++)
		ASSERT_EQ(0, pthread_create(&workers[i], NULL, fill_and_check, &groups[i]));
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pthread_create(&agitator_threads[i], NULL, agitate,
					    &agitators[i]));
	for (i = 0; i < GROUPS; i++)
		pthread_join(workers[i], NULL);
	for (i = 0; i < n; i++)
		pthread_join(agitator_threads[i], NULL);

	/* Back to how it was; the workloads' entries are gone with them. */
	EXPECT_EQ(0, zp_write_file(CPU1, "1"));
	EXPECT_EQ(0, zp_zswap_param_set("enabled", "Y"));
	EXPECT_EQ(0, zp_zswap_param_set("max_pool_percent", saved_percent));
	EXPECT_EQ(0, zp_zswap_param_set("zpool", "zsmalloc"));
	EXPECT_EQ(0, swapoff(SWAP2));
	drained_ok = drained(pools, &npools);
	for (i = 0; i < GROUPS; i++) {
		char events[300];

		snprintf(events, sizeof(events), "%.250s/memory.events", groups[i].cg);
		oom_kills += zp_stat_get(events, "oom_kill");
		zp_cgroup_destroy(groups[i].cg);
		rounds += groups[i].rounds;
		failed += groups[i].failed;
		bad += groups[i].bad_pages;
		bytes += groups[i].bytes;
	}
	TH_LOG("%.1f minutes: %lld workload rounds (%lld ended early, %lld of them by the memcg OOM killer), %llu MiB written and verified, %lu pages bad",
	       (zp_wall_s() - start) / 60, rounds, failed, oom_kills,
	       bytes >> 20, bad);
	for (i = 0; i < n; i++)
		TH_LOG("%s: %ld, %ld failed%s%s", agitators[i].what, agitators[i].done,
		       agitators[i].failed, agitators[i].failed ? ", the last with " : "",
		       agitators[i].failed ? strerror(-agitators[i].last_err) : "");
	TH_LOG("OOM kills: %lld of %lld rounds (at most a quarter allowed)",
	       oom_kills, rounds);
	TH_LOG("afterwards: %d pool(s), the current one %s with %lld pages",
	       npools, npools > 0 ? pools[0].type : "none",
	       npools > 0 ? pools[0].stored_pages : -1);
	zp_zswap_param_set("zpool", saved_zpool);

	/*
	 * A round the OOM killer ends (swapoff charges the pages it brings
	 * in to their cgroup) has nothing to check; any other end is a
	 * failure.
	 */
	EXPECT_EQ(0UL, bad);
	EXPECT_EQ(failed, oom_kills);
	EXPECT_GT(rounds - failed, GROUPS - 1);
	/*
	 * Each cgroup's zswap is bounded to half its memory, so most rounds
	 * must fit: OOM kills in more than a quarter of them mean that zswap
	 * no longer makes room.
	 */
	EXPECT_LE(oom_kills * 4, rounds);
	EXPECT_TRUE(drained_ok);
	for (i = 0; i < n; i++) {
		EXPECT_GT(agitators[i].done, 0) TH_LOG("%s never succeeded", agitators[i].what);
		EXPECT_EQ(0, agitators[i].unexpected)
			TH_LOG("%s: %ld failures with an errno it should never meet, the last %s",
			       agitators[i].what, agitators[i].unexpected,
			       strerror(-agitators[i].unexpected_err));
	}
	/* The backend switches and the claims must never fail. */
	EXPECT_EQ(0, agitators[0].failed);
	if (gcma)
		EXPECT_EQ(0, agitators[nagitators - 1].failed);
}

TEST_HARNESS_MAIN
