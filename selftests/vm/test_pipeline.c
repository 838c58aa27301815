// SPDX-License-Identifier: GPL-2.0
/*
 * Proves the VM pipeline is real: the guest runs the kernel this build
 * produced, with its configuration, swaps to the disk the host attached,
 * and a workload squeezed by a memory cgroup goes through zswap and reads
 * back intact.  Its clock resolves nanoseconds: the tracepoints' durations
 * and the benchmarks depend on it.
 *
 * ZP_KOBJ names the kernel object directory (set by vmtest/guest.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "kselftest.h"
#include "zp_util.h"

#define LIMIT		(32UL << 20)
#define WORKLOAD	(128UL << 20)

static const char *kobj;

/* The value of a '#define NAME "value"' line in a generated header. */
static int generated_define(const char *header, const char *name,
			    char *out, size_t size)
{
	char path[512], buf[1024], *p, *end;

	snprintf(path, sizeof(path), "%s/include/generated/%s", kobj, header);
	if (zp_read_file(path, buf, sizeof(buf)))
		return -1;
	p = strstr(buf, name);
	if (!p || !(p = strchr(p, '"')) || !(end = strchr(p + 1, '"')))
		return -1;
	snprintf(out, size, "%.*s", (int)(end - p - 1), p + 1);
	return 0;
}

static void test_running_built_kernel(void)
{
	char release[256], version[256];
	struct utsname u;

	if (generated_define("utsrelease.h", "UTS_RELEASE", release, sizeof(release)) ||
	    generated_define("utsversion.h", "UTS_VERSION", version, sizeof(version))) {
		ksft_test_result_fail("running kernel is the build in %s (cannot read its generated headers)\n",
				      kobj);
		return;
	}
	uname(&u);
	ksft_print_msg("running %s %s, built %s %s\n", u.release, u.version,
		       release, version);
	ksft_test_result(!strcmp(u.release, release) && !strcmp(u.version, version) &&
			 !strncmp(u.release, "7.2", 3),
			 "running kernel is the 7.2 build in %s\n", kobj);
}

/* Every line of the build's .config equals /proc/config.gz's. */
static void test_running_config(void)
{
	char cmd[1024];
	int rc;

	snprintf(cmd, sizeof(cmd),
		 "zcat /proc/config.gz | grep '^CONFIG_' | sort > /tmp/running.config && "
		 "grep '^CONFIG_' %s/.config | sort | diff -q - /tmp/running.config >/dev/null",
		 kobj);
	rc = system(cmd);
	ksft_test_result(rc == 0, "running kernel has the build's .config\n");
}

static void test_swap_on_disk(void)
{
	char buf[4096];

	if (zp_read_file("/proc/swaps", buf, sizeof(buf))) {
		ksft_test_result_fail("swap is active on /dev/vda (no /proc/swaps)\n");
		return;
	}
	ksft_test_result(strstr(buf, "\n/dev/vda ") != NULL,
			 "swap is active on /dev/vda\n");
}

static void test_workload_through_zswap(void)
{
	long long out0, out1, in0, in1;
	struct zp_workload w = {
		.bytes = WORKLOAD,
		.pattern = ZP_PATTERN_COMPRESSIBLE,
	};
	char cg[256], enabled[8] = "";
	long long overflow_pages = (WORKLOAD - LIMIT) / ZP_PAGE_SIZE;
	int err;

	zp_read_file("/sys/module/zswap/parameters/enabled", enabled, sizeof(enabled));
	if (enabled[0] != 'Y') {
		ksft_test_result_fail("zswap is enabled (parameters/enabled is '%s')\n", enabled);
		return;
	}
	err = zp_cgroup_create("zp-pipeline", LIMIT, cg, sizeof(cg));
	if (err) {
		ksft_test_result_fail("workload goes through zswap (cgroup: %s)\n", strerror(-err));
		return;
	}
	out0 = zp_stat_get("/proc/vmstat", "zswpout");
	in0 = zp_stat_get("/proc/vmstat", "zswpin");
	err = zp_run_in_cgroup(cg, &w);
	out1 = zp_stat_get("/proc/vmstat", "zswpout");
	in1 = zp_stat_get("/proc/vmstat", "zswpin");
	zp_cgroup_destroy(cg);

	ksft_print_msg("%zu MiB under a %zu MiB limit: zswpout +%lld zswpin +%lld (%lld pages over the limit)\n",
		       WORKLOAD >> 20, LIMIT >> 20, out1 - out0, in1 - in0, overflow_pages);
	if (err) {
		ksft_test_result_fail("workload ran (%s)\n", strerror(-err));
		return;
	}
	/* Most of what did not fit must have been compressed, not just some. */
	ksft_test_result(out1 - out0 >= overflow_pages / 2,
			 "pages over the cgroup limit went to zswap\n");
	ksft_test_result(in1 - in0 > 0, "pages came back through zswap loads\n");
	ksft_test_result(w.bad_pages == 0, "every byte read back intact (%zu bad pages)\n",
			 w.bad_pages);
}

/*
 * Under TCG without ACPI the TSC cannot be calibrated and the kernel falls
 * back to jiffies: every clock read then moves in steps of a tick.
 */
static void test_clock_resolution(void)
{
	long long step, smallest = -1;
	char cs[64] = "";
	struct timespec a, b;
	int i, tries;

	zp_read_file("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		     cs, sizeof(cs));
	cs[strcspn(cs, "\n")] = '\0';
	/*
	 * The smallest of many steps: any single one can be stretched by the
	 * host descheduling the guest's vCPU (seen once in CI: 117 us).
	 */
	for (i = 0; i < 1000; i++) {
		tries = 0;
		clock_gettime(CLOCK_MONOTONIC, &a);
		do {
			clock_gettime(CLOCK_MONOTONIC, &b);
		} while (a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec &&
			 ++tries < 10000000);
		step = (b.tv_sec - a.tv_sec) * 1000000000LL + b.tv_nsec - a.tv_nsec;
		if (smallest < 0 || step < smallest)
			smallest = step;
	}
	ksft_test_result(strstr(cs, "jiffies") == NULL && smallest < 100000,
			 "the clock resolves nanoseconds (clocksource %s, smallest of 1000 steps %lld ns)\n",
			 cs, smallest);
}

/*
 * vmtest/run.sh boots the test kernel with zswap.zpool=nosuchbackend: zswap
 * must say so in the log and start on the Kconfig default, zsmalloc here.
 */
static void test_bad_boot_parameter(void)
{
	const char *bad = "zswap.zpool=nosuchbackend";
	char cmdline[4096], zpool[32] = "";
	int logged;

	if (zp_read_file("/proc/cmdline", cmdline, sizeof(cmdline)) ||
	    !strstr(cmdline, bad)) {
		ksft_test_result_skip("a bad zswap.zpool= at boot falls back (not booted with %s)\n",
				      bad);
		return;
	}
	logged = system("dmesg | grep -q 'zpool nosuchbackend not available, using default zsmalloc'") == 0;
	zp_zswap_param_get("zpool", zpool, sizeof(zpool));
	ksft_test_result(logged && !strcmp(zpool, "zsmalloc"),
			 "a bad zswap.zpool= at boot falls back to zsmalloc and says so (zpool '%s', %s)\n",
			 zpool, logged ? "logged" : "not logged");
}

int main(void)
{
	kobj = getenv("ZP_KOBJ");
	ksft_print_header();
	ksft_set_plan(8);
	if (!kobj)
		ksft_exit_fail_msg("ZP_KOBJ is not set; run this through vmtest/guest.sh\n");

	test_running_built_kernel();
	test_running_config();
	test_swap_on_disk();
	test_clock_resolution();
	test_bad_boot_parameter();
	test_workload_through_zswap();
	ksft_finished();
}
