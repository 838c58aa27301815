// SPDX-License-Identifier: GPL-2.0
#include "zp_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int zp_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	buf[n] = '\0';
	close(fd);
	return 0;
}

int zp_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

long long zp_stat_get(const char *path, const char *key)
{
	size_t klen = strlen(key);
	long long val = -1;
	char line[256];
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			val = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

long long zp_read_ll(const char *path)
{
	char buf[64];

	if (zp_read_file(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

/* xorshift64: cheap, deterministic per page, and incompressible. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* splitmix64's finalizer: a page's share of random data, in no order. */
static uint64_t mix(uint64_t h)
{
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static void pattern_page(uint64_t *out, size_t idx, enum zp_pattern pattern)
{
	uint64_t seed = (idx + 1) * 0x9e3779b97f4a7c15ULL;
	size_t words = ZP_PAGE_SIZE / sizeof(uint64_t);
	size_t i, random_words;

	/* A random part (all, half, 0 to 16 sixteenths, or an eighth), then the index repeated. */
	if (pattern == ZP_PATTERN_RANDOM)
		random_words = words;
	else if (pattern == ZP_PATTERN_MIXED)
		random_words = words / 2;
	else if (pattern == ZP_PATTERN_SPREAD)
		random_words = words / 16 * (mix(seed) % 17);
	else
		random_words = words / 8;
	for (i = 0; i < random_words; i++)
		out[i] = next_rand(&seed);
	for (; i < words; i++)
		out[i] = idx;
}

void zp_fill_page(void *page, size_t idx, enum zp_pattern pattern)
{
	pattern_page(page, idx, pattern);
}

bool zp_check_page(const void *page, size_t idx, enum zp_pattern pattern)
{
	uint64_t want[ZP_PAGE_SIZE / sizeof(uint64_t)];

	pattern_page(want, idx, pattern);
	return !memcmp(page, want, ZP_PAGE_SIZE);
}

int zp_cgroup_create(const char *name, size_t limit, char *path, size_t size)
{
	char file[512], val[32];
	int err;

	/* Let children of the root use the memory controller. */
	err = zp_write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	if (err)
		return err;
	snprintf(path, size, "/sys/fs/cgroup/%s", name);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(file, sizeof(file), "%s/memory.max", path);
	snprintf(val, sizeof(val), "%zu", limit);
	err = zp_write_file(file, val);
	if (err)
		rmdir(path);
	return err;
}

void zp_cgroup_destroy(const char *path)
{
	rmdir(path);
}

int zp_cgroup_set(const char *path, const char *file, unsigned long long val)
{
	char f[512], v[32];

	snprintf(f, sizeof(f), "%s/%s", path, file);
	snprintf(v, sizeof(v), "%llu", val);
	return zp_write_file(f, v);
}

/* The child's side of the pause: say "filled", wait for "go". */
static int child_pause(int ready_fd, int go_fd)
{
	char c = 'f';

	if (write(ready_fd, &c, 1) != 1 || read(go_fd, &c, 1) != 1)
		return -1;
	return 0;
}

/* The workload child's exit status: what failed. */
enum {
	CHILD_CGROUP = 2,	/* joining the cgroup */
	CHILD_MMAP,
	CHILD_MADVISE,
	CHILD_PAUSE,		/* the pipe to the parent */
	CHILD_RESULT,
	CHILD_FAIL,		/* /proc/self/make-it-fail */
	CHILD_PAGEOUT,
};

static int child_run(const char *cgroup, struct zp_workload *w, int result_fd,
		     int go_fd)
{
	size_t pages = w->bytes / ZP_PAGE_SIZE, i, bad = 0;
	char procs[512], pid[32];
	unsigned char *buf;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (zp_write_file(procs, pid))
		return CHILD_CGROUP;
	buf = mmap(NULL, w->bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return CHILD_MMAP;
	zp_fill_page(buf, 0, w->pattern);
	if (w->make_it_fail && zp_write_file("/proc/self/make-it-fail", "1"))
		return CHILD_FAIL;
	for (i = 1; i < pages; i++)
		zp_fill_page(buf + i * ZP_PAGE_SIZE, i, w->pattern);
	/* The write itself allocates, and may be failed: try again. */
	for (i = 0; w->make_it_fail && zp_write_file("/proc/self/make-it-fail", "0"); i++)
		if (i == 1000)
			return CHILD_FAIL;
	for (i = 1; w->fragment && i < pages; i += 2)
		if (madvise(buf + i * ZP_PAGE_SIZE, ZP_PAGE_SIZE, MADV_DONTNEED))
			return CHILD_MADVISE;
	if (w->make_pageout_fail && zp_write_file("/proc/self/make-it-fail", "1"))
		return CHILD_FAIL;
	if (w->pageout && madvise(buf, w->bytes, MADV_PAGEOUT))
		return CHILD_PAGEOUT;
	for (i = 0; w->make_pageout_fail && zp_write_file("/proc/self/make-it-fail", "0"); i++)
		if (i == 1000)
			return CHILD_FAIL;
	if (w->between && child_pause(result_fd, go_fd))
		return CHILD_PAUSE;
	for (i = 0; i < pages; i += w->fragment ? 2 : 1)
		bad += !zp_check_page(buf + i * ZP_PAGE_SIZE, i, w->pattern);
	if (write(result_fd, &bad, sizeof(bad)) != sizeof(bad))
		return CHILD_RESULT;
	return 0;
}

/*
 * Wait until @fd is readable, calling w->during() every 10 ms meanwhile.
 * False if poll() failed.
 */
static bool wait_readable(int fd, struct zp_workload *w)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	for (;;) {
		if (w->during)
			w->during(w->arg);
		n = poll(&p, 1, w->during ? 10 : -1);
		if (n > 0)
			return true;
		if (n < 0 && errno != EINTR)
			return false;
	}
}

int zp_run_in_cgroup(const char *cgroup, struct zp_workload *w)
{
	int fds[2], go[2], status;
	ssize_t n = 0;
	pid_t pid;
	char c;

	if (pipe(fds))
		return -errno;
	if (pipe(go)) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(fds[0]);
		close(go[1]);
		_exit(child_run(cgroup, w, fds[1], go[0]));
	}
	close(fds[1]);
	close(go[0]);
	if (!wait_readable(fds[0], w))
		n = -1;
	if (n == 0 && w->between && read(fds[0], &c, 1) == 1) {
		w->between(w->arg);
		c = 'g';
		if (write(go[1], &c, 1) != 1)
			n = -1;
	}
	close(go[1]);
	if (n == 0 && w->between && !wait_readable(fds[0], w))
		n = -1;
	if (n == 0)
		n = read(fds[0], &w->bad_pages, sizeof(w->bad_pages));
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFSIGNALED(status))
		fprintf(stderr, "# workload killed by signal %d\n", WTERMSIG(status));
	else if (WEXITSTATUS(status))
		fprintf(stderr, "# workload exited with status %d (see child_run())\n", WEXITSTATUS(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) || n != sizeof(w->bad_pages))
		return -ECHILD;
	return 0;
}

int zp_zswap_param_get(const char *param, char *buf, size_t size)
{
	char path[256];
	int err;

	snprintf(path, sizeof(path), "/sys/module/zswap/parameters/%s", param);
	err = zp_read_file(path, buf, size);
	if (!err)
		buf[strcspn(buf, "\n")] = '\0';
	return err;
}

int zp_zswap_param_set(const char *param, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/zswap/parameters/%s", param);
	return zp_write_file(path, val);
}

/* A number in debugfs, /sys/kernel/debug/@dir/@name, or -1. */
static long long debugfs_ll(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", dir, name);
	return zp_read_ll(path);
}

long long zp_zswap_stat(const char *name)
{
	return debugfs_ll("zswap", name);
}

int zp_zswap_pools(struct zp_pool *pools, int max)
{
	char line[256];
	int n = 0;
	FILE *f;

	f = fopen("/sys/kernel/debug/zswap/pools", "r");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {	/* the header */
		fclose(f);
		return -EIO;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		struct zp_pool *p = &pools[n];

		if (sscanf(line, "%u %31s %31s %lld %lld", &p->id, p->type,
			   p->compressor, &p->stored_pages, &p->pool_pages) == 5)
			n++;
	}
	fclose(f);
	return n;
}

double zp_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

bool zp_is_file_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int zp_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void zp_hold_pages(void *arg)
{
	struct zp_pool pools[8];
	struct zp_hold *h = arg;

	h->start = zp_wall_s();
	sleep(h->seconds / 2);
	h->err = zp_zswap_pools(pools, 8) < 1;
	h->pool = pools[0];
	sleep(h->seconds - h->seconds / 2);
	h->end = zp_wall_s();
}

long long zp_cma_stat(const char *area, const char *file)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "cma/%s", area);
	return debugfs_ll(dir, file);
}

int zp_cma_write(const char *area, const char *file, long long pages)
{
	char path[256], val[32];

	snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/%s", area, file);
	snprintf(val, sizeof(val), "%lld", pages);
	return zp_write_file(path, val);
}

long long zp_gcma_stat(const char *name)
{
	return debugfs_ll("gcma", name);
}

pid_t zp_spawn_until_output(char *const argv[], const char *out, int timeout_s)
{
	struct stat st;
	pid_t pid;
	int i;

	unlink(out);		/* no earlier output counts as this one's */
	pid = fork();
	if (pid == 0) {
		if (!freopen(out, "w", stdout))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	for (i = 0; pid > 0 && i < timeout_s * 10; i++) {
		if (!stat(out, &st) && st.st_size > 0)
			break;
		usleep(100000);
	}
	return pid;
}

int zp_interrupt(pid_t pid)
{
	int status;

	if (kill(pid, SIGINT) || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int fault_attr_set(const char *dir, const char *attr, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	return zp_write_file(path, val);
}

/* A budget of failures large enough never to run out: its use is counted. */
#define FAULT_BUDGET	1000000LL

int zp_fault_arm(const char *dir)
{
	char budget[32];
	int err;

	snprintf(budget, sizeof(budget), "%lld", FAULT_BUDGET);
	err = fault_attr_set(dir, "task-filter", "Y");
	err = err ?: fault_attr_set(dir, "verbose", "0");
	err = err ?: fault_attr_set(dir, "interval", "1");
	err = err ?: fault_attr_set(dir, "space", "0");
	err = err ?: fault_attr_set(dir, "times", budget);
	err = err ?: fault_attr_set(dir, "ignore-gfp-wait", "N");
	if (!err && !strcmp(dir, ZP_FAIL_PAGE))
		err = fault_attr_set(dir, "ignore-gfp-highmem", "N");
	return err ?: fault_attr_set(dir, "probability", "10");
}

long long zp_fault_disarm(const char *dir)
{
	char path[256];
	long long left;

	snprintf(path, sizeof(path), "%s/times", dir);
	left = zp_read_ll(path);
	fault_attr_set(dir, "probability", "0");
	fault_attr_set(dir, "times", "1");
	return left < 0 ? -1 : FAULT_BUDGET - left;
}
