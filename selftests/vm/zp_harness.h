/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest_harness.h for the VM tests.  Under TCG a workload takes from
 * seconds to minutes depending on the machine, so no test may depend on
 * the harness's 30 second default: the guest's own timeout (vmtest/)
 * bounds a run that hangs.
 */
#ifndef ZP_HARNESS_H
#define ZP_HARNESS_H

#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 1200

#endif
